// Key figures of a run for the comparison table, read from its recorded samples: the numbers a
// VMM engineer compares between two configurations.
import type { RunSummary } from '../../../common/api'
import { formatCount, formatKiB, formatMs } from './units'
import type { SampleSeries } from './sample_series'

export interface RunFigures {
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

export const FIGURES: readonly { readonly key: FigureKey; readonly label: string; readonly format: (v: number) => string; readonly betterLower: boolean }[] = [
  { key: 'first_report_ms', label: 'Time to first report', format: formatMs, betterLower: true },
  { key: 'reclaimed_10s_kib', label: 'Reclaimed after 10 s', format: formatKiB, betterLower: false },
  { key: 'reclaimed_30s_kib', label: 'Reclaimed after 30 s', format: formatKiB, betterLower: false },
  { key: 'reclaimed_60s_kib', label: 'Reclaimed after 60 s', format: formatKiB, betterLower: false },
  { key: 'report_calls', label: 'Report calls', format: formatCount, betterLower: true },
  { key: 'refaulted_kib', label: 'Refaulted', format: formatKiB, betterLower: true },
  { key: 'peak_host_rss_kib', label: 'Peak host RSS', format: formatKiB, betterLower: true },
  { key: 'final_host_rss_kib', label: 'Final host RSS', format: formatKiB, betterLower: true },
]

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
  return {
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
