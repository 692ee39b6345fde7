// __alloc_pages_slowpath() of mm/page_alloc.c (Linux 6.6): what an allocation does when the fast
// path (the low watermark, without fragmenting fallbacks) found nothing. Wake kswapd (and through
// it kcompactd), retry at the min watermark, compact first for costly orders and for non-movable
// high orders, then direct reclaim and compaction in a loop while they make progress. The
// allocation's gfp (gfp.ts) decides what it may do: a THP fault under the default defrag setting
// may stall only in a madvised region and never retries.
//
// Not modelled: the OOM killer (an allocation that reclaim and compaction cannot serve fails
// here; the kernel would kill a task and retry), ALLOC_NO_WATERMARKS and the other reserves
// (PF_MEMALLOC, __GFP_HIGH, GFP_ATOMIC), unreserve_highatomic_pageblock(), cpuset retries,
// throttle_direct_reclaim().
import { COMPACT_DEFERRED, COMPACT_SKIPPED, COMPACT_SUCCESS, DEF_COMPACT_PRIORITY, INIT_COMPACT_PRIORITY, MIN_COMPACT_COSTLY_PRIORITY, MIN_COMPACT_PRIORITY, type Compaction, compactionSuitableFor } from './compaction'
import { __GFP_DIRECT_RECLAIM, __GFP_IO, __GFP_KSWAPD_RECLAIM, __GFP_NORETRY } from './gfp'
import { ALLOC_KSWAPD, ALLOC_WMARK_MIN, type AllocSlowpath, type PageAllocator } from './page_alloc'
import { MIGRATE_MOVABLE } from './page_alloc_api'
import { PAGE_ALLOC_COSTLY_ORDER } from './pcp'
import { MAX_RECLAIM_RETRIES, type Vmscan } from './vmscan'

/** MAX_COMPACT_RETRIES: compaction retries with progress before giving up. */
const MAX_COMPACT_RETRIES = 16

export class Slowpath implements AllocSlowpath {
  // the out-values of a direct compaction (compact_result, priority, retries), kept in fields
  private compactResult = COMPACT_SKIPPED
  private compactPriority = DEF_COMPACT_PRIORITY
  private compactionRetries = 0
  private noProgressLoops = 0

  constructor(
    private readonly alloc: PageAllocator,
    private readonly vmscan: Vmscan,
    private readonly compaction: Compaction,
  ) {}

  wakeupKswapdBoosted(zone: number): void {
    this.vmscan.wakeupKswapd(0, false, zone, 'watermark boost')
  }

  allocSlowpath(order: number, mt: number, cpu: number, gfp: number): number {
    const canDirectReclaim = (gfp & __GFP_DIRECT_RECLAIM) !== 0
    const canCompact = (gfp & __GFP_IO) !== 0
    const costly = order > PAGE_ALLOC_COSTLY_ORDER
    // gfp_to_alloc_flags(): the min watermark; none of our requests may dip into reserves
    const allocFlags = ALLOC_WMARK_MIN | ((gfp & __GFP_KSWAPD_RECLAIM) !== 0 ? ALLOC_KSWAPD : 0)
    this.compactionRetries = 0
    this.noProgressLoops = 0
    this.compactPriority = DEF_COMPACT_PRIORITY
    this.compactResult = COMPACT_SKIPPED
    if ((allocFlags & ALLOC_KSWAPD) !== 0) this.vmscan.wakeupKswapd(order, canDirectReclaim)
    let pfn = this.alloc.getPageFromFreelist(order, mt, cpu, allocFlags)
    if (pfn >= 0) return pfn
    // costly orders, and non-movable high orders, try (async) compaction before reclaim
    if (canDirectReclaim && canCompact && (costly || (order > 0 && mt !== MIGRATE_MOVABLE))) {
      pfn = this.directCompact(order, mt, cpu, allocFlags, INIT_COMPACT_PRIORITY)
      if (pfn >= 0) return pfn
      if (costly && (gfp & __GFP_NORETRY) !== 0) {
        // a THP fault that may not retry: give up if compaction could not even start
        if (this.compactResult === COMPACT_SKIPPED || this.compactResult === COMPACT_DEFERRED) return -1
        this.compactPriority = INIT_COMPACT_PRIORITY
      }
    }
    for (;;) {
      if ((allocFlags & ALLOC_KSWAPD) !== 0) this.vmscan.wakeupKswapd(order, canDirectReclaim)
      pfn = this.alloc.getPageFromFreelist(order, mt, cpu, allocFlags)
      if (pfn >= 0) return pfn
      if (!canDirectReclaim) return -1
      const progress = this.vmscan.tryToFreePages(order, cpu)
      if (progress !== 0) {
        pfn = this.alloc.getPageFromFreelist(order, mt, cpu, allocFlags)
        if (pfn < 0) {
          // pages may sit on the per-CPU lists: drain them and try once more
          this.alloc.drainAllPages()
          pfn = this.alloc.getPageFromFreelist(order, mt, cpu, allocFlags)
        }
        if (pfn >= 0) return pfn
      }
      pfn = this.directCompact(order, mt, cpu, allocFlags, this.compactPriority)
      if (pfn >= 0) return pfn
      if ((gfp & __GFP_NORETRY) !== 0) return -1
      // costly orders do not retry without __GFP_RETRY_MAYFAIL (none of the lab's requests has it)
      if (costly) return -1
      if (this.shouldReclaimRetry(order, progress !== 0)) continue
      if (progress !== 0 && canCompact && this.shouldCompactRetry(order)) continue
      // the kernel would try the OOM killer here
      return -1
    }
  }

