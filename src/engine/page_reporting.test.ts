import { describe, expect, it } from 'vitest'
import type { SimEvent } from '../common/samples'
import { EventQueue, NS_PER_MS, NS_PER_S } from './event_queue'
import type { OrderRule } from '../common/kernel_version'
import { MIGRATE_HIGHATOMIC, MIGRATE_ISOLATE, MIGRATE_MOVABLE, MIGRATE_UNMOVABLE } from './mm/page_alloc_api'
import {
  PAGE_REPORTING_ACTIVE,
  PAGE_REPORTING_IDLE,
  PAGE_REPORTING_REQUESTED,
  PageReporting,
  type PageReportingDevice,
  type ReportResult,
  type Scatterlist,
  EBUSY,
} from './page_reporting'
import { type DoubleZone, PageAllocDouble } from './testing/page_alloc_double'

const D_NS = 2 * NS_PER_S
const RTT_NS = 50_000 // 50 µs per report

interface Report {
  t_ns: number
  zone: number
  entries: [number, number][]
}

class FakeDevice implements PageReportingDevice {
  readonly reports: Report[] = []
  fail: (n: number) => number = () => 0
  constructor(
    private readonly q: EventQueue,
    readonly name = 'fake',
    readonly order = 0,
    private readonly rtt_ns = RTT_NS,
  ) {}
  report(sgl: Scatterlist, start: number, nents: number, zone: number): ReportResult {
    const entries: [number, number][] = []
    for (let i = start; i < start + nents; i++) entries.push([sgl.pfn[i], sgl.order[i]])
    this.reports.push({ t_ns: this.q.now_ns, zone, entries })
    return { err: this.fail(this.reports.length), dur_ns: this.rtt_ns }
  }
}

interface Rig {
  q: EventQueue
  alloc: PageAllocDouble
  pr: PageReporting
  dev: FakeDevice
  events: SimEvent[]
}

const zoneOf = (name: string, startPfn: number, endPfn: number, wm: Partial<DoubleZone> = {}): DoubleZone => ({
  name,
  startPfn,
  endPfn,
  wmMin: 0,
  wmLow: 0,
  wmHigh: 0,
  boost: 0,
  highatomic: 0,
  ...wm,
})

/** One zone of `pages` frames with zero watermarks unless given. */
function rig(opts: { zones?: DoubleZone[]; rule?: OrderRule; cmdline?: number | null; capacity?: number; rtt_ns?: number } = {}): Rig {
  const q = new EventQueue()
  const zones = opts.zones ?? [zoneOf('DMA32', 0, (1 << 22) + (1 << 16))]
  const alloc = new PageAllocDouble(zones)
  // with the default zone, 70 order-8 blocks (never scanned at R = 9) keep it above low + 32 << 9
  if (opts.zones === undefined) placeBlocks(alloc, 70, 8, 1 << 22)
  const events: SimEvent[] = []
  const pr = new PageReporting({
    queue: q,
    capacity: opts.capacity ?? 32,
    delayedWorkAt: (t) => t + D_NS,
    budgetDivisor: 16,
    orderRule: opts.rule ?? 'cmdline-wins',
    pageblockOrder: 9,
    cmdlineOrder: opts.cmdline ?? null,
    emit: (e) => events.push(e),
  })
  alloc.notifyFree = pr.notifyFree
  pr.attach(alloc)
  const dev = new FakeDevice(q, 'fake', 0, opts.rtt_ns ?? RTT_NS)
  return { q, alloc, pr, dev, events }
}

/** Places n order-`order` free blocks from `startPfn`, every other slot, so no two are buddies (the gaps count as allocated). */
function placeBlocks(alloc: PageAllocDouble, n: number, order: number, startPfn = 0, mt = MIGRATE_MOVABLE): number[] {
  const pfns: number[] = []
  for (let i = 0; i < n; i++) {
    const pfn = startPfn + i * (2 << order)
    alloc.place(pfn, order, mt)
    pfns.push(pfn)
  }
  return pfns
}

