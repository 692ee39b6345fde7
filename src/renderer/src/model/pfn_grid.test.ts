import { describe, expect, it } from 'vitest'
import { cellAt, cellOfPfn, gridLayout, guestEndPfn, panRange, pfnOfCell, zoomRange } from './pfn_grid'

describe('gridLayout', () => {
  it('uses one pixel per cell when frames outnumber pixels', () => {
    // 2 GiB guest = 524288 frames on an 800x200 canvas: 160000 cells, ~3.3 frames each
    expect(gridLayout(800, 200, { startPfn: 0, endPfn: 524_288 })).toEqual({ cellPx: 1, cols: 800, rows: 200, cells: 160_000 })
  })

  it('grows cells when zoomed in to fewer frames than pixels', () => {
    // 1000 frames on 800x200: sqrt(160) -> 12 px cells, 66 per row, 16 rows, 1000 cells
    expect(gridLayout(800, 200, { startPfn: 5000, endPfn: 6000 })).toEqual({ cellPx: 12, cols: 66, rows: 16, cells: 1000 })
  })
})

describe('hover and zone arithmetic', () => {
  const range = { startPfn: 4096, endPfn: 4096 + 1_600_000 }
  const layout = gridLayout(800, 200, range)

  it('maps a pixel to its cell and first frame', () => {
    // pixel (10, 2) is cell 2*800+10 = 1610; each cell covers 10 frames
    expect(cellAt(layout, 10.5, 2.9)).toBe(1610)
    expect(pfnOfCell(range, layout, 1610)).toBe(4096 + 16_100)
    expect(cellAt(layout, 800, 0)).toBe(-1)
    expect(cellAt(layout, -1, 0)).toBe(-1)
  })

  it('finds the cell of a frame and back', () => {
    expect(cellOfPfn(range, layout, 4096 + 16_109)).toBe(1610)
    expect(cellOfPfn(range, layout, 4095)).toBe(-1)
  })

  it('ignores pixels past the last used cell', () => {
    const small = gridLayout(800, 200, { startPfn: 0, endPfn: 1000 })
    expect(cellAt(small, 5 * 12, 15 * 12)).toBe(995)
    expect(cellAt(small, 65 * 12, 15 * 12)).toBe(-1) // cell 1055 >= 1000
  })
})

describe('zoomRange / panRange', () => {
  const bounds = { startPfn: 0, endPfn: 1_000_000 }

  it('keeps the frame under the pointer in place', () => {
    const r = zoomRange({ startPfn: 0, endPfn: 1_000_000 }, 250_000, 0.5, bounds, 64)
    expect(r).toEqual({ startPfn: 125_000, endPfn: 625_000 })
  })

  it('clamps to the bounds and the minimum span', () => {
    expect(zoomRange({ startPfn: 0, endPfn: 100 }, 50, 0.01, bounds, 64)).toEqual({ startPfn: 18, endPfn: 82 })
    expect(zoomRange({ startPfn: 900_000, endPfn: 1_000_000 }, 990_000, 20, bounds, 64)).toEqual(bounds)
    expect(panRange({ startPfn: 10, endPfn: 110 }, -50, bounds)).toEqual({ startPfn: 0, endPfn: 100 })
  })
})

describe('guestEndPfn', () => {
  it('follows the q35 split below and above 4 GiB', () => {
    expect(guestEndPfn(2048, null)).toBe(524_288)
    // 8 GiB: 2 GiB low, 6 GiB from 4 GiB -> ends at 10 GiB
    expect(guestEndPfn(8192, null)).toBe(10 * 262_144)
    expect(guestEndPfn(4096, 3072)).toBe((4096 + 1024) * 256)
  })
})
