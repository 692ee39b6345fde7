// Elapsed-time ticks for the time axes (Perfetto's gridline_helper habit): steps from a fixed
// table of nice durations, the smallest that leaves at least MIN_TICK_PX between two labels, and
// every label of an axis in one format: +m:ss below an hour, +h:mm:ss from an hour on, with as
// many decimals of a second as the step needs (+0:05, +1:00:00, +0:01.5).

/** Least horizontal room per tick label, px ("+1:00:00" at 10 px is ~50 px wide, plus air). */
export const MIN_TICK_PX = 90

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE

/** Nice steps in ms: 1-2-5 below a second, then the clock's own divisions. */
export const TICK_STEPS_MS: readonly number[] = [
  1, 2, 5, 10, 20, 50, 100, 200, 500,
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, 24 * HOUR,
]

export interface TimeTicks {
  readonly step_ms: number
  /** Tick positions inside [t0, t1], multiples of the step. */
  readonly values: readonly number[]
  /** The label of a tick (or any time) in this axis's format. */
  readonly format: (t_ms: number) => string
}

/** The step for a window of `span_ms` drawn `width_px` wide. */
export function tickStep(span_ms: number, width_px: number): number {
  const maxTicks = Math.max(1, Math.floor(width_px / MIN_TICK_PX))
  for (const step of TICK_STEPS_MS) if (span_ms / step <= maxTicks) return step
  const days = Math.ceil(span_ms / maxTicks / (24 * HOUR))
  return days * 24 * HOUR
}

/** Decimals of a second a step needs: 0 from 1 s up, 1 for 100-500 ms, … */
export function decimalsFor(step_ms: number): number {
  if (step_ms >= SECOND) return 0
  if (step_ms >= 100) return 1
  if (step_ms >= 10) return 2
  return 3
}

/**
 * Elapsed time as `+m:ss[.f]`, or `+h:mm:ss[.f]` when `hours`; negative times get a minus sign.
 * Rounds to the decimals first, so 59.96 s with no decimals reads +1:00, not +0:60.
 */
export function formatElapsed(t_ms: number, decimals: number, hours: boolean): string {
  const sign = t_ms < 0 ? '−' : '+'
  const unit = 10 ** decimals
  const total = Math.round((Math.abs(t_ms) / SECOND) * unit)
  const whole = Math.floor(total / unit)
  const frac = total % unit
  const s = whole % 60
  const m = Math.floor(whole / 60)
  const secs = `${String(s).padStart(2, '0')}${decimals > 0 ? `.${String(frac).padStart(decimals, '0')}` : ''}`
  if (!hours) return `${sign}${m}:${secs}`
  return `${sign}${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${secs}`
}

/** Ticks of the window [t0, t1] drawn `width_px` wide. The format shows hours when the window reaches an hour. */
export function timeTicks(t0_ms: number, t1_ms: number, width_px: number): TimeTicks {
  const span = Math.max(1e-9, t1_ms - t0_ms)
  const step_ms = tickStep(span, width_px)
  const decimals = decimalsFor(step_ms)
  const hours = Math.max(Math.abs(t0_ms), Math.abs(t1_ms)) >= HOUR
  const values: number[] = []
  for (let k = Math.ceil(t0_ms / step_ms); k * step_ms <= t1_ms + 1e-9; k++) values.push(Number((k * step_ms).toFixed(6)))
  return { step_ms, values, format: (t) => formatElapsed(t, decimals, hours) }
}

/**
 * A point in time in the axes' format, as precise as `resolution_ms` (a pixel's worth of time in
 * a tooltip; 1 for a cursor set to the millisecond): +0:15.3, +1:00:00.
 */
export function formatInstant(t_ms: number, resolution_ms: number): string {
  const exact = [SECOND, 100, 10].find((step) => Math.abs(t_ms) % step === 0)
  const decimals = Math.min(decimalsFor(Math.max(1, resolution_ms)), decimalsFor(exact ?? 1))
  return formatElapsed(t_ms, decimals, Math.abs(t_ms) >= HOUR)
}
