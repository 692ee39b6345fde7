import { describe, expect, it } from 'vitest'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { ExperimentSchema, type Phase } from '../common/experiment'
import { REPLAY_ALLOC, REPLAY_FREE, type FtraceReplay, type FtraceStats } from '../common/imports'
import type { SimEvent } from '../common/samples'
import { EventQueue, NS_PER_MS } from './event_queue'
import { HostBacking } from './host_backing'
import { PageAllocDouble } from './testing/page_alloc_double'
import { Workload } from './workload'

type PhaseInput = Record<string, unknown> & { op: Phase['op'] }

interface Rig {
  q: EventQueue
  alloc: PageAllocDouble
  host: HostBacking
  wl: Workload
  events: SimEvent[]
  calls: string[]
  /** Completes a pending unregister. */
  finishUnregister: () => void
}

interface RigOptions {
  seed?: number
  discardAll?: boolean
  cpus?: number
  /** Simulated time of the run, in ms. Default 60000. */
  durationMs?: number
  /** Free order-10 blocks at boot. Default 256 (1 GiB). */
  blocks?: number
  replays?: (FtraceReplay | null)[]
  /** workload.placement of the experiment. */
  placement?: Record<string, unknown>
}

/** 1 GiB of free order-10 blocks in one zone, a 4 KiB-backed host. */
function rig(phases: PhaseInput[], opts: RigOptions = {}): Rig {
  const q = new EventQueue()
  const alloc = new PageAllocDouble([{ name: 'DMA32', startPfn: 0, endPfn: 1 << 18, wmMin: 0, wmLow: 0, wmHigh: 0, boost: 0, highatomic: 0 }])
  for (let i = 0; i < (opts.blocks ?? 256); i++) alloc.place(i * 1024, 10)
  const host = new HostBacking({ backing: 'anon-4k', maxPfn: 1 << 18, ranges: [{ startPfn: 0, endPfn: 1 << 18 }], prepopulate: opts.discardAll ?? false, discardUsPer4k: 1, discardUsPer2m: 8, refaultUsPer4k: 4, refaultUsPer2m: 300 })
  if (opts.discardAll) host.discard(0, 1 << 18)
  const events: SimEvent[] = []
  const calls: string[] = []
  let pending: (() => void) | null = null
  const exp = ExperimentSchema.parse({ format: 'page-reporting-lab/experiment', version: 2, seed: opts.seed ?? 1, durationMs: opts.durationMs ?? 60000, guest: { memoryMiB: 1024 }, workload: { phases, ...(opts.placement !== undefined ? { placement: opts.placement } : {}) } })
  const wl = new Workload(
    {
      queue: q,
      alloc,
      host,
      cpus: opts.cpus ?? 2,
      rng: xoroshiro128plus(exp.seed),
      writeOnFree: false,
      emit: (e) => events.push(e),
      allocEvents: true,
      replays: opts.replays ?? [],
      register: () => calls.push(`register@${q.now_ns}`),
      unregister: (done) => {
        calls.push(`unregister@${q.now_ns}`)
        pending = done
      },
      sysfsOrder: (o) => calls.push(`sysfs ${o}@${q.now_ns}`),
    },
    exp,
  )
  wl.start()
  return { q, alloc, host, wl, events, calls, finishUnregister: () => pending?.() }
}

const settle = (q: EventQueue): void => {
  while (q.runNext(Infinity));
}
const phaseTimes = (events: SimEvent[]): number[] => events.filter((e) => e.kind === 'phase').map((e) => e.t_ms)
const of = (events: SimEvent[], kind: 'alloc' | 'free'): number[] => events.filter((e) => e.kind === kind).map((e) => e.pfn ?? -1)

