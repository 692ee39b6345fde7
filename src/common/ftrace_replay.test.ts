import { describe, expect, it } from 'vitest'
import { FtraceReplayer, type ReplayAllocator } from './ftrace_replay'
import { REPLAY_ALLOC, REPLAY_FREE, type FtraceReplay } from './imports'

/** The replay of test/fixtures/imports/ftrace-*.txt (src/host/import/ftrace.test.ts checks the importer gives it). */
function fixtureReplay(): FtraceReplay {
  const ops: [number, number, number, number, number, number, number, number][] = [
    // t_ns, op, pfn, order, mt, cpu, ref, offset
    [0, REPLAY_ALLOC, 0x12a3c0, 0, 1, 1, -1, 0],
    [67_000, REPLAY_ALLOC, 0x12a400, 2, 0, 0, -1, 0],
    [1_115_767_000, REPLAY_FREE, 0x12a3c0, 0, -1, 1, 0, 0],
    [1_195_767_000, REPLAY_FREE, 0x12a401, 0, -1, 0, 1, 1],
    [1_895_767_000, REPLAY_ALLOC, 0x12a3c0, 0, 1, 1, -1, 0],
    [1_895_867_000, REPLAY_ALLOC, 0x12a402, 0, 0, 0, -1, 0],
  ]
  const col = <T>(c: number, make: (xs: number[]) => T): T => make(ops.map((o) => o[c]))
  return {
    kind: 'ftrace',
    fileName: 'fixture',
    lines: 0,
    problems: [],
    problemCount: 0,
    count: ops.length,
    t_ns: col(0, (x) => Float64Array.from(x)),
    op: col(1, (x) => Uint8Array.from(x)),
    pfn: col(2, (x) => Float64Array.from(x)),
    order: col(3, (x) => Uint8Array.from(x)),
    migratetype: col(4, (x) => Int8Array.from(x)),
    cpu: col(5, (x) => Uint16Array.from(x)),
    ref: col(6, (x) => Int32Array.from(x)),
    offset: col(7, (x) => Uint32Array.from(x)),
    line: new Uint32Array(ops.length),
    start_ts: '5120.104233',
    stats: { events: {}, allocs: 4, frees: 2, failedAllocs: 0, freesOfUnknownPfn: 0, batchedDuplicates: 0, allocsOfLivePfn: 0, liveAtEnd: 2, internalEvents: 0, otherEvents: 0, cpus: 2, pfnFormat: 'hex', traceCmdHeader: false },
  }
}
const trace = fixtureReplay

/** A bump allocator that logs every call: enough to check what the replayer asks for. */
class LogAllocator implements ReplayAllocator {
  log: string[] = []
  private top = 1000
  constructor(private readonly failOrders: readonly number[] = []) {}
  allocPages(order: number, mt: number, cpu: number): number {
    if (this.failOrders.includes(order)) {
      this.log.push(`alloc o${order} mt${mt} cpu${cpu} -> fail`)
      return -1
    }
    const pfn = this.top
    this.top += 1 << order
    this.log.push(`alloc o${order} mt${mt} cpu${cpu} -> ${pfn}`)
    return pfn
  }
  freePages(pfn: number, order: number, cpu: number): void {
    this.log.push(`free ${pfn} o${order} cpu${cpu}`)
  }
}

describe('ftrace replay', () => {
  it('maps trace pfns to the blocks the allocator returned, split frees included', () => {
    const a = new LogAllocator()
    const r = new FtraceReplayer(trace(), { cpus: 2 })
    expect(r.runUntil(Infinity, a)).toBe(6)
    expect(a.log).toEqual([
      'alloc o0 mt1 cpu1 -> 1000',
      'alloc o2 mt0 cpu0 -> 1001',
      'free 1000 o0 cpu1',
      'free 1002 o0 cpu0', // page 1 of the order-2 block at 1001
      'alloc o0 mt1 cpu1 -> 1005',
      'alloc o0 mt0 cpu0 -> 1006',
    ])
    expect(r.done).toBe(true)
    expect(r.progress()).toEqual({ done: 6, allocs: 4, frees: 2, failedAllocs: 0, skippedFrees: 0 })
  })

  it('runs operations at start + t / speed, in integer ns', () => {
    const r = new FtraceReplayer(trace(), { cpus: 2, start_ns: 5_000_000, speed: 2 })
    const a = new LogAllocator()
    expect(r.nextTime_ns()).toBe(5_000_000)
    expect(r.runUntil(5_000_000 + 33_499, a)).toBe(1)
    expect(r.nextTime_ns()).toBe(5_000_000 + 33_500) // 67 µs / 2
    expect(r.runUntil(5_000_000 + 33_500, a)).toBe(1)
    expect(r.end_ns()).toBe(5_000_000 + 947_933_500) // 1.895867 s / 2
  })

  it('skips frees whose allocation failed and folds cpus onto the guest', () => {
    const a = new LogAllocator([2])
    const r = new FtraceReplayer(trace(), { cpus: 1 })
    r.runUntil(Infinity, a)
    expect(a.log.filter((l) => l.includes('cpu1'))).toEqual([])
    expect(r.progress()).toMatchObject({ failedAllocs: 1, skippedFrees: 1, frees: 1 })
  })

  it('is deterministic: stepping in any slices asks for the same operations as one run', () => {
    const whole = new LogAllocator()
    new FtraceReplayer(trace(), { cpus: 2 }).runUntil(Infinity, whole)
    const sliced = new LogAllocator()
    const r = new FtraceReplayer(trace(), { cpus: 2 })
    for (let t = 0; !r.done; t += 50_000_000) r.runUntil(t, sliced)
    expect(sliced.log).toEqual(whole.log)
  })

  it('refuses a speed or cpu count that cannot be', () => {
    expect(() => new FtraceReplayer(trace(), { cpus: 0 })).toThrow(/cpus/)
    expect(() => new FtraceReplayer(trace(), { cpus: 1, speed: 0 })).toThrow(/speed/)
  })
})
