// Memory compaction (mm/compaction.c of Linux 6.6, read from YushanQ/linux-6.6.42-annotation):
// compact_zone() with the migration scanner walking up from the zone start, isolating movable
// order-0 LRU pages, and the free scanner walking down from the zone end (after a quick search of
// the Movable free lists from their tail), isolating free pages as migration targets; kcompactd
// woken by kswapd and by high-order allocations, and every 500 ms for proactive compaction
// driven by the fragmentation score (vm.compaction_proactiveness, 5.9+); compact_node() for
// /proc/sys/vm/compact_memory; try_to_compact_pages() for direct compaction.
//
// Two effects matter to free page reporting. Migration frees the source pages through the normal
// path, so partly used pageblocks empty out and merge into high-order blocks that get reported.
// The free scanner takes free pages wherever it finds them, Reported ones included:
// __isolate_free_page() drops PG_reported (del_page_from_free_list()), and the copy writes the
// page, which faults it back in on the host.
//
// Not modelled: migration of THPs and other compound pages (6.6 skips them), non-LRU movable pages
// (zsmalloc, balloon pages), page capture (compaction_capture()), lock contention and need_resched
// aborts, migration failures (every isolated page migrates), CMA.
import type { SimEvent } from '../../common/samples'
import { type EventQueue, NS_PER_MS } from '../event_queue'
import type { HostBacking } from '../host_backing'
import { PG_LRU, type Rmap } from './alloc_set'
import { freeListId } from './free_area'
import { KIND_ALLOCATED, KIND_BUDDY, KIND_HOLE } from './memmap'
import type { PageAllocator } from './page_alloc'
import { MAX_ORDER, MIGRATE_CMA, MIGRATE_MOVABLE, MIGRATE_UNMOVABLE, NR_PAGE_ORDERS, NR_ZONES } from './page_alloc_api'
import { PAGE_ALLOC_COSTLY_ORDER } from './pcp'
import { bindMethod } from '../checkpoint'

export const COMPACT_CLUSTER_MAX = 32
/** Compaction is skipped up to 1 << COMPACT_MAX_DEFER_SHIFT times after failures. */
export const COMPACT_MAX_DEFER_SHIFT = 6
/** kcompactd checks the fragmentation score this often (HPAGE_FRAG_CHECK_INTERVAL_MSEC). */
export const HPAGE_FRAG_CHECK_INTERVAL_MS = 500
/** COMPACTION_HPAGE_ORDER with CONFIG_TRANSPARENT_HUGEPAGE on x86_64: the fragmentation score's order. */
export const COMPACTION_HPAGE_ORDER = 9
/** vm.extfrag_threshold default. */
export const EXTFRAG_THRESHOLD = 500

/** Time one scanner spends per pfn it looks at, in ns. Not published; assumed. */
export const COMPACT_SCAN_NS_PER_PFN = 10
/** Time to migrate one 4 KiB page (unmap, TLB flush, copy, remap), in ns. Not published; assumed. */
export const MIGRATE_NS_PER_PAGE = 5_000
/** kcompactd works in chunks of about this much simulated time, so the workload and reporting interleave with it. */
const CHUNK_NS = NS_PER_MS

/** enum compact_result (include/linux/compaction.h), in its order: callers compare with max(). */
export const COMPACT_NOT_SUITABLE_ZONE = 0
export const COMPACT_SKIPPED = 1
export const COMPACT_DEFERRED = 2
export const COMPACT_NO_SUITABLE_PAGE = 3
export const COMPACT_CONTINUE = 4
export const COMPACT_COMPLETE = 5
export const COMPACT_PARTIAL_SKIPPED = 6
export const COMPACT_CONTENDED = 7
export const COMPACT_SUCCESS = 8
const RESULT_NAMES = ['not suitable', 'skipped', 'deferred', 'no suitable page', 'continue', 'complete', 'partial skipped', 'contended', 'success']

/** enum compact_priority. */
export const COMPACT_PRIO_SYNC_FULL = 0
export const COMPACT_PRIO_SYNC_LIGHT = 1
export const COMPACT_PRIO_ASYNC = 2
export const MIN_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_FULL
export const MIN_COMPACT_COSTLY_PRIORITY = COMPACT_PRIO_SYNC_LIGHT
export const DEF_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_LIGHT
export const INIT_COMPACT_PRIORITY = COMPACT_PRIO_ASYNC

/** enum migrate_mode. */
const MIGRATE_ASYNC = 0
const MIGRATE_SYNC_LIGHT = 1
const MIGRATE_SYNC = 2

const ISOLATE_ABORT = 0
const ISOLATE_NONE = 1
const ISOLATE_SUCCESS = 2

/** compact_gap(): free pages compaction wants on top of the watermark, twice the request. */
export const compactGap = (order: number): number => 2 << order

/** fill_contig_page_info() + extfrag_for_order(): % of free memory in blocks smaller than `order`. */
export function extfragForOrder(alloc: PageAllocator, zone: number, order: number): number {
  let freePages = 0
  let suitable = 0
  for (let o = 0; o < NR_PAGE_ORDERS; o++) {
    const blocks = alloc.nrFree(zone, o)
    freePages += blocks * 2 ** o
    if (o >= order) suitable += blocks * 2 ** (o - order)
  }
  if (freePages === 0) return 0
  return Math.floor(((freePages - suitable * 2 ** order) * 100) / freePages)
}

/** fragmentation_index(): -1000 if a block of `order` is free, towards 0 for lack of memory, towards 1000 for fragmentation. */
export function fragmentationIndex(alloc: PageAllocator, zone: number, order: number): number {
  let freePages = 0
  let blocksTotal = 0
  let suitable = 0
  for (let o = 0; o < NR_PAGE_ORDERS; o++) {
    const blocks = alloc.nrFree(zone, o)
    blocksTotal += blocks
    freePages += blocks * 2 ** o
    if (o >= order) suitable += blocks * 2 ** (o - order)
  }
  if (blocksTotal === 0) return 0
  if (suitable !== 0) return -1000
  return 1000 - Math.floor((1000 + Math.floor((freePages * 1000) / 2 ** order)) / blocksTotal)
}

/**
 * compaction_suitable(): enough free order-0 pages to serve as migration targets (min, or low for
 * costly orders, plus compact_gap()), and for costly orders a failure that would be due to
 * fragmentation (fragmentation_index() above vm.extfrag_threshold).
 */
export function compactionSuitable(alloc: PageAllocator, zone: number, order: number, highestZoneidx: number): boolean {
  if (!compactionSuitableFor(alloc, zone, order, highestZoneidx, alloc.nrFreePages(zone))) return false
  if (order > PAGE_ALLOC_COSTLY_ORDER) {
    const fragindex = fragmentationIndex(alloc, zone, order)
    if (fragindex >= 0 && fragindex <= EXTFRAG_THRESHOLD) return false
  }
  return true
}

/** __compaction_suitable() with `freePages` free: the order-0 watermark check alone. */
export function compactionSuitableFor(alloc: PageAllocator, zone: number, order: number, highestZoneidx: number, freePages: number): boolean {
  const base = order > PAGE_ALLOC_COSTLY_ORDER ? alloc.wmarkLow(zone) : alloc.wmarkMin(zone)
  return alloc.watermarkOk(zone, 0, base + alloc.watermarkBoost(zone) + compactGap(order), highestZoneidx, freePages)
}

