// The invariant checker (what CONFIG_DEBUG_VM and check_free_page() catch, and more): recomputes
// every list, flag and counter from the raw memmap and compares. Linear in the number of pfns;
// for tests and `prlab run --check`, not for the hot path.
import * as api from './page_alloc_api'
import * as memmap from './memmap'
import { freeListId } from './free_area'
import { listSentinel } from './list'
import { NR_PCP_LISTS } from './pcp'
import * as mmzone from './mmzone'
import type { PageAllocator } from './page_alloc'

// Plain module-local copies of imported constants for the hot paths: vitest's module transform
// turns every use of an imported name into a property load (5x slower allocator under test).
const { MAX_ORDER, MIGRATE_HIGHATOMIC, MIGRATE_MOVABLE, MIGRATE_PCPTYPES, MIGRATE_TYPES, MIGRATETYPE_KERNEL_NAMES, NR_PAGE_ORDERS, NR_ZONES } = api
const { KIND_ALLOCATED, KIND_BUDDY, KIND_HOLE, KIND_ISOLATED, KIND_PCP, KIND_RESERVED, KIND_TAIL, MT_MASK, MT_SHIFT, PAGE_KIND_MASK, PG_MERGED_REPORTED, PG_REPORTED } = memmap
const { ZONE_NAMES, memmapZoneIdx } = mmzone

const ON_FREE_LIST = 1
const ON_PCP_LIST = 2

function fail(message: string): never {
  throw new Error(`page_alloc check: ${message}`)
}

/**
 * Walks one list from its head: prev links, the sentinels at both ends, the tail pointer, no
 * pfn seen twice (a cycle or a block on two lists). Calls `visit` for each entry.
 */
function walkList(pa: PageAllocator, id: number, what: string, seen: Uint8Array, mark: number, visit: (pfn: number) => void): void {
  const { link, head, tail } = pa.lists
  const sentinel = listSentinel(id)
  let before = sentinel
  let pfn = head[id]
  while (pfn >= 0) {
    if (pfn >= seen.length) fail(`${what}: entry ${pfn} is outside the memmap`)
    if (seen[pfn] !== 0) fail(`${what}: pfn ${pfn} is reached twice (a cycle, or a block on two lists)`)
    seen[pfn] = mark
    if (link[2 * pfn + 1] !== before) fail(`${what}: pfn ${pfn} has prev ${link[2 * pfn + 1]}, expected ${before}`)
    visit(pfn)
    before = pfn
    pfn = link[2 * pfn]
  }
  if (pfn !== sentinel && !(pfn === -1 && before === sentinel)) fail(`${what}: list ends in ${pfn}, expected its own end marker ${sentinel}`)
  const expectedTail = before >= 0 ? before : -1
  if (tail[id] !== expectedTail) fail(`${what}: tail is ${tail[id]}, expected ${expectedTail}`)
}