describe('Workload', () => {
  it('alloc at a rate: batches per 1 ms tick, on the workload\'s CPUs round robin, phase ends when all requests are done', () => {
    const { q, wl, events } = rig([{ op: 'alloc', mib: 64, rateMiBps: 64 }, { op: 'idle', ms: 1 }], { placement: { cpus: [0, 1] } })
    settle(q)
    expect(wl.allocatedPages).toBe(16384)
    expect(of(events, 'alloc')).toHaveLength(16384)
    const cpus = events.filter((e) => e.kind === 'alloc').slice(0, 4).map((e) => e.count)
    expect(cpus).toEqual([0, 1, 0, 1])
    // 16.384 requests per tick: the last batch runs in the tick starting at 999 ms
    expect(phaseTimes(events)).toEqual([0, 1000])
    // one event per tick, not per request
    expect(q.processed).toBeLessThan(1100)
  })

  it('a single-threaded workload (the default) runs on CPU 0; the scheduler moves it every migrateMs', () => {
    const one = rig([{ op: 'alloc', mib: 1, rateMiBps: 64 }], { cpus: 4 })
    settle(one.q)
    expect(new Set(one.events.filter((e) => e.kind === 'alloc').map((e) => e.count))).toEqual(new Set([0]))
    // 16.384 pages per ms: ticks 0-9 on CPU 1, 10-19 on CPU 2, ...; CPU 3 + 1 wraps to 0
    const moving = rig([{ op: 'alloc', mib: 4, rateMiBps: 64 }], { cpus: 4, placement: { cpus: [1], migrateMs: 10 } })
    settle(moving.q)
    const cpuAt = (t: number): number | undefined => moving.events.find((e) => e.kind === 'alloc' && e.t_ms >= t)?.count
    expect([cpuAt(0), cpuAt(10), cpuAt(20), cpuAt(30), cpuAt(40)]).toEqual([1, 2, 3, 0, 1])
  })

  it('every-other frees every other chunk of the allocation order (realistic), or of physical memory (aligned)', () => {
    // the set in allocation order: 3, 2, 1, 0 (4 KiB pages placed at descending pfns); chunks of 8 KiB
    const phases: PhaseInput[] = [{ op: 'alloc', mib: 4 / 256, touch: false }, { op: 'free', fraction: 1, pattern: 'every-other', chunkKiB: 8 }]
    for (const layout of ['realistic', 'aligned']) {
      const r = rig(phases, { blocks: 0, placement: { layout } })
      for (const pfn of [0, 1, 2, 3]) r.alloc.place(pfn, 0)
      settle(r.q)
      const allocated = of(r.events, 'alloc')
      const freed = of(r.events, 'free')
      if (layout === 'realistic') expect(freed.sort()).toEqual(allocated.slice(0, 2).sort())
      else expect(freed.sort()).toEqual([0, 1])
    }
  })

  it('aligned: chunks are aligned to their size in physical memory, wherever the set starts', () => {
    // 8 pages at pfns 5..12, chunks of 8 KiB (2 pages): chunk = pfn >> 1, the even ones freed
    const phases: PhaseInput[] = [{ op: 'alloc', mib: 8 / 256, touch: false }, { op: 'free', fraction: 1, pattern: 'every-other', chunkKiB: 8 }]
    const r = rig(phases, { blocks: 0, placement: { layout: 'aligned' } })
    for (let pfn = 5; pfn <= 12; pfn++) r.alloc.place(pfn, 0)
    settle(r.q)
    expect(of(r.events, 'free').sort((a, b) => a - b)).toEqual([5, 8, 9, 12])
  })

  it('every-other over durationMs spreads what it frees (half the set) over the whole duration', () => {
    const { q, events } = rig([{ op: 'alloc', mib: 8 }, { op: 'free', fraction: 1, pattern: 'every-other', chunkKiB: 256, durationMs: 400 }, { op: 'idle', ms: 1 }])
    settle(q)
    const [, freeStart, idleStart] = phaseTimes(events)
    expect(idleStart - freeStart).toBe(400)
  })

  it('alloc over durationMs spreads evenly', () => {
    const { q, events } = rig([{ op: 'alloc', mib: 10, durationMs: 500 }, { op: 'idle', ms: 1 }])
    settle(q)
    expect(phaseTimes(events)[1]).toBe(500)
  })

  it('free lifo frees the most recent allocations first, fifo the oldest', () => {
    const a = rig([{ op: 'alloc', mib: 4 }, { op: 'free', mib: 1, pattern: 'lifo' }])
    settle(a.q)
    const allocated = of(a.events, 'alloc')
    expect(of(a.events, 'free')).toEqual(allocated.slice(-256).reverse())
    const b = rig([{ op: 'alloc', mib: 4 }, { op: 'free', mib: 1, pattern: 'fifo' }])
    settle(b.q)
    expect(of(b.events, 'free')).toEqual(of(b.events, 'alloc').slice(0, 256))
    expect(b.wl.allocatedPages).toBe(768)
  })

  it('free every-other frees alternate chunks in pfn order, leaving holes', () => {
    const { q, events, wl } = rig([{ op: 'alloc', mib: 1 }, { op: 'free', fraction: 1, pattern: 'every-other', chunkKiB: 8 }])
    settle(q)
    const sorted = of(events, 'alloc').sort((x, y) => x - y)
    const expected = sorted.filter((_, i) => Math.floor(i / 2) % 2 === 0)
    expect(of(events, 'free').sort((x, y) => x - y)).toEqual(expected)
    expect(wl.allocatedPages).toBe(128)
  })

  it('free random depends on the seed only', () => {
    const run = (seed: number): number[] => {
      const r = rig([{ op: 'alloc', mib: 2 }, { op: 'free', fraction: 0.5, pattern: 'random' }], { seed })
      settle(r.q)
      return of(r.events, 'free')
    }
    expect(run(3)).toEqual(run(3))
    expect(run(3)).not.toEqual(run(4))
    expect(run(3)).toHaveLength(256)
  })

  it('refaults on reused memory delay the workload by exactly their cost', () => {
    const phases: PhaseInput[] = [{ op: 'alloc', mib: 4, rateMiBps: 4 }, { op: 'idle', ms: 1 }]
    const fresh = rig(phases)
    settle(fresh.q)
    const reused = rig(phases, { discardAll: true })
    settle(reused.q)
    // 1024 pages refault at 4 µs each: the phase ends 4.096 ms later
    expect(reused.host.refaultedPages).toBe(1024)
    expect(phaseTimes(reused.events)[1] - phaseTimes(fresh.events)[1]).toBeCloseTo(4.096, 9)
    expect(reused.wl.refaultCost_ns).toBe(1024 * 4000)
    const refaultKib = reused.events.filter((e) => e.kind === 'refault').reduce((s, e) => s + (e.kib ?? 0), 0)
    expect(refaultKib).toBe(4096)
  })

  it('pagecache is its own set and drop-caches frees all of it', () => {
    const { q, wl } = rig([{ op: 'alloc', mib: 2 }, { op: 'pagecache', mib: 8 }, { op: 'drop-caches' }])
    settle(q)
    expect(wl.set('pagecache').pages).toBe(0)
    expect(wl.set('default').pages).toBe(512)
    expect(wl.allocatedPages).toBe(512)
  })

  it('register, sysfs-order and unregister run in order; unregister waits for the running pass', () => {
    const r = rig([{ op: 'register' }, { op: 'sysfs-order', order: 7 }, { op: 'unregister' }, { op: 'idle', ms: 5 }, { op: 'register' }])
    settle(r.q)
    expect(r.calls).toEqual(['register@0', 'sysfs 7@0', 'unregister@0'])
    expect(r.wl.finished).toBe(false)
    r.finishUnregister()
    settle(r.q)
    expect(r.calls.at(-1)).toBe(`register@${5 * NS_PER_MS}`)
    expect(r.wl.finished).toBe(true)
  })

  it('churn keeps the live set at liveMiB and mixes orders by weight', () => {
    const { q, wl, events } = rig([{ op: 'churn', durationMs: 200, rateMiBps: 256, liveMiB: 4, orders: [{ order: 0, weight: 1 }, { order: 4, weight: 1 }] }])
    settle(q)
    expect(wl.set('churn').pages).toBeLessThanOrEqual(1024)
    const allocs = events.filter((e) => e.kind === 'alloc')
    expect(allocs.some((e) => e.order === 4)).toBe(true)
    expect(allocs.some((e) => e.order === 0)).toBe(true)
    expect(events.filter((e) => e.kind === 'free').length).toBeGreaterThan(0)
    expect([wl.pageAllocs, wl.pageFrees]).toEqual([allocs.length, events.filter((e) => e.kind === 'free').length])
  })

  it('churn frees exactly the victims drawing as it goes frees, also across allocations that fail mid-tick', () => {
    // 1000 MiB/s: 256 order-0 requests per 1 ms tick; 1 MiB live: from the second tick on each request frees one victim
    const r = rig([{ op: 'churn', durationMs: 6, rateMiBps: 1000, liveMiB: 1 }], { seed: 9 })
    const failing = new Set([300, 301, 700, 900])
    let calls = 0
    const real = r.alloc.allocPages.bind(r.alloc)
    r.alloc.allocPages = (order: number, mt: number): number => (failing.has(calls++) ? -1 : real(order, mt))
    settle(r.q)
    expect(r.wl.allocFailures).toBe(4)
    expect(r.wl.pageAllocs).toBe(calls)
    // the reference: the plain loop of draws over the blocks the run was given
    const rng = xoroshiro128plus(9)
    const given = of(r.events, 'alloc')
    const live: number[] = []
    const frees: number[] = []
    let call = 0
    while (call < calls) {
      for (let budget = 256; budget > 0; budget--) {
        uniformFloat64(rng)
        if (failing.has(call++)) break
        live.push(given.shift() ?? -1)
        while (live.length > 256) {
          const i = uniformInt(rng, 0, live.length - 1)
          frees.push(live[i])
          live[i] = live[live.length - 1]
          live.pop()
        }
      }
    }
    expect(frees.length).toBeGreaterThan(500)
    expect(of(r.events, 'free')).toEqual(frees)
  })

  it('an allocation that fails ends the phase with an event and the workload goes on', () => {
    const { q, wl, events } = rig([{ op: 'alloc', mib: 1100 }, { op: 'idle', ms: 1 }])
    settle(q)
    expect(wl.allocFailures).toBe(1)
    expect(wl.allocatedPages).toBe(1 << 18)
    expect(events.some((e) => e.kind === 'phase' && e.detail?.includes('out of memory'))).toBe(true)
    expect(wl.finished).toBe(true)
  })
})

