import { describe, expect, it } from 'vitest'
import type { RunSummary } from './api'
import { ExperimentSchema } from './experiment'
import { explainRun, headlineLines, notReturned } from './run_explain'
import quickDrain from '../../resources/examples/quick-drain-2g.prlab.json'
import vfio from '../../resources/examples/vfio-inhibited.prlab.json'

const MiB = 1024
const base: RunSummary = {
  first_report_ms: 2000,
  report_calls: 16,
  reported_kib_total: 0,
  peak_host_rss_kib: 1600 * MiB,
  final_host_rss_kib: 74 * MiB,
  sim_ms: 30000,
  wall_ms: 1,
  events_processed: 1,
  passes: 8,
  report_errors: 0,
  reporting_order: 9,
  reporting_device: 'virtio-balloon: F_REPORTING',
  freed_kib: 1536 * MiB,
  returned_kib: 1522 * MiB,
  returned_pct_of_freed: (100 * 1522) / 1536,
  first_report_after_free_ms: 0,
  return_50pct_ms: 6000,
  return_90pct_ms: 12000,
  final_guest_free_kib: 2000 * MiB,
  final_reported_kib: 1960 * MiB,
  final_reported_kept_by_host_kib: 0,
  final_pcp_kib: 14 * MiB,
  final_unreported_zone_gate_kib: 14 * MiB,
  final_unreported_below_order_kib: 4 * MiB,
}

describe('explainRun', () => {
  it('answers first: returned of freed, passes and the delay, with page_reporting_cycle() and its section', () => {
    const s = explainRun(base, ExperimentSchema.parse(quickDrain))
    expect(s[0].text).toMatch(/^The host got back 1\.49 GiB of the 1\.50 GiB the workload freed \(99%\) in 8 passes 2\.0 s apart/)
    expect(s[0]).toMatchObject({ fn: 'page_reporting_cycle()', spec: '§1.6, §1.11', tone: 'ok' })
    // reasons above 0.5% of free memory (10 MiB here), largest first, each with its rule; 4 MiB below the order is left out
    const reasons = s.filter((x) => x.text.includes('stayed free but unreported'))
    expect(reasons.map((x) => x.fn)).toEqual(['free_unref_page() / page_reporting_cycle()', 'page_reporting_process_zone()'])
  })

  it('names the run’s own reason the host kept reported memory (discards inhibited)', () => {
    const s = explainRun({ ...base, returned_kib: 0, final_reported_kept_by_host_kib: 1960 * MiB }, ExperimentSchema.parse(vfio))
    const kept = s.find((x) => x.text.includes('stayed resident on the host'))
    expect(kept?.text).toContain('discards are inhibited on this host')
    expect(kept?.tone).toBe('problem')
    expect(s.some((x) => x.text.startsWith('The host got back'))).toBe(false)
  })

  it('a failed probe leads, as a problem, with the driver function', () => {
    const s = explainRun({ ...base, passes: 0, report_calls: 0, returned_kib: 0, reporting_device: 'virtio-balloon: probe failed: -ENOSPC (reporting_vq size 32 < 128)' }, ExperimentSchema.parse({ ...quickDrain, reporting: { capacity: 128 } }))
    expect(s[0]).toMatchObject({ tone: 'problem', fn: 'virtballoon_validate() / virtballoon_probe()' })
    expect(s[0].text).toContain('-ENOSPC')
  })
})

describe('headline', () => {
  it('prints the figures and what stayed, largest first', () => {
    const lines = headlineLines(base, 100)
    expect(lines).toContain('returned to the host: 1.49 GiB (99% of freed)')
    expect(lines).toContain('first report after the free: within 100 ms; 50% of the return 6.0 s, 90% 12.0 s')
    expect(lines.at(-1)).toBe('free but not returned at the end: per-CPU lists 14.0 MiB, zone below watermark gate 14.0 MiB, below reporting order 4.0 MiB')
    expect(notReturned(base).map((r) => r.reason.column)).toEqual(['pcp_kib', 'unreported_zone_gate_kib', 'unreported_below_order_kib'])
  })
})
