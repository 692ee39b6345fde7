// Page reclaim as far as free page reporting needs it (mm/vmscan.c of Linux 6.6, read from
// YushanQ/linux-6.6.42-annotation; the classic two-list LRU, CONFIG_LRU_GEN off): kswapd woken
// below the low watermark or on a boosted one, reclaiming until the high watermark
// (balance_pgdat()) and clearing the boost it saw on entry when it ends; direct reclaim when an
// allocation would fall below min (try_to_free_pages()); clean page cache dropped, anonymous
// memory written to swap only when there is some (get_scan_count()). Reclaimed pages go back
// through the normal free path (free_unref_page_list() -> the per-CPU lists -> the buddy), where
// page reporting finds them.
//
// The LRU lists are the workload's allocation records (alloc_set.ts): each allocation tag is a
// memory cgroup with one anonymous list (as systemd gives every service its own cgroup, and
// shrink_node_memcgs() walks them in turn, each scanned by its size >> priority), the page cache
// one more with an inactive and an active file list. Oldest first in each.
//
// Not modelled: MGLRU, shrink_slab(), dirty page cache and writeback throttling, the workingset
// refault detection (the workload never re-reads what was reclaimed), activation of anonymous
// pages (the workload touches a page once, when it faults it in, so folio_check_references()
// keeps it once and then reclaims it: the active anon list stays empty), swap-in, the OOM killer
// (an allocation that reclaim cannot serve fails), memory.low/min protection, NUMA.
import type { SimEvent } from '../../common/samples'
import { type EventQueue, NS_PER_MS } from '../event_queue'
import { type AllocSet, LRU_ACTIVE_ANON, LRU_ACTIVE_FILE, LRU_INACTIVE_ANON, LRU_INACTIVE_FILE, NR_LRU_LISTS, PG_LRU, PG_REFERENCED, PTE_YOUNG, type Rmap } from './alloc_set'
import { compactGap, compactionSuitable } from './compaction'
import type { PageAllocator } from './page_alloc'
import { NR_ZONES } from './page_alloc_api'
import { PAGE_ALLOC_COSTLY_ORDER } from './pcp'

export const SWAP_CLUSTER_MAX = 32
export const DEF_PRIORITY = 12
/** kswapd gives a node up after this many runs that reclaimed nothing (mm/internal.h). */
export const MAX_RECLAIM_RETRIES = 16

/** Time reclaim spends per page it looks at on an LRU list (isolate, check references, put back), in ns. Not published; assumed. */
export const SCAN_NS_PER_PAGE = 100
/** Extra time to drop one clean page cache page (__remove_mapping(), free), in ns: about 2 M pages/s per reclaimer with the scan. Assumed. */
export const RECLAIM_FILE_NS_PER_PAGE = 400
/** Time to write one 4 KiB page to swap, in ns (a virtual disk at about 400 MB/s); reclaim waits for it here. Assumed. */
export const SWAPOUT_NS_PER_PAGE = 10_000
/** From wake_up_interruptible(&pgdat->kswapd_wait) to kswapd running on an idle vCPU, in ns. Assumed. */
export const KSWAPD_WAKE_NS = 20_000

const DEACTIVATE_ANON = 1
const DEACTIVATE_FILE = 2

const SCAN_EQUAL = 0
const SCAN_FRACT = 1
const SCAN_ANON = 2
const SCAN_FILE = 3

/** struct scan_control, reused (nothing is allocated per reclaim). */
class ScanControl {
  nrToReclaim = 0
  order = 0
  priority = DEF_PRIORITY
  reclaimIdx = 0
  maySwap = true
  mayDeactivate = 0
  forceDeactivate = false
  skippedDeactivate = false
  cacheTrimMode = false
  fileIsTiny = false
  compactionReady = false
  kswapd = false
  nrScanned = 0
  nrReclaimed = 0
  /** Pages written to swap (stat.nr_pageout). */
  nrPageout = 0
  /** Simulated time the work took, in ns. */
  cost_ns = 0
  /** Pages freed to the per-CPU lists of this CPU. */
  cpu = 0

  /** A new reclaim (kswapd's balance_pgdat() or a try_to_free_pages()) for `order` on `cpu`. */
  begin(order: number, kswapd: boolean, cpu: number): void {
    this.order = order
    this.kswapd = kswapd
    this.cpu = cpu
    this.maySwap = true
    this.forceDeactivate = false
    this.priority = DEF_PRIORITY
    this.nrReclaimed = 0
    this.nrPageout = 0
    this.cost_ns = 0
  }
}

