// Formatting of the lab's units for labels, tooltips and tables (binary prefixes, as the kernel).

export function formatKiB(kib: number): string {
  if (!Number.isFinite(kib)) return '–'
  const abs = Math.abs(kib)
  if (abs >= 1024 * 1024) return `${(kib / (1024 * 1024)).toFixed(2)} GiB`
  if (abs >= 1024) return `${(kib / 1024).toFixed(1)} MiB`
  return `${Math.round(kib)} KiB`
}

/** Simulated or wall time: "850 ms", "12.3 s", "4 min 05 s", "1 h 02 min". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–'
  const abs = Math.abs(ms)
  const sign = ms < 0 ? '−' : ''
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(1)} s`
  const s = Math.round(abs / 1000)
  if (s < 3600) return `${sign}${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
  return `${sign}${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`
}

/** Axis label for simulated time in ms: seconds, or m:ss past a minute. */
export function formatAxisTime(ms: number): string {
  const s = ms / 1000
  if (Math.abs(s) < 60) return `${Number(s.toFixed(2))} s`
  const whole = Math.round(s)
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`
}

export function formatCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–'
}

/** Signed difference for comparison tables: "+12.0 MiB", "−3". */
export function formatDelta(delta: number, format: (v: number) => string): string {
  if (!Number.isFinite(delta)) return '–'
  if (delta === 0) return '±0'
  const text = format(Math.abs(delta))
  return delta > 0 ? `+${text}` : `−${text}`
}
