// The summary figures (summary.json) equal those recomputed from the exported samples.csv with
// the definitions of docs/run-summary.md, written out again here independently.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { ExperimentSchema } from '../common/experiment'
import churnDelay from '../../resources/examples/churn-delay-tradeoff.prlab.json'
import { runHeadless } from './run_headless'

describe('summary.json against samples.csv', () => {
  it('freed, returned, first report after the free, 50%/90% times and the final reasons', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'prlab-summary-'))
    try {
      const exp = ExperimentSchema.parse({ ...churnDelay, durationMs: 20000 })
      await runHeadless(exp, dir)
      const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as Record<string, number | null>
      const rows = (parse(await readFile(join(dir, 'samples.csv'), 'utf8'), { columns: true }) as Record<string, string>[]).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])))
      const col = (k: string): number[] => rows.map((r) => r[k])
      const t = col('t_ms')
      const alloc = col('allocated_kib')
      const returned = rows.map((r) => r.reclaimed_kib - r.refaulted_kib)
      const calls = rows.map((r) => r.report_calls - r.report_errors)
      const peaks = col('allocated_peak_kib')
      const peak = peaks[peaks.length - 1]
      const freeAt = alloc.findIndex((a, i) => peaks[i] === peak && a < peak)
      // the running peak is exact: never below a sampled allocated_kib, never falling
      expect(peaks.every((p, i) => p >= alloc[i] && (i === 0 || p >= peaks[i - 1]))).toBe(true)
      const final = returned[returned.length - 1]
      const reach = (f: number): number => t[returned.findIndex((r, i) => i >= freeAt && r >= f * final)] - t[freeAt]
      expect(freeAt).toBeGreaterThan(0)
      expect(summary.peak_allocated_kib).toBe(peak)
      expect(summary.freed_kib).toBe(peak - alloc[alloc.length - 1])
      expect(summary.free_start_ms).toBe(t[freeAt])
      expect(summary.returned_kib).toBe(final)
      expect(summary.returned_kib).toBe(summary.reclaimed_kib! - summary.refaulted_kib!)
      expect(summary.returned_pct_of_freed).toBeCloseTo((100 * final) / (peak - alloc[alloc.length - 1]), 10)
      expect(summary.first_report_after_free_ms).toBe(t[calls.findIndex((c, i) => i >= freeAt && c > calls[freeAt - 1])] - t[freeAt])
      expect(summary.return_50pct_ms).toBe(reach(0.5))
      expect(summary.return_90pct_ms).toBe(reach(0.9))
      expect(summary.report_calls).toBe(col('report_calls').at(-1))
      expect(summary.report_errors).toBe(col('report_errors').at(-1))
      // the engine's own peak is exact: a peak between two samples counts (passes land on the timer wheel's ticks, not on samples)
      expect(summary.peak_host_rss_kib).toBeGreaterThanOrEqual(Math.max(...col('host_rss_kib')))
      expect(summary.final_host_rss_kib).toBe(col('host_rss_kib').at(-1))
      for (const c of ['guest_free_kib', 'reported_kib', 'pcp_kib', 'isolated_kib', 'unreported_no_reporting_kib', 'unreported_below_order_kib', 'unreported_zone_gate_kib', 'unreported_merged_kib', 'unreported_awaiting_pass_kib', 'reported_kept_by_host_kib']) {
        expect(summary[`final_${c}`], c).toBe(col(c).at(-1))
      }
      // the churn run reuses discarded memory: returned is net of the refaults
      expect(summary.refaulted_kib).toBeGreaterThan(0)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