/** One memory cgroup's lruvec: its set on each LRU list, or null. */
type Lruvec = readonly (AllocSet | null)[]

/**
 * inactive_is_low(): the inactive list is too small for the active one, inactive * int_sqrt(10 *
 * GiB of the pair) < active: 1:1 below 1 GiB, 3:1 at 1 GiB, 10:1 at 10 GiB, 31:1 at 100 GiB.
 */
export function inactiveIsLow(inactive: number, active: number): boolean {
  const gb = Math.floor((inactive + active) / 262144)
  const ratio = gb !== 0 ? Math.floor(Math.sqrt(10 * gb)) : 1
  return inactive * ratio < active
}

export interface VmscanConfig {
  readonly queue: EventQueue
  readonly alloc: PageAllocator
  readonly rmap: Rmap
  /** Swap space in pages. */
  readonly swapPages: number
  readonly swappiness: number
  readonly emit: ((e: SimEvent) => void) | null
  /** The workload's memory shrank by `pages` (page cache dropped or anonymous memory swapped out). */
  readonly released: (pages: number) => void
}

/** What kswapd calls in compaction (compaction.ts). */
export interface KcompactdWaker {
  /** wakeup_kcompactd(pgdat, order, highest_zoneidx). */
  wakeup(order: number, highestZoneidx: number): void
  /** reset_isolation_suitable(pgdat): kswapd is going to sleep. */
  resetIsolationSuitable(): void
}

const KSWAPD_SLEEPING = 0
const KSWAPD_WOKEN = 1
const KSWAPD_RUNNING = 2

export class Vmscan {
  readonly alloc: PageAllocator
  readonly rmap: Rmap
  kcompactd: KcompactdWaker | null = null
  readonly swapPages: number
  swapUsedPages = 0

  // counters of /proc/vmstat, in pages
  pgscanKswapd = 0
  pgstealKswapd = 0
  pgscanDirect = 0
  pgstealDirect = 0
  pswpout = 0
  /** allocstall: direct reclaim entries. */
  allocstall = 0
  /** pageoutrun: balance_pgdat() runs. */
  pageoutrun = 0
  /** Time allocations spent in direct reclaim, in ns. */
  directReclaim_ns = 0

  // per-node reclaim state (pglist_data)
  kswapdFailures = 0
  /** pgdat->kswapd_order / kswapd_highest_zoneidx: what wakeups asked for since kswapd last read them (-1: MAX_NR_ZONES). */
  private kswapdOrder = 0
  private kswapdHighestZoneidx = -1
  private kswapdState = KSWAPD_SLEEPING
  /** lruvec->anon_cost / file_cost of the root lruvec (lru_note_cost()). */
  private anonCost = 0
  private fileCost = 0

  // the balance_pgdat() in progress
  private readonly ksc = new ScanControl()
  private runAllocOrder = 0
  private runHighestZoneidx = 0
  private nrBoostReclaim = 0
  private readonly zoneBoosts = new Int32Array(NR_ZONES)
  private boosted = false
  private runStart_ns = 0
  private runReason = ''

  private readonly dsc = new ScanControl()
  private readonly nr = new Float64Array(NR_LRU_LISTS)
  private readonly targets = new Float64Array(NR_LRU_LISTS)
  private lruvecs: Lruvec[] = []
  private lruvecsFor = -1
  private readonly stepHandler: number
  private readonly highestZoneidx: number

  constructor(private readonly cfg: VmscanConfig) {
    this.alloc = cfg.alloc
    this.rmap = cfg.rmap
    this.swapPages = cfg.swapPages
    this.highestZoneidx = cfg.alloc.preferredZone
    this.stepHandler = cfg.queue.register(() => this.kswapdStep())
  }

  /** kswapd is in balance_pgdat() (task_is_running(pgdat->kswapd), for kswapd_is_running()). */
  get kswapdRunning(): boolean {
    return this.kswapdState === KSWAPD_RUNNING
  }

  /** Pages on one LRU list, all cgroups (node_page_state(NR_INACTIVE_ANON + lru)). */
  lruPages(lru: number): number {
    let n = 0
    for (const s of this.rmap.sets) if (s.lru === lru) n += s.lruPages
    return n
  }

