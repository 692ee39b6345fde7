// The buddy allocator of Linux 6.6 x86_64 (mm/page_alloc.c): __free_one_page(), __rmqueue() with
// the migratetype fallbacks, the per-CPU lists, get_page_from_freelist() over the zonelist, and
// __isolate_free_page()/__putback_isolated_page() for page reporting, plus take_page_off_buddy()
// and split_page() for trace replay. State is kept in flat typed arrays indexed by pfn
// (memmap.ts, list.ts); nothing is allocated on the hot paths.
//
// What happens when the fast path fails (__alloc_pages_slowpath(): kswapd, direct reclaim and
// compaction) is in slowpath.ts, vmscan.ts and compaction.ts, attached with attachSlowpath(); a
// boost is cleared by kswapd only (balance_pgdat()).
//
// Out of scope, on purpose: CMA areas, MIGRATE_ISOLATE ranges (so nothing bypasses the pcp lists),
// ALLOC_HIGHATOMIC/ALLOC_OOM allocations (reserveHighatomicPageblock() stands in for the
// reservation they make), and the boot-time shuffle of the free lists (only shuffle_pick_tail()).
import { PFN_STATES } from '../../common/api'
import * as api from './page_alloc_api'
import type { NotifyFree, PageAlloc, PageAllocConfig } from './page_alloc_api'
import * as gfp from './gfp'
import { PfnLists } from './list'
import * as memmap from './memmap'
import * as freeArea from './free_area'
import * as mmzone from './mmzone'
import type { ZoneLayout } from './mmzone'
import * as pcp from './pcp'
import type { PcpZoneOps } from './pcp'
import { initPerZoneWmarkMin } from './watermark'
import { formatBuddyinfo, formatPagetypeinfo, formatZoneinfo } from './vmstat'
import { checkPageAlloc } from './page_alloc_check'
import { checkMemmapHole, memmapIdx, physPfn } from './sparse'

// Plain module-local copies of imported constants for the hot paths: vitest's module transform
// turns every use of an imported name into a property load (5x slower allocator under test).
const { MAX_ORDER, MIGRATE_HIGHATOMIC, MIGRATE_MOVABLE, MIGRATE_PCPTYPES, MIGRATE_RECLAIMABLE, MIGRATE_TYPES, MIGRATE_UNMOVABLE, NR_PAGE_ORDERS, NR_ZONES, ZONE_NORMAL } = api
const { KIND_ALLOCATED, KIND_BUDDY, KIND_HOLE, KIND_ISOLATED, KIND_PCP, KIND_RESERVED, KIND_TAIL, MemMap, MT_MASK, MT_SHIFT, ORDER_SHIFT, PG_MERGED_REPORTED, PG_REPORTED, pageWord } = memmap
const { FreeArea, NR_FREE_LISTS, freeListId } = freeArea
const { computeZoneLayout, memmapZoneIdx, ZONE_NAMES } = mmzone
const { FPI_NONE, PerCpuPages } = pcp
const { __GFP_KSWAPD_RECLAIM, GFP_KERNEL } = gfp

/** fpi_t flags. */
const FPI_SKIP_REPORT_NOTIFY = 1
const FPI_TO_TAIL = 2

/** alloc_flags (mm/internal.h): the low bits index the watermark (ALLOC_WMARK_MASK). */
export const ALLOC_WMARK_MIN = 0
export const ALLOC_WMARK_LOW = 1
export const ALLOC_WMARK_HIGH = 2
const ALLOC_WMARK_MASK = 3
export const ALLOC_NOFRAGMENT = 0x100
/** __GFP_KSWAPD_RECLAIM: the allocation may wake kswapd (a boosted zone does, in rmqueue()). */
export const ALLOC_KSWAPD = 0x800

/** The allocator's way out when the fast path fails, and kswapd's wakeup (vmscan.ts, slowpath.ts). */
export interface AllocSlowpath {
  /** __alloc_pages_slowpath(): the pfn or -1; time the caller stalled goes to PageAllocator.stall_ns. */
  allocSlowpath(order: number, mt: number, cpu: number, gfp: number): number
  /** wakeup_kswapd(zone, 0, 0, zone_idx(zone)) from rmqueue() when ZONE_BOOSTED_WATERMARK was set. */
  wakeupKswapdBoosted(zone: number): void
}

/** fallbacks[][]: two fallback types per PCP type, in the order __rmqueue_fallback() tries them. */
const FALLBACKS = Int8Array.of(
  MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE, // UNMOVABLE
  MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE, // MOVABLE
  MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, // RECLAIMABLE
)

const STATE_HOLE = PFN_STATES.indexOf('hole')
const STATE_ALLOCATED = PFN_STATES.indexOf('allocated')
const STATE_FREE = PFN_STATES.indexOf('free')
const STATE_REPORTED = PFN_STATES.indexOf('reported')
const STATE_ISOLATED = PFN_STATES.indexOf('isolated')
const STATE_PCP = PFN_STATES.indexOf('pcp')

/** The migratetype bits an allocated head keeps beside its kind and order (page words of ALLOCATED heads differ only there). */
const ALLOCATED_MT_MASK = MT_MASK << MT_SHIFT

/** A frame inside a block: no order, kind tail. */
const TAIL_PAGE = pageWord(-1, KIND_TAIL)

/** migratetype_is_mergeable(): Unmovable, Movable, Reclaimable. */
const isMergeable = (mt: number): boolean => mt < MIGRATE_PCPTYPES

function checkInt(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`PageAllocConfig.${field}: expected an integer in ${min}..${max}, got ${value}`)
  }
}

