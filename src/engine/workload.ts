// The guest workload: the phases of the experiment file run one after another on the event queue.
// Allocation and free phases work in batches, one event per TICK_NS of simulated time doing up to
// rate * TICK of requests, so a 12 GiB allocation costs a few thousand events. Requests go round
// robin to the CPUs the workload runs on (workload.placement: one by default, moved by the
// scheduler every migrateMs), through their per-CPU lists; where its pages land in physical memory
// is whatever the allocator hands out (per-CPU refills of `batch` pages, the smallest free blocks
// first). Host refaults of touched memory delay the next batch: the workload pays for what
// reporting gave away. Randomness comes from one seeded xoroshiro128+.
// A replay phase drives the allocator with an imported kmem trace instead (FtraceReplayer), one
// event per distinct operation time.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator'
import type { ChurnPhase, Experiment, FreePhase, MigratetypeName, Phase, Placement, ReplayPhase } from '../common/experiment'
import type { FtraceReplay } from '../common/imports'
import type { SimEvent } from '../common/samples'
import { SimulationInputError } from './api'
import { type EventQueue, NS_PER_MS, NS_PER_S } from './event_queue'
import type { HostBacking } from './host_backing'
import { AllocSet, Rmap } from './mm/alloc_set'
import * as allocSet from './mm/alloc_set'
import * as gfp from './mm/gfp'
import * as api from './mm/page_alloc_api'
import type { PageAlloc } from './mm/page_alloc_api'
import { MmuGather } from './mmu_gather'
import { ReplayPhaseRun, type ReplayTotals } from './replay_phase'
import { bindHandler, bindMethod } from './checkpoint'
import * as uniform from './uniform_index'

// Plain module-local copies of imported names for the hot paths, as in mm/page_alloc.ts: the
// module transform (tsx, vitest) turns every use of an imported name into a getter call, which
// cost a quarter of the CPU time of an alloc phase of 2 M pages.
const { LRU_ACTIVE_FILE, LRU_INACTIVE_ANON, LRU_INACTIVE_FILE, PG_LRU, PTE_YOUNG } = allocSet
const { GFP_KERNEL } = gfp
const { MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE } = api
const { uniformIndex } = uniform

/** One batch of requests per millisecond of simulated time. */
export const TICK_NS = NS_PER_MS
/** alloc without rate or duration: about 4 GiB/s (alloc + first write, 220-340 ns per 4 KiB plus the fault). */
export const DEFAULT_ALLOC_MIBPS = 4096
/** free without duration: 90 ns per 4 KiB page (LLFree bulk put, order 0): about 43 GiB/s. */
export const DEFAULT_FREE_MIBPS = Math.round(4 / 1024 / 90e-9)
const CHURN_TAG = 'churn'
/** HPAGE_PMD_ORDER on x86_64: a THP is one PMD, 2 MiB. */
const HPAGE_PMD_ORDER = 9

const MIGRATETYPE: Readonly<Record<MigratetypeName, number>> = {
  unmovable: MIGRATE_UNMOVABLE,
  movable: MIGRATE_MOVABLE,
  reclaimable: MIGRATE_RECLAIMABLE,
}

export interface WorkloadEnv {
  readonly queue: EventQueue
  readonly alloc: PageAlloc
  readonly host: HostBacking
  readonly cpus: number
  readonly rng: RandomGenerator
  /** init_on_free=1 or page poisoning: the guest writes every page it frees. */
  readonly writeOnFree: boolean
  readonly emit: ((event: SimEvent) => void) | null
  readonly allocEvents: boolean
  /** The parsed trace of each replay phase, indexed like the phases; null for other phases. */
  readonly replays: readonly (FtraceReplay | null)[]
  /** page_reporting_register() of the experiment's device. */
  register(): void
  /** page_reporting_unregister(); `done` runs once a running pass has finished. */
  unregister(done: () => void): void
  sysfsOrder(order: number): void
  /** The reverse map the allocation sets register in, shared with reclaim and compaction; absent: the workload's own. */
  readonly rmap?: Rmap
  /** Reclaim and compaction, when the engine runs them (absent in unit tests of the workload alone). */
  readonly vm?: WorkloadVm
}

/** What the workload asks of reclaim and compaction (vmscan.ts, compaction.ts). */
export interface WorkloadVm {
  /** vma_thp_gfp_mask() for the workload's THP faults (order-9 movable requests); null when THP is off. */
  readonly thpGfp: number | null
  /** echo 1 > /proc/sys/vm/compact_memory; `done` runs when compaction has finished. */
  compactMemory(done: () => void): void
  /** A freed tag's swap entries go with it (free_swap_and_cache()). */
  releaseSwap(pages: number): void
}

