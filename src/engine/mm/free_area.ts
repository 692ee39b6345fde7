// struct free_area per zone and order: one list per migratetype and nr_free (blocks, all
// migratetypes), plus the count of PG_reported blocks the sampler reads. Models
// add_to_free_list(), add_to_free_list_tail(), move_to_free_list() and del_page_from_free_list()
// of mm/page_alloc.c (6.6).
import * as api from './page_alloc_api'
import * as memmap from './memmap'
import type { MemMap } from './memmap'
import type { PfnLists } from './list'

// Plain module-local copies of imported constants for the hot paths: vitest's module transform
// turns every use of an imported name into a property load (5x slower allocator under test).
const { MIGRATE_TYPES, NR_PAGE_ORDERS, NR_ZONES } = api
const { KIND_BUDDY, KIND_TAIL, PG_MERGED_REPORTED, PG_REPORTED } = memmap

/** Number of buddy free lists; the per-CPU lists take the ids after them. */
export const NR_FREE_LISTS = NR_ZONES * NR_PAGE_ORDERS * MIGRATE_TYPES

export const freeListId = (zone: number, order: number, mt: number): number => (zone * NR_PAGE_ORDERS + order) * MIGRATE_TYPES + mt

export class FreeArea {
  /** free_area[order].nr_free at zone * NR_PAGE_ORDERS + order. */
  readonly nrFree = new Int32Array(NR_ZONES * NR_PAGE_ORDERS)
  /** Blocks with PG_reported on the lists, same indexing. */
  readonly nrReported = new Int32Array(NR_ZONES * NR_PAGE_ORDERS)
  /** Blocks with PG_MERGED_REPORTED on the lists, same indexing (the sampler's "merged after reported"). */
  readonly nrMergedReported = new Int32Array(NR_ZONES * NR_PAGE_ORDERS)
  readonly lists: PfnLists
  readonly memmap: MemMap

  constructor(lists: PfnLists, memmap: MemMap) {
    this.lists = lists
    this.memmap = memmap
  }

  /** set_buddy_order() + add_to_free_list() / add_to_free_list_tail(): a new block starts without PG_reported. */
  add(pfn: number, zone: number, order: number, mt: number, toTail: boolean): void {
    this.memmap.set(pfn, order, KIND_BUDDY)
    const id = (zone * NR_PAGE_ORDERS + order) * MIGRATE_TYPES + mt
    if (toTail) this.lists.addTail(id, pfn)
    else this.lists.addHead(id, pfn)
    this.nrFree[zone * NR_PAGE_ORDERS + order]++
  }

  /** del_page_from_free_list(): clears PG_reported and PageBuddy; the caller gives the frame its new state. */
  del(pfn: number, zone: number, order: number): void {
    const i = zone * NR_PAGE_ORDERS + order
    const flags = this.memmap.flags(pfn)
    if ((flags & PG_REPORTED) !== 0) this.nrReported[i]--
    else if ((flags & PG_MERGED_REPORTED) !== 0) this.nrMergedReported[i]--
    this.lists.del(pfn)
    this.memmap.set(pfn, -1, KIND_TAIL)
    this.nrFree[i]--
  }

  /** move_to_free_list(): list_move_tail() onto the list of `mt`; PG_reported is kept. */
  move(pfn: number, zone: number, order: number, mt: number): void {
    this.lists.del(pfn)
    this.lists.addTail((zone * NR_PAGE_ORDERS + order) * MIGRATE_TYPES + mt, pfn)
  }

  /** get_page_from_free_area(): the head of the list, -1 if empty. */
  first(zone: number, order: number, mt: number): number {
    return this.lists.head[(zone * NR_PAGE_ORDERS + order) * MIGRATE_TYPES + mt]
  }

  /** __SetPageReported() on a buddy head, keeping nrReported exact. */
  setReported(pfn: number, zone: number): void {
    const flags = this.memmap.flags(pfn)
    if ((flags & PG_REPORTED) !== 0) return
    const i = zone * NR_PAGE_ORDERS + this.memmap.order(pfn)
    if ((flags & PG_MERGED_REPORTED) !== 0) this.nrMergedReported[i]--
    this.memmap.setFlags(pfn, (flags & ~PG_MERGED_REPORTED) | PG_REPORTED)
    this.nrReported[i]++
  }

  /** Marks a block just added by __free_one_page() as holding a reported buddy it merged. */
  setMergedReported(pfn: number, zone: number, order: number): void {
    this.memmap.setFlags(pfn, this.memmap.flags(pfn) | PG_MERGED_REPORTED)
    this.nrMergedReported[zone * NR_PAGE_ORDERS + order]++
  }
}
