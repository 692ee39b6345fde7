import { describe, expect, it } from 'vitest'
import { PFN_STATES } from '../../../common/api'
import { STATE_COLORS, packColor, paintCells, paletteOf } from './memory_map_palette'

describe('memory map palette', () => {
  it('packs #rrggbb as little-endian RGBA', () => {
    expect(packColor('#102030')).toBe(0xff302010)
  })

  it('has one distinct colour per state in both themes', () => {
    for (const theme of ['light', 'dark'] as const) {
      const p = paletteOf(theme)
      expect(p).toHaveLength(PFN_STATES.length)
      expect(new Set(p).size).toBe(PFN_STATES.length)
      expect(p[PFN_STATES.indexOf('reported')]).toBe(packColor(STATE_COLORS[theme].reported))
    }
  })

  it('paints 1 px cells row-major', () => {
    const palette = Uint32Array.of(0, 1, 2, 3, 4, 5)
    const pixels = new Uint32Array(6)
    paintCells(Uint8Array.of(1, 2, 3, 4, 5), palette, pixels, 3, 3, 1)
    expect(Array.from(pixels)).toEqual([1, 2, 3, 4, 5, 0])
  })

  it('paints large cells as squares with a gutter', () => {
    const palette = Uint32Array.of(0, 7, 9)
    const pixels = new Uint32Array(8 * 4)
    paintCells(Uint8Array.of(1, 2), palette, pixels, 8, 2, 4)
    const row = (y: number) => Array.from(pixels.subarray(y * 8, y * 8 + 8))
    expect(row(0)).toEqual([7, 7, 7, 0, 9, 9, 9, 0])
    expect(row(2)).toEqual([7, 7, 7, 0, 9, 9, 9, 0])
    expect(row(3)).toEqual([0, 0, 0, 0, 0, 0, 0, 0])
  })
})