/** The state of the phase being run. */
interface Running {
  /** Requests (alloc) or victims (free) still to do. */
  remaining: number
  /** Requests per tick (fractional: the carry accumulates). */
  perTick: number
  carry: number
  victims: AllocSet
  victimNext: number
  /**
   * Free phases: where each munmap()/madvise() call's victims end (exclusive indices, ascending):
   * the victims of one call go through one mmu_gather. null: freed one by one (page cache).
   */
  gatherEnds: Int32Array | null
  nextGather: number
  endAt_ns: number
}

const NO_VICTIMS = new AllocSet(-1, null)

/**
 * Live sets from this many blocks on get their victims prefetched: below it, the slots and the
 * memmap entries of random victims mostly hit the caches and the extra pass costs more than it saves.
 */
const PREFETCH_MIN_LIVE = 1 << 17

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2)
  b.set(a)
  return b
}

/** A churn phase's order mix, decoded once: orders and weights in the phase's order. */
interface OrderMix {
  readonly orders: Int8Array
  readonly weights: Float64Array
  readonly totalWeight: number
}

const ORDER_0_MIX: OrderMix = { orders: Int8Array.of(0), weights: Float64Array.of(1), totalWeight: 1 }

function orderMixOf(p: ChurnPhase): OrderMix {
  return {
    orders: Int8Array.from(p.orders, (o) => o.order),
    weights: Float64Array.from(p.orders, (o) => o.weight),
    totalWeight: p.orders.reduce((s, o) => s + o.weight, 0),
  }
}

export class Workload {
  private readonly sets = new Map<string, AllocSet>()
  /** The page cache: the inactive and the active file LRU lists (reads 1 / reads 2+). */
  private fileSets: [AllocSet, AllocSet] | null = null
  private readonly rmap: Rmap
  private readonly phases: readonly Phase[]
  private readonly end_ns: number
  private readonly tickHandler: number
  private readonly nextHandler: number
  private readonly replayHandler: number
  private replaying: ReplayPhaseRun | null = null
  private readonly replayed: ReplayTotals = { ops: 0, done: 0, allocs: 0, frees: 0, failedAllocs: 0, skippedFrees: 0 }
  private index = -1
  /** The next request's place in the round robin over the workload's CPUs. */
  private slot = 0
  /** How far the scheduler has moved the workload's CPUs (every migrate_ns), modulo guest.cpus. */
  private cpuShift = 0
  /** workload.placement.cpus */
  private readonly threadCpus: Int32Array
  private readonly migrate_ns: number
  private readonly layout: Placement['layout']
  private mix: OrderMix = ORDER_0_MIX
  /** The workload's random stream (env.rng; a failed allocation in a planned churn tick rewinds it). */
  private rng: RandomGenerator
  /** The picks of a one-order churn tick, and where each request's end (drawTick()). */
  private picks = new Int32Array(1024)
  private pickEnds = new Int32Array(1024)
  /** Where prefetch loads go, so that the compiler keeps them. */
  private prefetchSink = 0
  private run: Running = { remaining: 0, perTick: 0, carry: 0, victims: NO_VICTIMS, victimNext: 0, gatherEnds: null, nextGather: 0, endAt_ns: 0 }
  /** The mmu_gather of the munmap()/madvise() call being zapped, and the CPU it runs on. */
  private readonly gather: MmuGather
  private gatherCpu = 0
  /** Host cost of the gather's batch pages (written by the kernel) since the tick began. */
  private gatherCost_ns = 0
  /** Live workload memory over all tags, in pages. */
  allocatedPages = 0
  /** Largest allocatedPages seen before a free (allocatedPeakPages adds the current value). */
  private peakBeforeFree = 0
  allocFailures = 0
  /** alloc_pages() calls of every phase, failed ones included, and free_pages() calls. */
  pageAllocs = 0
  pageFrees = 0
  /** THP faults that fell back to small pages (thp_fault_fallback). */
  thpFallbacks = 0
  /** Time allocations stalled in direct reclaim and compaction, in ns. */
  allocStall_ns = 0
  /** An alloc_failure event went out for the current phase (one per phase, the count is allocFailures). */
  private failureReported = false
  refaultCost_ns = 0
  /** All phases have run. */
  finished = false

