// A host run's summary as one flat record of figures (a sweep.csv or fit.csv row, a worker's
// answer): the host's numbers; the per-guest entries stay in summary.json.
import type { HostSummary } from '../common/host_summary'
import type { PointFigures } from './sweep'

export function hostSummaryFigures(s: HostSummary): PointFigures {
  const out: Record<string, number | string | null> = {}
  for (const [key, value] of Object.entries(s)) if (typeof value === 'number' || typeof value === 'string') out[key] = value
  return out
}