function validateConfig(config: PageAllocConfig): void {
  checkInt('cpus', config.cpus, 1, 8192)
  if (config.pageblockOrder !== 9 && config.pageblockOrder !== 10) {
    throw new Error(`PageAllocConfig.pageblockOrder: expected 9 (hugetlb) or 10, got ${String(config.pageblockOrder)}`)
  }
  if (config.pcpHighMode !== 'six-batch' && config.pcpHighMode !== 'low-wmark') {
    throw new Error(`PageAllocConfig.pcpHighMode: expected 'six-batch' or 'low-wmark', got ${String(config.pcpHighMode)}`)
  }
  checkInt('percpuPagelistHighFraction', config.percpuPagelistHighFraction, 0, 2 ** 30)
  if (config.minFreeKbytes !== null) checkInt('minFreeKbytes', config.minFreeKbytes, 0, 2 ** 30)
  checkInt('watermarkScaleFactor', config.watermarkScaleFactor, 1, 10000)
  checkInt('watermarkBoostFactor', config.watermarkBoostFactor, 0, 2 ** 30)
}

export class PageAllocator implements PageAlloc, PcpZoneOps {
  readonly nrZones = NR_ZONES
  readonly pageblockOrder: number
  readonly pageblockNrPages: number
  /** Every pfn of the allocator is a memmap index (sparse.ts): the pfn itself, unless the layout leaves out a hole. */
  readonly maxPfn: number
  readonly layout: ZoneLayout
  /** layout.dma32EndPfn, for memmapZoneIdx() on the hot paths. */
  readonly dma32EndPfn: number
  readonly memmap: memmap.MemMap
  readonly lists: PfnLists
  readonly area: freeArea.FreeArea
  readonly pcp: pcp.PerCpuPages
  /** Shortcuts into memmap for the hot paths. */
  readonly page: Uint16Array
  readonly pageblockMt: Uint8Array

  readonly managedPages: Int32Array
  /** NR_FREE_PAGES per zone: pages on the buddy free lists. */
  readonly nrFreePagesByZone = new Int32Array(NR_ZONES)
  /** _watermark[WMARK_MIN/LOW/HIGH] at zone * 3 + mark, without boost. */
  readonly watermark = new Int32Array(NR_ZONES * 3)
  readonly watermarkBoostByZone = new Int32Array(NR_ZONES)
  /** lowmem_reserve[j] of zone i at i * NR_ZONES + j. */
  readonly lowmemReserve: Int32Array
  readonly nrReservedHighatomicByZone = new Int32Array(NR_ZONES)
  /** Pages held by page reporting between __isolate_free_page() and the put-back. */
  readonly isolatedByZone = new Int32Array(NR_ZONES)
  /** ZONE_BOOSTED_WATERMARK: a steal boosted the zone; rmqueue() wakes kswapd. */
  readonly boostedFlag = new Uint8Array(NR_ZONES)
  readonly minFreeKbytes: number

  /** The first zone of the zonelist (highest populated zone) and the flags its allocations start with. */
  readonly preferredZone: number
  readonly initialAllocFlags: number

  readonly putbackToTail: boolean
  readonly shuffle: boolean
  readonly watermarkBoostFactor: number
  readonly randomBit: () => number
  readonly notifyFree: NotifyFree

  /** __alloc_pages_slowpath() and kswapd, once attached (without: retry at the min watermark, nothing clears a boost). */
  slowpath: AllocSlowpath | null = null
  /** Time allocations stalled in direct reclaim and compaction since the caller last took it (takeStall_ns()). */
  stall_ns = 0
  /** The struct page lru words of allocated block heads: the workload's reverse map (alloc_set.ts). */
  readonly rmap: Int32Array

  /** Out-values of findSuitableFallback()/moveFreepages(), kept in fields to avoid allocating. */
  private canSteal = false
  private movablePages = 0
  /** Where prefetch loads go, so that the compiler keeps them. */
  private prefetched = 0

  constructor(config: PageAllocConfig) {
    validateConfig(config)
    const layout = computeZoneLayout(config.ranges, config.reservedPages, config.lowReserveEndPfn ?? 1, config.sparseMemmap ?? false)
    checkMemmapHole(layout.hole, config.pageblockOrder)
    this.layout = layout
    this.maxPfn = layout.maxPfn
    this.dma32EndPfn = layout.dma32EndPfn
    this.pageblockOrder = config.pageblockOrder
    this.pageblockNrPages = 1 << config.pageblockOrder
    this.putbackToTail = config.putbackToTail
    this.shuffle = config.shuffle
    this.watermarkBoostFactor = config.watermarkBoostFactor
    this.randomBit = config.randomBit
    this.notifyFree = config.notifyFree
    this.managedPages = layout.managedPages

    this.memmap = new MemMap(layout.nrPfns, config.pageblockOrder)
    this.page = this.memmap.page
    this.pageblockMt = this.memmap.pageblockMt
    this.lists = new PfnLists(layout.nrPfns, NR_FREE_LISTS)
    this.rmap = this.lists.link
    this.area = new FreeArea(this.lists, this.memmap)
    this.pcp = new PerCpuPages(
      { cpus: config.cpus, pcpOrders: config.pcpOrders, pageblockOrder: config.pageblockOrder, highMode: config.pcpHighMode, ...(config.pcpGeneration !== undefined ? { generation: config.pcpGeneration } : {}) },
      this.memmap,
      this,
    )

    // memmap_init_range(): present frames exist; each pageblock-aligned present pfn makes its pageblock Movable.
    for (const r of layout.present) {
      this.page.fill(pageWord(-1, KIND_TAIL), r.startPfn, r.endPfn)
      const first = Math.ceil(r.startPfn / this.pageblockNrPages) * this.pageblockNrPages
      for (let pfn = first; pfn < r.endPfn; pfn += this.pageblockNrPages) this.pageblockMt[pfn >> this.pageblockOrder] = MIGRATE_MOVABLE
    }
    for (const r of layout.reserved) this.page.fill(pageWord(-1, KIND_RESERVED), r.startPfn, r.endPfn)

    const marks = initPerZoneWmarkMin({
      managedPages: layout.managedPages,
      presentPages: layout.presentPages,
      minFreeKbytes: config.minFreeKbytes,
      thpEnabled: config.thpEnabled,
      pageblockOrder: config.pageblockOrder,
      watermarkScaleFactor: config.watermarkScaleFactor,
    })
    this.minFreeKbytes = marks.minFreeKbytes
    for (let z = 0; z < NR_ZONES; z++) {
      this.watermark[z * 3 + ALLOC_WMARK_MIN] = marks.min[z]
      this.watermark[z * 3 + ALLOC_WMARK_LOW] = marks.low[z]
      this.watermark[z * 3 + ALLOC_WMARK_HIGH] = marks.high[z]
      this.pcp.setHighAndBatch(z, layout.managedPages[z], marks.low[z], config.percpuPagelistHighFraction)
    }
    this.lowmemReserve = marks.lowmemReserve

    let preferred = ZONE_NORMAL
    while (preferred > 0 && layout.managedPages[preferred] === 0) preferred--
    this.preferredZone = preferred
    // alloc_flags_nofragment(): with a Normal zone, first try not to fragment (steal only whole pageblocks).
    this.initialAllocFlags = ALLOC_WMARK_LOW | (preferred === ZONE_NORMAL ? ALLOC_NOFRAGMENT : 0)

    for (const r of layout.free) this.freePagesMemory(r.startPfn, r.endPfn)
  }