  /** zone_reclaimable_pages() over the node: file LRU pages, and anonymous ones when there is swap. */
  reclaimablePages(): number {
    const file = this.lruPages(LRU_INACTIVE_FILE) + this.lruPages(LRU_ACTIVE_FILE)
    return this.canReclaimAnon() ? file + this.lruPages(LRU_INACTIVE_ANON) + this.lruPages(LRU_ACTIVE_ANON) : file
  }

  /** free_swap_and_cache() for `pages` swap entries of a freed tag. */
  releaseSwap(pages: number): void {
    this.swapUsedPages -= pages
  }

  // ---- kswapd (mm/vmscan.c: wakeup_kswapd(), kswapd(), balance_pgdat()) ----

  /**
   * wakeup_kswapd(zone, gfp_flags, order, highest_zoneidx): note the request; wake kswapd when it
   * sleeps, unless the node is hopeless or balanced without a boost (then, for a caller that
   * cannot reclaim directly, kcompactd instead).
   */
  wakeupKswapd(order: number, directReclaim: boolean, highestZoneidx = this.highestZoneidx, reason = 'low watermark'): void {
    if (this.kswapdHighestZoneidx < 0 || this.kswapdHighestZoneidx < highestZoneidx) this.kswapdHighestZoneidx = highestZoneidx
    if (this.kswapdOrder < order) this.kswapdOrder = order
    if (this.kswapdState !== KSWAPD_SLEEPING) return
    if (this.kswapdFailures >= MAX_RECLAIM_RETRIES || (this.pgdatBalanced(order, highestZoneidx) && !this.watermarkBoosted(highestZoneidx))) {
      if (!directReclaim) this.kcompactd?.wakeup(order, highestZoneidx)
      return
    }
    this.kswapdState = KSWAPD_WOKEN
    this.runReason = reason
    this.cfg.queue.schedule(this.cfg.queue.now_ns + KSWAPD_WAKE_NS, this.stepHandler)
  }

  /** pgdat_watermark_boosted(). */
  private watermarkBoosted(highestZoneidx: number): boolean {
    for (let z = highestZoneidx; z >= 0; z--) if (this.alloc.zoneManagedPages(z) !== 0 && this.alloc.watermarkBoost(z) !== 0) return true
    return false
  }

  /** pgdat_balanced(): some eligible zone is above its high watermark (boost included) at `order`. */
  pgdatBalanced(order: number, highestZoneidx: number): boolean {
    let managed = false
    for (let z = 0; z <= highestZoneidx; z++) {
      if (this.alloc.zoneManagedPages(z) === 0) continue
      managed = true
      if (this.alloc.watermarkOk(z, order, this.alloc.wmarkHigh(z) + this.alloc.watermarkBoost(z), highestZoneidx)) return true
    }
    return !managed
  }

  /** One event of kswapd: the start of a balance_pgdat() run, or its next priority iteration. */
  private kswapdStep(): void {
    if (this.kswapdState === KSWAPD_WOKEN) this.beginBalance()
    const sc = this.ksc
    for (;;) {
      const balanced = this.pgdatBalanced(sc.order, this.runHighestZoneidx)
      if (!balanced && this.nrBoostReclaim !== 0) {
        // the node is short of memory: reclaim for it, not for the boost (goto restart)
        this.nrBoostReclaim = 0
        sc.priority = DEF_PRIORITY
        continue
      }
      if (this.nrBoostReclaim === 0 && balanced) return this.endBalance(false)
      let raisePriority = !(this.nrBoostReclaim !== 0 && sc.priority === DEF_PRIORITY - 2)
      // boosted reclaim neither writes nor swaps
      sc.maySwap = this.nrBoostReclaim === 0
      const reclaimedBefore = sc.nrReclaimed
      const costBefore = sc.cost_ns
      sc.nrScanned = 0
      if (this.kswapdShrinkNode(sc)) raisePriority = false
      const nrReclaimed = sc.nrReclaimed - reclaimedBefore
      this.nrBoostReclaim -= Math.min(this.nrBoostReclaim, nrReclaimed)
      if (this.nrBoostReclaim !== 0 && nrReclaimed === 0) return this.endBalance(true)
      if (raisePriority || nrReclaimed === 0) sc.priority--
      if (sc.priority < 1) return this.endBalance(true)
      // the next iteration after the time this one took
      this.cfg.queue.schedule(this.cfg.queue.now_ns + Math.max(1, Math.round(sc.cost_ns - costBefore)), this.stepHandler)
      return
    }
  }

