import { describe, expect, it } from 'vitest'
import { COL, NR_SAMPLE_COLUMNS, SAMPLE_COLUMNS } from '../common/samples'
import { EventQueue, NS_PER_S } from './event_queue'
import { HostBacking } from './host_backing'
import { PageReporting, type PageReportingDevice } from './page_reporting'
import { Sampler } from './sampler'
import { PageAllocDouble } from './testing/page_alloc_double'

describe('Sampler', () => {
  it('fills every column from the sources, totals in KiB, per-zone and per-order block counts', () => {
    const q = new EventQueue()
    const alloc = new PageAllocDouble([
      { name: 'DMA', startPfn: 0, endPfn: 4096, wmMin: 10, wmLow: 12, wmHigh: 14, boost: 0, highatomic: 0 },
      { name: 'DMA32', startPfn: 4096, endPfn: 1 << 20, wmMin: 100, wmLow: 125, wmHigh: 150, boost: 512, highatomic: 0 },
    ])
    const pr = new PageReporting({ queue: q, capacity: 32, delayedWorkAt: (t) => t + 2 * NS_PER_S, budgetDivisor: 16, orderRule: 'cmdline-wins', pageblockOrder: 9, cmdlineOrder: null, emit: null })
    pr.attach(alloc)
    alloc.place(1024, 10) // DMA
    alloc.place(1 << 16, 9, 1, { reported: true })
    alloc.place(1 << 17, 3)
    const host = new HostBacking({ backing: 'anon-4k', maxPfn: 1 << 20, ranges: [{ startPfn: 0, endPfn: 1 << 20 }], prepopulate: false, discardUsPer4k: 1, discardUsPer2m: 1, refaultUsPer4k: 1, refaultUsPer2m: 1 })
    host.touch(0, 100)
    const s = new Sampler({ alloc, reporting: pr, host, allocatedPages: () => 77, allocatedPeakPages: () => 100, capacity: 32, hostDiscardMinOrder: 0 })
    const row = s.fill(1500)
    expect(row).toHaveLength(NR_SAMPLE_COLUMNS)
    expect(SAMPLE_COLUMNS[0]).toBe('t_ms')
    expect(row[COL.t_ms]).toBe(1500)
    expect(row[COL.free_kib]).toBe((1024 + 512 + 8) * 4)
    expect(row[COL.reported_kib]).toBe(512 * 4)
    expect(row[COL.nr_free_10]).toBe(1)
    expect(row[COL.nr_free_9]).toBe(1)
    expect(row[COL.nr_free_3]).toBe(1)
    expect(row[COL.nr_reported_9]).toBe(1)
    expect(row[COL.dma_nr_free_10]).toBe(1)
    expect(row[COL.dma32_nr_free_9]).toBe(1)
    expect(row[COL.normal_nr_free_9]).toBe(0)
    expect(row[COL.host_rss_kib]).toBe(400)
    expect(row[COL.reporting_state]).toBe(-1) // no device registered
    expect(row[COL.reporting_order]).toBe(-1) // 6.6: unset until registration
    expect(row[COL.wmark_min_kib]).toBe(440)
    expect(row[COL.boost_kib]).toBe(2048)
    expect(row[COL.allocated_kib]).toBe(308)
    expect(row[COL.allocated_peak_kib]).toBe(400)
    const dev: PageReportingDevice = { name: 'd', order: 0, report: () => ({ err: 0, dur_ns: 0 }) }
    pr.register(dev)
    const again = s.fill(1600)
    expect(again).toBe(row) // the same reused array
    expect(again[COL.reporting_state]).toBe(1) // REQUESTED: first pass armed
    expect(again[COL.reporting_order]).toBe(9)
  })

  it('puts every free page under one reason: no device, below the order, the zone gate, awaiting a pass; kept by host from the host rule', () => {
    const q = new EventQueue()
    // capacity 1, order 9: the gate is low + boost + 512 pages
    const alloc = new PageAllocDouble([
      { name: 'DMA', startPfn: 0, endPfn: 4096, wmMin: 10, wmLow: 12, wmHigh: 14, boost: 0, highatomic: 0 },
      { name: 'DMA32', startPfn: 4096, endPfn: 1 << 20, wmMin: 100, wmLow: 125, wmHigh: 150, boost: 512, highatomic: 0 },
    ])
    const pr = new PageReporting({ queue: q, capacity: 1, delayedWorkAt: (t) => t + 2 * NS_PER_S, budgetDivisor: 16, orderRule: 'cmdline-wins', pageblockOrder: 9, cmdlineOrder: null, emit: null })
    pr.attach(alloc)
    alloc.place(1024, 9) // DMA: 512 free pages <= 12 + 0 + 512: gated
    alloc.place(1 << 16, 10) // DMA32: 1544 free pages > 125 + 512 + 512: past the gate
    alloc.place(1 << 17, 9, 1, { reported: true })
    alloc.place(1 << 18, 3)
    const host = new HostBacking({ backing: 'anon-4k', maxPfn: 1 << 20, ranges: [{ startPfn: 0, endPfn: 1 << 20 }], prepopulate: false, discardUsPer4k: 1, discardUsPer2m: 1, refaultUsPer4k: 1, refaultUsPer2m: 1 })
    // a host that discards only order-10 blocks (a stand-in for a backing page of 4 MiB)
    const s = new Sampler({ alloc, reporting: pr, host, allocatedPages: () => 0, allocatedPeakPages: () => 0, capacity: 1, hostDiscardMinOrder: 10 })
    const before = s.fill(0)
    expect(before[COL.guest_free_kib]).toBe((512 + 1024 + 512 + 8) * 4)
    expect(before[COL.reported_kib]).toBe(512 * 4)
    expect(before[COL.unreported_no_reporting_kib]).toBe((512 + 1024 + 8) * 4)
    expect(before[COL.unreported_below_order_kib]).toBe(0)
    pr.register({ name: 'd', order: 0, report: () => ({ err: 0, dur_ns: 0 }) })
    const row = s.fill(100)
    expect(row[COL.unreported_no_reporting_kib]).toBe(0)
    expect(row[COL.unreported_zone_gate_kib]).toBe(512 * 4)
    expect(row[COL.unreported_awaiting_pass_kib]).toBe(1024 * 4)
    expect(row[COL.unreported_below_order_kib]).toBe(8 * 4)
    expect(row[COL.unreported_merged_kib]).toBe(0)
    expect(row[COL.reported_kept_by_host_kib]).toBe(512 * 4)
    const parts = row[COL.reported_kib] + row[COL.pcp_kib] + row[COL.isolated_kib] + row[COL.unreported_no_reporting_kib] + row[COL.unreported_below_order_kib] + row[COL.unreported_zone_gate_kib] + row[COL.unreported_merged_kib] + row[COL.unreported_awaiting_pass_kib]
    expect(parts).toBe(row[COL.guest_free_kib])
  })
})
