// Progress and ETA of a run from its status pushes: simulated time done over the run length, and
// the remaining simulated time at the speed the run has achieved so far.
import type { RunStatus } from '../../../common/api'

export interface RunProgress {
  /** 0..1 */
  readonly fraction: number
  /** Simulated ms per wall ms achieved so far; NaN before any progress. */
  readonly rate: number
  /** Wall ms to the end at that rate; 0 when done; NaN when unknown (no progress yet, or paused). */
  readonly eta_ms: number
}

export function runProgress(status: RunStatus | null): RunProgress {
  if (!status || status.end_ms <= 0) return { fraction: 0, rate: Number.NaN, eta_ms: Number.NaN }
  const fraction = Math.min(1, Math.max(0, status.sim_ms / status.end_ms))
  const rate = status.wall_ms > 0 && status.sim_ms > 0 ? status.sim_ms / status.wall_ms : Number.NaN
  const done = fraction >= 1 || status.state === 'finished' || status.state === 'stopped' || status.state === 'error'
  let eta_ms = Number.NaN
  if (done) eta_ms = 0
  else if (status.state === 'running' && Number.isFinite(rate)) eta_ms = (status.end_ms - status.sim_ms) / (status.speed === null ? rate : Math.min(rate, status.speed))
  return { fraction, rate, eta_ms }
}

/** Speeds offered: simulated ms per wall ms; null runs as fast as possible. */
export const SPEEDS: readonly { readonly label: string; readonly value: number | null }[] = [
  { label: '×1 real time', value: 1 },
  { label: '×10', value: 10 },
  { label: '×100', value: 100 },
  { label: '×1000', value: 1000 },
  { label: 'max', value: null },
]