/** Runs every pending event; the clock stays at the last one. */
const settle = (q: EventQueue): void => {
  while (q.runNext(Infinity));
}

const passes = (events: SimEvent[], kind: 'pass_start' | 'pass_end'): number[] => events.filter((e) => e.kind === kind).map((e) => e.t_ms)
const reportedPfns = (dev: FakeDevice): number[] => dev.reports.flatMap((r) => r.entries.map((e) => e[0]))

describe('page_reporting state machine and timing', () => {
  it('§5.1 no report before register + D; the first pass starts at register + D with nothing freed', () => {
    const { q, alloc, pr, dev, events } = rig()
    placeBlocks(alloc, 64, 9)
    q.runUntil(500 * NS_PER_MS)
    pr.register(dev)
    q.runUntil(500 * NS_PER_MS + D_NS - 1)
    expect(dev.reports).toHaveLength(0)
    settle(q)
    expect(passes(events, 'pass_start')[0]).toBe(2500)
    expect(dev.reports[0].t_ns).toBe(500 * NS_PER_MS + D_NS)
  })

  it('§5.2 frees that do not reach order R into the buddy lists never cause a pass; put-backs do not notify', () => {
    const { q, alloc, pr, dev, events } = rig()
    placeBlocks(alloc, 64, 9)
    pr.register(dev)
    settle(q)
    expect(passes(events, 'pass_end')).toHaveLength(1)
    expect(pr.state).toBe(PAGE_REPORTING_IDLE)
    // 64 put-backs happened in the pass with FPI_SKIP_REPORT_NOTIFY: nothing was notified
    expect(alloc.notified).toHaveLength(0)
    // an order-0 free whose buddy is allocated stays order 0: no pass
    const p = alloc.allocPages(0, MIGRATE_MOVABLE)
    const p2 = alloc.allocPages(0, MIGRATE_MOVABLE)
    q.runUntil(q.now_ns + 10 * D_NS)
    const before = passes(events, 'pass_start').length
    alloc.freePages(p, 0)
    q.runUntil(q.now_ns + 10 * D_NS)
    expect(alloc.notified.at(-1)).toEqual([0, 0])
    expect(passes(events, 'pass_start')).toHaveLength(before)
    // freeing its buddy merges back up to the order-8 block it came from: still below R, no pass
    alloc.freePages(p2, 0)
    expect(alloc.notified.at(-1)).toEqual([0, 8])
    expect(pr.state).toBe(PAGE_REPORTING_IDLE)
    // an order-8 free that merges with its free buddy reaches order 9: notified with the merged order
    alloc.freePages((1 << 22) + 256, 8)
    expect(alloc.notified.at(-1)).toEqual([0, 9])
    expect(pr.state).toBe(PAGE_REPORTING_REQUESTED)
  })

  it('§5.3 after IDLE, the first qualifying free at t starts a pass at exactly t + D; later frees change nothing', () => {
    const { q, alloc, pr, dev, events } = rig()
    pr.register(dev)
    settle(q) // the initial pass finds nothing
    expect(pr.state).toBe(PAGE_REPORTING_IDLE)
    const t0 = 10 * NS_PER_S
    q.runUntil(t0)
    alloc.place(0, 9)
    alloc.freePages(1 << 9, 9) // order-9 free -> merges with pfn 0 to order 10 -> notify(10)
    q.runUntil(t0 + 300 * NS_PER_MS)
    alloc.freePages(1 << 10, 9)
    settle(q)
    expect(passes(events, 'pass_start')).toEqual([2000, 12000])
  })

  it('§5.4 §5.5 a budget-exhausted pass re-arms at end + D; the last pass ends IDLE', () => {
    const { q, alloc, pr, dev, events } = rig()
    placeBlocks(alloc, 200, 9)
    pr.register(dev)
    settle(q)
    const starts = passes(events, 'pass_start')
    const ends = passes(events, 'pass_end')
    expect(starts).toHaveLength(4) // ceil(200 / 64)
    for (let k = 1; k < starts.length; k++) expect(starts[k] - ends[k - 1]).toBeCloseTo(2000, 9)
    expect(pr.state).toBe(PAGE_REPORTING_IDLE)
  })

  it('§5.5 a qualifying free during a pass makes another pass follow at end + D', () => {
    const { q, alloc, pr, dev, events } = rig({ rtt_ns: 100 * NS_PER_MS })
    placeBlocks(alloc, 10, 9)
    pr.register(dev)
    q.runUntil(D_NS + 10 * NS_PER_MS)
    expect(pr.state).toBe(PAGE_REPORTING_ACTIVE)
    expect(pr.reportInFlight).toBe(true)
    alloc.freePages(1 << 20, 10) // a qualifying free while the leftover report is out
    expect(pr.state).toBe(PAGE_REPORTING_REQUESTED)
    settle(q)
    const ends = passes(events, 'pass_end')
    expect(passes(events, 'pass_start')).toEqual([2000, ends[0] + 2000])
  })

  it('§5.6 a skipped zone and an isolation failure do not schedule another pass', () => {
    const { q, alloc, pr, dev, events } = rig({
      zones: [zoneOf('DMA', 0, 4096), zoneOf('DMA32', 4096, 1 << 20, { wmMin: 19500, wmLow: 100 })],
    })
    placeBlocks(alloc, 2, 10, 0) // DMA: 2048 pages, can never pass low + 16384
    placeBlocks(alloc, 40, 9, 1 << 16) // DMA32: 20480 pages: passes low; min 19500 lets exactly one isolation through
    pr.register(dev)
    settle(q)
    expect(events.filter((e) => e.kind === 'zone_skipped').map((e) => e.zone)).toEqual(['DMA'])
    expect(passes(events, 'pass_start')).toHaveLength(1)
    expect(dev.reports).toHaveLength(1) // the one isolated block goes out as the zone's leftover
    expect(dev.reports[0].entries).toHaveLength(1)
    expect(pr.state).toBe(PAGE_REPORTING_IDLE)
  })

  it('§5.7 §5.19 a report error aborts the rest of the pass (later zones too); the batch goes back unflagged', () => {
    const { q, alloc, pr, dev, events } = rig({ zones: [zoneOf('DMA32', 0, 1 << 20), zoneOf('Normal', 1 << 20, 1 << 21)] })
    placeBlocks(alloc, 100, 9, 0)
    placeBlocks(alloc, 100, 9, 1 << 20)
    dev.fail = (n) => (n === 2 ? -22 : 0)
    pr.register(dev)
    q.runUntil(D_NS + NS_PER_S)
    expect(dev.reports).toHaveLength(2)
    expect(dev.reports.every((r) => r.zone === 0)).toBe(true)
    expect(events.filter((e) => e.kind === 'report_error')).toHaveLength(1)
    const failed = dev.reports[1].entries.map((e) => e[0])
    for (const pfn of failed) {
      expect(alloc.isBuddyHead(pfn, 9)).toBe(true)
      expect(alloc.pageReported(pfn)).toBe(false)
    }
    for (const [pfn] of dev.reports[0].entries) expect(alloc.pageReported(pfn)).toBe(true)
    // the error pass did exhaust no budget and saw no free: nothing re-arms it
    expect(pr.state).toBe(PAGE_REPORTING_IDLE)
    alloc.check()
  })

  it('§5.25 §5.26 unregister keeps flags and the static key; re-register starts a pass at +D and skips flagged blocks; a second device gets -EBUSY', () => {
    const { q, alloc, pr, dev, events } = rig()
    const first = placeBlocks(alloc, 40, 9)
    pr.register(dev)
    const other = new FakeDevice(q, 'other')
    expect(pr.register(other)).toBe(-EBUSY)
    expect(pr.device).toBe(dev)
    settle(q)
    expect(reportedPfns(dev).sort((a, b) => a - b)).toEqual(first)
    pr.unregister(dev)
    expect(pr.stateColumn).toBe(-1)
    expect(pr.staticKeyEnabled).toBe(true)
    placeBlocks(alloc, 8, 9, 1 << 20)
    const t = q.now_ns + 5 * NS_PER_S
    q.runUntil(t)
    expect(pr.register(other)).toBe(0)
    settle(q)
    expect(passes(events, 'pass_start').at(-1)).toBe(t / NS_PER_MS + 2000)
    expect(reportedPfns(other)).toHaveLength(8)
    expect(reportedPfns(other).every((p) => p >= 1 << 20)).toBe(true)
  })

  it('unregister during a pass: the running pass finishes and is not re-armed', () => {
    const { q, alloc, pr, dev, events } = rig({ rtt_ns: 10 * NS_PER_MS })
    placeBlocks(alloc, 300, 9)
    pr.register(dev)
    q.runUntil(D_NS + 5 * NS_PER_MS)
    let done = false
    pr.unregister(dev, () => (done = true))
    expect(done).toBe(false)
    settle(q)
    expect(done).toBe(true)
    expect(passes(events, 'pass_start')).toHaveLength(1)
    expect(passes(events, 'pass_end')).toHaveLength(1)
    expect(dev.reports.length).toBeGreaterThan(1)
  })
})

