// Per-CPU page lists, struct per_cpu_pages (mm/page_alloc.c 6.6): lists per (cpu, zone, pindex),
// count in pages, high/batch from zone_highsize()/zone_batchsize(), free_factor scaling.
// Frees go to the head; drains take the tail (oldest) through __free_one_page(); refills
// (rmqueue_bulk) append to the tail and allocations take the head (the lists: pcp_lists.ts).
import * as api from './page_alloc_api'
import * as memmap from './memmap'
import type { MemMap } from './memmap'
import { PcpLists } from './pcp_lists'

// Plain module-local copies of imported constants for the hot paths: vitest's module transform
// turns every use of an imported name into a property load (5x slower allocator under test).
const { MIGRATE_MOVABLE, MIGRATE_PCPTYPES, NR_PAGE_ORDERS, NR_ZONES } = api
const { KIND_PCP, MT_MASK, MT_SHIFT, ORDER_SHIFT } = memmap

export const PAGE_ALLOC_COSTLY_ORDER = 3
export const NR_LOWORDER_PCP_LISTS = MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1)
/** THP lists: up to one per migratetype (5.13-5.17; 5.18-6.3 have one, 6.4+ two: order_to_pindex()). */
export const NR_PCP_THP = 3
export const NR_PCP_LISTS = NR_LOWORDER_PCP_LISTS + NR_PCP_THP
export const FPI_NONE = 0
/** Zones from this size (4 GiB) have their drains prefetched: a smaller memmap mostly stays in cache. */
const PREFETCH_MIN_ZONE_PAGES = 1 << 20

export type PcpHighMode = 'six-batch' | 'low-wmark'

/** 6.6 */
export const PCP_GENERATION_6_6: api.PcpGeneration = { bulkFree: 'requested-first', freeHigh: true, thpLists: 2 }

/** What the per-CPU lists need from the zone under its lock. */
export interface PcpZoneOps {
  /** __free_one_page(). */
  freeOnePage(pfn: number, zone: number, order: number, mt: number, fpi: number): void
  /** __rmqueue(): the pfn of a block taken off the free lists, -1 if none. */
  rmqueueBlock(zone: number, order: number, mt: number, allocFlags: number): number
  /** __mod_zone_page_state(zone, NR_FREE_PAGES, delta). */
  modNrFreePages(zone: number, delta: number): void
  /** prefetch_buddy(): load what __free_one_page() of `pfn` will read first; no state changes. */
  prefetchBuddy(pfn: number): void
}

/** zone_batchsize(): ~0.1% of the zone or 1 MiB, a quarter of it, clamped to 2^n - 1 (63 for zones >= 1 GiB). */
export function zoneBatchsize(managedPages: number): number {
  let batch = Math.min(managedPages >> 10, 256)
  batch = Math.floor(batch / 4)
  if (batch < 1) batch = 1
  // rounddown_pow_of_two(batch + batch / 2) - 1
  return (1 << (31 - Math.clz32(batch + (batch >> 1)))) - 1
}

/** zone_highsize() (5.14+): the low watermark (or managed / fraction) split over the CPUs, at least 4 * batch. */
export function zoneHighsize(lowWmarkPages: number, managedPages: number, batch: number, cpus: number, highFraction: number): number {
  const totalPages = highFraction === 0 ? lowWmarkPages : Math.floor(managedPages / highFraction)
  return Math.max(Math.floor(totalPages / cpus), batch << 2)
}

