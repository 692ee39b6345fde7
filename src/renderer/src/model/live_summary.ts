// The run summary the Charts view shows: the host's summary once the run has ended, else the same
// figures computed from the rows the UI holds (SampleSummarizer, the code the engine uses) and the
// passes seen in the event stream.
import type { RunSummary } from '../../../common/api'
import { SampleSummarizer, type SampleFigures } from '../../../common/run_summary'
import type { SampleSeries } from './sample_series'
import type { PassBand } from './run_events'

/** The summary.json figures of the rows a series holds. */
export function summarizeSeries(series: SampleSeries): SampleFigures {
  const summarizer = new SampleSummarizer()
  let row = 0
  const value = (column: Parameters<SampleSeries['column']>[0]): number => series.column(column)[row]
  for (row = 0; row < series.rows; row++) summarizer.add(value)
  return summarizer.figures()
}

export function liveSummary(series: SampleSeries, passes: readonly PassBand[], device: string): RunSummary {
  const rss = series.column('host_rss_kib')
  let peak = 0
  for (let i = 0; i < series.rows; i++) if (rss[i] > peak) peak = rss[i]
  let errors = 0
  for (const p of passes) errors += p.errors
  return {
    first_report_ms: null,
    report_calls: series.rows > 0 ? series.last('report_calls') : 0,
    reported_kib_total: 0,
    peak_host_rss_kib: peak,
    final_host_rss_kib: series.rows > 0 ? series.last('host_rss_kib') : 0,
    sim_ms: series.rows > 0 ? series.last('t_ms') : 0,
    wall_ms: 0,
    events_processed: 0,
    passes: passes.filter((p) => p.done).length,
    report_errors: errors,
    reclaimed_kib: series.rows > 0 ? series.last('reclaimed_kib') : 0,
    refaulted_kib: series.rows > 0 ? series.last('refaulted_kib') : 0,
    reporting_order: series.rows > 0 ? series.last('reporting_order') : -1,
    reporting_device: device,
    ...summarizeSeries(series),
  }
}