describe('page_reporting batching and budget', () => {
  it('§5.8 §5.9 full reports have 32 entries, at most one leftover per zone per pass; one zone per report', () => {
    const { q, alloc, pr, dev } = rig({ zones: [zoneOf('DMA32', 0, 1 << 20), zoneOf('Normal', 1 << 20, 1 << 22)] })
    placeBlocks(alloc, 45, 9, 0)
    placeBlocks(alloc, 30, 10, 0x80000)
    placeBlocks(alloc, 77, 9, 1 << 20)
    pr.register(dev)
    settle(q)
    const perZonePass = new Map<string, number>()
    for (const r of dev.reports) {
      const zones = new Set(r.entries.map(([pfn]) => alloc.zoneOfPfn(pfn)))
      expect(zones).toEqual(new Set([r.zone]))
      if (r.entries.length !== 32) {
        const key = `${r.zone}@${Math.floor(r.t_ns / D_NS)}`
        perZonePass.set(key, (perZonePass.get(key) ?? 0) + 1)
      }
    }
    for (const n of perZonePass.values()) expect(n).toBe(1)
    // DMA32: orders 9 and 10 share the zone's scatterlist, so some report mixes them
    expect(dev.reports.some((r) => new Set(r.entries.map((e) => e[1])).size === 2)).toBe(true)
    expect(new Set(reportedPfns(dev)).size).toBe(45 + 30 + 77)
  })

  it('§5.10 one list visit triggers at most ceil(nr_free/512) + 1 full reports, then sets REQUESTED', () => {
    const { q, alloc, pr, dev } = rig()
    placeBlocks(alloc, 1200, 9)
    pr.register(dev)
    q.runUntil(D_NS)
    q.runUntil(q.now_ns + NS_PER_S) // the first pass only
    const full = dev.reports.filter((r) => r.entries.length === 32).length
    expect(full).toBe(Math.ceil(1200 / 512) + 1)
    // the walk stopped at the next candidate with budget < 0 and an empty sgl: no leftover report
    expect(dev.reports).toHaveLength(full)
    expect(pr.state).toBe(PAGE_REPORTING_REQUESTED)
  })

  // kernel-spec §1.11: N unreported order-9 blocks on an idle system
  for (const n of [1, 64, 65, 512, 1000, 2048, 4096]) {
    const expected = Math.ceil(n / (32 * (Math.ceil(n / 512) + 1)))
    it(`§5.11 §1.11 N=${n} order-9 blocks are all reported after exactly ${expected} passes, each >= D after the previous`, () => {
      const { q, alloc, pr, dev, events } = rig()
      placeBlocks(alloc, n, 9)
      pr.register(dev)
      settle(q)
      const starts = passes(events, 'pass_start')
      const ends = passes(events, 'pass_end')
      expect(starts).toHaveLength(expected)
      for (let k = 1; k < starts.length; k++) expect(starts[k] - ends[k - 1]).toBeGreaterThanOrEqual(2000 - 1e-9)
      expect(alloc.nrReported(0, 9)).toBe(n)
      expect(new Set(reportedPfns(dev)).size).toBe(n)
      expect(pr.state).toBe(PAGE_REPORTING_IDLE)
    })
  }

  it('§5.12 no block is reported twice unless it left the reported state', () => {
    const { q, alloc, pr, dev } = rig()
    placeBlocks(alloc, 300, 9)
    pr.register(dev)
    settle(q)
    expect(reportedPfns(dev)).toHaveLength(300)
    // allocate one reported block (the flag goes) and free it again: only it is reported again
    const pfn = alloc.allocPages(9, MIGRATE_MOVABLE)
    expect(pfn).toBeGreaterThanOrEqual(0)
    alloc.freePages(pfn, 9)
    settle(q)
    expect(reportedPfns(dev)).toHaveLength(301)
    expect(reportedPfns(dev).at(-1)).toBe(pfn)
  })
})