export class PerCpuPages {
  readonly cpus: number
  /** pcp->count in pages, at cpu * NR_ZONES + zone. */
  readonly count: Int32Array
  readonly freeFactor: Int32Array
  /** pcp->high and pcp->batch per zone (the same on every CPU). */
  readonly high = new Int32Array(NR_ZONES)
  readonly batch = new Int32Array(NR_ZONES)
  /** Drains of the zone load their pages' memmap first (freePcppagesBulk()). */
  readonly prefetchDrain = new Uint8Array(NR_ZONES)
  /** ZONE_RECLAIM_ACTIVE per zone: kswapd is reclaiming (balance_pgdat()). */
  readonly reclaimActive = new Uint8Array(NR_ZONES)
  /** pcp_allowed_order() for orders 0..10. */
  readonly allowedOrder = new Uint8Array(NR_PAGE_ORDERS)
  readonly highMode: PcpHighMode
  readonly pageblockOrder: number
  readonly bulkFreeRoundRobin: boolean
  readonly freeHighEnabled: boolean
  readonly thpLists: number
  /** NR_PCP_LISTS of the kernel: the lists batch_free counts (5.10: MIGRATE_PCPTYPES). */
  readonly kernelLists: number
  /** pcp->lists of every CPU and zone, at listId(cpu, zone, pindex). */
  readonly lists: PcpLists
  readonly memmap: MemMap
  readonly zone: PcpZoneOps

  constructor(cfg: { cpus: number; pcpOrders: readonly number[]; pageblockOrder: number; highMode: PcpHighMode; generation?: api.PcpGeneration }, memmap: MemMap, zone: PcpZoneOps) {
    const generation = cfg.generation ?? PCP_GENERATION_6_6
    this.cpus = cfg.cpus
    this.bulkFreeRoundRobin = generation.bulkFree === 'batch-free'
    this.freeHighEnabled = generation.freeHigh
    this.thpLists = generation.thpLists
    this.count = new Int32Array(cfg.cpus * NR_ZONES)
    this.freeFactor = new Int32Array(cfg.cpus * NR_ZONES)
    this.highMode = cfg.highMode
    this.pageblockOrder = cfg.pageblockOrder
    cfg.pcpOrders.forEach((order, i) => {
      if (!Number.isInteger(order) || order < 0 || (order > PAGE_ALLOC_COSTLY_ORDER && order !== cfg.pageblockOrder)) {
        throw new Error(`PageAllocConfig.pcpOrders[${i}]: expected 0..${PAGE_ALLOC_COSTLY_ORDER} or pageblock order ${cfg.pageblockOrder} (THP), got ${order}`)
      }
      this.allowedOrder[order] = 1
    })
    // order 0 only (<= 5.12): one list per pcp migratetype; else the low orders and, under
    // CONFIG_TRANSPARENT_HUGEPAGE (pageblock order allowed), the THP lists
    const orderZeroOnly = cfg.pcpOrders.every((o) => o === 0)
    this.kernelLists = orderZeroOnly ? MIGRATE_PCPTYPES : NR_LOWORDER_PCP_LISTS + (this.allowedOrder[cfg.pageblockOrder] !== 0 ? this.thpLists : 0)
    this.lists = new PcpLists(cfg.cpus * NR_ZONES * NR_PCP_LISTS)
    this.memmap = memmap
    this.zone = zone
  }

  listId(cpu: number, zone: number, pindex: number): number {
    return (cpu * NR_ZONES + zone) * NR_PCP_LISTS + pindex
  }

  /** order_to_pindex(): the THP lists by version (one per migratetype, one, or movable and the rest). */
  orderToPindex(mt: number, order: number): number {
    if (order > PAGE_ALLOC_COSTLY_ORDER) {
      const thp = this.thpLists
      return NR_LOWORDER_PCP_LISTS + (thp === 2 ? (mt === MIGRATE_MOVABLE ? 1 : 0) : thp === 3 ? mt : 0)
    }
    return MIGRATE_PCPTYPES * order + mt
  }

  /** pindex_to_order(). */
  pindexToOrder(pindex: number): number {
    return pindex >= NR_LOWORDER_PCP_LISTS ? this.pageblockOrder : Math.floor(pindex / MIGRATE_PCPTYPES)
  }