  /** kswapd(): read and reset the request, enter balance_pgdat() (boosts noted, reclaim active). */
  private beginBalance(): void {
    this.kswapdState = KSWAPD_RUNNING
    this.runAllocOrder = this.kswapdOrder
    this.runHighestZoneidx = this.kswapdHighestZoneidx < 0 ? this.highestZoneidx : this.kswapdHighestZoneidx
    this.kswapdOrder = 0
    this.kswapdHighestZoneidx = -1
    this.ksc.begin(this.runAllocOrder, true, 0)
    this.pageoutrun++
    this.nrBoostReclaim = 0
    for (let z = 0; z < NR_ZONES; z++) {
      this.zoneBoosts[z] = z <= this.runHighestZoneidx && this.alloc.zoneManagedPages(z) !== 0 ? this.alloc.watermarkBoost(z) : 0
      this.nrBoostReclaim += this.zoneBoosts[z]
    }
    this.boosted = this.nrBoostReclaim !== 0
    this.runStart_ns = this.cfg.queue.now_ns
    for (let z = 0; z <= this.runHighestZoneidx; z++) if (this.alloc.zoneManagedPages(z) !== 0) this.alloc.setReclaimActive(z, true)
  }

  /** The end of balance_pgdat() (`failed`: the loop ran out rather than finding the node balanced), then kswapd_try_to_sleep(). */
  private endBalance(failed: boolean): void {
    const sc = this.ksc
    if (failed && sc.nrReclaimed === 0) this.kswapdFailures++
    for (let z = 0; z <= this.runHighestZoneidx; z++) if (this.alloc.zoneManagedPages(z) !== 0) this.alloc.setReclaimActive(z, false)
    let cleared = 0
    if (this.boosted) {
      for (let z = 0; z <= this.runHighestZoneidx; z++) {
        if (this.zoneBoosts[z] === 0) continue
        cleared += Math.min(this.alloc.watermarkBoost(z), this.zoneBoosts[z])
        this.alloc.clearBoost(z, this.zoneBoosts[z])
      }
      // there is likely space now: defragment pageblocks
      this.kcompactd?.wakeup(this.alloc.pageblockOrder, this.runHighestZoneidx)
    }
    this.emitRun(cleared)
    // kswapd(): sleep for what was asked, or go again at once if the node is still unbalanced
    const reclaimOrder = sc.order
    const allocOrder = reclaimOrder < this.runAllocOrder ? this.runAllocOrder : this.kswapdOrder
    const sleepOrder = reclaimOrder < this.runAllocOrder ? reclaimOrder : this.kswapdOrder
    const hz = this.kswapdHighestZoneidx < 0 ? this.runHighestZoneidx : this.kswapdHighestZoneidx
    if (this.prepareKswapdSleep(sleepOrder, hz)) {
      this.kcompactd?.resetIsolationSuitable()
      this.kcompactd?.wakeup(allocOrder, hz)
      this.kswapdState = KSWAPD_SLEEPING
      return
    }
    this.kswapdState = KSWAPD_WOKEN
    this.runReason = 'still unbalanced'
    this.cfg.queue.schedule(this.cfg.queue.now_ns, this.stepHandler)
  }

  /** prepare_kswapd_sleep(). */
  private prepareKswapdSleep(order: number, highestZoneidx: number): boolean {
    return this.kswapdFailures >= MAX_RECLAIM_RETRIES || this.pgdatBalanced(order, highestZoneidx)
  }

  private emitRun(boostCleared: number): void {
    const sc = this.ksc
    this.cfg.emit?.({
      t_ms: this.cfg.queue.now_ns / NS_PER_MS,
      kind: 'kswapd',
      count: sc.nrReclaimed,
      kib: sc.nrReclaimed * 4,
      order: this.runAllocOrder,
      dur_ms: (this.cfg.queue.now_ns - this.runStart_ns) / NS_PER_MS,
      detail:
        `balance_pgdat() (${this.runReason}): reclaimed ${sc.nrReclaimed * 4} KiB` +
        (sc.nrPageout > 0 ? ` (${sc.nrPageout * 4} KiB to swap)` : '') +
        (boostCleared > 0 ? `, watermark boost of ${boostCleared * 4} KiB cleared` : '') +
        (sc.nrReclaimed === 0 ? `, nothing reclaimable (kswapd_failures ${this.kswapdFailures})` : ''),
    })
  }