  /** __alloc_pages_direct_compact(). */
  private directCompact(order: number, mt: number, cpu: number, allocFlags: number, prio: number): number {
    if (order === 0) return -1
    this.compactResult = this.compaction.tryToCompactPages(order, mt, allocFlags & 3, prio, cpu)
    if (this.compactResult === COMPACT_SKIPPED) return -1
    this.compaction.compactStall++
    const pfn = this.alloc.getPageFromFreelist(order, mt, cpu, allocFlags)
    if (pfn >= 0) {
      this.compaction.directCompactionSucceeded(this.alloc.zoneOfPfn(pfn), order)
      this.compaction.compactSuccess++
      return pfn
    }
    this.compaction.compactFail++
    return -1
  }

  /**
   * should_reclaim_retry(): retry while reclaim makes progress (for orders up to 3) and some zone
   * would pass its min watermark with every reclaimable page freed; at most MAX_RECLAIM_RETRIES
   * rounds without progress. The reclaimable pages are the node's (the lab keeps the LRU per node).
   */
  private shouldReclaimRetry(order: number, didProgress: boolean): boolean {
    if (didProgress && order <= PAGE_ALLOC_COSTLY_ORDER) this.noProgressLoops = 0
    else this.noProgressLoops++
    if (this.noProgressLoops > MAX_RECLAIM_RETRIES) return false
    const a = this.alloc
    const reclaimable = this.vmscan.reclaimablePages()
    for (let z = a.preferredZone; z >= 0; z--) {
      if (a.zoneManagedPages(z) === 0) continue
      if (a.watermarkOk(z, order, a.wmarkMin(z) + a.watermarkBoost(z), a.preferredZone, a.nrFreePages(z) + reclaimable)) return true
    }
    return false
  }

  /** should_compact_retry(): after a skip, retry if reclaim could make room; after success, retry a few times; else raise the priority. */
  private shouldCompactRetry(order: number): boolean {
    if (order === 0) return false
    if (this.compactResult === COMPACT_SKIPPED) return this.compactionZonelistSuitable(order)
    if (this.compactResult === COMPACT_SUCCESS) {
      const maxRetries = order > PAGE_ALLOC_COSTLY_ORDER ? MAX_COMPACT_RETRIES / 4 : MAX_COMPACT_RETRIES
      if (++this.compactionRetries <= maxRetries) return true
    }
    const minPriority = order > PAGE_ALLOC_COSTLY_ORDER ? MIN_COMPACT_COSTLY_PRIORITY : MIN_COMPACT_PRIORITY
    if (this.compactPriority > minPriority) {
      this.compactPriority--
      this.compactionRetries = 0
      return true
    }
    return false
  }

  /** compaction_zonelist_suitable(): would compaction be suitable with 1/order of the reclaimable pages freed? */
  private compactionZonelistSuitable(order: number): boolean {
    const a = this.alloc
    const reclaimable = Math.floor(this.vmscan.reclaimablePages() / order)
    for (let z = a.preferredZone; z >= 0; z--) {
      if (a.zoneManagedPages(z) === 0) continue
      if (compactionSuitableFor(a, z, order, a.preferredZone, a.nrFreePages(z) + reclaimable)) return true
    }
    return false
  }
}
