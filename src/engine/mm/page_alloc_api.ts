// The buddy allocator as the rest of the engine sees it (mm/page_alloc.c, Linux 6.6 baseline).
// Implemented in src/engine/mm/page_alloc.ts; page_reporting, the workload and the sampler use
// only this surface. PFNs are plain numbers; -1 means "none". Zone indices: 0 DMA, 1 DMA32,
// 2 Normal (an empty zone still has an index and fails every watermark check).

export const MAX_ORDER = 10
export const NR_PAGE_ORDERS = 11

/** enum migratetype (6.6 with CONFIG_CMA and CONFIG_MEMORY_ISOLATION). */
export const MIGRATE_UNMOVABLE = 0
export const MIGRATE_MOVABLE = 1
export const MIGRATE_RECLAIMABLE = 2
export const MIGRATE_HIGHATOMIC = 3
export const MIGRATE_CMA = 4
export const MIGRATE_ISOLATE = 5
export const MIGRATE_TYPES = 6
export const MIGRATE_PCPTYPES = 3
export const MIGRATETYPE_KERNEL_NAMES = ['Unmovable', 'Movable', 'Reclaimable', 'HighAtomic', 'CMA', 'Isolate'] as const

export const ZONE_DMA = 0
export const ZONE_DMA32 = 1
export const ZONE_NORMAL = 2
export const NR_ZONES = 3

/** Called at the end of __free_one_page() unless FPI_SKIP_REPORT_NOTIFY: page_reporting_notify_free(). */
export type NotifyFree = (zone: number, mergedOrder: number) => void

/** What changed in the per-CPU lists' free path between releases (mm/page_alloc.c). */
export interface PcpGeneration {
  /**
   * free_pcppages_bulk(): `batch-free` (up to 5.17): round robin from list 1 with a batch_free
   * count that grows by one for every list visited, empty or not, so fuller lists give more;
   * `requested-first` (5.18+, "drain the requested list first during bulk free"): the list of the
   * page just freed first, each list emptied before the next.
   */
  readonly bulkFree: 'batch-free' | 'requested-first'
  /** free_high in free_unref_page_commit() (5.18+, "limit number of high-order pages on PCP during bulk free"). */
  readonly freeHigh: boolean
  /** THP lists: 3, one per migratetype (5.13-5.17); 1 (5.18-6.3); 2, movable and the rest (6.4+). */
  readonly thpLists: 1 | 2 | 3
}

export interface PageAllocConfig {
  /** Present RAM ranges in pfns, [start, end), as firmware (QEMU e820) reports them. */
  readonly ranges: readonly { readonly startPfn: number; readonly endPfn: number }[]
  /**
   * Index the memmap and every pfn of the allocator by memmap index, leaving out the widest
   * 1 GiB-aligned hole between two zones (q35's PCI hole; sparse.ts). Default false: pfns.
   */
  readonly sparseMemmap?: boolean
  /** Pages kept back from the buddy allocator (memblock reservations), taken from the lowest pfns of DMA32/Normal. */
  readonly reservedPages: number
  /** Present pfns below this are reserved too (x86: pfn 0; the whole first MiB since 5.13). Default 1. */
  readonly lowReserveEndPfn?: number
  readonly cpus: number
  readonly pageblockOrder: 9 | 10
  /** Orders kept on per-CPU lists: [0] on <= 5.12; [0,1,2,3,9] on 5.13+ with THP. */
  readonly pcpOrders: readonly number[]
  /** 5.10: pcp high = 6 * batch; 5.14+: low watermark / cpus (zone_highsize). */
  readonly pcpHighMode: 'six-batch' | 'low-wmark'
  /** The per-CPU free path of the kernel version (bulk free, free_high, THP lists). Default 6.6. */
  readonly pcpGeneration?: PcpGeneration
  readonly percpuPagelistHighFraction: number
  /** 5.10+: __putback_isolated_page() places at the tail (FPI_TO_TAIL). */
  readonly putbackToTail: boolean
  readonly minFreeKbytes: number | null
  readonly thpEnabled: boolean
  readonly watermarkScaleFactor: number
  readonly watermarkBoostFactor: number
  readonly shuffle: boolean
  /** Random bits for shuffle_pick_tail(); deterministic from the experiment seed. */
  readonly randomBit: () => number
  readonly notifyFree: NotifyFree
}

export interface PageAlloc {
  readonly nrZones: number
  readonly pageblockOrder: number
  readonly maxPfn: number
  zoneName(zone: number): string
  zoneStartPfn(zone: number): number
  zoneEndPfn(zone: number): number
  zoneManagedPages(zone: number): number
  zoneOfPfn(pfn: number): number
  /** The physical pfn of one of the allocator's pfns (a memmap index, sparse.ts): what events show. */
  physPfn(pfn: number): number