/** fragmentation_score_node(): the zones' extfrag at COMPACTION_HPAGE_ORDER weighted by their share of the node. */
export function fragmentationScoreNode(alloc: PageAllocator): number {
  let nodePresent = 0
  for (let z = 0; z < NR_ZONES; z++) nodePresent += alloc.layout.presentPages[z]
  let score = 0
  for (let z = 0; z < NR_ZONES; z++) {
    if (alloc.layout.presentPages[z] === 0) continue
    score += Math.floor((alloc.layout.presentPages[z] * extfragForOrder(alloc, z, COMPACTION_HPAGE_ORDER)) / (nodePresent + 1))
  }
  return score
}

/** fragmentation_score_wmark(): low = 100 - proactiveness (at least 5), high = low + 10 (at most 100). */
export function fragmentationScoreWmark(proactiveness: number, low: boolean): number {
  const wmarkLow = Math.max(100 - proactiveness, 5)
  return low ? wmarkLow : Math.min(wmarkLow + 10, 100)
}

/** The compaction fields of struct zone. */
class ZoneCompaction {
  /** compact_cached_migrate_pfn[0] (async) and [1] (sync). */
  readonly cachedMigratePfn = new Float64Array(2)
  cachedFreePfn = 0
  initMigratePfn = 0
  initFreePfn = 0
  considered = 0
  deferShift = 0
  orderFailed = 0
  blockskipFlush = false
}

/** struct compact_control, one per compactor (kcompactd, compact_memory, direct compaction); reused. */
class CompactControl {
  zone = 0
  order = 0
  searchOrder = 0
  mode = MIGRATE_SYNC_LIGHT
  migratetype = MIGRATE_UNMOVABLE
  /** ALLOC_WMARK_* of the allocation (direct compaction), for the early success check. */
  allocWmark = 0
  highestZoneidx = 0
  direct = false
  wholeZone = false
  ignoreSkipHint = false
  ignoreBlockSuitable = false
  proactive = false
  finishPageblock = false
  migratePfn = 0
  freePfn = 0
  fastStartPfn = 0
  fastSearchFail = 0
  lastMigratedPfn = 0
  updateCached = false
  /** The isolated source pages (cc->migratepages): up to a pageblock when the block is finished in one go. */
  readonly migratepages = new Int32Array(1 << MAX_ORDER)
  nrMigratepages = 0
  /** The isolated free pages, split to order 0 (cc->freepages): a stack, the top is taken first. */
  freepages = new Int32Array(2048)
  nrFreepages = 0
  /** The CPU whose per-CPU lists get the freed pages. */
  cpu = 0
  // what this compaction did
  cost_ns = 0
  migrated = 0
  freeIsolated = 0
  reportedTaken = 0
  migrateScanned = 0
  freeScanned = 0
  result = COMPACT_CONTINUE
  /** compact_zone() set up and not finished (chunked compactors). */
  active = false

  reset(): void {
    this.cost_ns = 0
    this.migrated = 0
    this.freeIsolated = 0
    this.reportedTaken = 0
    this.migrateScanned = 0
    this.freeScanned = 0
  }
}

/** A chunked run over the zones: kcompactd_do_work(), proactive_compact_node() or compact_node(). */
interface ZoneWalk {
  readonly what: 'kcompactd' | 'proactive' | 'compact_memory'
  readonly cc: CompactControl
  /** Next zone index to consider. */
  zone: number
  readonly lastZone: number
  readonly start_ns: number
  /** fragmentation_score_node() at the start (proactive). */
  readonly prevScore: number
  readonly done: () => void
}

export interface CompactionConfig {
  readonly queue: EventQueue
  readonly alloc: PageAllocator
  readonly rmap: Rmap
  readonly host: HostBacking
  /** vm.compaction_proactiveness (0: off). */
  readonly proactiveness: number
  /** kswapd is in balance_pgdat() (kswapd_is_running()). */
  readonly kswapdRunning: () => boolean
  readonly emit: ((e: SimEvent) => void) | null
}

const KCOMPACTD_SLEEPING = 0
const KCOMPACTD_RUNNING = 1

export class Compaction {
  readonly alloc: PageAllocator
  readonly rmap: Rmap
  readonly zones: ZoneCompaction[] = []
  /** PB_migrate_skip, one byte per pageblock. */
  readonly skip: Uint8Array

  // /proc/vmstat counters, in pages or events
  compactMigrateScanned = 0
  compactFreeScanned = 0
  /** pgmigrate_success by compaction. */
  compactMigrated = 0
  compactIsolatedFree = 0
  /** Free pages the free scanner took that were Reported (the host had dropped them). */
  compactReportedTaken = 0
  compactStall = 0
  compactSuccess = 0
  compactFail = 0
  kcompactdWakes = 0
  /** Time allocations spent in direct compaction, in ns. */
  directCompaction_ns = 0

  // kcompactd (pglist_data)
  private kcompactdMaxOrder = 0
  private kcompactdHighestZoneidx: number
  private kcompactdState = KCOMPACTD_SLEEPING
  /** kcompactd's timeout: HPAGE_FRAG_CHECK_INTERVAL_MSEC, or 64 times that after proactive compaction made no progress. */
  private timeout_ms = HPAGE_FRAG_CHECK_INTERVAL_MS
  /** Generation of kcompactd's pending wakeup; a stale one is ignored. */
  private kcompactdGen = 0
  private readonly kcompactdHandler: number
  private kcompactdWalk: ZoneWalk | null = null
  private memoryWalk: ZoneWalk | null = null
  private readonly memoryHandler: number
  private readonly kcc = new CompactControl()
  private readonly mcc = new CompactControl()
  private readonly dcc = new CompactControl()
  private readonly nrZones: number

  constructor(private readonly cfg: CompactionConfig) {
    this.alloc = cfg.alloc
    this.rmap = cfg.rmap
    for (let z = 0; z < NR_ZONES; z++) this.zones.push(new ZoneCompaction())
    this.skip = new Uint8Array(this.alloc.pageblockMt.length)
    this.nrZones = this.alloc.preferredZone + 1
    this.kcompactdHighestZoneidx = this.nrZones - 1
    this.kcompactdHandler = cfg.queue.register((gen) => this.kcompactdWake(gen))
    this.memoryHandler = cfg.queue.register(() => this.walkStep(this.memoryWalk as ZoneWalk, this.memoryHandler))
    this.kcompactdSleep()
  }

  // ---- kcompactd ----

  /** wakeup_kcompactd(pgdat, order, highest_zoneidx). */
  wakeup(order: number, highestZoneidx: number): void {
    if (order === 0) return
    if (this.kcompactdMaxOrder < order) this.kcompactdMaxOrder = order
    if (this.kcompactdHighestZoneidx > highestZoneidx) this.kcompactdHighestZoneidx = highestZoneidx
    if (this.kcompactdState !== KCOMPACTD_SLEEPING) return
    if (!this.kcompactdNodeSuitable()) return
    this.cfg.queue.schedule(this.cfg.queue.now_ns, this.kcompactdHandler, ++this.kcompactdGen)
  }

  /** reset_isolation_suitable(pgdat): kswapd is going to sleep; flush the skip hints a finished direct compaction asked to. */
  resetIsolationSuitable(): void {
    for (let z = 0; z < NR_ZONES; z++) if (this.alloc.layout.presentPages[z] !== 0 && this.zones[z].blockskipFlush) this.resetIsolationSuitableZone(z)
  }

  /** kcompactd_node_suitable(): some zone cannot serve kcompactd_max_order at min but compaction could help it. */
  private kcompactdNodeSuitable(): boolean {
    const a = this.alloc
    const hz = this.kcompactdHighestZoneidx
    for (let z = 0; z <= hz; z++) {
      if (a.layout.presentPages[z] === 0) continue
      if (a.watermarkOk(z, this.kcompactdMaxOrder, a.wmarkMin(z) + a.watermarkBoost(z), hz)) continue
      if (compactionSuitable(a, z, this.kcompactdMaxOrder, hz)) return true
    }
    return false
  }