  /** __free_pages_memory() -> __free_pages_core(): the largest aligned chunks, FPI_TO_TAIL (memblock_free_all()). */
  private freePagesMemory(start: number, end: number): void {
    while (start < end) {
      let order = start === 0 ? MAX_ORDER : Math.min(MAX_ORDER, 31 - Math.clz32(start & -start))
      while (start + (1 << order) > end) order--
      this.freeOnePage(start, memmapZoneIdx(start, this.dma32EndPfn), order, this.pageblockMt[start >> this.pageblockOrder], FPI_TO_TAIL)
      start += 1 << order
    }
  }

  // ---- the buddy free lists ----

  /** __free_one_page(): merge with free buddies, place at head or tail, account, notify. */
  freeOnePage(pfn: number, zone: number, order: number, mt: number, fpi: number): void {
    const page = this.page
    const { link, head, tail } = this.lists
    const { nrFree, nrReported, nrMergedReported } = this.area
    const pbo = this.pageblockOrder
    let mergedReported = false
    page[pfn] = TAIL_PAGE
    this.nrFreePagesByZone[zone] += 1 << order
    let buddyPfn = 0
    while (order < MAX_ORDER) {
      buddyPfn = pfn ^ (1 << order)
      // page_is_buddy(); zone boundaries are MAX_ORDER-aligned on x86_64, so a buddy is always in the same zone.
      const buddy = page[buddyPfn]
      if ((buddy & ~(PG_REPORTED | PG_MERGED_REPORTED)) !== (KIND_BUDDY | ((order + 1) << ORDER_SHIFT))) break
      if (order >= pbo) {
        // No merging across pageblocks whose types have no fallbacks (HighAtomic, CMA, Isolate).
        const buddyMt = this.pageblockMt[buddyPfn >> pbo]
        if (mt !== buddyMt && (!isMergeable(mt) || !isMergeable(buddyMt))) break
      }
      // del_page_from_free_list(), inlined: the merge loop is the hottest path of every free.
      const i = zone * NR_PAGE_ORDERS + order
      if ((buddy & (PG_REPORTED | PG_MERGED_REPORTED)) !== 0) {
        // the merged block starts unflagged: what the host dropped is reported again (kernel-spec §1.9)
        if ((buddy & PG_REPORTED) !== 0) nrReported[i]--
        else nrMergedReported[i]--
        mergedReported = true
      }
      const n = link[2 * buddyPfn]
      const p = link[2 * buddyPfn + 1]
      if (p >= 0) link[2 * p] = n
      else head[-2 - p] = n >= 0 ? n : -1
      if (n >= 0) link[2 * n + 1] = p
      else tail[-2 - n] = p >= 0 ? p : -1
      page[buddyPfn] = TAIL_PAGE
      nrFree[i]--
      pfn &= buddyPfn
      order++
    }
    let toTail: boolean
    if ((fpi & FPI_TO_TAIL) !== 0) toTail = true
    else if (this.shuffle && order >= MAX_ORDER) toTail = this.randomBit() !== 0
    else toTail = this.buddyMergeLikely(pfn, buddyPfn, order)
    this.area.add(pfn, zone, order, mt, toTail)
    if (mergedReported) this.area.setMergedReported(pfn, zone, order)
    if ((fpi & FPI_SKIP_REPORT_NOTIFY) === 0) this.notifyFree(zone, order)
  }

  /** buddy_merge_likely(): tail placement when the order+1 buddy is already free (orders below 9). */
  private buddyMergeLikely(pfn: number, buddyPfn: number, order: number): boolean {
    if (order >= MAX_ORDER - 1) return false
    const higherBuddy = (buddyPfn & pfn) ^ (1 << (order + 1))
    return this.memmap.isBuddy(higherBuddy, order + 1)
  }

  /** __rmqueue_smallest(): the head of the smallest non-empty list of `mt`, split by expand(). */
  rmqueueSmallest(zone: number, order: number, mt: number): number {
    const head = this.lists.head
    for (let o = order; o <= MAX_ORDER; o++) {
      const pfn = head[(zone * NR_PAGE_ORDERS + o) * MIGRATE_TYPES + mt]
      if (pfn < 0) continue
      this.area.del(pfn, zone, o)
      this.expand(pfn, zone, order, o, mt)
      return pfn
    }
    return -1
  }

