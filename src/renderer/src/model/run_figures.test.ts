import { describe, expect, it } from 'vitest'
import { COL, NR_SAMPLE_COLUMNS } from '../../../common/samples'
import type { RunSummary } from '../../../common/api'
import { SampleSeries } from './sample_series'
import { figureDeltas, runFigures } from './run_figures'

/** One row per second for `seconds` s; reporting starts at 3 s and reclaims 1 MiB per second. */
function run(seconds: number, rssPeakAt: number): SampleSeries {
  const data = new Float64Array(seconds * NR_SAMPLE_COLUMNS)
  for (let r = 0; r < seconds; r++) {
    const row = data.subarray(r * NR_SAMPLE_COLUMNS)
    row[COL.t_ms] = r * 1000
    row[COL.report_calls] = Math.max(0, r - 2)
    row[COL.reclaimed_kib] = Math.max(0, r - 2) * 1024
    row[COL.refaulted_kib] = r >= 20 ? 512 : 0
    row[COL.host_rss_kib] = r === rssPeakAt ? 900_000 : 500_000 - r
  }
  const s = new SampleSeries()
  s.append(seconds, data)
  return s
}

describe('runFigures', () => {
  it('reads the figures from the samples', () => {
    const f = runFigures(run(40, 5))
    expect(f.first_report_ms).toBe(3000)
    expect(f.reclaimed_10s_kib).toBe(8 * 1024)
    expect(f.reclaimed_30s_kib).toBe(28 * 1024)
    expect(f.reclaimed_60s_kib).toBeNaN()
    expect(f.report_calls).toBe(37)
    expect(f.refaulted_kib).toBe(512)
    expect(f.peak_host_rss_kib).toBe(900_000)
    expect(f.final_host_rss_kib).toBe(500_000 - 39)
  })

  it('prefers the exact figures of the run summary', () => {
    const summary: RunSummary = {
      first_report_ms: 2345,
      report_calls: 40,
      reported_kib_total: 0,
      peak_host_rss_kib: 1_000_000,
      final_host_rss_kib: 1,
      sim_ms: 40_000,
      wall_ms: 1,
      events_processed: 1,
    }
    const f = runFigures(run(40, 5), summary)
    expect(f.first_report_ms).toBe(2345)
    expect(f.report_calls).toBe(40)
    expect(f.peak_host_rss_kib).toBe(1_000_000)
  })

  it('has no first report when reporting never ran', () => {
    const s = new SampleSeries()
    s.append(1, new Float64Array(NR_SAMPLE_COLUMNS))
    expect(runFigures(s).first_report_ms).toBeNaN()
  })

  it('subtracts the baseline', () => {
    const a = runFigures(run(40, 5))
    const b = runFigures(run(70, 5))
    const d = figureDeltas(a, b)
    expect(d.report_calls).toBe(67 - 37)
    expect(d.reclaimed_10s_kib).toBe(0)
    expect(d.reclaimed_60s_kib).toBeNaN()
  })
})