describe('page_reporting watermarks', () => {
  it('§5.13 no isolation when usable free <= low + boost + 32 << R; raising the boost stops reporting', () => {
    const { q, alloc, pr, dev, events } = rig({ zones: [zoneOf('DMA32', 0, 1 << 20, { wmLow: 1000 })] })
    placeBlocks(alloc, 36, 9) // 18432 pages > 1000 + 100 + 16384
    pr.register(dev)
    settle(q)
    expect(dev.reports.length).toBeGreaterThan(0)
    const { alloc: a2, pr: pr2, dev: dev2, q: q2, events: ev2 } = rig({ zones: [zoneOf('DMA32', 0, 1 << 20, { wmLow: 1000, boost: 100 })] })
    placeBlocks(a2, 36, 9)
    a2.zones[0].boost = 18432 - 1000 - 16384 // usable == mark: refused
    pr2.register(dev2)
    settle(q2)
    expect(dev2.reports).toHaveLength(0)
    expect(ev2.some((e) => e.kind === 'zone_skipped')).toBe(true)
    expect(a2.isolatedPages(0)).toBe(0)
    expect(events.some((e) => e.kind === 'zone_skipped')).toBe(false)
  })

  it('§5.14 each isolation needs usable > raw min + 2^order; on failure the list stops', () => {
    // 40 blocks = 20480 pages; min = 20480 - 10*512 - 512 + 1 -> exactly 10 isolations pass
    const min = 20480 - 10 * 512 - 512
    const { q, alloc, pr, dev } = rig({ zones: [zoneOf('DMA32', 0, 1 << 20, { wmMin: min })] })
    placeBlocks(alloc, 40, 9)
    pr.register(dev)
    settle(q)
    expect(dev.reports).toHaveLength(1)
    expect(dev.reports[0].entries).toHaveLength(10)
  })

  it('§5.15 ZONE_DMA (16 MiB) is never reported at R = 9', () => {
    const { q, alloc, pr, dev } = rig({ zones: [zoneOf('DMA', 0, 4096), zoneOf('DMA32', 4096, 1 << 20)] })
    placeBlocks(alloc, 4, 10, 0)
    placeBlocks(alloc, 40, 9, 1 << 16)
    pr.register(dev)
    settle(q)
    expect(reportedPfns(dev).every((p) => p >= 4096)).toBe(true)
    expect(alloc.nrReported(0, 10)).toBe(0)
  })
})

