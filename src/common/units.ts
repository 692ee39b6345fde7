// Sizes, times and counts as the lab writes them in the UI, the CLI and explanations (binary
// prefixes, as the kernel).

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

export function formatCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–'
}