  /** zone_set_pageset_high_and_batch(): batch = max(1, zone_batchsize), high per the kernel version. */
  setHighAndBatch(zone: number, managedPages: number, lowWmarkPages: number, highFraction: number): void {
    const batch = Math.max(1, zoneBatchsize(managedPages))
    this.batch[zone] = batch
    this.prefetchDrain[zone] = managedPages >= PREFETCH_MIN_ZONE_PAGES ? 1 : 0
    this.high[zone] = this.highMode === 'six-batch' ? 6 * batch : zoneHighsize(lowWmarkPages, managedPages, batch, this.cpus, highFraction)
  }

  /** Pages on the per-CPU lists of `zone`, all CPUs. */
  zoneCount(zone: number): number {
    let sum = 0
    for (let cpu = 0; cpu < this.cpus; cpu++) sum += this.count[cpu * NR_ZONES + zone]
    return sum
  }

  /**
   * free_unref_page_commit(): list_add() to the head of the list of `pcpMt`, keeping `mt` (the
   * pageblock's type at free time) for the drain; past pcp->high, free a batch to the buddy.
   */
  freeUnrefPageCommit(pfn: number, zone: number, order: number, cpu: number, pcpMt: number, mt: number): void {
    const pindex = this.orderToPindex(pcpMt, order)
    const pz = cpu * NR_ZONES + zone
    this.memmap.page[pfn] = KIND_PCP | (mt << MT_SHIFT) | ((order + 1) << ORDER_SHIFT)
    this.lists.addHead(this.listId(cpu, zone, pindex), pfn)
    const count = (this.count[pz] += 1 << order)
    const batch = this.batch[zone]
    if (this.highMode === 'six-batch') {
      if (count >= this.high[zone]) this.freePcppagesBulk(zone, cpu, batch, pindex)
      return
    }
    const freeHigh = this.freeHighEnabled && this.freeFactor[pz] !== 0 && order !== 0 && order <= PAGE_ALLOC_COSTLY_ORDER
    // nr_pcp_high(): 0 when batch-freeing high orders (5.18+); while kswapd reclaims (ZONE_RECLAIM_ACTIVE, 5.14+) at most 4 batches
    const high = freeHigh ? 0 : this.reclaimActive[zone] !== 0 ? Math.min(batch << 2, this.high[zone]) : this.high[zone]
    if (count >= high) this.freePcppagesBulk(zone, cpu, this.nrPcpFree(pz, high, batch, freeHigh), pindex)
  }

  /** nr_pcp_free(): doubles the batch for each free without an allocation in between (free_factor). */
  nrPcpFree(pz: number, high: number, batch: number, freeHigh: boolean): number {
    if (freeHigh) return this.count[pz]
    if (high < batch) return 1
    const minNrFree = batch
    const maxNrFree = high - batch
    const scaled = batch << this.freeFactor[pz]
    if (scaled < maxNrFree) this.freeFactor[pz]++
    return Math.min(Math.max(scaled, minNrFree), maxNrFree)
  }

  /**
   * free_pcppages_bulk(): `count` pages, starting with list `pindex` then round robin, each from
   * the tail of its list through __free_one_page(FPI_NONE), which may notify page reporting.
   */
  freePcppagesBulk(zone: number, cpu: number, count: number, pindex: number): void {
    if (this.bulkFreeRoundRobin) {
      this.freePcppagesBulkBatchFree(zone, cpu, count)
      return
    }
    const pz = cpu * NR_ZONES + zone
    let left = Math.min(this.count[pz], count)
    const base = this.listId(cpu, zone, 0)
    const lists = this.lists
    // As 4.17-5.17 did (prefetch_buddy() before taking the zone lock): the pages of a drain were
    // freed long ago and are scattered; loading their memmap and links first, independently of
    // each other, overlaps the cache misses instead of paying them one __free_one_page() at a time.
    if (this.prefetchDrain[zone] !== 0) {
      const n = Math.min(lists.length[base + pindex], left)
      for (let k = 0; k < n; k++) this.zone.prefetchBuddy(lists.fromTail(base + pindex, k))
    }
    pindex -= 1
    while (left > 0) {
      do {
        if (++pindex > NR_PCP_LISTS - 1) pindex = 0
      } while (lists.length[base + pindex] === 0)
      const order = this.pindexToOrder(pindex)
      const nrPages = 1 << order
      do {
        this.freeTail(base + pindex, pz, zone, order)
        left -= nrPages
      } while (left > 0 && lists.length[base + pindex] !== 0)
    }
  }