  constructor(
    private readonly env: WorkloadEnv,
    experiment: Experiment,
  ) {
    this.phases = experiment.workload.phases
    const placement = experiment.workload.placement
    this.threadCpus = Int32Array.from(placement.cpus)
    this.migrate_ns = placement.migrateMs === null ? 0 : Math.round(placement.migrateMs * NS_PER_MS)
    this.layout = placement.layout
    this.rng = env.rng
    this.rmap = env.rmap ?? new Rmap(env.alloc.rmap)
    this.end_ns = Math.round(experiment.durationMs * NS_PER_MS)
    this.phases.forEach((p, i) => {
      if (p.op !== 'replay') return
      const trace = env.replays[i]
      if (trace === null || trace === undefined) throw new SimulationInputError(`workload.phases[${i}].file`, `the trace ${p.file} was not given to the engine (SimulationInputs.replays[${i}])`)
      this.replayed.ops += trace.count
    })
    this.gather = new MmuGather({
      allocBatchPage: (cpu) => {
        const pfn = env.alloc.allocPages(0, MIGRATE_UNMOVABLE, cpu, GFP_KERNEL)
        // the kernel writes the page pointers into it
        if (pfn >= 0) this.gatherCost_ns += env.host.touch(pfn, 1)
        return pfn
      },
      freeBatchPage: (pfn, cpu) => env.alloc.freePages(pfn, 0, cpu),
      freeGathered: (pfns, orders, nr, cpu) => this.freeGathered(pfns, orders, nr, cpu),
    })
    this.tickHandler = env.queue.register(() => this.tick())
    this.nextHandler = env.queue.register(() => this.startNext())
    this.replayHandler = env.queue.register(() => this.replayStep())
  }

  /** The replay phases so far: operations of every trace, and what the phases run did with theirs. */
  replayTotals(): ReplayTotals {
    const t = { ...this.replayed }
    if (this.replaying !== null) {
      const r = this.replaying.totals()
      t.done += r.done
      t.allocs += r.allocs
      t.frees += r.frees
      t.failedAllocs += r.failedAllocs
      t.skippedFrees += r.skippedFrees
    }
    return t
  }

  /** Schedules the first phase at t = 0. */
  start(): void {
    this.env.queue.schedule(this.env.queue.now_ns, this.nextHandler)
  }

  set(tag: string): AllocSet {
    let s = this.sets.get(tag)
    if (s === undefined) {
      s = this.rmap.create(LRU_INACTIVE_ANON)
      this.sets.set(tag, s)
    }
    return s
  }

  /** The page cache on the inactive (reads 1) or the active (reads 2+) file list. */
  pageCache(active: boolean): AllocSet {
    this.fileSets ??= [this.rmap.create(LRU_INACTIVE_FILE), this.rmap.create(LRU_ACTIVE_FILE)]
    return this.fileSets[active ? 1 : 0]
  }

  /** Reclaim took `pages` of the workload's memory (page cache dropped, anon swapped out). */
  released(pages: number): void {
    if (this.allocatedPages > this.peakBeforeFree) this.peakBeforeFree = this.allocatedPages
    this.allocatedPages -= pages
  }

  private get phase(): Phase {
    return this.phases[this.index]
  }

  private startNext(): void {
    this.index++
    if (this.index >= this.phases.length) {
      this.finished = true
      return
    }
    const p = this.phase
    this.failureReported = false
    this.event({ kind: 'phase', count: this.index, detail: p.label === undefined ? p.op : `${p.op}: ${p.label}` })
    const q = this.env.queue
    switch (p.op) {
      case 'alloc': {
        const requests = Math.ceil((p.mib * 256) / 2 ** p.order)
        this.set(p.tag).reserve(requests)
        const rate = p.rateMiBps ?? (p.durationMs !== undefined ? p.mib / (p.durationMs / 1000) : DEFAULT_ALLOC_MIBPS)
        this.begin(requests, this.perTickOf(rate, p.order), q.now_ns)
        return
      }
      case 'pagecache': {
        this.pageCache(p.reads >= 2).reserve(p.mib * 256)
        this.begin(p.mib * 256, this.perTickOf(p.rateMiBps, 0), q.now_ns)
        return
      }
      case 'free':
        this.beginFree(p)
        return
      case 'drop-caches':
        this.beginDropCaches()
        return
      case 'compact-memory':
        if (this.env.vm === undefined) this.next()
        else this.env.vm.compactMemory(bindMethod(this.next, this))
        return
      case 'churn':
        this.mix = orderMixOf(p)
        this.begin(Infinity, this.perTickOf(p.rateMiBps, 0), q.now_ns + Math.round(p.durationMs * NS_PER_MS))
        return
      case 'idle':
        q.schedule(q.now_ns + Math.round(p.ms * NS_PER_MS), this.nextHandler)
        return
      case 'sysfs-order':
        this.env.sysfsOrder(p.order)
        this.next()
        return
      case 'register':
        this.env.register()
        this.next()
        return
      case 'unregister':
        this.env.unregister(bindMethod(this.next, this))
        return
      case 'replay':
        this.beginReplay(p)
        return
    }
  }