  // Counters (kernel names).
  /** NR_FREE_PAGES of the zone. */
  nrFreePages(zone: number): number
  /** free_area[order].nr_free (blocks, all migratetypes). */
  nrFree(zone: number, order: number): number
  /** Blocks on the free lists of this order with PG_reported set. */
  nrReported(zone: number, order: number): number
  /** Free blocks of this order whose PG_reported was cleared when __free_one_page() merged a reported buddy into them (lab bookkeeping). */
  nrMergedReported(zone: number, order: number): number
  nrReservedHighatomic(zone: number): number
  /** Raw _watermark[WMARK_MIN/LOW/HIGH], without boost. */
  wmarkMin(zone: number): number
  wmarkLow(zone: number): number
  wmarkHigh(zone: number): number
  watermarkBoost(zone: number): number
  /** Pages sitting on per-CPU lists of this zone (all cpus). */
  pcpCount(zone: number): number

  // Free-list walking (page_reporting_cycle).
  /** First block on free_area[order].free_list[mt], -1 if empty. */
  listFirst(zone: number, order: number, mt: number): number
  /** Block after `pfn` on its list, -1 at the end. */
  listNext(pfn: number): number
  /** list_rotate_to_front(&page->lru, list): `pfn` becomes the head; the blocks before it move to the tail in order. */
  rotateToFront(zone: number, order: number, mt: number, pfn: number): void
  /** PageBuddy(page) && buddy_order(page) == order. */
  isBuddyHead(pfn: number, order: number): boolean
  pageReported(pfn: number): boolean
  setPageReported(pfn: number): void
  getPageblockMigratetype(pfn: number): number

  /** __isolate_free_page(page, order): min-watermark check, unlink, retype pageblocks (order >= pageblock_order - 1). Returns false if refused. */
  isolateFreePage(pfn: number, order: number): boolean
  /** __putback_isolated_page(page, order, mt): __free_one_page with FPI_SKIP_REPORT_NOTIFY | FPI_TO_TAIL (tail only if putbackToTail). */
  putbackIsolatedPage(pfn: number, order: number): void

  // The allocation API the workload drives.
  /**
   * alloc_pages(): via the per-CPU list of `cpu` for PCP orders, else __rmqueue under the zone
   * lock; when the fast path fails, the slow path as `gfp` (gfp.ts, default GFP_KERNEL) allows:
   * kswapd, direct compaction and reclaim. Returns the pfn or -1.
   */
  allocPages(order: number, migratetype: number, cpu: number, gfp?: number): number
  /** Time allocations stalled in direct reclaim and compaction since the last call, in ns (then 0). */
  takeStall_ns(): number
  /**
   * Two Int32 words per pfn that belong to whoever owns an allocated block head (struct page's lru
   * union): the workload's reverse map (alloc_set.ts). Meaningless for free pages.
   */
  readonly rmap: Int32Array
  /** __free_pages(): to the per-CPU list of `cpu` for PCP orders (may drain a batch), else __free_one_page. */
  freePages(pfn: number, order: number, cpu: number): void
  /**
   * free_unref_page_commit() of an allocated order-0 page onto `cpu`'s per-CPU list of migratetype
   * `pcpMt` (0..2), whatever its pageblock's type: how the guest's own kernel left its lists (an
   * initial free state). May drain the list past its high.
   */
  freePageToPcpList(pfn: number, cpu: number, pcpMt: number): void
  /**
   * A hint, no state change: loads the memmap entry of `pfn` (and, with `ownerWord`, its rmap owner
   * word) ahead of its free, so that misses of several coming frees overlap.
   */
  prefetchPage(pfn: number, ownerWord: boolean): void
  /** drain_all_pages(NULL). */
  drainAllPages(): void
  /**
   * take_page_off_buddy() for an aligned block of 2^order pages: if it lies inside a free buddy
   * block, that block is split around it (break_down_buddy_pages(), the other halves back to the
   * list heads) and it becomes allocated; freePages(pfn, order) returns it. False if not free.
   */
  takePageOffBuddy(pfn: number, order: number): boolean
  /** split_page(): an allocated block of 2^order pages becomes 2^order allocated order-0 pages, each freed on its own. */
  splitPage(pfn: number, order: number): void

  /** Free blocks isolated and not yet put back (held by page_reporting). */
  isolatedPages(zone: number): number
  /** State byte of one frame for the memory map (PFN_STATES index in src/common/api.ts). */
  pfnState(pfn: number): number

  buddyinfo(): string
  pagetypeinfo(): string
  /** The zone lines of /proc/zoneinfo the model knows (watermarks, sizes, per-CPU pagesets). */
  zoneinfo(): string
  /** Recomputes every counter, flag and list from the raw state; throws Error naming the first mismatch. */
  check(): void
}