describe('page_reporting isolation and drain', () => {
  it('§5.16 §5.17 §5.18 while in the sgl a block is off the lists, out of NR_FREE_PAGES and cannot merge; a merged put-back is unflagged and reported later in the pass', () => {
    const { q, alloc, pr, dev } = rig({ rtt_ns: 100 * NS_PER_MS })
    // order-9 block at pfn 0; its buddy (pfn 512) is allocated: we hold it as "allocated" by never placing it
    alloc.place(0, 9)
    placeBlocks(alloc, 40, 9, 1 << 16)
    const freeBefore = alloc.nrFreePages(0)
    pr.register(dev)
    q.runUntil(D_NS + NS_PER_MS) // the leftover report of 41 blocks? no: 32 are in flight, 9 more wait
    expect(pr.reportInFlight).toBe(true)
    const inFlight = dev.reports[0].entries
    expect(alloc.nrFreePages(0)).toBe(freeBefore - inFlight.length * 512)
    expect(alloc.nrFree(0, 9)).toBe(41 - inFlight.length)
    const held = inFlight.some(([p]) => p === 0)
    expect(held).toBe(true)
    expect(alloc.isBuddyHead(0, 9)).toBe(false)
    // free pfn 0's buddy while pfn 0 is isolated: it must not merge with it
    alloc.freePages(512, 9)
    expect(alloc.isBuddyHead(512, 9)).toBe(true)
    expect(alloc.isBuddyHead(0, 10)).toBe(false)
    settle(q)
    // put back: pfn 0 merged with 512 into an order-10 block; that block was not flagged by the drain
    // but the same pass met it at order 10 and reported it
    expect(alloc.isBuddyHead(0, 10)).toBe(true)
    const tenReports = dev.reports.flatMap((r) => r.entries).filter(([p, o]) => p === 0 && o === 10)
    expect(tenReports).toHaveLength(1)
    expect(alloc.pageReported(0)).toBe(true)
    alloc.check()
  })

  it('§5.20 right after a cycle no reported block sits ahead of an unreported one on that list', () => {
    const { q, alloc, pr, dev } = rig()
    placeBlocks(alloc, 150, 9)
    pr.register(dev)
    q.runUntil(D_NS + NS_PER_S) // first pass: 64 of 150 reported, the walk stopped on budget
    const list = alloc.list(0, 9, MIGRATE_MOVABLE)
    const flags = list.map((p) => alloc.pageReported(p))
    const firstReported = flags.indexOf(true)
    expect(firstReported).toBeGreaterThan(0)
    expect(flags.slice(firstReported).every(Boolean)).toBe(true)
    expect(flags.filter(Boolean)).toHaveLength(64)
    // drain put the last batch back in reverse isolation order at the tail
    const lastBatch = dev.reports.at(-1)!.entries.map((e) => e[0])
    expect(list.slice(-lastBatch.length)).toEqual(lastBatch)
  })

  it('§5.21 isolating order >= 8 retypes Unmovable pageblocks to Movable, never HighAtomic; Isolate lists are not scanned', () => {
    const { q, alloc, pr, dev } = rig()
    placeBlocks(alloc, 4, 9, 0, MIGRATE_UNMOVABLE)
    placeBlocks(alloc, 4, 9, 1 << 14, MIGRATE_HIGHATOMIC)
    placeBlocks(alloc, 4, 9, 1 << 15, MIGRATE_ISOLATE)
    placeBlocks(alloc, 30, 9, 1 << 16)
    pr.register(dev)
    settle(q)
    expect(alloc.getPageblockMigratetype(0)).toBe(MIGRATE_MOVABLE)
    expect(alloc.getPageblockMigratetype(1 << 14)).toBe(MIGRATE_HIGHATOMIC)
    const pfns = new Set(reportedPfns(dev))
    expect(pfns.has(1 << 14)).toBe(true)
    expect(pfns.has(1 << 15)).toBe(false)
    expect(pfns.size).toBe(38)
    // the retyped block went back on the Movable list
    expect(alloc.list(0, 9, MIGRATE_MOVABLE)).toContain(0)
  })

  it('§5.22 allocating a reported block splits it: the halves are unflagged and reported again if >= R', () => {
    const { q, alloc, pr, dev } = rig()
    alloc.place(0, 10)
    placeBlocks(alloc, 40, 9, 1 << 16)
    pr.register(dev)
    settle(q)
    expect(alloc.pageReported(0)).toBe(true)
    // only order 10 left on the order-10 list: a request of order 9 from the empty order-9 list... use order 9 when the
    // order-9 list is empty: drain it first
    while (alloc.listFirst(0, 9, MIGRATE_MOVABLE) !== -1) alloc.allocPages(9, MIGRATE_MOVABLE)
    const p = alloc.allocPages(9, MIGRATE_MOVABLE)
    expect(p).toBe(0)
    expect(alloc.isBuddyHead(512, 9)).toBe(true)
    expect(alloc.pageReported(512)).toBe(false)
    const n = dev.reports.length
    alloc.freePages(1 << 16, 9) // a qualifying free to wake the reporter
    settle(q)
    const later = dev.reports.slice(n).flatMap((r) => r.entries.map((e) => e[0]))
    expect(later).toContain(512)
  })
  it('§5.23 freeing the buddy of a reported block merges them: the merged block is unflagged, notifies its order and is reported again', () => {
    const { q, alloc, pr, dev } = rig()
    alloc.place(0, 9, MIGRATE_MOVABLE, { reported: true })
    pr.register(dev)
    settle(q)
    expect(dev.reports).toHaveLength(0) // the reported block is skipped
    alloc.freePages(512, 9)
    expect(alloc.isBuddyHead(0, 10)).toBe(true)
    expect(alloc.pageReported(0)).toBe(false)
    expect(alloc.notified.at(-1)).toEqual([0, 10])
    expect(pr.state).toBe(PAGE_REPORTING_REQUESTED)
    settle(q)
    expect(dev.reports.flatMap((r) => r.entries)).toEqual([[0, 10]])
  })
})