  private beginReplay(p: ReplayPhase): void {
    const env = this.env
    this.replaying = new ReplayPhaseRun(
      {
        alloc: env.alloc,
        host: env.host,
        cpus: env.cpus,
        writeOnFree: env.writeOnFree,
        onAlloc: bindHandler(this.replayedAlloc, this),
        onFree: bindHandler(this.replayedFree, this),
      },
      env.replays[this.index] as FtraceReplay,
      p,
      env.queue.now_ns,
    )
    this.scheduleReplay(0)
  }

  /** A replayed allocation succeeded (pfn >= 0) or failed (pfn -1). */
  private replayedAlloc(pfn: number, order: number, cpu: number): void {
    this.pageAllocs++
    if (pfn < 0) {
      this.allocFailed(order)
      return
    }
    this.allocatedPages += 1 << order
    if (this.env.allocEvents) this.event({ kind: 'alloc', pfn: this.env.alloc.physPfn(pfn), order, count: cpu })
  }

  private replayedFree(pfn: number, order: number, cpu: number): void {
    this.pageFrees++
    if (this.allocatedPages > this.peakBeforeFree) this.peakBeforeFree = this.allocatedPages
    this.allocatedPages -= 1 << order
    if (this.env.allocEvents) this.event({ kind: 'free', pfn: this.env.alloc.physPfn(pfn), order, count: cpu })
  }

  // every operation due now, then the next distinct operation time; the phase ends with the last one
  private replayStep(): void {
    const r = this.replaying as ReplayPhaseRun
    const refaultedBefore = this.env.host.faultedBackPages
    const refault_ns = r.step(this.env.queue.now_ns)
    if (refault_ns > 0) {
      this.refaultCost_ns += refault_ns
      this.event({ kind: 'refault', count: this.index, kib: (this.env.host.faultedBackPages - refaultedBefore) * 4, dur_ms: refault_ns / NS_PER_MS })
    }
    const stall_ns = this.env.alloc.takeStall_ns()
    this.allocStall_ns += stall_ns
    this.scheduleReplay(refault_ns + stall_ns)
  }

  private scheduleReplay(cost_ns: number): void {
    const r = this.replaying as ReplayPhaseRun
    const q = this.env.queue
    if (!r.done) {
      if (r.nextAt_ns() <= this.end_ns) q.schedule(r.nextAt_ns(), this.replayHandler)
      // the run ends inside the trace: say so now, while the operations that ran are known
      else this.event({ kind: 'phase', count: this.index, detail: r.report(this.end_ns) })
      return
    }
    this.event({ kind: 'phase', count: this.index, detail: r.report() })
    const t = r.totals()
    this.replayed.done += t.done
    this.replayed.allocs += t.allocs
    this.replayed.frees += t.frees
    this.replayed.failedAllocs += t.failedAllocs
    this.replayed.skippedFrees += t.skippedFrees
    this.replaying = null
    q.schedule(q.now_ns + cost_ns, this.nextHandler)
  }

  /** Requests per tick at `mibps` for requests of `order` (churn: in order-0 page units). */
  private perTickOf(mibps: number, order: number): number {
    return ((mibps * 256) / 2 ** order) * (TICK_NS / NS_PER_S)
  }

  private begin(remaining: number, perTick: number, endAt_ns: number): void {
    this.run = { remaining, perTick, carry: 0, victims: NO_VICTIMS, victimNext: 0, gatherEnds: null, nextGather: 0, endAt_ns }
    this.env.queue.schedule(this.env.queue.now_ns, this.tickHandler)
  }

  private next(): void {
    this.env.queue.schedule(this.env.queue.now_ns, this.nextHandler)
  }

