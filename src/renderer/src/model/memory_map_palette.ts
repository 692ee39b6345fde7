// Colours of the physical memory map, one per PFN_STATES entry, packed for a Uint32Array view of
// ImageData (little-endian RGBA bytes = 0xAABBGGRR).
import { PFN_STATES, type PfnState } from '../../../common/api'

export type Theme = 'light' | 'dark'

export const STATE_COLORS: Readonly<Record<Theme, Readonly<Record<PfnState, string>>>> = {
  light: { hole: '#e4e6ea', allocated: '#5d6b82', free: '#86cf8a', reported: '#2b8fe0', isolated: '#f08c00', pcp: '#b06ad6' },
  dark: { hole: '#1d2027', allocated: '#4b5569', free: '#3e9550', reported: '#3ba2ff', isolated: '#ffa41f', pcp: '#b87de3' },
}

export const STATE_LABELS: Readonly<Record<PfnState, string>> = {
  hole: 'hole / reserved',
  allocated: 'allocated',
  free: 'free (unreported)',
  reported: 'free, reported',
  isolated: 'isolated (in scatterlist)',
  pcp: 'per-CPU list',
}

export function packColor(hex: string): number {
  const v = Number.parseInt(hex.slice(1), 16)
  const r = (v >> 16) & 0xff
  const g = (v >> 8) & 0xff
  const b = v & 0xff
  return ((0xff << 24) | (b << 16) | (g << 8) | r) >>> 0
}

/** Packed colours indexed by state byte. */
export function paletteOf(theme: Theme): Uint32Array {
  return Uint32Array.from(PFN_STATES, (state) => packColor(STATE_COLORS[theme][state]))
}

/** Paint cells into pixels: cell c fills a cellPx square at (c % cols, c / cols). */
export function paintCells(states: Uint8Array, palette: Uint32Array, pixels: Uint32Array, widthPx: number, cols: number, cellPx: number): void {
  const unknown = palette[0]
  for (let c = 0; c < states.length; c++) {
    const color = palette[states[c]] ?? unknown
    const x0 = (c % cols) * cellPx
    const y0 = Math.floor(c / cols) * cellPx
    for (let dy = 0; dy < cellPx; dy++) {
      const rowStart = (y0 + dy) * widthPx + x0
      // leave a 1 px gutter between cells once they are large enough to read as cells
      const w = cellPx >= 4 ? cellPx - 1 : cellPx
      if (cellPx >= 4 && dy === cellPx - 1) continue
      pixels.fill(color, rowStart, rowStart + w)
    }
  }
}
