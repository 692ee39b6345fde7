// A replay workload phase: an imported kmem trace (FtraceReplay) driven against the simulated
// allocator by FtraceReplayer, with what the alloc phases do around each request (first write on
// the host, init_on_free writes, refault costs), and the account of what could not be replayed.
//
// Refault costs delay every later operation of the trace (the workload pays for what reporting
// gave away, as in the batched phases); with no refaults the trace keeps its own timing exactly.
// A free of part of a block (alloc_pages_exact(), split_page() users) first splits the block
// into order-0 pages as split_page() does, then frees each page of the traced range.
import { PFN_STATES } from '../common/api'
import type { ReplayPhase } from '../common/experiment'
import { FtraceReplayer, type ReplayAllocator } from '../common/ftrace_replay'
import { FTRACE_KMEM_EVENTS, type FtraceReplay } from '../common/imports'
import { NS_PER_MS } from './event_queue'
import type { HostBacking } from './host_backing'
import { MAX_ORDER, NR_PAGE_ORDERS, type PageAlloc } from './mm/page_alloc_api'

const STATE_ALLOCATED = PFN_STATES.indexOf('allocated')
/** Trace events that become replay operations; the rest are only counted by the importer. */
const REPLAYED_EVENTS: readonly string[] = ['mm_page_alloc', 'mm_page_free', 'mm_page_free_batched']
const INTERNAL_EVENTS: readonly string[] = FTRACE_KMEM_EVENTS.filter((e) => !REPLAYED_EVENTS.includes(e))

export interface ReplayPhaseEnv {
  readonly alloc: PageAlloc
  readonly host: HostBacking
  readonly cpus: number
  /** init_on_free=1 or page poisoning: the guest writes every page it frees. */
  readonly writeOnFree: boolean
  /** A replayed allocation succeeded (pfn >= 0) or failed (pfn -1). */
  onAlloc(pfn: number, order: number, cpu: number): void
  onFree(pfn: number, order: number, cpu: number): void
}

/** What the replay phases did, for summary.json. */
export interface ReplayTotals {
  /** Operations the traces hold. */
  ops: number
  /** Operations reached so far (replayed or not). */
  done: number
  allocs: number
  frees: number
  failedAllocs: number
  /** Frees of failed allocations and of pages already free. */
  skippedFrees: number
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

export class ReplayPhaseRun implements ReplayAllocator {
  private readonly replayer: FtraceReplayer
  private readonly touch: boolean
  /** Refault time paid so far: every later operation happens this much later, in ns. */
  private lag_ns = 0
  private stepCost_ns = 0
  private readonly failedByOrder = new Float64Array(NR_PAGE_ORDERS)
  private alreadyFree = 0
  /** Blocks this replay allocated and has not wholly freed: order + 1 at the head pfn, 0 elsewhere (a Map cost a hash per operation). */
  private readonly liveOrder: Int8Array
  /** Blocks split into order-0 pages by a partial free: head pfn -> pages still allocated. */
  private readonly splitLeft = new Map<number, number>()

  constructor(
    private readonly env: ReplayPhaseEnv,
    private readonly trace: FtraceReplay,
    private readonly phase: ReplayPhase,
    start_ns: number,
  ) {
    this.replayer = new FtraceReplayer(trace, { start_ns, speed: phase.speed, cpus: env.cpus })
    this.touch = phase.touch
    this.liveOrder = new Int8Array(env.alloc.maxPfn)
  }

  get done(): boolean {
    return this.replayer.done
  }

  /** When the next operation is due, in ns of simulated time (Infinity when all are done). */
  nextAt_ns(): number {
    return this.replayer.nextTime_ns() + this.lag_ns
  }

  /** Performs the operations due at `now_ns`; returns their refault cost in ns, which delays the rest. */
  step(now_ns: number): number {
    this.stepCost_ns = 0
    this.replayer.runUntil(now_ns - this.lag_ns, this)
    this.lag_ns += this.stepCost_ns
    return this.stepCost_ns
  }

  allocPages(order: number, migratetype: number, cpu: number): number {
    const pfn = this.env.alloc.allocPages(order, migratetype, cpu)
    if (pfn < 0) {
      this.failedByOrder[order]++
    } else {
      this.liveOrder[pfn] = order + 1
      if (this.touch) this.stepCost_ns += this.env.host.touch(pfn, 1 << order)
    }
    this.env.onAlloc(pfn, order, cpu)
    return pfn
  }

  freePages(pfn: number, order: number, cpu: number): void {
    const head = this.containing(pfn, order)
    // A trace that frees a page twice (lost events) must not free it twice here: the allocator
    // would corrupt its lists, as the kernel would (bad_page()).
    if (head < 0) {
      this.alreadyFree++
      return
    }
    const blockOrder = this.liveOrder[head] - 1
    if (pfn === head && order === blockOrder && !this.splitLeft.has(head)) {
      this.liveOrder[head] = 0
      this.freeBlock(pfn, order, cpu)
      return
    }
    const alloc = this.env.alloc
    const pages = 1 << order
    for (let p = pfn; p < pfn + pages; p++) {
      if (alloc.pfnState(p) !== STATE_ALLOCATED) {
        this.alreadyFree++
        return
      }
    }
    if (!this.splitLeft.has(head)) {
      alloc.splitPage(head, blockOrder)
      this.splitLeft.set(head, 1 << blockOrder)
    }
    for (let p = pfn; p < pfn + pages; p++) this.freeBlock(p, 0, cpu)
    const left = (this.splitLeft.get(head) as number) - pages
    if (left > 0) {
      this.splitLeft.set(head, left)
    } else {
      this.splitLeft.delete(head)
      this.liveOrder[head] = 0
    }
  }