interface TraceOp {
  t_ns: number
  op: 'alloc' | 'free'
  order: number
  mt?: number
  cpu?: number
  /** free: the alloc operation it frees, and the page offset into that block */
  ref?: number
  offset?: number
}

const NO_STATS: FtraceStats = { events: {}, allocs: 0, frees: 0, failedAllocs: 0, freesOfUnknownPfn: 0, batchedDuplicates: 0, allocsOfLivePfn: 0, liveAtEnd: 0, internalEvents: 0, otherEvents: 0, cpus: 2, pfnFormat: 'hex', traceCmdHeader: false }

/** A parsed trace built by hand, as the ftrace importer would return it. */
function trace(ops: TraceOp[], stats: Partial<FtraceStats> = {}): FtraceReplay {
  return {
    kind: 'ftrace',
    fileName: 'hand.txt',
    lines: ops.length,
    problems: [],
    problemCount: 0,
    count: ops.length,
    t_ns: Float64Array.from(ops, (o) => o.t_ns),
    op: Uint8Array.from(ops, (o) => (o.op === 'alloc' ? REPLAY_ALLOC : REPLAY_FREE)),
    pfn: new Float64Array(ops.length),
    order: Uint8Array.from(ops, (o) => o.order),
    migratetype: Int8Array.from(ops, (o) => (o.op === 'alloc' ? (o.mt ?? 1) : -1)),
    cpu: Uint16Array.from(ops, (o) => o.cpu ?? 0),
    ref: Int32Array.from(ops, (o) => o.ref ?? -1),
    offset: Uint32Array.from(ops, (o) => o.offset ?? 0),
    line: Uint32Array.from(ops, (_, i) => i + 1),
    start_ts: '100.000000',
    stats: { ...NO_STATS, ...stats },
  }
}

