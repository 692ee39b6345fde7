// The memory map: the state the kernel keeps in struct page (page->flags, buddy order in
// page->private, the pcp migratetype in page->index) and the pageblock bitmap
// (include/linux/pageblock-flags.h), as flat typed arrays indexed by pfn (a memmap index that
// leaves out the PCI hole in a Simulation: sparse.ts). A page's flags and
// order share one 16-bit word, so reading or writing a random page touches one cache line of the
// memmap, and page_is_buddy() is one compare. 2 bytes per page here, 8 more in PfnLists, 1/512
// for the pageblock types.

/** Low 3 bits of flags: what the frame is. Only block heads carry ALLOCATED/BUDDY/PCP/ISOLATED. */
export const PAGE_KIND_MASK = 7
/** A frame inside a block (a tail page); its head holds the state. */
export const KIND_TAIL = 0
/** No RAM (a hole in the e820 map the memmap index keeps, or past max_pfn up to the memmap end). */
export const KIND_HOLE = 1
/** PG_reserved: a memblock reservation, never handed to the buddy allocator. */
export const KIND_RESERVED = 2
/** Head of an allocated block; the allocation's migratetype is kept for move_freepages() (PageLRU). */
export const KIND_ALLOCATED = 3
/** PageBuddy: head of a free block on a buddy free list. */
export const KIND_BUDDY = 4
/** Head of a block on a per-CPU list; the migratetype recorded at free time (get_pcppage_migratetype) is kept. */
export const KIND_PCP = 5
/** Head of a free block taken off the lists by __isolate_free_page() (held by page reporting). */
export const KIND_ISOLATED = 6
/** PG_reported (an alias of PG_uptodate), meaningful on buddy heads only. */
export const PG_REPORTED = 8
/**
 * Not a kernel flag: the lab's mark on a free block whose PG_reported was cleared because
 * __free_one_page() merged a reported buddy into it (kernel-spec §1.9). The host may already have
 * dropped part of it; the next pass reports it again. Only on buddy heads, never with PG_REPORTED.
 */
export const PG_MERGED_REPORTED = 128
export const MT_SHIFT = 4
export const MT_MASK = 7

/** Bits 8..15 of a page word: order + 1 of the block the frame heads, 0 when it heads none. */
export const ORDER_SHIFT = 8
const FLAGS_MASK = 0xff

/** The word of a frame heading a block of `order` (-1: none) with `flags`. */
export const pageWord = (order: number, flags: number): number => flags | ((order + 1) << ORDER_SHIFT)

export class MemMap {
  /** Per pfn: flags (kind | PG_REPORTED | migratetype << MT_SHIFT | PG_MERGED_REPORTED) in the low byte, order + 1 above. */
  readonly page: Uint16Array
  /** Pageblock migratetype, one byte per pageblock. */
  readonly pageblockMt: Uint8Array
  readonly pageblockOrder: number

  constructor(nrPfns: number, pageblockOrder: number) {
    this.page = new Uint16Array(nrPfns).fill(pageWord(-1, KIND_HOLE))
    // Pageblock bits start at 0 (Unmovable); memmap_init_range() sets Movable on each
    // pageblock-aligned present pfn, so a pageblock without one keeps Unmovable, as in the kernel.
    this.pageblockMt = new Uint8Array(nrPfns >> pageblockOrder)
    this.pageblockOrder = pageblockOrder
  }

  /** Order of the block whose head is this pfn (any kind); -1 for every other frame. */
  order(pfn: number): number {
    return (this.page[pfn] >> ORDER_SHIFT) - 1
  }

  /** Kind | PG_REPORTED | migratetype << MT_SHIFT | PG_MERGED_REPORTED. */
  flags(pfn: number): number {
    return this.page[pfn] & FLAGS_MASK
  }

  kind(pfn: number): number {
    return this.page[pfn] & PAGE_KIND_MASK
  }

  /** The frame heads a block of `order` (-1: none) and has `flags`. */
  set(pfn: number, order: number, flags: number): void {
    this.page[pfn] = flags | ((order + 1) << ORDER_SHIFT)
  }

  /** New flags, the order kept. */
  setFlags(pfn: number, flags: number): void {
    this.page[pfn] = (this.page[pfn] & ~FLAGS_MASK) | flags
  }

  /** PageBuddy() with buddy order `order` (reported or not): page_is_buddy() without the zone check. */
  isBuddy(pfn: number, order: number): boolean {
    return (this.page[pfn] & ~(PG_REPORTED | PG_MERGED_REPORTED)) === (KIND_BUDDY | ((order + 1) << ORDER_SHIFT))
  }

  /** Head of the block holding `pfn` (the pfn itself for holes and reserved frames). */
  blockHead(pfn: number, maxOrder: number): number {
    if (this.order(pfn) >= 0 || this.kind(pfn) !== KIND_TAIL) return pfn
    for (let o = 1; o <= maxOrder; o++) {
      const head = pfn & ~((1 << o) - 1)
      if (this.order(head) >= o) return head
    }
    throw new Error(`memmap: pfn ${pfn} is a tail page of no block`)
  }

  /** get_pfnblock_migratetype(). */
  pageblockMigratetype(pfn: number): number {
    return this.pageblockMt[pfn >> this.pageblockOrder]
  }

  /** set_pageblock_migratetype(). */
  setPageblockMigratetype(pfn: number, mt: number): void {
    this.pageblockMt[pfn >> this.pageblockOrder] = mt
  }
}