export function checkPageAlloc(pa: PageAllocator): void {
  const { memmap, layout, area, pcp } = pa
  const nrPfns = layout.nrPfns
  const seen = new Uint8Array(nrPfns)
  // The migratetype of the list each free block was found on (the `migratetype` it was freed with).
  const listMt = new Uint8Array(nrPfns)
  const blocks = new Int32Array(NR_ZONES * NR_PAGE_ORDERS)
  const reported = new Int32Array(NR_ZONES * NR_PAGE_ORDERS)
  const mergedReported = new Int32Array(NR_ZONES * NR_PAGE_ORDERS)

  for (let z = 0; z < NR_ZONES; z++) {
    for (let o = 0; o < NR_PAGE_ORDERS; o++) {
      for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
        const what = `zone ${ZONE_NAMES[z]} order ${o} ${MIGRATETYPE_KERNEL_NAMES[mt]} free list`
        walkList(pa, freeListId(z, o, mt), what, seen, ON_FREE_LIST, (pfn) => {
          if ((memmap.flags(pfn) & PAGE_KIND_MASK) !== KIND_BUDDY) fail(`${what}: pfn ${pfn} is not PageBuddy (kind ${memmap.flags(pfn) & PAGE_KIND_MASK})`)
          if (memmap.order(pfn) !== o) fail(`${what}: pfn ${pfn} has buddy order ${memmap.order(pfn)}`)
          if (memmapZoneIdx(pfn, pa.dma32EndPfn) !== z) fail(`${what}: pfn ${pfn} belongs to zone ${ZONE_NAMES[memmapZoneIdx(pfn, pa.dma32EndPfn)]}`)
          blocks[z * NR_PAGE_ORDERS + o]++
          listMt[pfn] = mt
          if ((memmap.flags(pfn) & PG_REPORTED) !== 0) reported[z * NR_PAGE_ORDERS + o]++
          if ((memmap.flags(pfn) & PG_MERGED_REPORTED) !== 0) mergedReported[z * NR_PAGE_ORDERS + o]++
        })
      }
    }
  }

  const pcpPages = new Int32Array(pcp.cpus * NR_ZONES)
  for (let cpu = 0; cpu < pcp.cpus; cpu++) {
    for (let z = 0; z < NR_ZONES; z++) {
      for (let pindex = 0; pindex < NR_PCP_LISTS; pindex++) {
        const o = pcp.pindexToOrder(pindex)
        const what = `cpu ${cpu} zone ${ZONE_NAMES[z]} pcp list ${pindex}`
        for (const pfn of pcp.lists.entries(pcp.listId(cpu, z, pindex))) {
          if (!(pfn >= 0 && pfn < nrPfns)) fail(`${what}: entry ${pfn} is outside the memmap`)
          if (seen[pfn] !== 0) fail(`${what}: pfn ${pfn} is reached twice (a block on two lists)`)
          seen[pfn] = ON_PCP_LIST
          if ((memmap.flags(pfn) & PAGE_KIND_MASK) !== KIND_PCP) fail(`${what}: pfn ${pfn} is not marked as a pcp page`)
          if (memmap.order(pfn) !== o) fail(`${what}: pfn ${pfn} has order ${memmap.order(pfn)}, the list holds order ${o}`)
          if (memmapZoneIdx(pfn, pa.dma32EndPfn) !== z) fail(`${what}: pfn ${pfn} belongs to zone ${ZONE_NAMES[memmapZoneIdx(pfn, pa.dma32EndPfn)]}`)
          const mt = (memmap.flags(pfn) >> MT_SHIFT) & MT_MASK
          if (pcp.orderToPindex(mt >= MIGRATE_PCPTYPES ? MIGRATE_MOVABLE : mt, o) !== pindex) fail(`${what}: pfn ${pfn} has migratetype ${mt}, not this list's`)
          pcpPages[cpu * NR_ZONES + z] += 1 << o
        }
        if (pcp.allowedOrder[o] === 0 && pcp.lists.length[pcp.listId(cpu, z, pindex)] !== 0) fail(`${what}: order ${o} is not a PCP order but the list is not empty`)
      }
      if (pcpPages[cpu * NR_ZONES + z] !== pcp.count[cpu * NR_ZONES + z]) {
        fail(`cpu ${cpu} zone ${ZONE_NAMES[z]}: pcp count ${pcp.count[cpu * NR_ZONES + z]} != ${pcpPages[cpu * NR_ZONES + z]} pages on its lists`)
      }
    }
  }

  // Holes exactly where no RAM is.
  let holeFrom = 0
  for (const r of [...layout.present, { startPfn: nrPfns, endPfn: nrPfns }]) {
    for (let pfn = holeFrom; pfn < r.startPfn; pfn++) if (memmap.flags(pfn) !== KIND_HOLE || memmap.order(pfn) !== -1) fail(`pfn ${pfn} is outside RAM but not a hole`)
    for (let pfn = r.startPfn; pfn < r.endPfn; pfn++) if ((memmap.flags(pfn) & PAGE_KIND_MASK) === KIND_HOLE) fail(`pfn ${pfn} is RAM but marked as a hole`)
    holeFrom = r.endPfn
  }

  // Every frame of RAM is a reserved frame or inside exactly one block.
  const buddyPages = new Float64Array(NR_ZONES)
  const isolatedPages = new Float64Array(NR_ZONES)
  const allocatedPages = new Float64Array(NR_ZONES)
  const reservedPages = new Float64Array(NR_ZONES)
  for (let pfn = 0; pfn < nrPfns; ) {
    const f = memmap.flags(pfn)
    const kind = f & PAGE_KIND_MASK
    const o = memmap.order(pfn)
    if (kind === KIND_HOLE || kind === KIND_RESERVED) {
      if (o !== -1 || f !== kind) fail(`pfn ${pfn}: a ${kind === KIND_HOLE ? 'hole' : 'reserved frame'} with order ${o} and flags ${f}`)
      if (kind === KIND_RESERVED) reservedPages[memmapZoneIdx(pfn, pa.dma32EndPfn)]++
      pfn++
      continue
    }
    if (kind === KIND_TAIL) fail(`pfn ${pfn} is not inside any block (no head covers it)`)
    if (o < 0 || o > MAX_ORDER) fail(`pfn ${pfn}: block head with order ${o}`)
    if ((pfn & ((1 << o) - 1)) !== 0) fail(`pfn ${pfn}: block of order ${o} is not aligned`)
    if ((f & PG_REPORTED) !== 0 && kind !== KIND_BUDDY) fail(`pfn ${pfn}: PG_reported on a block that is not free`)
    if ((f & PG_MERGED_REPORTED) !== 0 && (kind !== KIND_BUDDY || (f & PG_REPORTED) !== 0)) fail(`pfn ${pfn}: merged-after-reported mark on a block that is not an unreported free block`)
    const z = memmapZoneIdx(pfn, pa.dma32EndPfn)
    const n = 1 << o
    if (memmapZoneIdx(pfn + n - 1, pa.dma32EndPfn) !== z) fail(`pfn ${pfn}: block of order ${o} crosses into zone ${ZONE_NAMES[memmapZoneIdx(pfn + n - 1, pa.dma32EndPfn)]}`)
    for (let t = pfn + 1; t < pfn + n; t++) {
      if (memmap.flags(t) !== KIND_TAIL || memmap.order(t) !== -1) fail(`zone ${ZONE_NAMES[z]} order ${o} block at pfn ${pfn} overlaps pfn ${t} (kind ${memmap.flags(t) & PAGE_KIND_MASK}, order ${memmap.order(t)})`)
    }
    switch (kind) {
      case KIND_BUDDY:
        if (seen[pfn] !== ON_FREE_LIST) fail(`zone ${ZONE_NAMES[z]} order ${o}: free block at pfn ${pfn} is on no free list`)
        buddyPages[z] += n
        checkMerged(pa, pfn, o, z, listMt)
        break
      case KIND_PCP:
        if (seen[pfn] !== ON_PCP_LIST) fail(`zone ${ZONE_NAMES[z]} order ${o}: pcp block at pfn ${pfn} is on no pcp list`)
        break
      case KIND_ISOLATED:
        isolatedPages[z] += n
        break
      case KIND_ALLOCATED:
        allocatedPages[z] += n
        break
      default:
        fail(`pfn ${pfn}: unknown kind ${kind}`)
    }
    pfn += n
  }

  for (let z = 0; z < NR_ZONES; z++) {
    const name = ZONE_NAMES[z]
    for (let o = 0; o < NR_PAGE_ORDERS; o++) {
      const i = z * NR_PAGE_ORDERS + o
      if (area.nrFree[i] !== blocks[i]) fail(`zone ${name} order ${o}: nr_free ${area.nrFree[i]} != ${blocks[i]} blocks on the lists`)
      if (area.nrReported[i] !== reported[i]) fail(`zone ${name} order ${o}: nrReported ${area.nrReported[i]} != ${reported[i]} flagged blocks`)
      if (area.nrMergedReported[i] !== mergedReported[i]) fail(`zone ${name} order ${o}: nrMergedReported ${area.nrMergedReported[i]} != ${mergedReported[i]} marked blocks`)
    }
    if (pa.nrFreePagesByZone[z] !== buddyPages[z]) fail(`zone ${name}: NR_FREE_PAGES ${pa.nrFreePagesByZone[z]} != ${buddyPages[z]} pages on the free lists`)
    if (pa.isolatedByZone[z] !== isolatedPages[z]) fail(`zone ${name}: isolated ${pa.isolatedByZone[z]} != ${isolatedPages[z]} pages in isolated blocks`)
    if (reservedPages[z] !== layout.reservedPages[z]) fail(`zone ${name}: ${reservedPages[z]} reserved frames, expected ${layout.reservedPages[z]}`)
    const total = buddyPages[z] + pcp.zoneCount(z) + isolatedPages[z] + allocatedPages[z] + reservedPages[z]
    if (total !== layout.presentPages[z]) {
      fail(`zone ${name}: free ${buddyPages[z]} + pcp ${pcp.zoneCount(z)} + isolated ${isolatedPages[z]} + allocated ${allocatedPages[z]} + reserved ${reservedPages[z]} = ${total} != present ${layout.presentPages[z]}`)
    }
    if (pa.watermarkBoostByZone[z] < 0) fail(`zone ${name}: negative watermark boost`)
  }
  const highatomicBlocks = new Int32Array(NR_ZONES)
  for (let pb = 0; pb < pa.pageblockMt.length; pb++) {
    const mt = pa.pageblockMt[pb]
    if (mt >= MIGRATE_TYPES) fail(`pageblock at pfn ${pb * pa.pageblockNrPages}: migratetype ${mt}`)
    if (mt === MIGRATE_HIGHATOMIC) highatomicBlocks[memmapZoneIdx(pb * pa.pageblockNrPages, pa.dma32EndPfn)]++
  }
  for (let z = 0; z < NR_ZONES; z++) {
    // reserve_highatomic_pageblock() counts whole pageblocks and nothing here unreserves them. A
    // steal of a free block that spans a HighAtomic pageblock can retype it without uncounting
    // it (6.6 does the same), so the count may exceed the blocks, never fall short.
    const reserved = pa.nrReservedHighatomicByZone[z]
    if (reserved % pa.pageblockNrPages !== 0 || reserved < highatomicBlocks[z] * pa.pageblockNrPages) {
      fail(`zone ${ZONE_NAMES[z]}: nr_reserved_highatomic ${reserved} for ${highatomicBlocks[z]} HighAtomic pageblocks`)
    }
  }
}

