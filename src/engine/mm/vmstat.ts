// /proc/buddyinfo and /proc/pagetypeinfo, byte-exact (mm/vmstat.c frag_show_print(),
// pagetypeinfo_showfree_print(), pagetypeinfo_showblockcount_print(); kernel-spec §4.1, §4.2),
// and the zone lines of /proc/zoneinfo (zoneinfo_show_print(), §4.3).
// Node 0 only: the model is a single-node guest. Zones without present pages are not printed.
import { MIGRATE_TYPES, MIGRATETYPE_KERNEL_NAMES, NR_PAGE_ORDERS, NR_ZONES } from './page_alloc_api'
import { memmapZoneIdx, PAGES_PER_SECTION, ZONE_NAMES } from './mmzone'
import type { PageAllocator } from './page_alloc'

/** pagetypeinfo stops counting a list at this length and prints ">" before the number. */
const FREECOUNT_CAP = 100000

const pad = (s: string | number, width: number): string => String(s).padStart(width)

/** /proc/buddyinfo: "Node %d, zone %8s " then "%6lu " per order, nr_free in blocks. */
export function formatBuddyinfo(pa: PageAllocator): string {
  let out = ''
  for (let z = 0; z < NR_ZONES; z++) {
    if (pa.layout.presentPages[z] === 0) continue
    out += `Node 0, zone ${pad(ZONE_NAMES[z], 8)} `
    for (let o = 0; o < NR_PAGE_ORDERS; o++) out += `${pad(pa.nrFree(z, o), 6)} `
    out += '\n'
  }
  return out
}

function listLength(pa: PageAllocator, zone: number, order: number, mt: number): number {
  let n = 0
  for (let pfn = pa.listFirst(zone, order, mt); pfn >= 0; pfn = pa.listNext(pfn)) {
    if (++n >= FREECOUNT_CAP) break
  }
  return n
}

/** pfn_to_online_page() != NULL: the pfn's memory section holds some present RAM. */
function sectionOnline(pa: PageAllocator, pfn: number): boolean {
  const start = pfn - (pfn % PAGES_PER_SECTION)
  const end = start + PAGES_PER_SECTION
  return pa.layout.present.some((r) => r.startPfn < end && r.endPfn > start)
}

/** /proc/pagetypeinfo: free blocks per (zone, migratetype, order) and pageblocks per type. */
export function formatPagetypeinfo(pa: PageAllocator): string {
  let out = `Page block order: ${pa.pageblockOrder}\nPages per block:  ${pa.pageblockNrPages}\n\n`
  out += `${'Free pages count per migrate type at order'.padEnd(43)} `
  for (let o = 0; o < NR_PAGE_ORDERS; o++) out += `${pad(o, 6)} `
  out += '\n'
  for (let z = 0; z < NR_ZONES; z++) {
    if (pa.layout.presentPages[z] === 0) continue
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
      out += `Node ${pad(0, 4)}, zone ${pad(ZONE_NAMES[z], 8)}, type ${pad(MIGRATETYPE_KERNEL_NAMES[mt], 12)} `
      for (let o = 0; o < NR_PAGE_ORDERS; o++) {
        const n = listLength(pa, z, o, mt)
        out += `${n >= FREECOUNT_CAP ? '>' : ''}${pad(n, 6)} `
      }
      out += '\n'
    }
  }
  out += `\n${'Number of blocks type '.padEnd(23)}`
  for (let mt = 0; mt < MIGRATE_TYPES; mt++) out += `${pad(MIGRATETYPE_KERNEL_NAMES[mt], 12)} `
  out += '\n'
  for (let z = 0; z < NR_ZONES; z++) {
    if (pa.layout.presentPages[z] === 0) continue
    const count = new Array<number>(MIGRATE_TYPES).fill(0)
    const end = pa.layout.zoneEndPfn[z]
    for (let pfn = pa.layout.zoneStartPfn[z]; pfn < end; pfn += pa.pageblockNrPages) {
      if (!sectionOnline(pa, pfn) || memmapZoneIdx(pfn, pa.dma32EndPfn) !== z) continue
      count[pa.getPageblockMigratetype(pfn)]++
    }
    out += `Node 0, zone ${pad(ZONE_NAMES[z], 8)} `
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) out += `${pad(count[mt], 12)} `
    out += '\n'
  }
  return out
}

/**
 * The lines of /proc/zoneinfo the model knows, in the kernel's format (zoneinfo_show_print(),
 * kernel-spec §4.3): free pages, boost, the watermarks (boost included, as the kernel prints
 * them), spanned/present/managed, nr_free_pages, and each CPU's pageset. The per-node and
 * vm-event counters, cma, protection and the vm stats threshold are left out.
 */
export function formatZoneinfo(pa: PageAllocator): string {
  let out = ''
  for (let z = 0; z < NR_ZONES; z++) {
    const boost = pa.watermarkBoost(z)
    out += `Node 0, zone ${pad(ZONE_NAMES[z], 8)}`
    out += `\n  pages free     ${pa.nrFreePages(z)}`
    out += `\n        boost    ${boost}`
    out += `\n        min      ${pa.wmarkMin(z) + boost}`
    out += `\n        low      ${pa.wmarkLow(z) + boost}`
    out += `\n        high     ${pa.wmarkHigh(z) + boost}`
    out += `\n        spanned  ${pa.layout.zoneEndPfn[z] - pa.layout.zoneStartPfn[z]}`
    out += `\n        present  ${pa.layout.presentPages[z]}`
    out += `\n        managed  ${pa.managedPages[z]}`
    if (pa.layout.presentPages[z] === 0) {
      out += '\n'
      continue
    }
    out += `\n      ${'nr_free_pages'.padEnd(12)} ${pa.nrFreePages(z)}`
    out += '\n  pagesets'
    for (let cpu = 0; cpu < pa.pcp.cpus; cpu++) {
      out += `\n    cpu: ${cpu}`
      out += `\n              count: ${pa.pcp.count[cpu * NR_ZONES + z]}`
      out += `\n              high:  ${pa.pcp.high[z]}`
      out += `\n              batch: ${pa.pcp.batch[z]}`
    }
    out += `\n  start_pfn:           ${pa.physPfn(pa.layout.zoneStartPfn[z])}\n`
  }
  return out
}