  /** kcompactd() goes to sleep: wait_event_freezable_timeout() until woken or the timeout (none when proactiveness is 0). */
  private kcompactdSleep(): void {
    this.kcompactdState = KCOMPACTD_SLEEPING
    const gen = ++this.kcompactdGen
    if (this.cfg.proactiveness !== 0) this.cfg.queue.schedule(this.cfg.queue.now_ns + this.timeout_ms * NS_PER_MS, this.kcompactdHandler, gen)
  }

  /** kcompactd() wakes: work requested (kcompactd_do_work()), or the timeout (proactive compaction). */
  private kcompactdWake(gen: number): void {
    if (gen !== this.kcompactdGen) return
    if (this.kcompactdState === KCOMPACTD_RUNNING) {
      this.walkStep(this.kcompactdWalk as ZoneWalk, this.kcompactdHandler)
      return
    }
    this.kcompactdState = KCOMPACTD_RUNNING
    const q = this.cfg.queue
    if (this.kcompactdMaxOrder > 0) {
      this.kcompactdWakes++
      const cc = this.kcc
      this.setupCc(cc, this.kcompactdMaxOrder, MIGRATE_SYNC_LIGHT, this.kcompactdHighestZoneidx)
      this.kcompactdWalk = { what: 'kcompactd', cc, zone: 0, lastZone: cc.highestZoneidx, start_ns: q.now_ns, prevScore: 0, done: bindMethod(this.kcompactdDoWorkDone, this, cc) }
      this.walkStep(this.kcompactdWalk, this.kcompactdHandler)
      return
    }
    this.timeout_ms = HPAGE_FRAG_CHECK_INTERVAL_MS
    if (!this.shouldProactiveCompactNode()) {
      this.kcompactdSleep()
      return
    }
    const cc = this.kcc
    this.setupCc(cc, -1, MIGRATE_SYNC_LIGHT, this.nrZones - 1)
    cc.ignoreSkipHint = true
    cc.wholeZone = true
    cc.proactive = true
    const prevScore = fragmentationScoreNode(this.alloc)
    this.kcompactdWalk = {
      what: 'proactive',
      cc,
      zone: 0,
      lastZone: this.nrZones - 1,
      start_ns: q.now_ns,
      prevScore,
      done: bindMethod(this.proactiveDone, this, prevScore),
    }
    this.walkStep(this.kcompactdWalk, this.kcompactdHandler)
  }

  /** The end of kcompactd_do_work(): forget the request it served, sleep with the default timeout. */
  private kcompactdDoWorkDone(cc: CompactControl): void {
    if (this.kcompactdMaxOrder <= cc.order) this.kcompactdMaxOrder = 0
    if (this.kcompactdHighestZoneidx >= cc.highestZoneidx) this.kcompactdHighestZoneidx = this.nrZones - 1
    this.timeout_ms = HPAGE_FRAG_CHECK_INTERVAL_MS
    this.kcompactdSleep()
  }

  /** The end of proactive compaction: deferred when the score did not go down. */
  private proactiveDone(prevScore: number): void {
    if (fragmentationScoreNode(this.alloc) >= prevScore) this.timeout_ms = HPAGE_FRAG_CHECK_INTERVAL_MS << COMPACT_MAX_DEFER_SHIFT
    this.kcompactdSleep()
  }

  /** should_proactive_compact_node(). */
  private shouldProactiveCompactNode(): boolean {
    if (this.cfg.proactiveness === 0 || this.cfg.kswapdRunning()) return false
    return fragmentationScoreNode(this.alloc) > fragmentationScoreWmark(this.cfg.proactiveness, false)
  }

  // ---- compact_memory ----

  /** compact_nodes() for echo 1 > /proc/sys/vm/compact_memory; `done` runs when every zone is compacted. */
  compactMemory(done: () => void): void {
    const cc = this.mcc
    this.setupCc(cc, -1, MIGRATE_SYNC, this.nrZones - 1)
    cc.ignoreSkipHint = true
    cc.wholeZone = true
    cc.cpu = 0
    this.memoryWalk = { what: 'compact_memory', cc, zone: 0, lastZone: this.nrZones - 1, start_ns: this.cfg.queue.now_ns, prevScore: 0, done }
    this.walkStep(this.memoryWalk, this.memoryHandler)
  }

  private setupCc(cc: CompactControl, order: number, mode: number, highestZoneidx: number): void {
    cc.order = order
    cc.searchOrder = order
    cc.mode = mode
    cc.migratetype = MIGRATE_UNMOVABLE
    cc.highestZoneidx = highestZoneidx
    cc.direct = false
    cc.wholeZone = false
    cc.ignoreSkipHint = false
    cc.ignoreBlockSuitable = false
    cc.proactive = false
    cc.cpu = 0
    cc.active = false
    cc.reset()
  }

  /**
   * One chunk of a zone walk: compact_zone() iterations until about CHUNK_NS of work, then the
   * next chunk after that time; a finished zone moves to the next, the last one calls done().
   */
  private walkStep(walk: ZoneWalk, handler: number): void {
    const cc = walk.cc
    const q = this.cfg.queue
    const chunkStart_ns = cc.cost_ns
    while (cc.cost_ns - chunkStart_ns < CHUNK_NS) {
      if (!cc.active) {
        if (walk.zone > walk.lastZone) {
          walk.done()
          return
        }
        const z = walk.zone++
        if (this.alloc.layout.presentPages[z] === 0 || !this.walkWantsZone(walk, z)) continue
        cc.zone = z
        cc.reset()
        if (!this.compactZoneBegin(cc)) {
          this.compactZoneDone(walk, cc)
          continue
        }
      }
      if (this.compactZoneIterate(cc)) this.compactZoneDone(walk, cc)
    }
    const gen = handler === this.kcompactdHandler ? this.kcompactdGen : 0
    q.schedule(q.now_ns + Math.max(1, Math.round(cc.cost_ns - chunkStart_ns)), handler, gen)
  }

  /** kcompactd_do_work()'s per-zone checks: not deferred, not already able to allocate, compaction suitable. */
  private walkWantsZone(walk: ZoneWalk, z: number): boolean {
    if (walk.what !== 'kcompactd') return true
    const a = this.alloc
    const cc = walk.cc
    if (this.compactionDeferred(z, cc.order)) return false
    if (a.watermarkOk(z, cc.order, a.wmarkMin(z) + a.watermarkBoost(z), z)) return false
    return compactionSuitable(a, z, cc.order, z)
  }

  /** The end of compact_zone() in a zone walk: kcompactd's deferral bookkeeping, the event. */
  private compactZoneDone(walk: ZoneWalk, cc: CompactControl): void {
    const z = cc.zone
    if (walk.what === 'kcompactd') {
      if (cc.result === COMPACT_SUCCESS) this.compactionDeferReset(z, cc.order, false)
      else if (cc.result === COMPACT_PARTIAL_SKIPPED || cc.result === COMPACT_COMPLETE) {
        // pages stranded on the per-CPU lists could coalesce: drain them (ratelimited by the deferral)
        this.alloc.drainZonePages(z)
        this.deferCompaction(z, cc.order)
      }
    }
    this.emitRun(walk.what, cc, walk.what === 'proactive' ? `score ${walk.prevScore} -> ${fragmentationScoreNode(this.alloc)}` : '')
  }