  private tick(): void {
    const p = this.phase
    const r = this.run
    if (this.migrate_ns > 0) this.cpuShift = Math.floor(this.env.queue.now_ns / this.migrate_ns) % this.env.cpus
    r.carry += r.perTick
    let n = Math.floor(r.carry)
    r.carry -= n
    let cost_ns = 0
    let done: boolean
    const refaultedBefore = this.env.host.faultedBackPages
    switch (p.op) {
      case 'alloc':
      case 'pagecache': {
        const order = p.op === 'alloc' ? p.order : 0
        const mt = p.op === 'alloc' ? MIGRATETYPE[p.migratetype] : MIGRATE_MOVABLE
        const touch = p.op === 'alloc' ? p.touch : true
        const set = p.op === 'alloc' ? this.set(p.tag) : this.pageCache(p.reads >= 2)
        n = Math.min(n, r.remaining)
        for (let i = 0; i < n; i++) {
          const c = p.op === 'alloc' ? this.allocFaulting(set, order, mt, touch) : this.allocOne(set, 0, MIGRATE_MOVABLE, true, GFP_KERNEL)
          if (c < 0) {
            this.event({ kind: 'phase', count: this.index, detail: `allocation failed (order ${order}): out of memory with ${r.remaining - i} requests left` })
            r.remaining = 0
            n = i
            break
          }
          cost_ns += c
        }
        r.remaining -= n
        done = r.remaining <= 0
        break
      }
      case 'free':
      case 'drop-caches':
        cost_ns += this.freeVictims(r, n)
        done = r.victimNext >= r.victims.length
        break
      case 'churn':
        cost_ns += this.churn(p, n)
        done = this.env.queue.now_ns + TICK_NS > r.endAt_ns
        break
      default:
        throw new Error(`workload: tick in phase ${p.op}`)
    }
    if (cost_ns > 0) {
      this.refaultCost_ns += cost_ns
      this.event({ kind: 'refault', count: this.index, kib: (this.env.host.faultedBackPages - refaultedBefore) * 4, dur_ms: cost_ns / NS_PER_MS })
    }
    // direct reclaim and compaction stalled the allocating task
    const stall_ns = this.env.alloc.takeStall_ns()
    this.allocStall_ns += stall_ns
    cost_ns += stall_ns
    const q = this.env.queue
    // a batch stands for the work of one tick: the phase ends when its last tick does
    if (done) {
      q.schedule(q.now_ns + TICK_NS + cost_ns, this.nextHandler)
      return
    }
    q.schedule(q.now_ns + TICK_NS + cost_ns, this.tickHandler)
  }

  /** The CPU of the next request: round robin over the workload's CPUs, where the scheduler moved them. */
  private nextCpu(): number {
    const slot = this.slot
    this.slot = slot + 1 === this.threadCpus.length ? 0 : slot + 1
    const cpu = this.threadCpus[slot] + this.cpuShift
    return cpu >= this.env.cpus ? cpu - this.env.cpus : cpu
  }

  /** The gfp of a request: a THP fault's (vma_thp_gfp_mask()) for order-9 movable ones while THP is on, else GFP_KERNEL / GFP_HIGHUSER_MOVABLE. */
  private gfpOf(order: number, mt: number): number {
    const thp = this.env.vm?.thpGfp ?? null
    return order === HPAGE_PMD_ORDER && mt === MIGRATE_MOVABLE && thp !== null ? thp : GFP_KERNEL
  }

  /**
   * One request of an alloc phase, as a page fault would: a THP fault that fails falls back to
   * small pages (do_huge_pmd_anonymous_page() returns VM_FAULT_FALLBACK, the fault maps 4 KiB pages).
   */
  private allocFaulting(set: AllocSet, order: number, mt: number, touch: boolean): number {
    const gfp = this.gfpOf(order, mt)
    if (gfp === GFP_KERNEL) return this.allocOne(set, order, mt, touch, gfp)
    const c = this.allocOne(set, order, mt, touch, gfp, false)
    if (c >= 0) return c
    this.thpFallbacks++
    let cost = 0
    for (let i = 0; i < 1 << order; i++) {
      const ci = this.allocOne(set, 0, mt, touch, GFP_KERNEL)
      if (ci < 0) return -1
      cost += ci
    }
    return cost
  }

  /**
   * Returns the refault cost in ns, or -1 when the allocation failed (a failure counts unless
   * `countFailure` is false: a THP fault about to fall back). Movable memory goes on the LRU
   * (anonymous or page cache: the set says which list); a touched page's PTE starts young.
   */
  private allocOne(set: AllocSet, order: number, mt: number, touch: boolean, gfp: number = this.gfpOf(order, mt), countFailure = true): number {
    const cpu = this.nextCpu()
    this.pageAllocs++
    const pfn = this.env.alloc.allocPages(order, mt, cpu, gfp)
    if (pfn < 0) {
      if (countFailure) this.allocFailed(order)
      return -1
    }
    set.push(pfn, order, mt === MIGRATE_MOVABLE ? PG_LRU | (touch ? PTE_YOUNG : 0) : 0)
    this.allocatedPages += 1 << order
    if (this.env.allocEvents) this.event({ kind: 'alloc', pfn: this.env.alloc.physPfn(pfn), order, count: cpu })
    return touch ? this.env.host.touch(pfn, 1 << order) : 0
  }

  /** Frees one block already removed from its set. */
  private freeOne(pfn: number, order: number): number {
    return this.freeOn(pfn, order, this.nextCpu())
  }