const MS = NS_PER_MS
/** One order-10 block to allocate from: the order-10 request fails once a page of it is taken. */
const HAND_TRACE = trace(
  [
    { t_ns: 0, op: 'alloc', order: 0 },
    { t_ns: 2 * MS, op: 'alloc', order: 2, cpu: 3 },
    { t_ns: 3 * MS, op: 'alloc', order: 10 },
    { t_ns: 4 * MS, op: 'free', order: 10, ref: 2 },
    { t_ns: 4 * MS, op: 'free', order: 0, ref: 1, offset: 1 },
    { t_ns: 5 * MS, op: 'free', order: 0, ref: 1, offset: 1 },
    { t_ns: 10 * MS, op: 'free', order: 0, ref: 0 },
  ],
  {
    events: { mm_page_alloc: 4, mm_page_free: 4, mm_page_alloc_zone_locked: 2, sched_switch: 3 },
    allocs: 3,
    frees: 4,
    failedAllocs: 1,
    freesOfUnknownPfn: 2,
    liveAtEnd: 1,
    internalEvents: 2,
    otherEvents: 3,
  },
)

describe('Workload: replay phase', () => {
  const replayRig = (phase: PhaseInput, opts: RigOptions = {}): Rig => rig([{ op: 'idle', ms: 1 }, phase, { op: 'idle', ms: 1 }], { blocks: 1, replays: [null, HAND_TRACE, null], ...opts })

  it('runs each operation at its own time, cpu = trace cpu mod guest cpus; the phase ends with the last operation', () => {
    const { q, wl, events } = replayRig({ op: 'replay', file: 'hand.txt', touch: false })
    settle(q)
    // the replay starts at 1 ms; its last operation is 10 ms into the trace
    expect(phaseTimes(events).slice(0, 3)).toEqual([0, 1, 11])
    const allocs = events.filter((e) => e.kind === 'alloc')
    expect(allocs.map((e) => [e.t_ms, e.order, e.count])).toEqual([
      [1, 0, 0],
      [3, 2, 1],
    ])
    const frees = events.filter((e) => e.kind === 'free')
    // page 1 of the order-2 block at 4 ms; the second free of it is refused; then the order-0 page
    expect(frees.map((e) => [e.t_ms, e.pfn, e.order])).toEqual([
      [5, (allocs[1].pfn ?? 0) + 1, 0],
      [11, allocs[0].pfn, 0],
    ])
    // three pages of the order-2 block stay allocated
    expect(wl.allocatedPages).toBe(3)
    expect(wl.allocFailures).toBe(1)
    expect(wl.replayTotals()).toEqual({ ops: 7, done: 7, allocs: 2, frees: 2, failedAllocs: 1, skippedFrees: 2 })
    expect(wl.finished).toBe(true)
  })

  it('speed scales the trace time: twice as fast halves the phase, 0.4 stretches it 2.5 times', () => {
    const fast = replayRig({ op: 'replay', file: 'hand.txt', speed: 2, touch: false })
    settle(fast.q)
    expect(phaseTimes(fast.events)[2]).toBe(1 + 10 / 2)
    const slow = replayRig({ op: 'replay', file: 'hand.txt', speed: 0.4, touch: false })
    settle(slow.q)
    expect(phaseTimes(slow.events)[2]).toBe(1 + 10 / 0.4)
    expect(slow.events.filter((e) => e.kind === 'free').map((e) => e.t_ms)).toEqual([1 + 4 / 0.4, 1 + 10 / 0.4])
  })

  it('the event ending the phase says what was not replayed and why', () => {
    const { q, events } = replayRig({ op: 'replay', file: 'hand.txt', touch: false })
    settle(q)
    const report = events.filter((e) => e.kind === 'phase')[2]
    expect(report.t_ms).toBe(11)
    expect(report.count).toBe(1)
    const parts = (report.detail ?? '').split('. ')
    expect(parts[0]).toBe('replay of hand.txt done: 7 operations, 4 replayed (2 allocations, 2 frees)')
    expect(parts[1]).toBe(
      'Not replayed: 1 allocation the simulated guest refused (order 10: 1): it has less free memory or more fragmentation than the traced one; ' +
        '1 free of those allocations, skipped; 1 free of pages already free in the simulation (the trace frees them twice), skipped',
    )
    expect(parts[2]).toBe(
      'Not in the replay, from the trace: 1 failed mm_page_alloc (NULL page); 2 frees of pfns allocated before tracing began; ' +
        '2 allocator-internal events the simulated allocator makes itself (mm_page_alloc_zone_locked 2); 3 other events (sched_switch 3)',
    )
    expect(parts[3]).toBe('Left allocated at the end of the trace: 1 block')
  })

  it('a run that ends inside the trace says how far the replay got', () => {
    const { q, events, wl } = replayRig({ op: 'replay', file: 'hand.txt', touch: false }, { durationMs: 4 })
    settle(q)
    const last = events.filter((e) => e.kind === 'phase').at(-1)
    expect(last?.t_ms).toBe(4)
    expect(last?.detail?.split('. ').slice(0, 2)).toEqual([
      'replay of hand.txt stopped after 3 of 7 operations (the run ends at 4 ms; the next was due at 5 ms), 2 replayed (2 allocations, 0 frees)',
      'Not replayed: 1 allocation the simulated guest refused (order 10: 1): it has less free memory or more fragmentation than the traced one',
    ])
    expect(wl.replayTotals()).toMatchObject({ ops: 7, done: 3 })
    expect(wl.finished).toBe(false)
  })

  it('refaults of touched memory delay every later operation by their cost', () => {
    // discarded host memory: 4 µs per 4 KiB refault; order 0 then order 2 touched = 5 pages
    const { q, events, wl } = replayRig({ op: 'replay', file: 'hand.txt' }, { discardAll: true })
    settle(q)
    expect(wl.refaultCost_ns).toBe(5 * 4000)
    expect(phaseTimes(events)[2]).toBe(11 + 0.02)
    expect(events.filter((e) => e.kind === 'free').map((e) => e.t_ms)).toEqual([5 + 0.02, 11 + 0.02])
  })

  it('a free of part of a block splits it into order-0 pages first (split_page()), then frees each page of the range', () => {
    const exact = trace([
      { t_ns: 0, op: 'alloc', order: 2 },
      { t_ns: MS, op: 'free', order: 0, ref: 0, offset: 3 },
      { t_ns: 2 * MS, op: 'free', order: 1, ref: 0, offset: 0 },
      { t_ns: 3 * MS, op: 'free', order: 0, ref: 0, offset: 2 },
    ])
    const { q, alloc, events, wl } = replayRig({ op: 'replay', file: 'exact.txt', touch: false }, { replays: [null, exact, null] })
    settle(q)
    const head = events.find((e) => e.kind === 'alloc')?.pfn ?? -1
    expect(alloc.splits).toEqual([[head, 2]])
    expect(events.filter((e) => e.kind === 'free').map((e) => [e.t_ms, (e.pfn ?? 0) - head, e.order])).toEqual([
      [2, 3, 0],
      [3, 0, 0],
      [3, 1, 0],
      [4, 2, 0],
    ])
    expect(wl.allocatedPages).toBe(0)
    expect(wl.replayTotals()).toMatchObject({ frees: 3, skippedFrees: 0 })
  })

  it('an empty trace ends the phase at once; a phase without its trace is refused naming the field', () => {
    const { q, events } = replayRig({ op: 'replay', file: 'empty.txt' }, { replays: [null, trace([]), null] })
    settle(q)
    expect(phaseTimes(events).slice(0, 3)).toEqual([0, 1, 1])
    expect(() => replayRig({ op: 'replay', file: 'trace.txt' }, { replays: [] })).toThrow(/^workload\.phases\[1\]\.file: the trace trace\.txt was not given/)
  })
})