  /** expand(): the upper halves go to the head of their lists, unflagged; the caller keeps the lowest 2^low pages. */
  private expand(pfn: number, zone: number, low: number, high: number, mt: number): void {
    const page = this.page
    const { link, head, tail } = this.lists
    const nrFree = this.area.nrFree
    while (high > low) {
      high--
      // set_buddy_order() + add_to_free_list(), inlined.
      const half = pfn + (1 << high)
      const i = zone * NR_PAGE_ORDERS + high
      const id = i * MIGRATE_TYPES + mt
      page[half] = KIND_BUDDY | ((high + 1) << ORDER_SHIFT)
      const h = head[id]
      link[2 * half + 1] = -2 - id
      if (h >= 0) {
        link[2 * half] = h
        link[2 * h + 1] = half
      } else {
        link[2 * half] = -2 - id
        tail[id] = half
      }
      head[id] = half
      nrFree[i]++
    }
  }

  /** __rmqueue(): the requested type, else steal from a fallback type and retry (no CMA in this model). */
  rmqueueBlock(zone: number, order: number, mt: number, allocFlags: number): number {
    for (;;) {
      const pfn = this.rmqueueSmallest(zone, order, mt)
      if (pfn >= 0) return pfn
      if (!this.rmqueueFallback(zone, order, mt, allocFlags)) return -1
    }
  }

  /** Loads the memmap word (shared with the order-0 buddy) and the list links of `pfn` and its buddy. */
  prefetchBuddy(pfn: number): void {
    this.prefetched ^= this.page[pfn] ^ this.lists.link[2 * pfn]
  }

  modNrFreePages(zone: number, delta: number): void {
    this.nrFreePagesByZone[zone] += delta
  }

  /** can_steal_fallback(). */
  private canStealFallback(order: number, startMt: number): boolean {
    if (order >= this.pageblockOrder) return true
    return order >= this.pageblockOrder >> 1 || startMt === MIGRATE_RECLAIMABLE || startMt === MIGRATE_UNMOVABLE
  }

  /** find_suitable_fallback(..., only_stealable = false): sets canSteal. */
  private findSuitableFallback(zone: number, order: number, mt: number): number {
    if (this.area.nrFree[zone * NR_PAGE_ORDERS + order] === 0) return -1
    this.canSteal = false
    for (let i = 0; i < MIGRATE_PCPTYPES - 1; i++) {
      const fallbackMt = FALLBACKS[mt * 2 + i]
      if (this.area.first(zone, order, fallbackMt) < 0) continue
      if (this.canStealFallback(order, mt)) this.canSteal = true
      return fallbackMt
    }
    return -1
  }

  /** __rmqueue_fallback(): the largest block of a fallback type (the smallest for movable when it cannot steal). */
  private rmqueueFallback(zone: number, order: number, startMt: number, allocFlags: number): boolean {
    let minOrder = order
    if (order < this.pageblockOrder && (allocFlags & ALLOC_NOFRAGMENT) !== 0) minOrder = this.pageblockOrder
    let currentOrder = MAX_ORDER
    let fallbackMt = -1
    for (; currentOrder >= minOrder; currentOrder--) {
      fallbackMt = this.findSuitableFallback(zone, currentOrder, startMt)
      if (fallbackMt === -1) continue
      if (!this.canSteal && startMt === MIGRATE_MOVABLE && currentOrder > order) {
        for (currentOrder = order; currentOrder <= MAX_ORDER; currentOrder++) {
          fallbackMt = this.findSuitableFallback(zone, currentOrder, startMt)
          if (fallbackMt !== -1) break
        }
      }
      break
    }
    if (fallbackMt === -1) return false
    const pfn = this.area.first(zone, currentOrder, fallbackMt)
    this.stealSuitableFallback(zone, pfn, startMt, this.canSteal, allocFlags)
    return true
  }

  /** steal_suitable_fallback(): claim whole pageblocks, or move the block's free pages, or just this block. */
  private stealSuitableFallback(zone: number, pfn: number, startType: number, wholeBlock: boolean, allocFlags: number): void {
    const currentOrder = this.memmap.order(pfn)
    const oldBlockType = this.pageblockMt[pfn >> this.pageblockOrder]
    if (oldBlockType !== MIGRATE_HIGHATOMIC) {
      if (currentOrder >= this.pageblockOrder) {
        this.changePageblockRange(pfn, currentOrder, startType)
      } else {
        // the boost always; ZONE_BOOSTED_WATERMARK (kswapd woken in rmqueue()) only with ALLOC_KSWAPD
        if (this.boostWatermark(zone) && (allocFlags & ALLOC_KSWAPD) !== 0) this.boostedFlag[zone] = 1
        if (wholeBlock) {
          const freePages = this.moveFreepagesBlock(zone, pfn, startType)
          if (freePages !== 0) {
            const movable = this.movablePages
            let alikePages: number
            if (startType === MIGRATE_MOVABLE) alikePages = movable
            else if (oldBlockType === MIGRATE_MOVABLE) alikePages = this.pageblockNrPages - (freePages + movable)
            else alikePages = 0
            if (freePages + alikePages >= 1 << (this.pageblockOrder - 1)) this.pageblockMt[pfn >> this.pageblockOrder] = startType
            return
          }
        }
      }
    }
    this.area.move(pfn, zone, currentOrder, startType)
  }

  /** change_pageblock_range(). */
  private changePageblockRange(pfn: number, order: number, mt: number): void {
    const nr = 1 << (order - this.pageblockOrder)
    for (let i = 0; i < nr; i++) this.pageblockMt[(pfn >> this.pageblockOrder) + i] = mt
  }

  /** move_freepages_block(): the pageblock of `pfn`, clipped at the zone start; 0 if it crosses the zone end. */
  moveFreepagesBlock(zone: number, pfn: number, mt: number): number {
    let start = pfn & ~(this.pageblockNrPages - 1)
    const end = start + this.pageblockNrPages - 1
    if (!this.zoneSpansPfn(zone, start)) start = pfn
    if (!this.zoneSpansPfn(zone, end)) {
      this.movablePages = 0
      return 0
    }
    return this.moveFreepages(zone, start, end, mt)
  }

