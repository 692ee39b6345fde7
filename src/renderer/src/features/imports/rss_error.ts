// How far a simulated host-RSS curve is from a measured one: the measured series is shifted by
// an offset onto the simulation's time axis, the simulated curve is read at each measured
// sample by linear interpolation, and the differences give RMSE, mean absolute error and bias in
// MiB. Only the time both cover counts; no extrapolation.

export interface TimeSeries {
  readonly t_ms: ArrayLike<number>
  /** Values at t_ms, in KiB. */
  readonly kib: ArrayLike<number>
}

export interface RssError {
  readonly rmse_mib: number
  readonly mae_mib: number
  /** Mean of simulated minus measured: > 0 when the simulation keeps more resident. */
  readonly bias_mib: number
  readonly max_abs_mib: number
  /** Measured samples inside the simulated time span. */
  readonly points: number
  /** Overlap on the simulation's time axis, ms. */
  readonly from_ms: number
  readonly to_ms: number
}

/** Index of the last t <= x in a non-decreasing array; -1 if x is before the first. */
export function lastAtOrBefore(t: ArrayLike<number>, x: number): number {
  let lo = 0
  let hi = t.length - 1
  if (hi < 0 || x < t[0]) return -1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (t[mid] <= x) lo = mid
    else hi = mid - 1
  }
  return lo
}

/** Linear interpolation of (t, y) at x; NaN outside [t[0], t[last]]. */
export function interpolateAt(t: ArrayLike<number>, y: ArrayLike<number>, x: number): number {
  const i = lastAtOrBefore(t, x)
  if (i < 0 || x > t[t.length - 1]) return NaN
  if (i === t.length - 1 || t[i + 1] === t[i]) return y[i]
  const f = (x - t[i]) / (t[i + 1] - t[i])
  return y[i] + f * (y[i + 1] - y[i])
}

/** Error of `simulated` against `measured`, the measured sample at t lying at t + offset_ms of the simulation. null without overlap. */
export function rssError(simulated: TimeSeries, measured: TimeSeries, offset_ms = 0): RssError | null {
  let n = 0
  let sum = 0
  let sumAbs = 0
  let sumSq = 0
  let maxAbs = 0
  let from = Infinity
  let to = -Infinity
  for (let i = 0; i < measured.t_ms.length; i++) {
    const t = measured.t_ms[i] + offset_ms
    const sim = interpolateAt(simulated.t_ms, simulated.kib, t)
    if (Number.isNaN(sim)) continue
    const d = (sim - measured.kib[i]) / 1024
    n++
    sum += d
    sumAbs += Math.abs(d)
    sumSq += d * d
    maxAbs = Math.max(maxAbs, Math.abs(d))
    from = Math.min(from, t)
    to = Math.max(to, t)
  }
  if (n === 0) return null
  return { rmse_mib: Math.sqrt(sumSq / n), mae_mib: sumAbs / n, bias_mib: sum / n, max_abs_mib: maxAbs, points: n, from_ms: from, to_ms: to }
}

/**
 * The offset in [from_ms, to_ms] (steps of step_ms) with the smallest RMSE, for traces whose
 * t = 0 is not the simulation's (a harness that starts sampling before the workload). Offsets
 * that overlap fewer than half the measured samples are not considered.
 */
export function fitOffset(simulated: TimeSeries, measured: TimeSeries, from_ms: number, to_ms: number, step_ms: number): { offset_ms: number; error: RssError } | null {
  if (!(step_ms > 0)) throw new Error('fitOffset: step_ms must be positive')
  let best: { offset_ms: number; error: RssError } | null = null
  const minPoints = Math.ceil(measured.t_ms.length / 2)
  for (let k = 0; from_ms + k * step_ms <= to_ms; k++) {
    const offset_ms = from_ms + k * step_ms
    const error = rssError(simulated, measured, offset_ms)
    if (error === null || error.points < minPoints) continue
    if (best === null || error.rmse_mib < best.error.rmse_mib) best = { offset_ms, error }
  }
  return best
}