  private emitRun(what: string, cc: CompactControl, extra: string): void {
    // a zone that needed nothing (already suitable, or skipped) is not news
    if (cc.migrated === 0 && (cc.result === COMPACT_SKIPPED || cc.result === COMPACT_SUCCESS)) return
    this.cfg.emit?.({
      t_ms: this.cfg.queue.now_ns / NS_PER_MS,
      kind: 'compaction',
      zone: this.alloc.zoneName(cc.zone) as SimEvent['zone'],
      order: cc.order < 0 ? undefined : cc.order,
      count: cc.migrated,
      kib: cc.migrated * 4,
      dur_ms: cc.cost_ns / NS_PER_MS,
      detail:
        `${what}: ${RESULT_NAMES[cc.result]}, migrated ${cc.migrated * 4} KiB, took ${cc.freeIsolated * 4} KiB of free pages` +
        (cc.reportedTaken > 0 ? ` (${cc.reportedTaken * 4} KiB of them Reported: they lose the flag and refault on the host when written)` : '') +
        (extra !== '' ? `, ${extra}` : ''),
    })
  }

  // ---- direct compaction ----

  /**
   * try_to_compact_pages() for an allocation of `order` and migratetype `mt` on `cpu`, at
   * priority `prio`; returns the compact_result. Its time is the caller's stall.
   */
  tryToCompactPages(order: number, mt: number, allocWmark: number, prio: number, cpu: number): number {
    let rc = COMPACT_SKIPPED
    const cc = this.dcc
    this.setupCc(cc, order, prio === COMPACT_PRIO_ASYNC ? MIGRATE_ASYNC : MIGRATE_SYNC_LIGHT, this.nrZones - 1)
    cc.migratetype = mt
    cc.allocWmark = allocWmark
    cc.direct = true
    cc.wholeZone = prio === MIN_COMPACT_PRIORITY
    cc.ignoreSkipHint = prio === MIN_COMPACT_PRIORITY
    cc.ignoreBlockSuitable = prio === MIN_COMPACT_PRIORITY
    cc.cpu = cpu
    const start_ns = cc.cost_ns
    for (let z = this.nrZones - 1; z >= 0; z--) {
      if (this.alloc.zoneManagedPages(z) === 0) continue
      if (prio > MIN_COMPACT_PRIORITY && this.compactionDeferred(z, order)) {
        rc = Math.max(rc, COMPACT_DEFERRED)
        continue
      }
      const before = cc.cost_ns
      // compact_zone_order(): a fresh compact_control per zone
      cc.zone = z
      cc.wholeZone = prio === MIN_COMPACT_PRIORITY
      cc.searchOrder = order
      cc.fastSearchFail = 0
      const migratedBefore = cc.migrated
      if (this.compactZoneBegin(cc)) while (!this.compactZoneIterate(cc));
      const status = cc.result
      rc = Math.max(rc, status)
      if (status !== COMPACT_SKIPPED || cc.migrated !== migratedBefore) {
        this.cfg.emit?.({
          t_ms: this.cfg.queue.now_ns / NS_PER_MS,
          kind: 'compaction',
          zone: this.alloc.zoneName(z) as SimEvent['zone'],
          order,
          count: cc.migrated - migratedBefore,
          kib: (cc.migrated - migratedBefore) * 4,
          dur_ms: (cc.cost_ns - before) / NS_PER_MS,
          detail: `direct compaction (${prio === COMPACT_PRIO_ASYNC ? 'async' : prio === MIN_COMPACT_PRIORITY ? 'sync full' : 'sync light'}) for order ${order} on cpu ${cpu}: ${RESULT_NAMES[status]}, migrated ${(cc.migrated - migratedBefore) * 4} KiB${cc.reportedTaken > 0 ? `, took ${cc.reportedTaken * 4} KiB of Reported free pages` : ''}`,
        })
      }
      if (status === COMPACT_SUCCESS) {
        this.compactionDeferReset(z, order, false)
        break
      }
      if (prio !== COMPACT_PRIO_ASYNC && (status === COMPACT_COMPLETE || status === COMPACT_PARTIAL_SKIPPED)) this.deferCompaction(z, order)
    }
    const spent = cc.cost_ns - start_ns
    this.directCompaction_ns += spent
    this.alloc.stall_ns += spent
    return rc
  }

  // ---- deferral (defer_compaction() and friends) ----

  deferCompaction(zone: number, order: number): void {
    const zc = this.zones[zone]
    zc.considered = 0
    zc.deferShift++
    if (order < zc.orderFailed) zc.orderFailed = order
    if (zc.deferShift > COMPACT_MAX_DEFER_SHIFT) zc.deferShift = COMPACT_MAX_DEFER_SHIFT
  }

  /** compaction_deferred(): true if this attempt should be skipped. */
  compactionDeferred(zone: number, order: number): boolean {
    const zc = this.zones[zone]
    const limit = 1 << zc.deferShift
    if (order < zc.orderFailed) return false
    if (++zc.considered >= limit) {
      zc.considered = limit
      return false
    }
    return true
  }

  compactionDeferReset(zone: number, order: number, allocSuccess: boolean): void {
    const zc = this.zones[zone]
    if (allocSuccess) {
      zc.considered = 0
      zc.deferShift = 0
    }
    if (order >= zc.orderFailed) zc.orderFailed = order + 1
  }

  /** The allocation succeeded after direct compaction: forget the skip flush, reset the deferral. */
  directCompactionSucceeded(zone: number, order: number): void {
    this.zones[zone].blockskipFlush = false
    this.compactionDeferReset(zone, order, true)
  }

  private compactionRestarting(zone: number, order: number): boolean {
    const zc = this.zones[zone]
    if (order < zc.orderFailed) return false
    return zc.deferShift === COMPACT_MAX_DEFER_SHIFT && zc.considered >= 1 << zc.deferShift
  }

  // ---- compact_zone() ----

  /** compact_zone() up to its loop: false when it ends before scanning (cc.result says why). */
  private compactZoneBegin(cc: CompactControl): boolean {
    const a = this.alloc
    const z = cc.zone
    const zc = this.zones[z]
    const start = a.zoneStartPfn(z)
    const end = a.zoneEndPfn(z)
    cc.nrMigratepages = 0
    cc.nrFreepages = 0
    cc.finishPageblock = false
    if (cc.order >= 0) {
      const mark = cc.allocWmark === 0 ? a.wmarkMin(z) : cc.allocWmark === 1 ? a.wmarkLow(z) : a.wmarkHigh(z)
      if (a.watermarkOk(z, cc.order, mark + a.watermarkBoost(z), cc.highestZoneidx)) {
        cc.result = COMPACT_SUCCESS
        return false
      }
      if (!compactionSuitable(a, z, cc.order, cc.highestZoneidx)) {
        cc.result = COMPACT_SKIPPED
        return false
      }
    }
    if (this.compactionRestarting(z, cc.order)) this.resetIsolationSuitableZone(z)
    const sync = cc.mode !== MIGRATE_ASYNC ? 1 : 0
    cc.fastStartPfn = 0
    if (cc.wholeZone) {
      cc.migratePfn = start
      cc.freePfn = this.pageblockStart(end - 1)
    } else {
      cc.migratePfn = zc.cachedMigratePfn[sync]
      cc.freePfn = zc.cachedFreePfn
      if (cc.freePfn < start || cc.freePfn >= end) {
        cc.freePfn = this.pageblockStart(end - 1)
        zc.cachedFreePfn = cc.freePfn
      }
      if (cc.migratePfn < start || cc.migratePfn >= end) {
        cc.migratePfn = start
        zc.cachedMigratePfn[0] = start
        zc.cachedMigratePfn[1] = start
      }
      if (cc.migratePfn <= zc.initMigratePfn) cc.wholeZone = true
    }
    cc.lastMigratedPfn = 0
    cc.updateCached = sync === 0 && zc.cachedMigratePfn[0] === zc.cachedMigratePfn[1]
    cc.active = true
    return true
  }