  /** Frees one block already removed from its set, on `cpu`. */
  private freeOn(pfn: number, order: number, cpu: number): number {
    // init_on_free / poisoning write the page before it goes back
    const cost = this.env.writeOnFree ? this.env.host.touch(pfn, 1 << order) : 0
    this.env.alloc.freePages(pfn, order, cpu)
    this.pageFrees++
    if (this.allocatedPages > this.peakBeforeFree) this.peakBeforeFree = this.allocatedPages
    this.allocatedPages -= 1 << order
    if (this.env.allocEvents) this.event({ kind: 'free', pfn: this.env.alloc.physPfn(pfn), order, count: cpu })
    return cost
  }

  /** free_pages_and_swap_cache() of a gather's first `nr` blocks on `cpu`. */
  private freeGathered(pfns: Int32Array, orders: Int8Array, nr: number, cpu: number): number {
    let cost_ns = 0
    for (let i = 0; i < nr; i++) cost_ns += this.freeOn(pfns[i], orders[i], cpu)
    return cost_ns
  }

  private beginFree(p: FreePhase): void {
    const set = this.set(p.tag)
    // the tag's swapped-out pages go in the same share as its resident ones (zap_pte_range() frees their swap entries)
    const share = p.mib !== undefined ? Math.min(1, (p.mib * 256) / Math.max(1, set.pages + set.swappedPages)) : (p.fraction ?? 1)
    const swapped = Math.round(share * set.swappedPages)
    if (swapped > 0) {
      set.swappedPages -= swapped
      this.env.vm?.releaseSwap(swapped)
    }
    const wanted = p.mib !== undefined ? p.mib * 256 - swapped : (p.fraction ?? 1) * set.pages
    this.beginFreeVictims(set, wanted, p.pattern, p.chunkKiB, p.durationMs ?? null)
  }

  /** drop_caches: every clean page cache page, the inactive list then the active one, each oldest first. */
  private beginDropCaches(): void {
    const victims = new AllocSet(-1, null)
    for (const active of [false, true]) {
      const set = this.pageCache(active)
      set.moveFirstTo(set.length, victims)
    }
    this.beginVictims(victims, DEFAULT_FREE_MIBPS, null)
  }

  /**
   * Picks the victims of a free phase up front (removing them from the set) and frees them in
   * ticks: spread over `durationMs` (what is actually freed: every-other frees half of what it
   * walks), or at the default free rate. A process's memory goes through mmu_gather, one per
   * munmap()/madvise() call: lifo and fifo unmap it in one call, random block by block,
   * every-other chunk by chunk.
   */
  private beginFreeVictims(set: AllocSet, wantedPages: number, pattern: FreePhase['pattern'], chunkKiB: number, durationMs: number | null): void {
    const { victims, calls } = this.pickVictims(set, Math.min(wantedPages, set.pages), pattern, chunkKiB)
    const mibps = durationMs !== null ? Math.max(victims.pages / 256, 1 / 256) / (durationMs / 1000) : DEFAULT_FREE_MIBPS
    this.beginVictims(victims, mibps, calls)
  }

  private beginVictims(victims: AllocSet, mibps: number, gatherEnds: Int32Array | null): void {
    const pagesPerEntry = victims.length > 0 ? victims.pages / victims.length : 1
    const perTick = ((mibps * 256) / pagesPerEntry) * (TICK_NS / NS_PER_S)
    this.run = { remaining: victims.length, perTick, carry: 0, victims, victimNext: 0, gatherEnds, nextGather: 0, endAt_ns: 0 }
    this.env.queue.schedule(this.env.queue.now_ns, this.tickHandler)
  }