  /**
   * free_pcppages_bulk() up to 5.17: lists visited round robin from list 1 (pindex starts at 0
   * and is incremented first), every visit, empty lists included, adding one to batch_free; from
   * each non-empty list up to batch_free blocks from the tail. When every list had to be visited
   * to find one (batch_free reached the number of lists), that one gives everything asked.
   */
  private freePcppagesBulkBatchFree(zone: number, cpu: number, count: number): void {
    const pz = cpu * NR_ZONES + zone
    let left = Math.min(this.count[pz], count)
    const base = this.listId(cpu, zone, 0)
    const lists = this.lists
    const nrLists = this.kernelLists
    let pindex = 0
    let batchFree = 0
    while (left > 0) {
      do {
        batchFree++
        if (++pindex === nrLists) pindex = 0
      } while (lists.length[base + pindex] === 0)
      if (batchFree === nrLists) batchFree = left
      const order = this.pindexToOrder(pindex)
      const nrPages = 1 << order
      do {
        this.freeTail(base + pindex, pz, zone, order)
        left -= nrPages
      } while (left > 0 && --batchFree !== 0 && lists.length[base + pindex] !== 0)
    }
  }

  /** The oldest block of list `id` back to the buddy: __free_one_page(FPI_NONE) with the migratetype kept at free time. */
  private freeTail(id: number, pz: number, zone: number, order: number): void {
    const pfn = this.lists.popTail(id)
    this.count[pz] -= 1 << order
    this.zone.freeOnePage(pfn, zone, order, (this.memmap.page[pfn] >> MT_SHIFT) & MT_MASK, FPI_NONE)
  }

  /**
   * rmqueue_pcplist() + __rmqueue_pcplist(): halve free_factor; refill an empty list with
   * rmqueue_bulk() (max(batch >> order, 2) blocks appended to the tail); take the head.
   * Returns the pfn, still marked as a pcp page, or -1.
   */
  rmqueuePcplist(zone: number, order: number, mt: number, cpu: number, allocFlags: number): number {
    const pz = cpu * NR_ZONES + zone
    this.freeFactor[pz] >>= 1
    const id = this.listId(cpu, zone, this.orderToPindex(mt, order))
    if (this.lists.length[id] === 0) {
      let batch = this.batch[zone]
      if (batch > 1) batch = Math.max(batch >> order, 2)
      this.count[pz] += this.rmqueueBulk(zone, order, batch, id, mt, allocFlags) << order
      if (this.lists.length[id] === 0) return -1
    }
    const pfn = this.lists.popHead(id)
    this.count[pz] -= 1 << order
    return pfn
  }

  /** rmqueue_bulk(): up to `count` blocks from __rmqueue(), appended to the tail; NR_FREE_PAGES drops once. */
  rmqueueBulk(zone: number, order: number, count: number, id: number, mt: number, allocFlags: number): number {
    let i = 0
    for (; i < count; i++) {
      const pfn = this.zone.rmqueueBlock(zone, order, mt, allocFlags)
      if (pfn < 0) break
      this.memmap.set(pfn, order, KIND_PCP | (mt << MT_SHIFT))
      this.lists.addTail(id, pfn)
    }
    this.zone.modNrFreePages(zone, -(i << order))
    return i
  }

  /** drain_all_pages(NULL): every CPU, every zone, everything (drain_pages_zone()). */
  drainAll(): void {
    for (let cpu = 0; cpu < this.cpus; cpu++) {
      for (let zone = 0; zone < NR_ZONES; zone++) {
        const c = this.count[cpu * NR_ZONES + zone]
        if (c > 0) this.freePcppagesBulk(zone, cpu, c, 0)
      }
    }
  }
}
