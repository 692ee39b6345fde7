// Replays an imported kmem trace (FtraceReplay, src/common/imports.ts) against an allocator: the
// workload side of a trace replay, pure so the engine can drive it from its event queue.
//
// Semantics: operation i happens at start_ns + t_ns[i] / speed of simulated time. An alloc asks
// the allocator for a block of its order and migratetype on cpu (trace cpu mod guest cpus) and
// remembers the pfn it got: trace pfns never name simulated pages. A free frees `order` pages at
// `offset` pages into the block its alloc (ref) got; if that alloc failed, the free is skipped.
import { REPLAY_ALLOC, type FtraceReplay } from './imports'

export interface ReplayAllocator {
  /** alloc_pages(): the head pfn of the block, or -1 when the allocation fails. */
  allocPages(order: number, migratetype: number, cpu: number): number
  freePages(pfn: number, order: number, cpu: number): void
}

export interface ReplayOptions {
  /** Simulated time of the trace's first operation, in ns. Default 0. */
  readonly start_ns?: number
  /** 1: the trace's own timing; 2: twice as fast; 0.5: half as fast. Default 1. */
  readonly speed?: number
  /** Guest vCPUs; trace cpus beyond them fold modulo. */
  readonly cpus: number
}

export interface ReplayProgress {
  readonly done: number
  readonly allocs: number
  readonly frees: number
  /** Allocations the simulated allocator refused (it has less memory or more fragmentation than the traced guest). */
  readonly failedAllocs: number
  /** Frees skipped because their allocation had failed. */
  readonly skippedFrees: number
}

export class FtraceReplayer {
  private next = 0
  private readonly simPfn: Float64Array
  private readonly start_ns: number
  private readonly speed: number
  private allocs = 0
  private frees = 0
  private failedAllocs = 0
  private skippedFrees = 0

  constructor(
    private readonly replay: FtraceReplay,
    private readonly options: ReplayOptions,
  ) {
    if (!(options.cpus >= 1)) throw new Error(`replay: cpus must be at least 1, got ${options.cpus}`)
    const speed = options.speed ?? 1
    if (!(speed > 0 && Number.isFinite(speed))) throw new Error(`replay: speed must be a positive number, got ${speed}`)
    this.speed = speed
    this.start_ns = options.start_ns ?? 0
    this.simPfn = new Float64Array(replay.count).fill(-1)
  }

  get done(): boolean {
    return this.next >= this.replay.count
  }

  /** Simulated time of the next operation in ns (integer), Infinity when all are done. */
  nextTime_ns(): number {
    return this.done ? Infinity : this.timeOf(this.next)
  }

  /** Simulated end of the replay in ns (time of its last operation). */
  end_ns(): number {
    return this.replay.count === 0 ? this.start_ns : this.timeOf(this.replay.count - 1)
  }

  private timeOf(i: number): number {
    return this.start_ns + Math.round(this.replay.t_ns[i] / this.speed)
  }

  /** Performs every operation due at or before `t_ns`, in trace order. Returns how many ran. */
  runUntil(t_ns: number, allocator: ReplayAllocator): number {
    const r = this.replay
    const first = this.next
    while (this.next < r.count && this.timeOf(this.next) <= t_ns) {
      const i = this.next++
      const cpu = r.cpu[i] % this.options.cpus
      if (r.op[i] === REPLAY_ALLOC) {
        const pfn = allocator.allocPages(r.order[i], r.migratetype[i], cpu)
        this.simPfn[i] = pfn
        if (pfn < 0) this.failedAllocs++
        else this.allocs++
      } else {
        const head = this.simPfn[r.ref[i]]
        if (head < 0) {
          this.skippedFrees++
          continue
        }
        allocator.freePages(head + r.offset[i], r.order[i], cpu)
        this.frees++
      }
    }
    return this.next - first
  }

  progress(): ReplayProgress {
    return { done: this.next, allocs: this.allocs, frees: this.frees, failedAllocs: this.failedAllocs, skippedFrees: this.skippedFrees }
  }
}
