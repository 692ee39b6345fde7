// The memmap index: what the engine's pfn-indexed arrays (memmap.ts, list.ts, the host backing's
// bitsets) are indexed by when the guest's RAM has a large hole, e.g. q35's 32-bit PCI hole (RAM
// above 2 GiB moves to 4 GiB). The kernel's SPARSEMEM has no struct page for absent memory
// sections (mm/sparse.c sparse_init_nid(); include/linux/mmzone.h __pfn_to_section() and
// pfn_to_section_nr()), so a guest's memmap costs nothing for its holes; here the one hole is
// removed from the index: idx = pfn below the hole, pfn - hole pages above it.
//
// Inside the allocator, the workload, page reporting and the host backing, "pfn" means this index;
// it is translated back to a physical pfn only where one is shown (events, the memory map view,
// /proc/zoneinfo). The hole's start and size are multiples of MEMMAP_HOLE_ALIGN_PAGES, so every
// aligned block the engine computes with (buddies, pfn ^ (1 << order) up to MAX_ORDER; pageblocks;
// memory sections; the host's 2 MiB regions and 1 GiB pages) has the same alignment in both
// spaces, and the hole lies between two zones, so no zone spans it.
import { MAX_ORDER } from './page_alloc_api'

export interface MemmapHole {
  /** First pfn of the hole: below it, index and pfn are the same. */
  readonly startPfn: number
  /** Frames removed from the index (0: none, the index is the pfn). */
  readonly pages: number
}

export const NO_MEMMAP_HOLE: MemmapHole = { startPfn: 0, pages: 0 }

/**
 * PUD_SIZE (1 GiB) in pages: the largest aligned unit any pfn arithmetic of the engine uses
 * (hugetlb-1g host pages), and a multiple of a MAX_ORDER block, a pageblock (9 or 10) and a memory
 * section (128 MiB). A hole that is not aligned to it stays in the index.
 */
export const MEMMAP_HOLE_ALIGN_PAGES = 1 << 18

/** Index of a pfn; a pfn inside the hole gives the hole's start (so an exclusive end maps right). */
export function memmapIdx(hole: MemmapHole, pfn: number): number {
  if (pfn < hole.startPfn) return pfn
  return Math.max(hole.startPfn, pfn - hole.pages)
}

/** The pfn of an index. */
export function physPfn(hole: MemmapHole, idx: number): number {
  return idx < hole.startPfn ? idx : idx + hole.pages
}

export function inMemmapHole(hole: MemmapHole, pfn: number): boolean {
  return pfn >= hole.startPfn && pfn < hole.startPfn + hole.pages
}

/**
 * The widest gap between present ranges (ascending, merged) whose start and size are multiples
 * of MEMMAP_HOLE_ALIGN_PAGES and which separates two zones (`zoneOf` of the pfns either side
 * differs); NO_MEMMAP_HOLE when there is none.
 */
export function findMemmapHole(present: readonly { readonly startPfn: number; readonly endPfn: number }[], zoneOf: (pfn: number) => number): MemmapHole {
  let best = NO_MEMMAP_HOLE
  for (let i = 1; i < present.length; i++) {
    const start = present[i - 1].endPfn
    const pages = present[i].startPfn - start
    if (start % MEMMAP_HOLE_ALIGN_PAGES !== 0 || pages % MEMMAP_HOLE_ALIGN_PAGES !== 0 || pages <= best.pages) continue
    if (zoneOf(start - 1) === zoneOf(start + pages)) continue
    best = { startPfn: start, pages }
  }
  return best
}

/**
 * The claim the index rests on: buddies (pfn ^ (1 << order), order <= MAX_ORDER) and pageblocks
 * of `pageblockOrder` are the same in both spaces. Throws when a hole breaks it.
 */
export function checkMemmapHole(hole: MemmapHole, pageblockOrder: number): void {
  const unit = 2 ** Math.max(MAX_ORDER, pageblockOrder)
  if (hole.pages === 0) return
  if (hole.startPfn % unit !== 0 || hole.pages % unit !== 0 || hole.startPfn <= 0) {
    throw new Error(`memmap hole [${hole.startPfn}, ${hole.startPfn + hole.pages}): start and size must be positive multiples of ${unit} pages, or buddy and pageblock arithmetic would differ between pfns and memmap indices`)
  }
}