  /** kswapd_shrink_node(): reclaim about the high watermarks; true if it scanned that much. */
  private kswapdShrinkNode(sc: ScanControl): boolean {
    sc.reclaimIdx = this.runHighestZoneidx
    sc.nrToReclaim = 0
    for (let z = 0; z <= sc.reclaimIdx; z++) {
      if (this.alloc.zoneManagedPages(z) === 0) continue
      sc.nrToReclaim += Math.max(this.alloc.wmarkHigh(z) + this.alloc.watermarkBoost(z), SWAP_CLUSTER_MAX)
    }
    const reclaimedBefore = sc.nrReclaimed
    this.shrinkNode(sc)
    this.pgscanKswapd += sc.nrScanned
    this.pgstealKswapd += sc.nrReclaimed - reclaimedBefore
    // fragmentation may keep the order out of reach: after 2 << order pages, balance at order 0
    if (sc.order !== 0 && sc.nrReclaimed >= compactGap(sc.order)) sc.order = 0
    return sc.nrScanned >= sc.nrToReclaim
  }

  // ---- direct reclaim (try_to_free_pages()) ----

  /**
   * try_to_free_pages() -> do_try_to_free_pages() on behalf of an allocation on `cpu`: pages
   * freed, or 1 when it stopped because compaction can go ahead. Its time is the caller's stall.
   */
  tryToFreePages(order: number, cpu: number): number {
    const sc = this.dsc
    sc.begin(order, false, cpu)
    sc.nrToReclaim = SWAP_CLUSTER_MAX
    sc.reclaimIdx = this.highestZoneidx
    this.allocstall++
    let result = 0
    for (;;) {
      sc.skippedDeactivate = false
      sc.compactionReady = false
      sc.priority = DEF_PRIORITY
      do {
        sc.nrScanned = 0
        this.shrinkZones(sc)
        this.pgscanDirect += sc.nrScanned
        if (sc.nrReclaimed >= sc.nrToReclaim || sc.compactionReady) break
      } while (--sc.priority >= 0)
      if (sc.nrReclaimed !== 0) {
        result = sc.nrReclaimed
        break
      }
      if (sc.compactionReady) {
        result = 1
        break
      }
      if (!sc.skippedDeactivate || sc.forceDeactivate) break
      // the inactive lists were empty while the active ones were not: retry deactivating
      sc.forceDeactivate = true
    }
    this.pgstealDirect += sc.nrReclaimed
    this.directReclaim_ns += sc.cost_ns
    this.alloc.stall_ns += sc.cost_ns
    this.cfg.emit?.({
      t_ms: this.cfg.queue.now_ns / NS_PER_MS,
      kind: 'direct_reclaim',
      order,
      count: sc.nrReclaimed,
      kib: sc.nrReclaimed * 4,
      dur_ms: sc.cost_ns / NS_PER_MS,
      detail: `try_to_free_pages(order ${order}) on cpu ${cpu}: reclaimed ${sc.nrReclaimed * 4} KiB${sc.compactionReady ? ', compaction can go ahead' : ''}`,
    })
    return result
  }

  /** shrink_zones(): the node once, unless every zone is ready for a costly order's compaction. */
  private shrinkZones(sc: ScanControl): void {
    for (let z = sc.reclaimIdx; z >= 0; z--) {
      if (this.alloc.zoneManagedPages(z) === 0) continue
      if (sc.order > PAGE_ALLOC_COSTLY_ORDER && this.compactionReady(z, sc)) {
        sc.compactionReady = true
        continue
      }
      this.shrinkNode(sc)
      return
    }
  }

  /** compaction_ready(): the allocation can succeed already, or compaction can go ahead with a gap above high. */
  private compactionReady(zone: number, sc: ScanControl): boolean {
    const a = this.alloc
    if (a.watermarkOk(zone, sc.order, a.wmarkMin(zone) + a.watermarkBoost(zone), sc.reclaimIdx)) return true
    if (!compactionSuitable(a, zone, sc.order, sc.reclaimIdx)) return false
    return a.watermarkOk(zone, 0, a.wmarkHigh(zone) + a.watermarkBoost(zone) + compactGap(sc.order), sc.reclaimIdx)
  }

  // ---- the node (shrink_node()) ----

