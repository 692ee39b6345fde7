import { describe, expect, it } from 'vitest'
import { COL, NR_SAMPLE_COLUMNS } from '../../../common/samples'
import type { RunSummary } from '../../../common/api'
import { SampleSeries } from './sample_series'
import { deltaTone, FIGURES, figureDeltas, runFigures } from './run_figures'
import { differingParameters } from './parameter_diff'

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

describe('deltaTone', () => {
  it('colours by meaning: less returned is worse, fewer report calls is neither', () => {
    const better = (key: string) => FIGURES.find((f) => f.key === key)?.better ?? null
    expect(deltaTone(better('returned_kib'), -1024)).toBe('worse')
    expect(deltaTone(better('returned_kib'), 1024)).toBe('better')
    expect(deltaTone(better('report_calls'), -16)).toBeNull()
    expect(deltaTone(better('final_host_rss_kib'), -5)).toBe('better')
    expect(deltaTone(better('return_90pct_ms'), 0)).toBeNull()
  })
})

describe('differingParameters', () => {
  it('lists only the paths whose values differ, with each run value', () => {
    const d = differingParameters([
      { name: 'a', reporting: { delayMs: 2000, capacity: 32 }, workload: { phases: [{ op: 'alloc', mib: 1 }] } },
      { name: 'b', reporting: { delayMs: 250, capacity: 32 }, workload: { phases: [{ op: 'alloc', mib: 1 }, { op: 'idle', ms: 5 }] } },
    ])
    expect(d).toEqual([
      { path: 'reporting.delayMs', values: ['2000', '250'] },
      { path: 'workload.phases[1].op', values: ['–', 'idle'] },
      { path: 'workload.phases[1].ms', values: ['–', '5'] },
    ])
  })
})