  /** One pass of compact_zone()'s loop; true when compaction is over (cc.result), with the free pages released. */
  private compactZoneIterate(cc: CompactControl): boolean {
    const ret = this.compactFinished(cc)
    if (ret !== COMPACT_CONTINUE) return this.compactZoneEnd(cc, ret)
    cc.cost_ns += COMPACT_SCAN_NS_PER_PFN
    cc.finishPageblock = this.pageblockStart(cc.lastMigratedPfn) === this.pageblockStart(cc.migratePfn)
    const isolated = this.isolateMigratepages(cc)
    if (isolated === ISOLATE_ABORT) return this.compactZoneEnd(cc, COMPACT_CONTENDED)
    if (isolated === ISOLATE_SUCCESS) {
      cc.updateCached = false
      cc.lastMigratedPfn = Math.max(this.alloc.zoneStartPfn(cc.zone), this.pageblockStart(cc.migratePfn - 1))
      const ok = this.migratePages(cc)
      cc.nrMigratepages = 0
      // no migration target left while the scanners have not met
      if (!ok && !this.scannersMet(cc)) return this.compactZoneEnd(cc, COMPACT_CONTENDED)
    } else if (cc.updateCached) {
      this.zones[cc.zone].cachedMigratePfn[1] = this.zones[cc.zone].cachedMigratePfn[0]
    }
    // the scanner left the order-aligned block it migrated from: flush so freed pages can merge
    if (cc.order > 0 && cc.lastMigratedPfn !== 0) {
      const currentBlockStart = cc.migratePfn & ~((1 << cc.order) - 1)
      if (cc.lastMigratedPfn < currentBlockStart) {
        this.alloc.drainLocalPages(cc.zone, cc.cpu)
        cc.lastMigratedPfn = 0
      }
    }
    return false
  }

  /** compact_zone()'s out: release the unused free pages, move the cached free pfn back over them. */
  private compactZoneEnd(cc: CompactControl, ret: number): boolean {
    cc.result = ret
    cc.active = false
    if (cc.nrFreepages > 0) {
      let high = 0
      for (let i = 0; i < cc.nrFreepages; i++) {
        const pfn = cc.freepages[i]
        this.alloc.freePages(pfn, 0, cc.cpu)
        if (pfn > high) high = pfn
      }
      cc.nrFreepages = 0
      const freePfn = this.pageblockStart(high)
      if (freePfn > this.zones[cc.zone].cachedFreePfn) this.zones[cc.zone].cachedFreePfn = freePfn
    }
    this.compactMigrateScanned += cc.migrateScanned
    this.compactFreeScanned += cc.freeScanned
    cc.migrateScanned = 0
    cc.freeScanned = 0
    return true
  }

  /** __compact_finished(), with NO_SUITABLE_PAGE meaning continue (compact_finished()). */
  private compactFinished(cc: CompactControl): number {
    const a = this.alloc
    if (this.scannersMet(cc)) {
      this.resetCachedPositions(cc.zone)
      // kswapd flushes the skip hints when it next sleeps (a direct compaction asked for it)
      if (cc.direct) this.zones[cc.zone].blockskipFlush = true
      return cc.wholeZone ? COMPACT_COMPLETE : COMPACT_PARTIAL_SKIPPED
    }
    if (cc.proactive) {
      if (this.cfg.kswapdRunning()) return COMPACT_PARTIAL_SKIPPED
      return extfragForOrder(a, cc.zone, COMPACTION_HPAGE_ORDER) > fragmentationScoreWmark(this.cfg.proactiveness, true) ? COMPACT_CONTINUE : COMPACT_SUCCESS
    }
    if (cc.order < 0) return COMPACT_CONTINUE
    // always finish a pageblock, to keep fallbacks away from it
    if ((cc.migratePfn & (a.pageblockNrPages - 1)) !== 0) return COMPACT_CONTINUE
    for (let order = cc.order; order <= MAX_ORDER; order++) {
      if (a.listFirst(cc.zone, order, cc.migratetype) >= 0) return COMPACT_SUCCESS
      if (a.hasStealableFallback(cc.zone, order, cc.migratetype)) return COMPACT_SUCCESS
    }
    return COMPACT_CONTINUE
  }

  private scannersMet(cc: CompactControl): boolean {
    const pbOrder = this.alloc.pageblockOrder
    return cc.freePfn >> pbOrder <= cc.migratePfn >> pbOrder
  }

  private resetCachedPositions(z: number): void {
    const zc = this.zones[z]
    zc.cachedMigratePfn[0] = this.alloc.zoneStartPfn(z)
    zc.cachedMigratePfn[1] = this.alloc.zoneStartPfn(z)
    zc.cachedFreePfn = this.pageblockStart(this.alloc.zoneEndPfn(z) - 1)
  }

  // ---- pageblock helpers ----

  private pageblockStart(pfn: number): number {
    return pfn & ~(this.alloc.pageblockNrPages - 1)
  }

  private pageblockEnd(pfn: number): number {
    return this.pageblockStart(pfn) + this.alloc.pageblockNrPages
  }

  /** pageblock_pfn_to_page(): the pageblock range is RAM of this zone at both ends. */
  private pageblockValid(start: number, end: number, zone: number): boolean {
    const a = this.alloc
    if (start >= end) return false
    if (a.memmap.kind(start) === KIND_HOLE || a.memmap.kind(end - 1) === KIND_HOLE) return false
    return a.zoneOfPfn(start) === zone && a.zoneOfPfn(end - 1) === zone
  }

  /** isolation_suitable(): the pageblock is not marked skip (or skip hints are ignored). */
  private isolationSuitable(cc: CompactControl, pfn: number): boolean {
    return cc.ignoreSkipHint || this.skip[pfn >> this.alloc.pageblockOrder] === 0
  }

  /** pageblock_skip_persistent(): an allocated block of pageblock order or more starts here. */
  private skipPersistent(pfn: number): boolean {
    const a = this.alloc
    const head = a.memmap.kind(pfn) === KIND_HOLE ? pfn : a.memmap.blockHead(pfn, MAX_ORDER)
    return a.memmap.kind(head) === KIND_ALLOCATED && a.memmap.order(head) >= a.pageblockOrder
  }

  /** A movable order-0 page on an LRU list, owned by a record reclaim and compaction may move (PageLRU). */
  private lruPage(pfn: number): boolean {
    const a = this.alloc
    if (a.memmap.kind(pfn) !== KIND_ALLOCATED || a.memmap.order(pfn) !== 0) return false
    return this.rmap.ownerOf(pfn, 0) !== null && (this.rmap.flags(pfn) & PG_LRU) !== 0
  }

