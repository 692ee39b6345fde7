// Formatting of the lab's units for labels, tooltips and tables (binary prefixes, as the kernel).
export { formatCount, formatKiB, formatMs } from '../../../common/units'

/** Axis label for simulated time in ms: seconds, or m:ss past a minute. */
export function formatAxisTime(ms: number): string {
  const s = ms / 1000
  if (Math.abs(s) < 60) return `${Number(s.toFixed(2))} s`
  const whole = Math.round(s)
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`
}

/** Signed difference for comparison tables: "+12.0 MiB", "−3". */
export function formatDelta(delta: number, format: (v: number) => string): string {
  if (!Number.isFinite(delta)) return '–'
  if (delta === 0) return '±0'
  const text = format(Math.abs(delta))
  return delta > 0 ? `+${text}` : `−${text}`
}