  private shrinkNode(sc: ScanControl): void {
    for (;;) {
      const reclaimedBefore = sc.nrReclaimed
      this.prepareScanCount(sc)
      for (const lruvec of this.memcgs()) this.shrinkLruvec(lruvec, sc)
      const nodeReclaimed = sc.nrReclaimed - reclaimedBefore
      // a successful reclaim revives a dormant kswapd
      if (nodeReclaimed !== 0) this.kswapdFailures = 0
      if (!this.shouldContinueReclaim(nodeReclaimed, sc)) return
    }
  }

  /** The lruvec of every memory cgroup, in creation order (mem_cgroup_iter()). */
  private memcgs(): Lruvec[] {
    const sets = this.rmap.sets
    if (this.lruvecsFor !== sets.length) {
      const anon = sets.filter((s) => s.lru === LRU_INACTIVE_ANON).map((s) => [s, null, null, null])
      const inactiveFile = sets.find((s) => s.lru === LRU_INACTIVE_FILE) ?? null
      const activeFile = sets.find((s) => s.lru === LRU_ACTIVE_FILE) ?? null
      this.lruvecs = inactiveFile === null && activeFile === null ? anon : [...anon, [null, null, inactiveFile, activeFile]]
      this.lruvecsFor = sets.length
    }
    return this.lruvecs
  }

  /** can_reclaim_anon_pages(): swap space left. */
  private canReclaimAnon(): boolean {
    return this.swapUsedPages < this.swapPages
  }

  /** inactive_is_low() of the node's lists. */
  private inactiveIsLow(inactiveLru: number): boolean {
    return inactiveIsLow(this.lruPages(inactiveLru), this.lruPages(inactiveLru + 1))
  }

  /** prepare_scan_count(): may the active lists be aged, is there cache to trim, is the file LRU tiny. */
  private prepareScanCount(sc: ScanControl): void {
    if (!sc.forceDeactivate) {
      sc.mayDeactivate = 0
      if (this.inactiveIsLow(LRU_INACTIVE_ANON)) sc.mayDeactivate |= DEACTIVATE_ANON
      if (this.inactiveIsLow(LRU_INACTIVE_FILE)) sc.mayDeactivate |= DEACTIVATE_FILE
    } else {
      sc.mayDeactivate = DEACTIVATE_ANON | DEACTIVATE_FILE
    }
    const inactiveFile = this.lruPages(LRU_INACTIVE_FILE)
    sc.cacheTrimMode = inactiveFile >> sc.priority !== 0 && (sc.mayDeactivate & DEACTIVATE_FILE) === 0
    let free = 0
    let totalHigh = 0
    for (let z = 0; z < NR_ZONES; z++) {
      if (this.alloc.zoneManagedPages(z) === 0) continue
      free += this.alloc.nrFreePages(z)
      totalHigh += this.alloc.wmarkHigh(z) + this.alloc.watermarkBoost(z)
    }
    const file = inactiveFile + this.lruPages(LRU_ACTIVE_FILE)
    sc.fileIsTiny = file + free <= totalHigh && (sc.mayDeactivate & DEACTIVATE_ANON) === 0 && this.lruPages(LRU_INACTIVE_ANON) >> sc.priority !== 0
  }

  /** get_scan_count(): how many pages of each list of `lruvec` to scan at this priority. */
  private getScanCount(lruvec: Lruvec, sc: ScanControl): void {
    const swappiness = this.cfg.swappiness
    let balance: number
    let fractionAnon = 0
    let fractionFile = 0
    if (!sc.maySwap || !this.canReclaimAnon()) balance = SCAN_FILE
    else if (sc.priority === 0 && swappiness !== 0) balance = SCAN_EQUAL
    else if (sc.fileIsTiny) balance = SCAN_ANON
    else if (sc.cacheTrimMode) balance = SCAN_FILE
    else {
      balance = SCAN_FRACT
      // pressure inversely proportional to each list's recent cost, at least a third before swappiness
      let totalCost = this.anonCost + this.fileCost
      const anonCost = totalCost + this.anonCost
      const fileCost = totalCost + this.fileCost
      totalCost = anonCost + fileCost
      fractionAnon = Math.floor((swappiness * (totalCost + 1)) / (anonCost + 1))
      fractionFile = Math.floor(((200 - swappiness) * (totalCost + 1)) / (fileCost + 1))
    }
    for (let lru = 0; lru < NR_LRU_LISTS; lru++) {
      const file = lru >= LRU_INACTIVE_FILE
      let scan = Math.floor((lruvec[lru]?.lruPages ?? 0) / 2 ** sc.priority)
      if (balance === SCAN_FRACT) scan = Math.floor((scan * (file ? fractionFile : fractionAnon)) / (fractionAnon + fractionFile))
      else if (balance === SCAN_FILE) scan = file ? scan : 0
      else if (balance === SCAN_ANON) scan = file ? 0 : scan
      this.nr[lru] = scan
    }
  }