  /**
   * Moves entries worth `pages` out of `set` into the victim list, in the order they will be freed,
   * and says where each munmap()/madvise() call's victims end (exclusive indices).
   */
  private pickVictims(set: AllocSet, pages: number, pattern: FreePhase['pattern'], chunkKiB: number): { victims: AllocSet; calls: Int32Array } {
    const out = new AllocSet(-1, null)
    // every block of the set at most; exactly when they share one order
    const order = set.length > 0 ? set.orderAt(0) : 0
    out.reserve(set.allOfOrder(order) ? Math.min(set.length, Math.ceil(pages / (1 << order))) : set.length)
    let taken = 0
    switch (pattern) {
      case 'lifo':
        set.moveLastTo(set.lastCountFor(pages), out)
        return { victims: out, calls: Int32Array.of(out.length) }
      case 'fifo': {
        let k = 0
        while (k < set.length && taken < pages) taken += 1 << set.orderAt(k++)
        set.moveFirstTo(k, out)
        return { victims: out, calls: Int32Array.of(out.length) }
      }
      case 'random':
        while (taken < pages && set.length > 0) taken += set.moveTo(uniformIndex(this.rng, set.length), out)
        return { victims: out, calls: Int32Array.from({ length: out.length }, (_, i) => i + 1) }
      case 'every-other': {
        const chunkPages = Math.max(1, chunkKiB / 4)
        const keep = new AllocSet(-1, null)
        const calls: number[] = []
        if (this.layout === 'aligned') {
          // the ideal layout: every other chunk of physical memory, chunks aligned to their size
          // (pfn / chunkPages even, of the physical pfn: a chunk need not divide the memmap hole),
          // each chunk's pages unmapped by one call
          let lastChunk = -1
          const byPfn = Int32Array.from({ length: set.length }, (_, i) => i).sort((a, b) => set.pfnAt(a) - set.pfnAt(b))
          for (const i of byPfn) {
            const chunk = Math.floor(this.env.alloc.physPfn(set.pfnAt(i)) / chunkPages)
            if (chunk % 2 === 0 && taken < pages) {
              if (chunk !== lastChunk && out.length > 0) calls.push(out.length)
              lastChunk = chunk
              out.push(set.pfnAt(i), set.orderAt(i))
              taken += 1 << set.orderAt(i)
            } else {
              keep.push(set.pfnAt(i), set.orderAt(i))
            }
          }
          if (out.length > 0) calls.push(out.length)
          set.replaceWith(keep)
          return { victims: out, calls: Int32Array.from(calls) }
        }
        // free chunk 0, keep chunk 1, free chunk 2, ... of the process's virtual memory (the set in
        // allocation order: MADV_DONTNEED of every other chunk), wherever its pages are
        let inChunk = 0
        let chunk = 0
        for (let i = 0; i < set.length; i++) {
          const n = 1 << set.orderAt(i)
          if (chunk % 2 === 0 && taken < pages) {
            out.push(set.pfnAt(i), set.orderAt(i))
            taken += n
          } else {
            keep.push(set.pfnAt(i), set.orderAt(i))
          }
          inChunk += n
          if (inChunk >= chunkPages) {
            if (chunk % 2 === 0 && calls[calls.length - 1] !== out.length && out.length > 0) calls.push(out.length)
            inChunk = 0
            chunk++
          }
        }
        if (out.length > 0 && calls[calls.length - 1] !== out.length) calls.push(out.length)
        set.replaceWith(keep)
        return { victims: out, calls: Int32Array.from(calls) }
      }
    }
  }

  /**
   * The next `n` victims of a free phase: one by one, or through the mmu_gather of the
   * munmap()/madvise() call each belongs to. Returns the host cost in ns. (Its own method, so
   * that the per-victim loop is compiled small, with the set's accessors inlined.)
   */
  private freeVictims(r: Running, n: number): number {
    const victims = r.victims
    const end = Math.min(victims.length, r.victimNext + n)
    const ends = r.gatherEnds
    let cost_ns = 0
    let v = r.victimNext
    if (ends === null) {
      for (; v < end; v++) cost_ns += this.freeOne(victims.pfnAt(v), victims.orderAt(v))
      r.victimNext = v
      return cost_ns
    }
    this.gatherCost_ns = 0
    const gather = this.gather
    while (v < end) {
      // a call's zap runs on one CPU: the one its first page is unmapped on
      if (v === (r.nextGather === 0 ? 0 : ends[r.nextGather - 1])) this.gatherCpu = this.nextCpu()
      const callEnd = ends[r.nextGather]
      const stop = Math.min(end, callEnd)
      const cpu = this.gatherCpu
      for (; v < stop; v++) cost_ns += gather.add(victims.pfnAt(v), victims.orderAt(v), cpu)
      if (v === callEnd) {
        cost_ns += gather.finish()
        r.nextGather++
      }
    }
    r.victimNext = v
    return cost_ns + this.gatherCost_ns
  }

  /**
   * One tick of churn: each request allocates a block of an order drawn from the mix, then random
   * victims are freed until the set is back at its live size. When the mix has one order and every
   * live block has it (the usual case), how many victims follow each request is known in advance,
   * so the tick draws all its picks first, in the order drawing as it goes would take them from the
   * stream; then the victims' set slots and memmap entries can be loaded together before the first
   * free (prefetchVictims()). Otherwise the tick draws as it goes.
   */
  private churn(p: ChurnPhase, units: number): number {
    const set = this.set(CHURN_TAG)
    const livePages = p.liveMiB * 256
    const orders = this.mix.orders
    if (orders.length === 1 && set.allOfOrder(orders[0])) return this.churnPlanned(p, set, units, livePages, orders[0])
    return this.churnDrawing(p, set, units, livePages)
  }