  /**
   * move_freepages(): every free block in [start, end] to the tail of the `mt` list (PG_reported
   * kept); counts pages of movable allocations (PageLRU / __PageMovable) in movablePages.
   */
  private moveFreepages(zone: number, start: number, end: number, mt: number): number {
    let moved = 0
    let movable = 0
    for (let pfn = start; pfn <= end; ) {
      const kind = this.memmap.kind(pfn)
      const order = this.memmap.order(pfn)
      if (kind === KIND_BUDDY) {
        this.area.move(pfn, zone, order, mt)
        moved += 1 << order
        pfn += 1 << order
      } else if (order >= 0) {
        if (kind === KIND_ALLOCATED && ((this.page[pfn] >> MT_SHIFT) & MT_MASK) === MIGRATE_MOVABLE) movable += 1 << order
        pfn += 1 << order
      } else {
        pfn++
      }
    }
    this.movablePages = movable
    return moved
  }

  private zoneSpansPfn(zone: number, pfn: number): boolean {
    return pfn >= this.layout.zoneStartPfn[zone] && pfn < this.layout.zoneEndPfn[zone]
  }

  /** boost_watermark(): + pageblock_nr_pages, capped at high * watermark_boost_factor / 10000 (at least a pageblock). */
  private boostWatermark(zone: number): boolean {
    if (this.watermarkBoostFactor === 0) return false
    if (this.pageblockNrPages * 4 > this.managedPages[zone]) return false
    let maxBoost = Math.floor((this.watermark[zone * 3 + ALLOC_WMARK_HIGH] * this.watermarkBoostFactor) / 10000)
    if (maxBoost === 0) return false
    maxBoost = Math.max(this.pageblockNrPages, maxBoost)
    this.watermarkBoostByZone[zone] = Math.min(this.watermarkBoostByZone[zone] + this.pageblockNrPages, maxBoost)
    return true
  }

  /** The end of balance_pgdat(): zone->watermark_boost -= min(watermark_boost, the boost kswapd saw on entry). */
  clearBoost(zone: number, seen: number): void {
    this.watermarkBoostByZone[zone] -= Math.min(this.watermarkBoostByZone[zone], seen)
  }

  // ---- watermarks and the zonelist ----

  /**
   * zone_watermark_ok(zone, order, mark, highest_zoneidx, 0) (or __zone_watermark_ok() with
   * `freePages` for its free-page count): `mark` includes the boost when the caller's does.
   */
  watermarkOk(zone: number, order: number, mark: number, highestZoneidx: number, freePages = this.nrFreePagesByZone[zone]): boolean {
    return this.zoneWatermarkOk(zone, order, mark, this.lowmemReserve[zone * NR_ZONES + highestZoneidx], freePages)
  }

  /** __zone_watermark_ok() without ALLOC_RESERVES, for highest_zoneidx given by `reserve`. */
  private zoneWatermarkOk(zone: number, order: number, mark: number, reserve: number, freePages: number): boolean {
    freePages -= (1 << order) - 1 + this.nrReservedHighatomicByZone[zone]
    if (freePages <= mark + reserve) return false
    if (order === 0) return true
    for (let o = order; o <= MAX_ORDER; o++) {
      if (this.area.nrFree[zone * NR_PAGE_ORDERS + o] === 0) continue
      for (let mt = 0; mt < MIGRATE_PCPTYPES; mt++) if (this.area.first(zone, o, mt) >= 0) return true
    }
    return false
  }

  /** zone_watermark_fast(). */
  private zoneWatermarkFast(zone: number, order: number, mark: number): boolean {
    const freePages = this.nrFreePagesByZone[zone]
    const reserve = this.lowmemReserve[zone * NR_ZONES + ZONE_NORMAL]
    if (order === 0) {
      const usable = freePages - Math.min(freePages, this.nrReservedHighatomicByZone[zone])
      if (usable > mark + reserve) return true
    }
    return this.zoneWatermarkOk(zone, order, mark, reserve, freePages)
  }

  /**
   * get_page_from_freelist(): zones Normal -> DMA32 -> DMA (highest_zoneidx Normal), each against
   * its watermark plus boost plus lowmem_reserve; with ALLOC_NOFRAGMENT a second round without it.
   */
  getPageFromFreelist(order: number, mt: number, cpu: number, allocFlags: number): number {
    for (;;) {
      const mark = allocFlags & ALLOC_WMARK_MASK
      for (let zone = this.preferredZone; zone >= 0; zone--) {
        if (this.managedPages[zone] === 0) continue
        if (!this.zoneWatermarkFast(zone, order, this.watermark[zone * 3 + mark] + this.watermarkBoostByZone[zone])) continue
        const pfn = this.rmqueue(zone, order, mt, cpu, allocFlags)
        if (pfn >= 0) return pfn
      }
      if ((allocFlags & ALLOC_NOFRAGMENT) === 0) return -1
      allocFlags &= ~ALLOC_NOFRAGMENT
    }
  }

  /** rmqueue(): the per-CPU list for PCP orders, else (or if that fails) the buddy under the zone lock. */
  private rmqueue(zone: number, order: number, mt: number, cpu: number, allocFlags: number): number {
    let pfn = -1
    if (this.pcp.allowedOrder[order] !== 0) pfn = this.pcp.rmqueuePcplist(zone, order, mt, cpu, allocFlags)
    if (pfn < 0) {
      // rmqueue_buddy()
      pfn = this.rmqueueBlock(zone, order, mt, allocFlags)
      if (pfn >= 0) this.nrFreePagesByZone[zone] -= 1 << order
    }
    if ((allocFlags & ALLOC_KSWAPD) !== 0 && this.boostedFlag[zone] !== 0) {
      this.boostedFlag[zone] = 0
      this.slowpath?.wakeupKswapdBoosted(zone)
    }
    return pfn
  }

  // ---- the allocation API ----