  /** shrink_lruvec(): the lists in SWAP_CLUSTER_MAX steps; kswapd stops once it has its target, keeping anon:file proportional. */
  private shrinkLruvec(lruvec: Lruvec, sc: ScanControl): void {
    const nr = this.nr
    const targets = this.targets
    this.getScanCount(lruvec, sc)
    targets.set(nr)
    const proportionalReclaim = !sc.kswapd && sc.priority === DEF_PRIORITY
    let nrReclaimed = 0
    while (nr[LRU_INACTIVE_ANON] !== 0 || nr[LRU_ACTIVE_FILE] !== 0 || nr[LRU_INACTIVE_FILE] !== 0) {
      for (let lru = 0; lru < NR_LRU_LISTS; lru++) {
        if (nr[lru] === 0) continue
        const n = Math.min(nr[lru], SWAP_CLUSTER_MAX)
        nr[lru] -= n
        nrReclaimed += this.shrinkList(lru, n, lruvec, sc)
      }
      if (nrReclaimed < sc.nrToReclaim || proportionalReclaim) continue
      const nrFile = nr[LRU_INACTIVE_FILE] + nr[LRU_ACTIVE_FILE]
      const nrAnon = nr[LRU_INACTIVE_ANON] + nr[LRU_ACTIVE_ANON]
      if (nrFile === 0 || nrAnon === 0) break
      let lru: number
      let percentage: number
      if (nrFile > nrAnon) {
        lru = LRU_INACTIVE_ANON
        percentage = Math.floor((nrAnon * 100) / (targets[LRU_INACTIVE_ANON] + targets[LRU_ACTIVE_ANON] + 1))
      } else {
        lru = LRU_INACTIVE_FILE
        percentage = Math.floor((nrFile * 100) / (targets[LRU_INACTIVE_FILE] + targets[LRU_ACTIVE_FILE] + 1))
      }
      // stop scanning the smaller pair, scale the other to what was asked of it
      nr[lru] = 0
      nr[lru + 1] = 0
      lru = lru === LRU_INACTIVE_FILE ? LRU_INACTIVE_ANON : LRU_INACTIVE_FILE
      for (const l of [lru, lru + 1]) {
        const scanned = targets[l] - nr[l]
        nr[l] = Math.floor((targets[l] * (100 - percentage)) / 100)
        nr[l] -= Math.min(nr[l], scanned)
      }
    }
    sc.nrReclaimed += nrReclaimed
  }

  /** shrink_list(): age an active list if allowed, or reclaim from an inactive one. */
  private shrinkList(lru: number, nrToScan: number, lruvec: Lruvec, sc: ScanControl): number {
    const set = lruvec[lru]
    if (set === null) return 0
    if (lru === LRU_ACTIVE_ANON || lru === LRU_ACTIVE_FILE) {
      if ((sc.mayDeactivate & (lru === LRU_ACTIVE_FILE ? DEACTIVATE_FILE : DEACTIVATE_ANON)) !== 0) this.shrinkActiveList(nrToScan, set, lruvec[lru - 1], sc)
      else sc.skippedDeactivate = true
      return 0
    }
    return this.shrinkInactiveList(nrToScan, set, lru === LRU_INACTIVE_FILE, sc)
  }

