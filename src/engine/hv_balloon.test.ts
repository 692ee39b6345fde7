import { describe, expect, it } from 'vitest'
import { EventQueue, NS_PER_MS } from './event_queue'
import { HostBacking } from './host_backing'
import { DM_THREAD_PERIOD_MS, HvBalloon, largePageRange } from './hv_balloon'
import { MIGRATE_MOVABLE } from './mm/page_alloc_api'
import { PageReporting, Scatterlist } from './page_reporting'
import { PageAllocDouble } from './testing/page_alloc_double'

function rig(opts: { acceptsSmall: boolean; failAfter: number | null; cmdline: number | null; generation?: 'large-pages' | 'any-order' }) {
  const q = new EventQueue()
  const alloc = new PageAllocDouble([{ name: 'DMA32', startPfn: 0, endPfn: 1 << 22, wmMin: 0, wmLow: 0, wmHigh: 0, boost: 0, highatomic: 0 }])
  const generation = opts.generation ?? 'any-order'
  const pr = new PageReporting({ queue: q, capacity: 32, delayedWorkAt: (t) => t + 2000 * NS_PER_MS, budgetDivisor: 16, orderRule: generation === 'any-order' ? 'cmdline-wins' : 'register-overwrites', pageblockOrder: 9, cmdlineOrder: opts.cmdline, emit: null })
  alloc.notifyFree = pr.notifyFree
  pr.attach(alloc)
  const host = new HostBacking({ backing: 'anon-4k', maxPfn: 1 << 22, ranges: [{ startPfn: 0, endPfn: 1 << 22 }], prepopulate: true, discardUsPer4k: 1, discardUsPer2m: 8, refaultUsPer4k: 3, refaultUsPer2m: 300 })
  const hv: HvBalloon = new HvBalloon({
    generation,
    maxPfn: 1 << 22,
    acceptsSmallOrders: opts.acceptsSmall,
    failAfterReports: opts.failAfter,
    hostDiscard: true,
    reportLatencyUs: 50,
    pageblockOrder: 9,
    host,
    forceReportingOrder: (o) => pr.setOrder(o, 'hv_balloon'),
    unregister: () => pr.unregister(hv),
    now_ms: () => q.now_ns / NS_PER_MS,
    emit: null,
  })
  // dm_thread_func wakes every second
  const tick = q.register(() => {
    hv.dmThreadTick()
    q.schedule(q.now_ns + DM_THREAD_PERIOD_MS * NS_PER_MS, tick)
  })
  q.schedule(DM_THREAD_PERIOD_MS * NS_PER_MS, tick)
  expect(pr.register(hv)).toBe(0)
  hv.registered = true
  // 70 free order-8 blocks keep the zone above low + 32 << order; 10 order-9 blocks at 1 << 20
  for (let i = 0; i < 70; i++) alloc.place((1 << 21) + i * 512, 8)
  for (let i = 0; i < 10; i++) alloc.place((1 << 20) + i * 1024, 9)
  return { q, alloc, pr, hv, host }
}