  allocPages(order: number, migratetype: number, cpu: number, gfp: number = GFP_KERNEL): number {
    if (!(order >= 0 && order <= MAX_ORDER && (order | 0) === order)) throw new Error(`allocPages: order must be an integer in 0..${MAX_ORDER}, got ${order}`)
    if (!(migratetype >= 0 && migratetype < MIGRATE_PCPTYPES && (migratetype | 0) === migratetype)) {
      throw new Error(`allocPages: migratetype must be Unmovable, Movable or Reclaimable (0..2), got ${migratetype}`)
    }
    if (!(cpu >= 0 && cpu < this.pcp.cpus && (cpu | 0) === cpu)) throw new Error(`allocPages: cpu must be an integer in 0..${this.pcp.cpus - 1}, got ${cpu}`)
    const kswapd = (gfp & __GFP_KSWAPD_RECLAIM) !== 0 ? ALLOC_KSWAPD : 0
    let pfn = this.getPageFromFreelist(order, migratetype, cpu, this.initialAllocFlags | kswapd)
    if (pfn < 0) {
      pfn = this.slowpath !== null ? this.slowpath.allocSlowpath(order, migratetype, cpu, gfp) : this.getPageFromFreelist(order, migratetype, cpu, ALLOC_WMARK_MIN | kswapd)
    }
    if (pfn < 0) return -1
    this.page[pfn] = KIND_ALLOCATED | (migratetype << MT_SHIFT) | ((order + 1) << ORDER_SHIFT)
    return pfn
  }

  freePages(pfn: number, order: number, cpu: number): void {
    if (!(pfn >= 0 && pfn < this.maxPfn && (pfn | 0) === pfn) || (this.page[pfn] & ~ALLOCATED_MT_MASK) !== (KIND_ALLOCATED | ((order + 1) << ORDER_SHIFT))) {
      throw new Error(`freePages: pfn ${pfn} is not the head of an allocated block of order ${order}`)
    }
    if (!(cpu >= 0 && cpu < this.pcp.cpus && (cpu | 0) === cpu)) throw new Error(`freePages: cpu must be an integer in 0..${this.pcp.cpus - 1}, got ${cpu}`)
    const zone = memmapZoneIdx(pfn, this.dma32EndPfn)
    const mt = this.pageblockMt[pfn >> this.pageblockOrder]
    if (this.pcp.allowedOrder[order] !== 0) {
      // free_unref_page(): HighAtomic (and CMA) pageblocks use the Movable list but keep their type for the drain.
      this.pcp.freeUnrefPageCommit(pfn, zone, order, cpu, mt >= MIGRATE_PCPTYPES ? MIGRATE_MOVABLE : mt, mt)
    } else {
      // __free_pages_ok() -> free_one_page()
      this.freeOnePage(pfn, zone, order, mt, FPI_NONE)
    }
  }

  takeStall_ns(): number {
    const t = this.stall_ns
    this.stall_ns = 0
    return t
  }

  attachSlowpath(slowpath: AllocSlowpath): void {
    this.slowpath = slowpath
  }

  /** ZONE_RECLAIM_ACTIVE (set_reclaim_active()/clear_reclaim_active() around balance_pgdat()): lowers pcp high. */
  setReclaimActive(zone: number, active: boolean): void {
    this.pcp.reclaimActive[zone] = active ? 1 : 0
  }

  /**
   * __isolate_free_page() for compaction's free scanner, then split_map_pages(): the free block of
   * `order` at `pfn` (Reported or not: del_page_from_free_list() clears the flag) becomes 2^order
   * allocated order-0 movable pages held by compaction. False when the zone would fall to its min
   * watermark + 2^order (the block stays free).
   */
  isolateFreeForCompaction(pfn: number, order: number): boolean {
    this.requireBuddyHead('isolateFreeForCompaction', pfn, order)
    if (!this.isolateFreeBlock(pfn, order)) return false
    this.page.fill(pageWord(0, KIND_ALLOCATED | (MIGRATE_MOVABLE << MT_SHIFT)), pfn, pfn + (1 << order))
    return true
  }

  /** migrate_folio() of an order-0 page: `dst` (held by compaction) takes the allocated state of `src`; the caller frees `src`. */
  migratePageState(src: number, dst: number): void {
    this.page[dst] = this.page[src]
  }

  /** The head of an allocated block of `order` (any migratetype), for the rmap checker. */
  allocatedHead(pfn: number, order: number): boolean {
    return pfn >= 0 && pfn < this.maxPfn && this.isAllocatedHead(pfn, order)
  }

  freePageToPcpList(pfn: number, cpu: number, pcpMt: number): void {
    if (!(pfn >= 0 && pfn < this.maxPfn && (pfn | 0) === pfn) || !this.isAllocatedHead(pfn, 0)) throw new Error(`freePageToPcpList: pfn ${pfn} is not an allocated order-0 page`)
    if (!(cpu >= 0 && cpu < this.pcp.cpus && (cpu | 0) === cpu)) throw new Error(`freePageToPcpList: cpu must be an integer in 0..${this.pcp.cpus - 1}, got ${cpu}`)
    if (!(pcpMt >= 0 && pcpMt < MIGRATE_PCPTYPES) || this.pcp.allowedOrder[0] === 0) throw new Error(`freePageToPcpList: no per-CPU list of migratetype ${pcpMt} for order 0`)
    this.pcp.freeUnrefPageCommit(pfn, memmapZoneIdx(pfn, this.dma32EndPfn), 0, cpu, pcpMt, this.pageblockMt[pfn >> this.pageblockOrder])
  }

  /** Loads the page's memmap word and, with `ownerWord`, its rmap owner word (the link words an allocated page lends to AllocSet), which the free reads next. */
  prefetchPage(pfn: number, ownerWord: boolean): void {
    if (!(pfn >= 0 && pfn < this.maxPfn)) return
    this.prefetched ^= ownerWord ? this.page[pfn] ^ this.rmap[2 * pfn + 1] : this.page[pfn]
  }

