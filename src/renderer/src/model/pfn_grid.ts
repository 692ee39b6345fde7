// Geometry of the physical memory map: a pfn range laid out row-major over the canvas, one cell
// per pixel when there are more frames than pixels, larger square cells when zoomed in so far
// that each frame gets its own cell. Pure arithmetic, shared by drawing, hover and zoom.

export interface PfnRange {
  readonly startPfn: number
  readonly endPfn: number
}

export interface GridLayout {
  readonly cellPx: number
  readonly cols: number
  readonly rows: number
  /** Cells in use (what LabApi.memoryMap is asked for); never more than there are frames. */
  readonly cells: number
}

export function gridLayout(widthPx: number, heightPx: number, range: PfnRange): GridLayout {
  const width = Math.max(1, Math.floor(widthPx))
  const height = Math.max(1, Math.floor(heightPx))
  const span = Math.max(1, range.endPfn - range.startPfn)
  const maxCells = width * height
  if (span >= maxCells) return { cellPx: 1, cols: width, rows: height, cells: maxCells }
  const cellPx = Math.max(1, Math.floor(Math.sqrt(maxCells / span)))
  const cols = Math.max(1, Math.floor(width / cellPx))
  const rows = Math.max(1, Math.min(Math.floor(height / cellPx), Math.ceil(span / cols)))
  return { cellPx, cols, rows, cells: Math.min(cols * rows, span) }
}

/** Cell under a point in CSS pixels of the canvas, or -1 outside the used cells. */
export function cellAt(layout: GridLayout, x: number, y: number): number {
  const col = Math.floor(x / layout.cellPx)
  const row = Math.floor(y / layout.cellPx)
  if (x < 0 || y < 0 || col >= layout.cols || row >= layout.rows) return -1
  const cell = row * layout.cols + col
  return cell < layout.cells ? cell : -1
}

/** First frame of a cell: cell c covers [pfnOfCell(c), pfnOfCell(c + 1)). */
export function pfnOfCell(range: PfnRange, layout: GridLayout, cell: number): number {
  return range.startPfn + Math.floor((cell * (range.endPfn - range.startPfn)) / layout.cells)
}

/** Cell holding a frame (for zone boundaries), or -1 outside the range. */
export function cellOfPfn(range: PfnRange, layout: GridLayout, pfn: number): number {
  if (pfn < range.startPfn || pfn >= range.endPfn) return -1
  return Math.floor(((pfn - range.startPfn) * layout.cells) / (range.endPfn - range.startPfn))
}

/**
 * Zoom by `factor` (< 1 zooms in) keeping `pfn` where it is on screen; the result stays inside
 * `bounds` and spans at least `minSpan` frames.
 */
export function zoomRange(range: PfnRange, pfn: number, factor: number, bounds: PfnRange, minSpan: number): PfnRange {
  const span = range.endPfn - range.startPfn
  const total = bounds.endPfn - bounds.startPfn
  const next = Math.round(Math.min(total, Math.max(Math.min(minSpan, total), span * factor)))
  const rel = span > 0 ? (pfn - range.startPfn) / span : 0
  return clampRange(Math.round(pfn - rel * next), next, bounds)
}

/** Move the range by `deltaPfn` frames, stopping at the bounds. */
export function panRange(range: PfnRange, deltaPfn: number, bounds: PfnRange): PfnRange {
  return clampRange(range.startPfn + Math.round(deltaPfn), range.endPfn - range.startPfn, bounds)
}

function clampRange(start: number, span: number, bounds: PfnRange): PfnRange {
  const s = Math.min(Math.max(bounds.startPfn, start), bounds.endPfn - span)
  return { startPfn: s, endPfn: s + span }
}

/**
 * End of the guest's physical address space in 4 KiB frames, as QEMU q35 lays it out (the
 * schema's guest.lowMemMiB rule): RAM below the PCI hole, the rest from 4 GiB. The map's first
 * request covers [0, this); the zones in the answer then give the exact bounds.
 */
export function guestEndPfn(memoryMiB: number, lowMemMiB: number | null): number {
  const low = lowMemMiB ?? (memoryMiB < 2816 ? memoryMiB : 2048)
  if (low >= memoryMiB) return memoryMiB * 256
  return (4096 + memoryMiB - low) * 256
}
