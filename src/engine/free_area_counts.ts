// The free lists counted per zone, migratetype and order (what /proc/pagetypeinfo prints, without
// its 100000 cap), with how many of those blocks carry PG_reported, and the pageblocks of each
// migratetype: the structured twin of pagetypeinfo_showfree_print() and
// pagetypeinfo_showblockcount_print() (mm/vmstat.c) that the UI tabulates at any time.
import { PFN_STATES, type FreeAreaCounts } from '../common/api'
import { MIGRATE_TYPES, MIGRATETYPE_KERNEL_NAMES, NR_PAGE_ORDERS, type PageAlloc } from './mm/page_alloc_api'

const HOLE = PFN_STATES.indexOf('hole')

export function freeAreaCounts(pa: PageAlloc): FreeAreaCounts {
  const zones: FreeAreaCounts['zones'][number][] = []
  const blockPages = 1 << pa.pageblockOrder
  for (let z = 0; z < pa.nrZones; z++) {
    const start = pa.zoneStartPfn(z)
    const end = pa.zoneEndPfn(z)
    if (!(end > start) || pa.zoneManagedPages(z) === 0) continue
    const free = Array.from({ length: MIGRATE_TYPES }, () => new Array<number>(NR_PAGE_ORDERS).fill(0))
    const reported = Array.from({ length: MIGRATE_TYPES }, () => new Array<number>(NR_PAGE_ORDERS).fill(0))
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
      for (let o = 0; o < NR_PAGE_ORDERS; o++) {
        for (let pfn = pa.listFirst(z, o, mt); pfn >= 0; pfn = pa.listNext(pfn)) {
          free[mt][o]++
          if (pa.pageReported(pfn)) reported[mt][o]++
        }
      }
    }
    // pageblocks with RAM in them (a block of a hole has no migratetype to speak of)
    const pageblocks = new Array<number>(MIGRATE_TYPES).fill(0)
    for (let pfn = start - (start % blockPages); pfn < end; pfn += blockPages) {
      const first = Math.max(pfn, start)
      if (pa.zoneOfPfn(first) !== z || pa.pfnState(first) === HOLE) continue
      pageblocks[pa.getPageblockMigratetype(first)]++
    }
    zones.push({ name: pa.zoneName(z), free, reported, pageblocks })
  }
  return { migratetypes: [...MIGRATETYPE_KERNEL_NAMES], zones }
}