  /** __reset_isolation_suitable(): clear skip hints where a sample shows a migration source or target; restart points from them. */
  private resetIsolationSuitableZone(z: number): void {
    const a = this.alloc
    const zc = this.zones[z]
    if (!zc.blockskipFlush) return
    zc.blockskipFlush = false
    const zoneStart = a.zoneStartPfn(z)
    let migratePfn = zoneStart
    let freePfn = a.zoneEndPfn(z) - 1
    let resetMigrate = freePfn
    let resetFree = migratePfn
    let sourceSet = false
    let freeSet = false
    const pb = a.pageblockNrPages
    for (; migratePfn < freePfn; migratePfn += pb, freePfn -= pb) {
      if (this.resetIsolationPfn(z, migratePfn, true, sourceSet) && migratePfn < resetMigrate) {
        sourceSet = true
        resetMigrate = migratePfn
        zc.initMigratePfn = resetMigrate
        zc.cachedMigratePfn[0] = resetMigrate
        zc.cachedMigratePfn[1] = resetMigrate
      }
      if (this.resetIsolationPfn(z, freePfn, freeSet, true) && freePfn > resetFree) {
        freeSet = true
        resetFree = freePfn
        zc.initFreePfn = resetFree
        zc.cachedFreePfn = resetFree
      }
    }
    if (resetMigrate >= resetFree) {
      zc.cachedMigratePfn[0] = migratePfn
      zc.cachedMigratePfn[1] = migratePfn
      zc.cachedFreePfn = freePfn
    }
  }

  /** __reset_isolation_pfn(): sample every 8th page of the pageblock of `pfn` for an LRU (source) or free (target) page. */
  private resetIsolationPfn(z: number, pfn: number, checkSource: boolean, checkTarget: boolean): boolean {
    const a = this.alloc
    if (a.memmap.kind(pfn) === KIND_HOLE || a.zoneOfPfn(pfn) !== z || this.skipPersistent(pfn)) return false
    const pb = pfn >> a.pageblockOrder
    if (checkSource && checkTarget && this.skip[pb] === 0) return true
    if (!checkSource && checkTarget && a.getPageblockMigratetype(pfn) !== MIGRATE_MOVABLE) return false
    const start = Math.max(this.pageblockStart(pfn), a.zoneStartPfn(z))
    const last = Math.min(this.pageblockEnd(pfn) - 1, a.zoneEndPfn(z) - 1)
    if (a.memmap.kind(last) === KIND_HOLE) return false
    for (let p = a.memmap.kind(start) === KIND_HOLE ? pfn : start; p <= last; p += 1 << PAGE_ALLOC_COSTLY_ORDER) {
      if ((checkSource && this.lruPage(p)) || (checkTarget && a.memmap.kind(p) === KIND_BUDDY)) {
        this.skip[pb] = 0
        return true
      }
    }
    return false
  }

  private updateCachedMigrate(cc: CompactControl, pfn: number): void {
    const zc = this.zones[cc.zone]
    const end = this.pageblockEnd(pfn)
    if (end > zc.cachedMigratePfn[0]) zc.cachedMigratePfn[0] = end
    if (cc.mode !== MIGRATE_ASYNC && end > zc.cachedMigratePfn[1]) zc.cachedMigratePfn[1] = end
  }

  // ---- the migration scanner ----

  /** isolate_migratepages(): from the first suitable pageblock at or after the migration scanner, below the free scanner. */
  private isolateMigratepages(cc: CompactControl): number {
    const a = this.alloc
    const zoneStart = a.zoneStartPfn(cc.zone)
    let lowPfn = this.fastFindMigrateblock(cc)
    let blockStart = Math.max(this.pageblockStart(lowPfn), zoneStart)
    let fastFindBlock = lowPfn !== cc.migratePfn && cc.fastSearchFail === 0
    let blockEnd = this.pageblockEnd(lowPfn)
    for (; blockEnd <= cc.freePfn; fastFindBlock = false, cc.migratePfn = lowPfn = blockEnd, blockStart = blockEnd, blockEnd += a.pageblockNrPages) {
      cc.cost_ns += COMPACT_SCAN_NS_PER_PFN
      if (!this.pageblockValid(blockStart, blockEnd, cc.zone)) continue
      if (((lowPfn & (a.pageblockNrPages - 1)) === 0 || lowPfn === zoneStart) && !fastFindBlock && !this.isolationSuitable(cc, lowPfn)) continue
      if (!this.suitableMigrationSource(cc, blockStart)) {
        this.updateCachedMigrate(cc, blockEnd)
        continue
      }
      this.isolateMigratepagesBlock(cc, lowPfn, blockEnd)
      break
    }
    return cc.nrMigratepages !== 0 ? ISOLATE_SUCCESS : ISOLATE_NONE
  }

  /** suitable_migration_source(): async direct compaction only takes blocks of its own migratetype. */
  private suitableMigrationSource(cc: CompactControl, pfn: number): boolean {
    if (this.skipPersistent(pfn)) return false
    if (cc.mode !== MIGRATE_ASYNC || !cc.direct) return true
    const blockMt = this.alloc.getPageblockMigratetype(pfn)
    if (cc.migratetype === MIGRATE_MOVABLE) return blockMt === MIGRATE_MOVABLE || blockMt === MIGRATE_CMA
    return blockMt === cc.migratetype
  }

  /**
   * isolate_migratepages_block(): the movable LRU pages of [lowPfn, endPfn), up to
   * COMPACT_CLUSTER_MAX; free blocks and compound pages are stepped over. Async direct compaction
   * gives up an order-aligned block at the first page it cannot take.
   */
  private isolateMigratepagesBlock(cc: CompactControl, lowPfn: number, endPfn: number): void {
    const a = this.alloc
    const memmap = a.memmap
    const zoneStart = a.zoneStartPfn(cc.zone)
    const startPfn = lowPfn
    const skipOnFailure = cc.direct && cc.mode === MIGRATE_ASYNC
    let nextSkipPfn = skipOnFailure ? this.blockEndPfn(lowPfn, cc.order) : 0
    let validPage = -1
    let skipUpdated = false
    let nrIsolated = 0
    cc.migratePfn = lowPfn
    for (; lowPfn < endPfn; lowPfn++) {
      if (skipOnFailure && lowPfn >= nextSkipPfn) {
        if (nrIsolated !== 0) break
        nextSkipPfn = this.blockEndPfn(lowPfn, cc.order)
      }
      if (validPage < 0 && ((lowPfn & (a.pageblockNrPages - 1)) === 0 || lowPfn === zoneStart)) {
        if (!this.isolationSuitable(cc, lowPfn)) {
          lowPfn = endPfn
          break
        }
        validPage = lowPfn
      }
      const kind = memmap.kind(lowPfn)
      const order = memmap.order(lowPfn)
      if (kind === KIND_BUDDY) {
        if (order > 0) lowPfn += (1 << order) - 1
        continue
      }
      let fail = false
      if (kind === KIND_ALLOCATED && order > 0) {
        // a compound page (THP): not compacted
        lowPfn += (1 << order) - 1
        fail = true
      } else if (!this.lruPage(lowPfn)) {
        fail = true
      } else {
        if (!skipUpdated && validPage >= 0) {
          // the first isolation marks the block, so that other compactors pass it by
          skipUpdated = true
          if (!cc.ignoreSkipHint) {
            const pb = validPage >> a.pageblockOrder
            const was = this.skip[pb] !== 0
            this.skip[pb] = 1
            if (was && !cc.finishPageblock) {
              lowPfn = endPfn
              break
            }
          }
        }
        cc.migratepages[cc.nrMigratepages++] = lowPfn
        nrIsolated++
        if (cc.nrMigratepages >= COMPACT_CLUSTER_MAX && !cc.finishPageblock) {
          lowPfn++
          break
        }
      }
      if (fail && skipOnFailure) {
        // the order-aligned block cannot be freed: give back what was taken from it
        if (nrIsolated !== 0) {
          cc.nrMigratepages -= nrIsolated
          nrIsolated = 0
        }
        if (lowPfn < nextSkipPfn) {
          lowPfn = nextSkipPfn - 1
          nextSkipPfn += 1 << cc.order
        }
      }
    }
    if (lowPfn > endPfn) lowPfn = endPfn
    // a block scanned to its end without isolating is skipped next time
    if (lowPfn === endPfn && (nrIsolated === 0 || cc.finishPageblock)) {
      if (!cc.ignoreSkipHint && validPage >= 0 && !skipUpdated) this.skip[validPage >> a.pageblockOrder] = 1
      this.updateCachedMigrate(cc, lowPfn)
    }
    cc.migrateScanned += lowPfn - startPfn
    cc.cost_ns += (lowPfn - startPfn) * COMPACT_SCAN_NS_PER_PFN
    cc.migratePfn = lowPfn
  }