  /**
   * shrink_inactive_list() with isolate_lru_folios() and shrink_folio_list(): up to `nrToScan`
   * pages from the oldest end. A clean page cache page is dropped; an anonymous page whose PTE is
   * young is kept once (PG_referenced set, back to the young end), else written to swap. What
   * is reclaimed is freed through the per-CPU lists.
   */
  private shrinkInactiveList(nrToScan: number, set: AllocSet, file: boolean, sc: ScanControl): number {
    const rmap = this.rmap
    let scanned = 0
    let reclaimed = 0
    let pageout = 0
    // records not on the LRU (kernel memory in a tag with user memory) are passed over, once each
    let passes = set.length
    while (scanned < nrToScan && set.length > 0 && passes-- > 0) {
      const pfn = set.pfnAt(0)
      const order = set.orderAt(0)
      const flags = rmap.flags(pfn)
      if ((flags & PG_LRU) === 0) {
        set.rotate(flags)
        continue
      }
      const pages = 1 << order
      scanned += pages
      if (file) {
        set.shift()
        this.freeReclaimed(pfn, order, sc)
        reclaimed += pages
        continue
      }
      // folio_check_references() for a mapped anonymous folio
      if ((flags & PTE_YOUNG) !== 0) {
        set.rotate((flags & ~PTE_YOUNG) | PG_REFERENCED)
        continue
      }
      if (this.swapUsedPages + pages > this.swapPages) {
        set.rotate(flags)
        continue
      }
      // add_to_swap(), pageout(): the folio leaves the process for swap
      set.shift()
      set.swappedPages += pages
      this.swapUsedPages += pages
      this.pswpout += pages
      pageout += pages
      this.freeReclaimed(pfn, order, sc)
      reclaimed += pages
    }
    sc.nrScanned += scanned
    sc.nrPageout += pageout
    sc.cost_ns += scanned * SCAN_NS_PER_PAGE + (reclaimed - pageout) * RECLAIM_FILE_NS_PER_PAGE + pageout * SWAPOUT_NS_PER_PAGE
    this.lruNoteCost(file, pageout, scanned - reclaimed)
    return reclaimed
  }

  /** free_unref_page_list() of one reclaimed folio. */
  private freeReclaimed(pfn: number, order: number, sc: ScanControl): void {
    this.alloc.freePages(pfn, order, sc.cpu)
    this.cfg.released(1 << order)
  }

  /**
   * shrink_active_list(): up to `nrToScan` pages from the oldest end of the active list onto the
   * young end of the inactive one (rotating referenced executable file pages is not modelled).
   */
  private shrinkActiveList(nrToScan: number, active: AllocSet, inactive: AllocSet | null, sc: ScanControl): void {
    if (inactive === null) return
    let scanned = 0
    while (scanned < nrToScan && active.length > 0) {
      const pfn = active.pfnAt(0)
      const order = active.orderAt(0)
      const flags = this.rmap.flags(pfn)
      active.shift()
      inactive.push(pfn, order, flags & ~PTE_YOUNG)
      scanned += 1 << order
    }
    sc.cost_ns += scanned * SCAN_NS_PER_PAGE
  }

  /** lru_note_cost(): IO weighs SWAP_CLUSTER_MAX pages of CPU; halve both costs past a quarter of the LRU. */
  private lruNoteCost(file: boolean, nrIo: number, nrRotated: number): void {
    const cost = nrIo * SWAP_CLUSTER_MAX + nrRotated
    if (file) this.fileCost += cost
    else this.anonCost += cost
    let lrusize = 0
    for (let lru = 0; lru < NR_LRU_LISTS; lru++) lrusize += this.lruPages(lru)
    if (this.fileCost + this.anonCost > lrusize / 4) {
      this.fileCost = Math.floor(this.fileCost / 2)
      this.anonCost = Math.floor(this.anonCost / 2)
    }
  }

  /**
   * should_continue_reclaim(): in reclaim/compaction mode (costly order, or a high order at low
   * priority) keep reclaiming until compaction could go ahead, while the inactive lists hold
   * more than compact_gap().
   */
  private shouldContinueReclaim(nrReclaimed: number, sc: ScanControl): boolean {
    if (!(sc.order !== 0 && (sc.order > PAGE_ALLOC_COSTLY_ORDER || sc.priority < DEF_PRIORITY - 2))) return false
    if (nrReclaimed === 0) return false
    const a = this.alloc
    for (let z = 0; z <= sc.reclaimIdx; z++) {
      if (a.zoneManagedPages(z) === 0) continue
      if (a.watermarkOk(z, sc.order, a.wmarkMin(z) + a.watermarkBoost(z), sc.reclaimIdx)) return false
      if (compactionSuitable(a, z, sc.order, sc.reclaimIdx)) return false
    }
    let inactive = this.lruPages(LRU_INACTIVE_FILE)
    if (this.canReclaimAnon()) inactive += this.lruPages(LRU_INACTIVE_ANON)
    return inactive > compactGap(sc.order)
  }
}