/**
 * Two free buddies of the same order that __free_one_page() would have merged. At pageblock
 * order and above it refuses when the freed block's migratetype (the list it went to) and the
 * buddy's pageblock differ and one has no fallbacks; pageblock types and pcp-recorded types can
 * disagree (a page freed to a pcp list before its block turned HighAtomic), so a pair is only
 * an error if every one of the four types is mergeable or they are all the same.
 */
function checkMerged(pa: PageAllocator, pfn: number, o: number, z: number, listMt: Uint8Array): void {
  if (o >= MAX_ORDER) return
  const buddy = pfn ^ (1 << o)
  if (buddy < pfn || !pa.isBuddyHead(buddy, o)) return
  if (o >= pa.pageblockOrder) {
    const types = [listMt[pfn], listMt[buddy], pa.getPageblockMigratetype(pfn), pa.getPageblockMigratetype(buddy)]
    if (types.some((t) => t !== types[0]) && types.some((t) => t >= MIGRATE_PCPTYPES)) return
  }
  const types = `${MIGRATETYPE_KERNEL_NAMES[pa.getPageblockMigratetype(pfn)]}/${MIGRATETYPE_KERNEL_NAMES[pa.getPageblockMigratetype(buddy)]}`
  fail(`zone ${ZONE_NAMES[z]} order ${o}: free buddies at pfn ${pfn} and ${buddy} (pageblocks ${types}) were not merged`)
}