  /** block_end_pfn(pfn, order). */
  private blockEndPfn(pfn: number, order: number): number {
    const size = 2 ** Math.max(order, 0)
    return Math.floor(pfn / size) * size + size
  }

  /**
   * fast_find_migrateblock(): for a costly order, start at a Movable pageblock low in the zone
   * that already has free pages (found on the free lists), to free a block with less migration.
   */
  private fastFindMigrateblock(cc: CompactControl): number {
    const a = this.alloc
    const pfn = cc.migratePfn
    if (cc.ignoreSkipHint || cc.finishPageblock) return pfn
    const zoneStart = a.zoneStartPfn(cc.zone)
    if (pfn !== zoneStart && pfn !== this.pageblockStart(pfn)) return pfn
    if (cc.order <= PAGE_ALLOC_COSTLY_ORDER) return pfn
    if (cc.direct && cc.migratetype !== MIGRATE_MOVABLE) return pfn
    const limit = this.freelistScanLimit(cc)
    let distance = (cc.freePfn - cc.migratePfn) >> 1
    if (cc.migratePfn !== zoneStart) distance >>= 2
    const highPfn = this.pageblockStart(cc.migratePfn + distance)
    let nrScanned = 0
    for (let order = cc.order - 1; order >= PAGE_ALLOC_COSTLY_ORDER && nrScanned < limit; order--) {
      if (a.nrFree(cc.zone, order) === 0) continue
      for (let free = a.listFirst(cc.zone, order, MIGRATE_MOVABLE); free >= 0; free = a.listNext(free)) {
        if (nrScanned++ >= limit) {
          this.moveFreelistTail(cc.zone, order, free)
          break
        }
        if (free < highPfn) {
          if (this.skip[free >> a.pageblockOrder] !== 0) continue
          this.moveFreelistTail(cc.zone, order, free)
          if (cc.fastStartPfn !== -1) cc.fastStartPfn = cc.fastStartPfn === 0 ? free : Math.min(cc.fastStartPfn, free)
          cc.fastSearchFail = 0
          cc.freeScanned += nrScanned
          return Math.max(this.pageblockStart(free), zoneStart)
        }
      }
    }
    cc.fastSearchFail++
    // reinit_migrate_pfn(): a linear scan from the lowest block the fast search found, once
    if (cc.fastStartPfn !== 0 && cc.fastStartPfn !== -1) {
      cc.migratePfn = cc.fastStartPfn
      cc.fastStartPfn = -1
    }
    return cc.migratePfn
  }

  /** move_freelist_tail(): the entries up to and including `pfn` go to the tail (the rest come first next time). */
  private moveFreelistTail(zone: number, order: number, pfn: number): void {
    const next = this.alloc.listNext(pfn)
    if (next >= 0 && this.alloc.listFirst(zone, order, MIGRATE_MOVABLE) !== pfn) this.alloc.rotateToFront(zone, order, MIGRATE_MOVABLE, next)
  }

  private freelistScanLimit(cc: CompactControl): number {
    return (COMPACT_CLUSTER_MAX >> Math.min(63, cc.fastSearchFail)) + 1
  }

  // ---- migration ----

  /**
   * migrate_pages(): each isolated page (the last isolated first, as on cc->migratepages) moves to
   * a free page from compaction_alloc(); the owner's record follows it (the rmap walk), the copy
   * writes the target (a host refault if it had been reported and dropped), the source is freed
   * through the per-CPU lists. False when the free scanner found no target for some page.
   */
  private migratePages(cc: CompactControl): boolean {
    const a = this.alloc
    for (let k = cc.nrMigratepages - 1; k >= 0; k--) {
      if (cc.nrFreepages === 0) {
        this.isolateFreepages(cc)
        if (cc.nrFreepages === 0) return false
      }
      const src = cc.migratepages[k]
      const dst = cc.freepages[--cc.nrFreepages]
      const owner = this.rmap.ownerOf(src, 0)
      if (owner === null) throw new Error(`compaction: isolated page ${src} has no owner`)
      const index = this.rmap.ownerIndex(src, owner)
      a.migratePageState(src, dst)
      owner.replacePfn(index, dst)
      cc.cost_ns += MIGRATE_NS_PER_PAGE + this.cfg.host.touch(dst, 1)
      a.freePages(src, 0, cc.cpu)
      cc.migrated++
      this.compactMigrated++
    }
    return true
  }

  // ---- the free scanner ----

  /** isolate_freepages(): a quick search of the free lists, else pageblocks downwards from the free scanner. */
  private isolateFreepages(cc: CompactControl): void {
    const a = this.alloc
    const pb = a.pageblockNrPages
    this.fastIsolateFreepages(cc)
    if (cc.nrFreepages !== 0) return
    let isolateStart = cc.freePfn
    let blockStart = this.pageblockStart(isolateStart)
    let blockEnd = Math.min(blockStart + pb, a.zoneEndPfn(cc.zone))
    const lowPfn = this.pageblockEnd(cc.migratePfn)
    let stride = cc.mode === MIGRATE_ASYNC ? COMPACT_CLUSTER_MAX : 1
    for (; blockStart >= lowPfn; blockEnd = blockStart, blockStart -= pb, isolateStart = blockStart) {
      cc.cost_ns += COMPACT_SCAN_NS_PER_PFN
      if (!this.pageblockValid(blockStart, blockEnd, cc.zone)) continue
      if (!this.suitableMigrationTarget(cc, blockStart)) continue
      if (!this.isolationSuitable(cc, blockStart)) continue
      const r = this.isolateFreepagesBlock(cc, isolateStart, blockEnd, stride)
      const nrIsolated = r.isolated
      isolateStart = r.next
      // a fully scanned block is marked skip; the cached free pfn moves down past it
      if (isolateStart === blockEnd) this.updatePageblockSkip(cc, blockStart, blockStart - pb)
      if (cc.nrFreepages >= cc.nrMigratepages) {
        if (isolateStart >= blockEnd) isolateStart = blockStart - pb
        break
      } else if (isolateStart < blockEnd) {
        break
      }
      stride = nrIsolated !== 0 ? 1 : Math.min(COMPACT_CLUSTER_MAX, stride << 1)
    }
    cc.freePfn = isolateStart
  }

  /** update_pageblock_skip() from the free scanner. */
  private updatePageblockSkip(cc: CompactControl, blockPfn: number, pfn: number): void {
    if (!cc.ignoreSkipHint) this.skip[blockPfn >> this.alloc.pageblockOrder] = 1
    const zc = this.zones[cc.zone]
    if (pfn < zc.cachedFreePfn) zc.cachedFreePfn = pfn
  }

  /** suitable_migration_target(): not a free pageblock-sized block, and a Movable pageblock (unless ignored). */
  private suitableMigrationTarget(cc: CompactControl, pfn: number): boolean {
    const a = this.alloc
    if (a.memmap.kind(pfn) === KIND_BUDDY && a.memmap.order(pfn) >= a.pageblockOrder) return false
    if (cc.ignoreBlockSuitable) return true
    const mt = a.getPageblockMigratetype(pfn)
    return mt === MIGRATE_MOVABLE || mt === MIGRATE_CMA
  }

