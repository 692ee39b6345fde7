import { describe, expect, it } from 'vitest'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { ExperimentSchema, type Phase } from '../common/experiment'
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

/** 1 GiB of free order-10 blocks in one zone, a 4 KiB-backed host. */
function rig(phases: PhaseInput[], opts: { seed?: number; discardAll?: boolean; cpus?: number } = {}): Rig {
  const q = new EventQueue()
  const alloc = new PageAllocDouble([{ name: 'DMA32', startPfn: 0, endPfn: 1 << 18, wmMin: 0, wmLow: 0, wmHigh: 0, boost: 0, highatomic: 0 }])
  for (let i = 0; i < 256; i++) alloc.place(i * 1024, 10)
  const host = new HostBacking({ backing: 'anon-4k', maxPfn: 1 << 18, ranges: [{ startPfn: 0, endPfn: 1 << 18 }], prepopulate: opts.discardAll ?? false, discardUsPer4k: 1, discardUsPer2m: 8, refaultUsPer4k: 4, refaultUsPer2m: 300 })
  if (opts.discardAll) host.discard(0, 1 << 18)
  const events: SimEvent[] = []
  const calls: string[] = []
  let pending: (() => void) | null = null
  const exp = ExperimentSchema.parse({ format: 'page-reporting-lab/experiment', version: 1, seed: opts.seed ?? 1, guest: { memoryMiB: 1024 }, workload: { phases } })
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
  it('alloc at a rate: batches per 1 ms tick, CPUs round robin, phase ends when all requests are done', () => {
    const { q, wl, events } = rig([{ op: 'alloc', mib: 64, rateMiBps: 64 }, { op: 'idle', ms: 1 }])
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
