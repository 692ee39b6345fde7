// The visible time window of a chart stack as an absolute span in ms (Perfetto's TimelineImpl):
// changed only through these verbs, each of which clamps to the run and to a minimum span.

export interface TimeWindow {
  readonly t0_ms: number
  readonly t1_ms: number
}

/** Narrowest window: a few samples of the default 100 ms interval. */
export const MIN_SPAN_MS = 200

function clampSpan(span: number, bounds: TimeWindow, minSpan: number): number {
  const full = bounds.t1_ms - bounds.t0_ms
  return Math.min(full, Math.max(Math.min(minSpan, full), span))
}

/** The window moved inside the bounds, keeping its span (shrunk to the bounds if wider). */
export function clampWindow(w: TimeWindow, bounds: TimeWindow, minSpan = MIN_SPAN_MS): TimeWindow {
  const span = clampSpan(w.t1_ms - w.t0_ms, bounds, minSpan)
  const t0 = Math.min(Math.max(w.t0_ms, bounds.t0_ms), bounds.t1_ms - span)
  return { t0_ms: t0, t1_ms: t0 + span }
}

/** Zoom by `ratio` (< 1 in, > 1 out) keeping `center_ms` at the same place on screen. */
export function zoomWindow(w: TimeWindow, ratio: number, center_ms: number, bounds: TimeWindow, minSpan = MIN_SPAN_MS): TimeWindow {
  const span = w.t1_ms - w.t0_ms
  const next = clampSpan(span * ratio, bounds, minSpan)
  const f = span > 0 ? (center_ms - w.t0_ms) / span : 0.5
  const t0 = center_ms - f * next
  return clampWindow({ t0_ms: t0, t1_ms: t0 + next }, bounds, minSpan)
}

/** Move by `d_ms` (positive: later), stopping at the bounds. */
export function panWindow(w: TimeWindow, d_ms: number, bounds: TimeWindow, minSpan = MIN_SPAN_MS): TimeWindow {
  return clampWindow({ t0_ms: w.t0_ms + d_ms, t1_ms: w.t1_ms + d_ms }, bounds, minSpan)
}

/** The window between two times in either order (a drag-selection), clamped. */
export function windowBetween(a_ms: number, b_ms: number, bounds: TimeWindow, minSpan = MIN_SPAN_MS): TimeWindow {
  const t0 = Math.min(a_ms, b_ms)
  const t1 = Math.max(a_ms, b_ms)
  const span = clampSpan(t1 - t0, bounds, minSpan)
  const mid = (t0 + t1) / 2
  return clampWindow({ t0_ms: mid - span / 2, t1_ms: mid + span / 2 }, bounds, minSpan)
}

export const sameWindow = (a: TimeWindow, b: TimeWindow): boolean => Math.abs(a.t0_ms - b.t0_ms) < 1e-6 && Math.abs(a.t1_ms - b.t1_ms) < 1e-6
