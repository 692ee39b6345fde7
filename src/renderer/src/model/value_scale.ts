// Value axes with units that scale: memory in KiB, MiB, GiB or TiB by the largest visible value
// (binary prefixes, as the kernel counts), counts with k/M, nice 1-2-5 steps from zero, and a
// logarithmic scale for block counts that keeps zero on the axis.

export type Quantity = 'kib' | 'count'

export interface ValueScale {
  readonly min: number
  readonly max: number
  /** Tick positions, in the plotted value (log10 of the value on a log scale). */
  readonly ticks: readonly number[]
  /** Axis name: the unit the labels are in ("GiB", "blocks"). */
  readonly unit: string
  /** Label of a tick. */
  readonly label: (v: number) => string
}

const KIB_UNITS = [
  { unit: 'KiB', kib: 1 },
  { unit: 'MiB', kib: 1024 },
  { unit: 'GiB', kib: 1024 ** 2 },
  { unit: 'TiB', kib: 1024 ** 3 },
] as const

/** The unit memory of at most `max_kib` reads best in: the largest that keeps the top label at or above 1. */
export function memoryUnit(max_kib: number): { readonly unit: string; readonly kib: number } {
  let best: { unit: string; kib: number } = KIB_UNITS[0]
  for (const u of KIB_UNITS) if (max_kib >= u.kib) best = u
  return best
}

/** A 1-2-5 step such that about `ticks` steps cover `max`. */
export function niceStep(max: number, ticks: number): number {
  const raw = max / Math.max(1, ticks)
  if (!(raw > 0) || !Number.isFinite(raw)) return 1
  const decade = 10 ** Math.floor(Math.log10(raw))
  const f = raw / decade
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * decade
}

const decimalsOf = (step: number): number => Math.max(0, -Math.floor(Math.log10(step) + 1e-9))

/** Counts: 950, 1.2k, 3.4M. */
export function compactCount(v: number): string {
  const a = Math.abs(v)
  if (a >= 1e6) return `${Number((v / 1e6).toFixed(a >= 1e7 ? 0 : 1))}M`
  if (a >= 1e4) return `${Number((v / 1e3).toFixed(a >= 1e5 ? 0 : 1))}k`
  return String(Number(v.toFixed(2)))
}

/**
 * A linear axis from zero (or below it, for negative data) to a nice maximum at or above
 * `max`, in the unit memory reads best in, with about `ticks` steps.
 */
export function linearScale(dataMin: number, dataMax: number, quantity: Quantity, countUnit = 'count', ticks = 4): ValueScale {
  const lo = Math.min(0, Number.isFinite(dataMin) ? dataMin : 0)
  const hi = Math.max(0, Number.isFinite(dataMax) ? dataMax : 0)
  const { unit, kib } = quantity === 'kib' ? memoryUnit(Math.max(Math.abs(lo), hi)) : { unit: countUnit, kib: 1 }
  const span = hi - lo > 0 ? (hi - lo) / kib : 1
  const step = quantity === 'count' ? Math.max(1, niceStep(span, ticks)) : niceStep(span, ticks)
  const min = Math.floor(lo / kib / step) * step * kib
  let max = Math.ceil(hi / kib / step) * step * kib
  if (max <= min) max = min + step * kib
  const values: number[] = []
  for (let v = min; v <= max + step * kib * 1e-9; v += step * kib) values.push(Number(v.toPrecision(12)))
  const decimals = decimalsOf(step)
  return {
    min,
    max,
    ticks: values,
    unit,
    label: quantity === 'kib' ? (v) => (v / kib).toFixed(decimals) : (v) => compactCount(v),
  }
}

/** Where zero sits on a log axis: half a decade below 1, labelled 0. */
export const LOG_ZERO = -0.5

/** The plotted value of a count on a log axis (log10, with zero and below at LOG_ZERO). */
export const toLog = (v: number): number => (v >= 1 ? Math.log10(v) : v > 0 ? Math.max(LOG_ZERO, Math.log10(v)) : LOG_ZERO)

/** A log10 axis for counts: decades from 1 up to the decade above `dataMax`, with zero at the bottom. */
export function logScale(dataMax: number, countUnit: string): ValueScale {
  const top = Math.max(1, Math.ceil(Math.log10(Math.max(1, dataMax)) - 1e-9))
  const ticks = [LOG_ZERO, ...Array.from({ length: top + 1 }, (_, k) => k)]
  return { min: LOG_ZERO, max: top, ticks, unit: `${countUnit}, log`, label: (v) => (v < 0 ? '0' : compactCount(10 ** v)) }
}