describe('hv_balloon', () => {
  it('encodes order >= 9 as 2 MiB large pages and the host discards them', () => {
    const { hv, host } = rig({ acceptsSmall: false, failAfter: null, cmdline: null })
    const s = new Scatterlist(32)
    s.pfn[0] = 0
    s.order[0] = 9
    const r = hv.report(s, 0, 1)
    expect(r.err).toBe(0)
    expect(host.reclaimedPages).toBe(512)
  })

  it('§5.33 INVALID_PARAMETER forces page_reporting_order = pageblock_order; after 2 counted failures dm_thread_func unregisters within 1 s', () => {
    const { q, alloc, pr, hv } = rig({ acceptsSmall: false, failAfter: 1, cmdline: 8 })
    expect(pr.order).toBe(8)
    q.runUntil(2100 * NS_PER_MS) // first pass: the order-8 report is refused
    expect(hv.hypercalls).toBe(1)
    expect(hv.failures).toBe(1)
    expect(pr.order).toBe(9)
    expect(pr.device).toBe(hv)
    alloc.freePages(alloc.allocPages(9, MIGRATE_MOVABLE), 9) // a qualifying free: next pass at +2 s
    q.runUntil(4200 * NS_PER_MS)
    expect(hv.hypercalls).toBe(2) // order 9 now, but fault injection fails it: counted because failures > 0
    expect(hv.failures).toBe(2)
    const failedAt = q.now_ns
    q.runUntil(failedAt + DM_THREAD_PERIOD_MS * NS_PER_MS)
    expect(pr.device).toBe(null)
    expect(hv.failures).toBe(0)
  })

  it('failures other than INVALID_PARAMETER are not counted until one INVALID_PARAMETER happened', () => {
    const { q, alloc, pr, hv } = rig({ acceptsSmall: false, failAfter: 0, cmdline: null })
    for (let k = 0; k < 3; k++) {
      alloc.freePages(alloc.allocPages(9, MIGRATE_MOVABLE), 9)
      q.runUntil(q.now_ns + 3000 * NS_PER_MS)
    }
    expect(hv.hypercalls).toBeGreaterThanOrEqual(3)
    expect(hv.failures).toBe(0)
    expect(pr.device).toBe(hv)
  })

  it('a host accepting small orders takes order-5 ranges as 4 KiB ranges', () => {
    const { q, pr, hv, host } = rig({ acceptsSmall: true, failAfter: null, cmdline: 5 })
    q.runUntil(10_000 * NS_PER_MS) // the order-8 list needs two passes (budget)
    expect(hv.failures).toBe(0)
    expect(pr.order).toBe(5)
    expect(host.reclaimedPages).toBe(70 * 256 + 10 * 512)
  })
})

describe('hv_balloon 5.13-6.2 (every range as 2 MiB pages)', () => {
  it('names a range by its 2 MiB frame and additional_pages = length / 2 MiB - 1 in 11 bits', () => {
    expect(largePageRange(1 << 20, 9)).toEqual({ startPfn: 1 << 20, pages: 512 })
    expect(largePageRange(1024, 10)).toEqual({ startPfn: 1024, pages: 1024 })
    // 128 KiB at pfn 0x12345 + 0x20: 0 two-MiB pages - 1 = -1, 2047 in 11 bits: 2048 x 2 MiB = 4 GiB from pfn 0x12200
    expect(largePageRange(0x12365, 5)).toEqual({ startPfn: 0x12200, pages: 2048 * 512 })
  })

  it('an order-9 report discards exactly the block, as 6.3+ does', () => {
    const { hv, host } = rig({ acceptsSmall: false, failAfter: null, cmdline: null, generation: 'large-pages' })
    const s = new Scatterlist(32)
    s.pfn[0] = 1 << 20
    s.order[0] = 9
    expect(hv.report(s, 0, 1).err).toBe(0)
    expect(host.reclaimedPages).toBe(512)
  })

  it('a block below 2 MiB (sysfs order 5) is sent as 4 GiB of 2 MiB pages: the host drops memory in use with it', () => {
    const { hv, host } = rig({ acceptsSmall: false, failAfter: null, cmdline: null, generation: 'large-pages' })
    const s = new Scatterlist(32)
    s.pfn[0] = (1 << 21) + 32 // an order-5 block inside the 2 MiB frame at 1 << 21
    s.order[0] = 5
    expect(hv.report(s, 0, 1).err).toBe(0)
    // the guest has 16 GiB (1 << 22 pages): the 4 GiB from 1 << 21 fit, every page of it resident
    expect(host.reclaimedPages).toBe(2048 * 512)
    expect(host.isResident((1 << 21) + 2048 * 512 - 1)).toBe(false)
    expect(host.isResident((1 << 21) + 2048 * 512)).toBe(true)
  })

  it('a failed hypercall is -EINVAL and nothing more: no order reset, no count, no unregister', () => {
    const { q, alloc, pr, hv } = rig({ acceptsSmall: false, failAfter: 0, cmdline: null, generation: 'large-pages' })
    expect(pr.order).toBe(9)
    expect(pr.sysfsWriteOrder(8)).toBe(null)
    for (let k = 0; k < 3; k++) {
      alloc.freePages(alloc.allocPages(9, MIGRATE_MOVABLE), 9)
      q.runUntil(q.now_ns + 3000 * NS_PER_MS)
    }
    expect(hv.hypercalls).toBeGreaterThanOrEqual(3)
    expect(hv.failures).toBe(0)
    expect(pr.order).toBe(8)
    expect(pr.device).toBe(hv)
  })
})