  drainAllPages(): void {
    this.pcp.drainAll()
  }

  /** drain_all_pages(zone): every CPU's per-CPU lists of one zone. */
  drainZonePages(zone: number): void {
    for (let cpu = 0; cpu < this.pcp.cpus; cpu++) this.drainLocalPages(zone, cpu)
  }

  /** drain_local_pages(zone) on `cpu` (lru_add_drain_cpu_zone() in compaction). */
  drainLocalPages(zone: number, cpu: number): void {
    const c = this.pcp.count[cpu * NR_ZONES + zone]
    if (c > 0) this.pcp.freePcppagesBulk(zone, cpu, c, 0)
  }

  /** find_suitable_fallback(area, order, mt, only_stealable = true, ...) !== -1: a fallback list holds a block this request could steal. */
  hasStealableFallback(zone: number, order: number, mt: number): boolean {
    if (this.area.nrFree[zone * NR_PAGE_ORDERS + order] === 0 || !this.canStealFallback(order, mt)) return false
    for (let i = 0; i < MIGRATE_PCPTYPES - 1; i++) if (this.area.first(zone, order, FALLBACKS[mt * 2 + i]) >= 0) return true
    return false
  }

  /**
   * reserve_highatomic_pageblock(): what a successful ALLOC_HIGHATOMIC (high-order GFP_ATOMIC)
   * allocation does to its pageblock: retype it HighAtomic and move its free blocks there, up to
   * managed/100 + one pageblock per zone. False if the limit or the block's type refuses.
   */
  takePageOffBuddy(pfn: number, order: number): boolean {
    if (!(order >= 0 && order <= MAX_ORDER && (order | 0) === order) || !(pfn >= 0 && pfn < this.maxPfn && (pfn | 0) === pfn) || (pfn & ((1 << order) - 1)) !== 0) {
      throw new Error(`takePageOffBuddy: expected an order in 0..${MAX_ORDER} and a pfn below ${this.maxPfn} aligned to it, got pfn ${pfn} order ${order}`)
    }
    const zone = memmapZoneIdx(pfn, this.dma32EndPfn)
    for (let o = order; o <= MAX_ORDER; o++) {
      const head = pfn & ~((1 << o) - 1)
      if (this.memmap.kind(head) !== KIND_BUDDY || this.memmap.order(head) < o) continue
      const mt = this.pageblockMt[head >> this.pageblockOrder]
      let high = this.memmap.order(head)
      let start = head
      this.area.del(head, zone, high)
      // break_down_buddy_pages(): keep halving towards the target; the other halves stay free.
      while (high > order) {
        high--
        const size = 1 << high
        if (pfn >= start + size) {
          this.area.add(start, zone, high, mt, false)
          start += size
        } else {
          this.area.add(start + size, zone, high, mt, false)
        }
      }
      this.nrFreePagesByZone[zone] -= 1 << order
      this.memmap.set(pfn, order, KIND_ALLOCATED | (mt << MT_SHIFT))
      return true
    }
    return false
  }

  splitPage(pfn: number, order: number): void {
    if (!(pfn >= 0 && pfn < this.maxPfn && (pfn | 0) === pfn) || !this.isAllocatedHead(pfn, order)) {
      throw new Error(`splitPage: pfn ${pfn} is not the head of an allocated block of order ${order}`)
    }
    this.page.fill(pageWord(0, this.memmap.flags(pfn)), pfn, pfn + (1 << order))
  }

  reserveHighatomicPageblock(pfn: number): boolean {
    if (!(pfn >= 0 && pfn < this.maxPfn && (pfn | 0) === pfn) || this.memmap.kind(pfn) === KIND_HOLE) {
      throw new Error(`reserveHighatomicPageblock: pfn ${pfn} is not RAM`)
    }
    const zone = memmapZoneIdx(pfn, this.dma32EndPfn)
    const maxManaged = Math.floor(this.managedPages[zone] / 100) + this.pageblockNrPages
    if (this.nrReservedHighatomicByZone[zone] >= maxManaged) return false
    if (!isMergeable(this.pageblockMt[pfn >> this.pageblockOrder])) return false
    this.nrReservedHighatomicByZone[zone] += this.pageblockNrPages
    this.pageblockMt[pfn >> this.pageblockOrder] = MIGRATE_HIGHATOMIC
    this.moveFreepagesBlock(zone, pfn, MIGRATE_HIGHATOMIC)
    return true
  }

  // ---- page reporting's side of the buddy ----

  isolateFreePage(pfn: number, order: number): boolean {
    this.requireBuddyHead('isolateFreePage', pfn, order)
    if (!this.isolateFreeBlock(pfn, order)) return false
    this.memmap.set(pfn, order, KIND_ISOLATED)
    this.isolatedByZone[memmapZoneIdx(pfn, this.dma32EndPfn)] += 1 << order
    return true
  }

  /**
   * __isolate_free_page(): zone_watermark_ok(zone, 0, raw WMARK_MIN + 2^order, 0, ALLOC_CMA), then
   * off the free list (PG_reported cleared); from pageblock_order - 1 the covered pageblocks
   * become Movable (6.6 changes only their type bits; their other free pages stay where they are).
   */
  private isolateFreeBlock(pfn: number, order: number): boolean {
    const zone = memmapZoneIdx(pfn, this.dma32EndPfn)
    const mark = this.watermark[zone * 3 + ALLOC_WMARK_MIN] + (1 << order)
    if (!(this.nrFreePagesByZone[zone] - this.nrReservedHighatomicByZone[zone] > mark)) return false
    this.nrFreePagesByZone[zone] -= 1 << order
    this.area.del(pfn, zone, order)
    if (order >= this.pageblockOrder - 1) {
      const end = pfn + (1 << order) - 1
      for (let p = pfn; p < end; p += this.pageblockNrPages) {
        if (isMergeable(this.pageblockMt[p >> this.pageblockOrder])) this.pageblockMt[p >> this.pageblockOrder] = MIGRATE_MOVABLE
      }
    }
    return true
  }

