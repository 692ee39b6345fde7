// Key figures of a run for the comparison table, read from its recorded samples: the numbers a
// VMM engineer compares between two configurations.
import type { RunSummary } from '../../../common/api'
import { formatCount, formatKiB, formatMs } from './units'
import type { SampleSeries } from './sample_series'
import { summarizeSeries } from './live_summary'

export interface RunFigures {
  readonly freed_kib: number
  readonly returned_kib: number
  readonly returned_pct_of_freed: number
  readonly return_50pct_ms: number
  readonly return_90pct_ms: number
  readonly passes: number
  readonly first_report_ms: number
  readonly reclaimed_10s_kib: number
  readonly reclaimed_30s_kib: number
  readonly reclaimed_60s_kib: number
  readonly report_calls: number
  readonly refaulted_kib: number
  readonly peak_host_rss_kib: number
  readonly final_host_rss_kib: number
}

export type FigureKey = keyof RunFigures

/**
 * Which direction of a difference is better for the host (less memory returned is worse); null:
 * neither, shown uncoloured (more report calls is cost, not failure: it comes with more returned).
 */
export type Better = 'lower' | 'higher' | null

const pct = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(1)}%` : '–')

export const FIGURES: readonly { readonly key: FigureKey; readonly label: string; readonly format: (v: number) => string; readonly better: Better }[] = [
  { key: 'freed_kib', label: 'Freed by the workload', format: formatKiB, better: null },
  { key: 'returned_kib', label: 'Returned to the host', format: formatKiB, better: 'higher' },
  { key: 'returned_pct_of_freed', label: 'Returned, % of freed', format: pct, better: 'higher' },
  { key: 'first_report_ms', label: 'Time to first report', format: formatMs, better: 'lower' },
  { key: 'return_50pct_ms', label: '50% returned after the free', format: formatMs, better: 'lower' },
  { key: 'return_90pct_ms', label: '90% returned after the free', format: formatMs, better: 'lower' },
  { key: 'reclaimed_10s_kib', label: 'Reclaimed after 10 s', format: formatKiB, better: 'higher' },
  { key: 'reclaimed_30s_kib', label: 'Reclaimed after 30 s', format: formatKiB, better: 'higher' },
  { key: 'reclaimed_60s_kib', label: 'Reclaimed after 60 s', format: formatKiB, better: 'higher' },
  { key: 'passes', label: 'Passes', format: formatCount, better: null },
  { key: 'report_calls', label: 'Report calls', format: formatCount, better: null },
  { key: 'refaulted_kib', label: 'Refaulted', format: formatKiB, better: 'lower' },
  { key: 'peak_host_rss_kib', label: 'Peak host RSS', format: formatKiB, better: 'lower' },
  { key: 'final_host_rss_kib', label: 'Final host RSS', format: formatKiB, better: 'lower' },
]

/** How to colour a difference from the baseline: by meaning, or not at all. */
export function deltaTone(better: Better, delta: number): 'better' | 'worse' | null {
  if (better === null || !Number.isFinite(delta) || delta === 0) return null
  return (delta < 0) === (better === 'lower') ? 'better' : 'worse'
}

function max(a: Float64Array): number {
  let m = Number.NaN
  for (const v of a) if (!(v <= m)) m = v
  return m
}

/** Cumulative reclaimed_kib at t_ms; NaN when the run did not last that long. */
function reclaimedAt(series: SampleSeries, t_ms: number): number {
  return series.last('t_ms') >= t_ms ? series.valueAt('reclaimed_kib', t_ms) : Number.NaN
}

export function runFigures(series: SampleSeries, summary?: RunSummary | null): RunFigures {
  const t = series.column('t_ms')
  const calls = series.column('report_calls')
  let first = Number.NaN
  for (let i = 0; i < calls.length; i++) {
    if (calls[i] > 0) {
      first = t[i]
      break
    }
  }
  // the headline figures as summary.json defines them, from the same rows
  const f = summarizeSeries(series)
  const passes = summary?.passes
  return {
    freed_kib: f.freed_kib,
    returned_kib: f.returned_kib,
    returned_pct_of_freed: f.returned_pct_of_freed ?? Number.NaN,
    return_50pct_ms: f.return_50pct_ms ?? Number.NaN,
    return_90pct_ms: f.return_90pct_ms ?? Number.NaN,
    passes: typeof passes === 'number' ? passes : Number.NaN,
    first_report_ms: summary ? (summary.first_report_ms ?? Number.NaN) : first,
    reclaimed_10s_kib: reclaimedAt(series, 10_000),
    reclaimed_30s_kib: reclaimedAt(series, 30_000),
    reclaimed_60s_kib: reclaimedAt(series, 60_000),
    report_calls: summary ? summary.report_calls : series.last('report_calls'),
    refaulted_kib: series.last('refaulted_kib'),
    peak_host_rss_kib: summary ? summary.peak_host_rss_kib : max(series.column('host_rss_kib')),
    final_host_rss_kib: summary ? summary.final_host_rss_kib : series.last('host_rss_kib'),
  }
}

/** Differences of each run's figures from the baseline's (the first run compared). */
export function figureDeltas(baseline: RunFigures, other: RunFigures): RunFigures {
  return Object.fromEntries(FIGURES.map(({ key }) => [key, other[key] - baseline[key]])) as unknown as RunFigures
}