  private churnDrawing(p: ChurnPhase, set: AllocSet, units: number, livePages: number): number {
    const mt = MIGRATETYPE[p.migratetype]
    const rng = this.rng
    let cost_ns = 0
    let budget = units
    while (budget > 0) {
      const order = this.drawOrder(rng)
      const c = this.allocOne(set, order, mt, p.touch)
      budget -= 1 << order
      if (c < 0) break
      cost_ns += c
      while (set.pages > livePages && set.length > 0) {
        const i = uniformIndex(rng, set.length)
        const pfn = set.pfnAt(i)
        const victimOrder = set.orderAt(i)
        set.swapRemove(i)
        cost_ns += this.freeOne(pfn, victimOrder)
      }
    }
    return cost_ns
  }

  private churnPlanned(p: ChurnPhase, set: AllocSet, units: number, livePages: number, order: number): number {
    const mt = MIGRATETYPE[p.migratetype]
    const requests = units > 0 ? Math.ceil(units / (1 << order)) : 0
    const lengthAtStart = set.length
    const streamAtStart = this.rng.clone()
    const nrPicks = this.drawTick(this.rng, requests, lengthAtStart, livePages, order)
    if (lengthAtStart >= PREFETCH_MIN_LIVE) this.prefetchVictims(set, nrPicks)
    const picks = this.picks
    const ends = this.pickEnds
    let cost_ns = 0
    let k = 0
    for (let j = 0; j < requests; j++) {
      const c = this.allocOne(set, order, mt, p.touch)
      if (c < 0) {
        // back to where drawing as it goes stops: the draws of j requests and their picks, then this request's
        this.rng = streamAtStart
        this.drawTick(streamAtStart, j, lengthAtStart, livePages, order)
        this.drawOrder(streamAtStart)
        break
      }
      cost_ns += c
      for (; k < ends[j]; k++) {
        const i = picks[k]
        const pfn = set.pfnAt(i)
        set.swapRemove(i)
        cost_ns += this.freeOne(pfn, order)
      }
    }
    return cost_ns
  }

  /**
   * Draws what `requests` requests of a one-order churn draw, every request succeeding, from a set
   * of `length` blocks of that order: per request its order draw, then one pick per block over the
   * live size. Fills picks (the indices, in the order they are taken) and pickEnds (where each
   * request's picks end); returns the number of picks.
   */
  private drawTick(rng: RandomGenerator, requests: number, length: number, livePages: number, order: number): number {
    const liveBlocks = Math.floor(livePages / (1 << order))
    let n = 0
    for (let j = 0; j < requests; j++) {
      this.drawOrder(rng)
      length++
      while (length > liveBlocks) {
        if (n === this.picks.length) this.picks = grow(this.picks)
        this.picks[n++] = uniformIndex(rng, length--)
      }
      if (j === this.pickEnds.length) this.pickEnds = grow(this.pickEnds)
      this.pickEnds[j] = n
    }
    return n
  }

  /** The order of the next churn request: one uniform draw per request, even with one order in the mix. */
  private drawOrder(rng: RandomGenerator): number {
    const { orders, weights, totalWeight } = this.mix
    const last = orders.length - 1
    let x = uniformFloat64(rng) * totalWeight
    let k = 0
    while (k < last && !(x < weights[k])) x -= weights[k++]
    return orders[k]
  }

  /**
   * Loads the set slots, then the memmap entries, of the first `n` picks of the tick, before the
   * first free: the picks are random over a large set and each costs cache misses, which overlap
   * when the loads do not depend on each other. A pick of an entry pushed or moved during the tick
   * loads the wrong page: a useless load, never a different result.
   */
  private prefetchVictims(set: AllocSet, n: number): void {
    const picks = this.picks
    const entries = set.entries
    const length = set.length
    let sink = 0
    for (let k = 0; k < n; k++) if (picks[k] < length) sink ^= entries[set.head + picks[k]]
    // the owner word only where forget() reads it: a set partly on the LRU
    const ownerWord = set.lruPages !== set.pages && set.lruPages !== 0
    for (let k = 0; k < n; k++) if (picks[k] < length) this.env.alloc.prefetchPage(set.pfnAt(picks[k]), ownerWord)
    this.prefetchSink ^= sink
  }

  /** The most memory the workload held at any time so far, exact (a peak between two samples counts). */
  get allocatedPeakPages(): number {
    return Math.max(this.peakBeforeFree, this.allocatedPages)
  }

  private allocFailed(order: number): void {
    this.allocFailures++
    if (this.failureReported) return
    this.failureReported = true
    this.event({ kind: 'alloc_failure', order, count: this.index, detail: `get_page_from_freelist() found no zone above its watermark (first failure of phase ${this.index})` })
  }

  private event(e: Omit<SimEvent, 't_ms'>): void {
    this.env.emit?.({ t_ms: this.env.queue.now_ns / NS_PER_MS, ...e })
  }
}