  putbackIsolatedPage(pfn: number, order: number): void {
    if (!(pfn >= 0 && pfn < this.maxPfn && (pfn | 0) === pfn) || this.page[pfn] !== pageWord(order, KIND_ISOLATED)) {
      throw new Error(`putbackIsolatedPage: pfn ${pfn} is not an isolated block of order ${order}`)
    }
    const zone = memmapZoneIdx(pfn, this.dma32EndPfn)
    this.isolatedByZone[zone] -= 1 << order
    this.freeOnePage(pfn, zone, order, this.pageblockMt[pfn >> this.pageblockOrder], FPI_SKIP_REPORT_NOTIFY | (this.putbackToTail ? FPI_TO_TAIL : 0))
  }

  listFirst(zone: number, order: number, mt: number): number {
    return this.lists.head[freeListId(zone, order, mt)]
  }

  listNext(pfn: number): number {
    return this.lists.nextOf(pfn)
  }

  rotateToFront(zone: number, order: number, mt: number, pfn: number): void {
    this.requireBuddyHead('rotateToFront', pfn, order)
    this.lists.rotateToFront(freeListId(zone, order, mt), pfn)
  }

  isBuddyHead(pfn: number, order: number): boolean {
    return this.memmap.isBuddy(pfn, order)
  }

  /** The head of an allocated block of `order` (any migratetype). */
  private isAllocatedHead(pfn: number, order: number): boolean {
    return this.memmap.kind(pfn) === KIND_ALLOCATED && this.memmap.order(pfn) === order
  }

  pageReported(pfn: number): boolean {
    return (this.page[pfn] & PG_REPORTED) !== 0
  }

  setPageReported(pfn: number): void {
    if (!(pfn >= 0 && pfn < this.maxPfn) || this.memmap.kind(pfn) !== KIND_BUDDY) {
      throw new Error(`setPageReported: pfn ${pfn} is not the head of a free block`)
    }
    this.area.setReported(pfn, memmapZoneIdx(pfn, this.dma32EndPfn))
  }

  getPageblockMigratetype(pfn: number): number {
    return this.pageblockMt[pfn >> this.pageblockOrder]
  }

  private requireBuddyHead(op: string, pfn: number, order: number): void {
    if (!(pfn >= 0 && pfn < this.maxPfn && (pfn | 0) === pfn) || !this.isBuddyHead(pfn, order)) {
      throw new Error(`${op}: pfn ${pfn} is not the head of a free block of order ${order}`)
    }
  }

  // ---- zones and counters ----

  zoneName(zone: number): string {
    return ZONE_NAMES[zone]
  }

  zoneStartPfn(zone: number): number {
    return this.layout.zoneStartPfn[zone]
  }

  zoneEndPfn(zone: number): number {
    return this.layout.zoneEndPfn[zone]
  }

  zoneManagedPages(zone: number): number {
    return this.managedPages[zone]
  }

  /** The physical pfn of a memmap index: what events and views show. */
  physPfn(pfn: number): number {
    return physPfn(this.layout.hole, pfn)
  }

  /** The memmap index of a physical pfn outside the hole. */
  memmapIdx(pfn: number): number {
    return memmapIdx(this.layout.hole, pfn)
  }

  zoneOfPfn(pfn: number): number {
    return memmapZoneIdx(pfn, this.dma32EndPfn)
  }

  nrFreePages(zone: number): number {
    return this.nrFreePagesByZone[zone]
  }

  nrFree(zone: number, order: number): number {
    return this.area.nrFree[zone * NR_PAGE_ORDERS + order]
  }

  nrReported(zone: number, order: number): number {
    return this.area.nrReported[zone * NR_PAGE_ORDERS + order]
  }

  nrMergedReported(zone: number, order: number): number {
    return this.area.nrMergedReported[zone * NR_PAGE_ORDERS + order]
  }

  nrReservedHighatomic(zone: number): number {
    return this.nrReservedHighatomicByZone[zone]
  }

  wmarkMin(zone: number): number {
    return this.watermark[zone * 3 + ALLOC_WMARK_MIN]
  }

  wmarkLow(zone: number): number {
    return this.watermark[zone * 3 + ALLOC_WMARK_LOW]
  }

  wmarkHigh(zone: number): number {
    return this.watermark[zone * 3 + ALLOC_WMARK_HIGH]
  }

  watermarkBoost(zone: number): number {
    return this.watermarkBoostByZone[zone]
  }

  pcpCount(zone: number): number {
    return this.pcp.zoneCount(zone)
  }

  isolatedPages(zone: number): number {
    return this.isolatedByZone[zone]
  }

  pfnState(pfn: number): number {
    if (!(pfn >= 0 && pfn < this.layout.nrPfns)) return STATE_HOLE
    const head = this.memmap.blockHead(pfn, MAX_ORDER)
    switch (this.memmap.kind(head)) {
      case KIND_BUDDY:
        return (this.page[head] & PG_REPORTED) !== 0 ? STATE_REPORTED : STATE_FREE
      case KIND_PCP:
        return STATE_PCP
      case KIND_ISOLATED:
        return STATE_ISOLATED
      case KIND_HOLE:
        return STATE_HOLE
      default:
        return STATE_ALLOCATED
    }
  }

  buddyinfo(): string {
    return formatBuddyinfo(this)
  }

  pagetypeinfo(): string {
    return formatPagetypeinfo(this)
  }

  zoneinfo(): string {
    return formatZoneinfo(this)
  }

  check(): void {
    checkPageAlloc(this)
  }
}

export function createPageAlloc(config: PageAllocConfig): PageAlloc {
  return new PageAllocator(config)
}