describe('page_reporting order', () => {
  it('§5.27 6.6: the command line order is used whatever the driver asks; 5.14: registration overwrites it', () => {
    const six = rig({ cmdline: 10 })
    six.pr.register(six.dev)
    expect(six.pr.order).toBe(10)
    const old = rig({ rule: 'register-overwrites', cmdline: 10 })
    old.pr.register(old.dev)
    expect(old.pr.order).toBe(9)
  })

  it('§5.28 a sysfs write takes effect at the next free and the next pass', () => {
    const { q, alloc, pr, dev, events } = rig()
    placeBlocks(alloc, 8, 5, 1 << 16) // order-5 blocks: below R = 9
    pr.register(dev)
    settle(q)
    expect(dev.reports).toHaveLength(0)
    expect(pr.sysfsWriteOrder(11)).toMatch(/EINVAL/)
    expect(pr.sysfsWriteOrder(5)).toBeNull()
    expect(pr.state).toBe(PAGE_REPORTING_IDLE)
    alloc.freePages(1 << 18, 5) // an order-5 free now qualifies
    expect(pr.state).toBe(PAGE_REPORTING_REQUESTED)
    settle(q)
    const entries = dev.reports.flatMap((r) => r.entries)
    expect(entries.filter(([, o]) => o === 5)).toHaveLength(9)
    // the loop now starts at order 5: the order-8 blocks of the default zone went out too
    expect(entries.filter(([, o]) => o === 8)).toHaveLength(70)
    expect(events.some((e) => e.kind === 'order_change' && e.detail?.startsWith('sysfs'))).toBe(true)
  })

  it('5.14-6.2: a sysfs value above MAX_ORDER is accepted and reporting stops (no notify, empty order loop)', () => {
    const { q, alloc, pr, dev } = rig({ rule: 'register-overwrites' })
    pr.register(dev)
    settle(q)
    const before = dev.reports.length
    expect(pr.sysfsWriteOrder(4096)).toBeNull()
    expect(pr.order).toBe(4096)
    alloc.freePages(1 << 20, 10)
    expect(pr.state).toBe(PAGE_REPORTING_IDLE)
    settle(q)
    expect(dev.reports).toHaveLength(before)
  })

  it('check() sees the sgl isolated while a report is in flight', () => {
    const { q, alloc, pr, dev } = rig({ rtt_ns: 10 * NS_PER_MS })
    placeBlocks(alloc, 100, 9)
    pr.register(dev)
    q.runUntil(D_NS + NS_PER_MS)
    expect(pr.reportInFlight).toBe(true)
    expect(() => pr.check()).not.toThrow()
    // break the invariant: put an sgl block back behind the reporter's back
    const [pfn, order] = dev.reports[0].entries[0]
    alloc.putbackIsolatedPage(pfn, order)
    expect(() => pr.check()).toThrow(/buddy head/)
  })
})