  /** Head of the live block holding [pfn, pfn + 2^order), or -1. Blocks are naturally aligned. */
  private containing(pfn: number, order: number): number {
    for (let o = order; o <= MAX_ORDER; o++) {
      const head = pfn & -(1 << o)
      const blockOrder = this.liveOrder[head] - 1
      if (blockOrder >= 0) return blockOrder >= o ? head : -1
    }
    return -1
  }

  private freeBlock(pfn: number, order: number, cpu: number): void {
    if (this.env.writeOnFree) this.stepCost_ns += this.env.host.touch(pfn, 1 << order)
    this.env.alloc.freePages(pfn, order, cpu)
    this.env.onFree(pfn, order, cpu)
  }

  totals(): ReplayTotals {
    const p = this.replayer.progress()
    return {
      ops: this.trace.count,
      done: p.done,
      allocs: p.allocs,
      frees: p.frees - this.alreadyFree,
      failedAllocs: p.failedAllocs,
      skippedFrees: p.skippedFrees + this.alreadyFree,
    }
  }

  /**
   * What was replayed and what was not, and why: the detail of the event that ends the phase, or
   * of the one saying the run ends (at `runEnd_ns`) before the trace does.
   */
  report(runEnd_ns?: number): string {
    const t = this.totals()
    const s = this.trace.stats
    const notReplayed: string[] = []
    if (t.failedAllocs > 0) {
      const orders = [...this.failedByOrder].map((n, o) => (n > 0 ? `order ${o}: ${n}` : '')).filter((x) => x !== '')
      notReplayed.push(`${plural(t.failedAllocs, 'allocation')} the simulated guest refused (${orders.join(', ')}): it has less free memory or more fragmentation than the traced one`)
    }
    const p = this.replayer.progress()
    if (p.skippedFrees > 0) notReplayed.push(`${plural(p.skippedFrees, 'free')} of those allocations, skipped`)
    if (this.alreadyFree > 0) notReplayed.push(`${plural(this.alreadyFree, 'free')} of pages already free in the simulation (the trace frees them twice), skipped`)
    const fromTrace: string[] = []
    if (s.failedAllocs > 0) fromTrace.push(`${plural(s.failedAllocs, 'failed mm_page_alloc')} (NULL page)`)
    if (s.freesOfUnknownPfn > 0) fromTrace.push(plural(s.freesOfUnknownPfn, 'free of a pfn allocated before tracing began', 'frees of pfns allocated before tracing began'))
    if (s.batchedDuplicates > 0) fromTrace.push(`${plural(s.batchedDuplicates, 'mm_page_free_batched event')} repeating an mm_page_free`)
    if (s.allocsOfLivePfn > 0) fromTrace.push(`${plural(s.allocsOfLivePfn, 'block')} whose free was not traced (kept allocated)`)
    const internal = INTERNAL_EVENTS.filter((e) => (s.events[e] ?? 0) > 0)
    if (internal.length > 0) fromTrace.push(`${plural(s.internalEvents, 'allocator-internal event')} the simulated allocator makes itself (${internal.map((e) => `${e} ${s.events[e]}`).join(', ')})`)
    const other = Object.keys(s.events).filter((e) => !(FTRACE_KMEM_EVENTS as readonly string[]).includes(e)).sort()
    if (other.length > 0) fromTrace.push(`${plural(s.otherEvents, 'other event')} (${other.map((e) => `${e} ${s.events[e]}`).join(', ')})`)
    if (this.trace.problemCount > 0) fromTrace.push(`${plural(this.trace.problemCount, 'problem line')} in the import report`)
    const label = `replay of ${this.phase.file}`
    const head =
      runEnd_ns === undefined
        ? `${label} done: ${plural(t.ops, 'operation')}`
        : `${label} stopped after ${t.done} of ${plural(t.ops, 'operation')} (the run ends at ${runEnd_ns / NS_PER_MS} ms; the next was due at ${this.nextAt_ns() / NS_PER_MS} ms)`
    const parts = [`${head}, ${t.allocs + t.frees} replayed (${plural(t.allocs, 'allocation')}, ${plural(t.frees, 'free')})`]
    parts.push(notReplayed.length > 0 ? `Not replayed: ${notReplayed.join('; ')}` : 'Nothing refused')
    if (fromTrace.length > 0) parts.push(`Not in the replay, from the trace: ${fromTrace.join('; ')}`)
    if (s.liveAtEnd > 0) parts.push(`Left allocated at the end of the trace: ${plural(s.liveAtEnd, 'block')}`)
    return parts.join('. ')
  }
}
