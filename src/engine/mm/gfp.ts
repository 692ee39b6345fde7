// The gfp_t bits the allocator's slow path reads (include/linux/gfp_types.h, 6.6): whether the
// caller may wake kswapd, may reclaim and compact directly, and gives up early. The migratetype
// and the zone are passed on their own; every allocation here may use ZONE_NORMAL.

/** __GFP_DIRECT_RECLAIM: the caller may enter direct reclaim and direct compaction. */
export const __GFP_DIRECT_RECLAIM = 1
/** __GFP_KSWAPD_RECLAIM: the caller may wake kswapd (and through it kcompactd). */
export const __GFP_KSWAPD_RECLAIM = 2
/** __GFP_NORETRY: fail after one round of reclaim and compaction. */
export const __GFP_NORETRY = 4
/** __GFP_IO: compaction allowed (gfp_compaction_allowed()). */
export const __GFP_IO = 8

/** GFP_KERNEL and GFP_HIGHUSER_MOVABLE as far as the slow path goes: __GFP_RECLAIM | __GFP_IO | __GFP_FS. */
export const GFP_KERNEL = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM | __GFP_IO
/** GFP_TRANSHUGE_LIGHT: GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN without __GFP_RECLAIM. */
export const GFP_TRANSHUGE_LIGHT = __GFP_IO
/** GFP_TRANSHUGE: GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM. */
export const GFP_TRANSHUGE = GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM

/** /sys/kernel/mm/transparent_hugepage/defrag. */
export type ThpDefrag = 'always' | 'defer' | 'defer+madvise' | 'madvise' | 'never'

/**
 * vma_thp_gfp_mask() (mm/huge_memory.c): the gfp of a THP fault in a VMA, madvised
 * (MADV_HUGEPAGE) or not. always: stall (and give up early unless madvised); defer: wake kswapd
 * and kcompactd, never stall; defer+madvise: stall if madvised, else wake; madvise: stall if
 * madvised, else nothing; never: neither.
 */
export function vmaThpGfpMask(defrag: ThpDefrag, madvised: boolean): number {
  switch (defrag) {
    case 'always':
      return GFP_TRANSHUGE | (madvised ? 0 : __GFP_NORETRY)
    case 'defer':
      return GFP_TRANSHUGE_LIGHT | __GFP_KSWAPD_RECLAIM
    case 'defer+madvise':
      return GFP_TRANSHUGE_LIGHT | (madvised ? __GFP_DIRECT_RECLAIM : __GFP_KSWAPD_RECLAIM)
    case 'madvise':
      return GFP_TRANSHUGE_LIGHT | (madvised ? __GFP_DIRECT_RECLAIM : 0)
    case 'never':
      return GFP_TRANSHUGE_LIGHT
  }
}