  private readonly blockResult = { isolated: 0, next: 0 }

  /**
   * isolate_freepages_block(): every `stride` pfns of [start, end), each free block found taken
   * whole (__isolate_free_page(), split to order 0); stops once there are targets for the pages
   * to migrate, or when the watermark check refuses.
   */
  private isolateFreepagesBlock(cc: CompactControl, start: number, end: number, stride: number): { isolated: number; next: number } {
    const a = this.alloc
    const memmap = a.memmap
    let total = 0
    let scanned = 0
    let blockPfn = start
    for (; blockPfn < end; blockPfn += stride) {
      scanned++
      const kind = memmap.kind(blockPfn)
      const order = memmap.order(blockPfn)
      if (kind === KIND_ALLOCATED && order > 0) {
        blockPfn += (1 << order) - 1
        scanned += (1 << order) - 1
        continue
      }
      if (kind !== KIND_BUDDY) continue
      if (!this.takeFreeBlock(cc, blockPfn, order)) break
      const isolated = 1 << order
      scanned += isolated - 1
      total += isolated
      if (cc.nrMigratepages <= cc.nrFreepages) {
        blockPfn += isolated
        break
      }
      blockPfn += isolated - 1
    }
    if (blockPfn > end) blockPfn = end
    cc.freeScanned += scanned
    cc.cost_ns += scanned * COMPACT_SCAN_NS_PER_PFN
    this.blockResult.isolated = total
    this.blockResult.next = blockPfn
    return this.blockResult
  }

  /** __isolate_free_page() + split_map_pages() onto cc->freepages (pfn order, the last taken first). */
  private takeFreeBlock(cc: CompactControl, pfn: number, order: number): boolean {
    const a = this.alloc
    const reported = a.pageReported(pfn)
    if (!a.isolateFreeForCompaction(pfn, order)) return false
    const n = 1 << order
    if (cc.nrFreepages + n > cc.freepages.length) {
      const grown = new Int32Array(Math.max(cc.freepages.length * 2, cc.nrFreepages + n))
      grown.set(cc.freepages.subarray(0, cc.nrFreepages))
      cc.freepages = grown
    }
    for (let p = pfn; p < pfn + n; p++) cc.freepages[cc.nrFreepages++] = p
    cc.freeIsolated += n
    this.compactIsolatedFree += n
    if (reported) {
      cc.reportedTaken += n
      this.compactReportedTaken += n
    }
    return true
  }

  /**
   * fast_isolate_freepages(): for a positive order, walk the Movable free lists below it from
   * their tail (where page reporting puts back what it reported) for a block in the top quarter
   * of the scan space (the top half if none), take it and search its pageblock around it.
   */
  private fastIsolateFreepages(cc: CompactControl): void {
    const a = this.alloc
    if (cc.order <= 0) return
    const zc = this.zones[cc.zone]
    const zoneStart = a.zoneStartPfn(cc.zone)
    let limit = Math.max(1, this.freelistScanLimit(cc) >> 1)
    let scanStart = false
    if (cc.freePfn >= zc.initFreePfn) {
      limit = a.pageblockNrPages >> 1
      scanStart = true
    }
    const distance = cc.freePfn - cc.migratePfn
    const lowPfn = this.pageblockStart(cc.freePfn - (distance >> 2))
    const minPfn = this.pageblockStart(cc.freePfn - (distance >> 1))
    let highest = 0
    let page = -1
    let nrScanned = 0
    cc.searchOrder = Math.min(cc.order - 1, cc.searchOrder)
    for (let order = cc.searchOrder; page < 0 && order >= 0; order = this.nextSearchOrder(cc, order)) {
      if (a.nrFree(cc.zone, order) === 0) continue
      const id = freeListId(cc.zone, order, MIGRATE_MOVABLE)
      let orderScanned = 0
      let highPfn = 0
      let last = -1
      for (let free = a.lists.tail[id]; free >= 0; free = a.lists.prevOf(free)) {
        orderScanned++
        nrScanned++
        last = free
        if (free >= highest) highest = Math.max(this.pageblockStart(free), zoneStart)
        if (free >= lowPfn) {
          cc.fastSearchFail = 0
          cc.searchOrder = order
          page = free
          break
        }
        if (free >= minPfn && free > highPfn) {
          highPfn = free
          limit >>= 1
        }
        if (orderScanned >= limit) break
      }
      if (page < 0 && highPfn !== 0) {
        page = highPfn
        last = highPfn
      }
      // move_freelist_head(): a later search starts past what this one saw
      if (last >= 0) a.rotateToFront(cc.zone, order, MIGRATE_MOVABLE, last)
      if (page >= 0 && !this.takeFreeBlock(cc, page, order)) {
        order = cc.searchOrder + 1
        page = -1
      }
      if (cc.nrFreepages >= cc.nrMigratepages) break
      if (orderScanned >= limit) limit = Math.max(1, limit >> 1)
    }
    cc.freeScanned += nrScanned
    cc.cost_ns += nrScanned * COMPACT_SCAN_NS_PER_PFN
    let around = page
    if (page < 0) {
      cc.fastSearchFail++
      if (scanStart) {
        if (highest >= minPfn) {
          around = highest
          cc.freePfn = highest
        } else if (cc.direct && this.pageblockValid(minPfn, Math.min(this.pageblockEnd(minPfn), a.zoneEndPfn(cc.zone)), cc.zone)) {
          around = minPfn
          cc.freePfn = minPfn
        }
      }
    }
    if (highest !== 0 && highest >= zc.cachedFreePfn) zc.cachedFreePfn = highest - a.pageblockNrPages
    if (around >= 0) this.fastIsolateAround(cc, around)
  }

  /** next_search_order(): round robin below cc->order; -1 once it wraps to where it began. */
  private nextSearchOrder(cc: CompactControl, order: number): number {
    order--
    if (order < 0) order = cc.order - 1
    if (order === cc.searchOrder) {
      cc.searchOrder--
      if (cc.searchOrder < 0) cc.searchOrder = cc.order - 1
      return -1
    }
    return order
  }

  /** fast_isolate_around(): the rest of the pageblock of `pfn`, unless enough targets are isolated (or async direct). */
  private fastIsolateAround(cc: CompactControl, pfn: number): void {
    const a = this.alloc
    if (cc.nrFreepages >= cc.nrMigratepages) return
    if (cc.direct && cc.mode === MIGRATE_ASYNC) return
    const start = Math.max(this.pageblockStart(pfn), a.zoneStartPfn(cc.zone))
    const end = Math.min(this.pageblockEnd(pfn), a.zoneEndPfn(cc.zone))
    if (!this.pageblockValid(start, end, cc.zone)) return
    const r = this.isolateFreepagesBlock(cc, start, end, 1)
    if (r.next === end && !cc.ignoreSkipHint) this.skip[start >> a.pageblockOrder] = 1
  }

  /** Every counter and held page consistent: no compactor holds pages between events unless it is mid-zone. */
  check(): void {
    for (const cc of [this.kcc, this.mcc, this.dcc]) {
      if (cc.active && cc !== this.kcc && cc !== this.mcc) throw new Error('compaction: direct compaction left active')
      for (let i = 0; i < cc.nrFreepages; i++) {
        const pfn = cc.freepages[i]
        if (!this.alloc.allocatedHead(pfn, 0) || this.rmap.ownerOf(pfn, 0) !== null) throw new Error(`compaction: held free page ${pfn} is not an unowned allocated page`)
      }
    }
  }
}
