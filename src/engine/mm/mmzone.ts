// Zone layout on x86_64 (arch/x86/mm/init.c zone_sizes_init(), mm/mm_init.c
// free_area_init()): DMA below 16 MiB, DMA32 below 4 GiB, Normal above; spanned, present and
// managed pages; the memblock reservations that never reach the buddy allocator.
import * as api from './page_alloc_api'
import { findMemmapHole, memmapIdx, NO_MEMMAP_HOLE, type MemmapHole } from './sparse'

// Plain module-local copies of imported constants, as in page_alloc.ts: memmapZoneIdx() runs on
// every free, and the module transform (tsx, vitest) makes each use of an imported name a getter call.
const { MAX_ORDER, NR_ZONES, ZONE_DMA, ZONE_DMA32, ZONE_NORMAL } = api

export const MAX_DMA_PFN = 4096
export const MAX_DMA32_PFN = 1048576
export const ZONE_NAMES = ['DMA', 'DMA32', 'Normal'] as const
/** SECTION_SIZE_BITS 27 on x86_64: 128 MiB memory sections (pfn_to_online_page() granularity). */
export const PAGES_PER_SECTION = 32768
const ZONE_LOWEST_PFN = [0, MAX_DMA_PFN, MAX_DMA32_PFN] as const

export interface PfnRange {
  readonly startPfn: number
  readonly endPfn: number
}

/**
 * Every pfn here is a memmap index (sparse.ts): the pfn itself unless the layout was computed
 * `sparse` and RAM has a hole, which the index leaves out (`hole`).
 */
export interface ZoneLayout {
  /** max_pfn: end of the highest present range. */
  readonly maxPfn: number
  /** Frames in the memory map: max_pfn rounded up to a MAX_ORDER block, so buddy lookups stay in range. */
  readonly nrPfns: number
  /** The span of pfns the index leaves out (NO_MEMMAP_HOLE: none). */
  readonly hole: MemmapHole
  /** Where ZONE_DMA32 ends (MAX_DMA32_PFN as an index): memmapZoneIdx()'s second boundary. */
  readonly dma32EndPfn: number
  readonly present: readonly PfnRange[]
  /** Memblock reservations: low memory (pfn 0; the first MiB since 5.13) and the lowest pfns of DMA32/Normal. */
  readonly reserved: readonly PfnRange[]
  /** Present minus reserved, ascending: what memblock_free_all() hands to the buddy allocator. */
  readonly free: readonly PfnRange[]
  readonly zoneStartPfn: Int32Array
  readonly zoneEndPfn: Int32Array
  readonly presentPages: Int32Array
  readonly reservedPages: Int32Array
  readonly managedPages: Int32Array
}

/** page_zonenum() for any pfn. */
export function zoneIdx(pfn: number): number {
  return pfn < MAX_DMA_PFN ? ZONE_DMA : pfn < MAX_DMA32_PFN ? ZONE_DMA32 : ZONE_NORMAL
}

/** page_zonenum() for a memmap index of a layout whose ZONE_DMA32 ends at `dma32EndPfn` (ZoneLayout.dma32EndPfn). */
export function memmapZoneIdx(pfn: number, dma32EndPfn: number): number {
  return pfn < MAX_DMA_PFN ? ZONE_DMA : pfn < dma32EndPfn ? ZONE_DMA32 : ZONE_NORMAL
}

function validateRanges(ranges: readonly PfnRange[]): PfnRange[] {
  if (ranges.length === 0) throw new Error('PageAllocConfig.ranges: expected at least one present RAM range, got none')
  const sorted = ranges.map((r, i) => {
    if (!Number.isSafeInteger(r.startPfn) || !Number.isSafeInteger(r.endPfn) || r.startPfn < 0 || r.endPfn <= r.startPfn || r.endPfn > 0x7fffffff - (1 << MAX_ORDER)) {
      throw new Error(`PageAllocConfig.ranges[${i}]: expected integer pfns with 0 <= startPfn < endPfn < 2^31, got [${r.startPfn}, ${r.endPfn})`)
    }
    return { startPfn: r.startPfn, endPfn: r.endPfn, index: i }
  })
  sorted.sort((a, b) => a.startPfn - b.startPfn)
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].startPfn < sorted[i - 1].endPfn) {
      throw new Error(`PageAllocConfig.ranges[${sorted[i].index}]: [${sorted[i].startPfn}, ${sorted[i].endPfn}) overlaps ranges[${sorted[i - 1].index}] ending at ${sorted[i - 1].endPfn}`)
    }
  }
  const merged: PfnRange[] = []
  for (const r of sorted) {
    const last = merged[merged.length - 1]
    if (last !== undefined && last.endPfn === r.startPfn) merged[merged.length - 1] = { startPfn: last.startPfn, endPfn: r.endPfn }
    else merged.push({ startPfn: r.startPfn, endPfn: r.endPfn })
  }
  return merged
}

/** Splits ranges at the zone boundaries so that each piece lies in one zone. */
function splitAtZones(ranges: readonly PfnRange[]): PfnRange[] {
  const out: PfnRange[] = []
  for (const r of ranges) {
    let start = r.startPfn
    for (const boundary of [MAX_DMA_PFN, MAX_DMA32_PFN]) {
      if (start < boundary && r.endPfn > boundary) {
        out.push({ startPfn: start, endPfn: boundary })
        start = boundary
      }
    }
    out.push({ startPfn: start, endPfn: r.endPfn })
  }
  return out
}

/**
 * Zones, present and managed pages. `reservedPages` are taken from the lowest present pfns above
 * the DMA zone; present pfns below `lowReserveEndPfn` are reserved too (x86 keeps pfn 0, and since
 * 5.13 the whole first MiB: src/engine/e820.ts). `sparse`: the layout is in memmap indices that
 * leave out the widest aligned hole between two zones (sparse.ts), as SPARSEMEM has no memmap for
 * absent sections.
 */
export function computeZoneLayout(ranges: readonly PfnRange[], reservedPages: number, lowReserveEndPfn = 1, sparse = false): ZoneLayout {
  const layout = computePfnLayout(ranges, reservedPages, lowReserveEndPfn)
  if (!sparse) return layout
  const hole = findMemmapHole(layout.present, zoneIdx)
  if (hole.pages === 0) return layout
  return toMemmapIndex(layout, hole)
}

/** The layout with every pfn translated to its memmap index; the hole lies between two zones, so no zone's span changes. */
function toMemmapIndex(l: ZoneLayout, hole: MemmapHole): ZoneLayout {
  const idx = (pfn: number): number => memmapIdx(hole, pfn)
  const ranges = (rs: readonly PfnRange[]): PfnRange[] => rs.map((r) => ({ startPfn: idx(r.startPfn), endPfn: idx(r.endPfn) }))
  const maxPfn = idx(l.maxPfn)
  return {
    ...l,
    maxPfn,
    nrPfns: Math.ceil(maxPfn / (1 << MAX_ORDER)) * (1 << MAX_ORDER),
    hole,
    dma32EndPfn: idx(MAX_DMA32_PFN),
    present: ranges(l.present),
    reserved: ranges(l.reserved),
    free: ranges(l.free),
    zoneStartPfn: l.zoneStartPfn.map(idx),
    zoneEndPfn: l.zoneEndPfn.map(idx),
  }
}

function computePfnLayout(ranges: readonly PfnRange[], reservedPages: number, lowReserveEndPfn: number): ZoneLayout {
  if (!Number.isSafeInteger(reservedPages) || reservedPages < 0) {
    throw new Error(`PageAllocConfig.reservedPages: expected a non-negative integer, got ${reservedPages}`)
  }
  const present = splitAtZones(validateRanges(ranges))
  const maxPfn = present[present.length - 1].endPfn
  const nrPfns = Math.ceil(maxPfn / (1 << MAX_ORDER)) * (1 << MAX_ORDER)

  const reserved: PfnRange[] = []
  for (const r of present) {
    if (r.startPfn >= lowReserveEndPfn) break
    reserved.push({ startPfn: r.startPfn, endPfn: Math.min(r.endPfn, lowReserveEndPfn) })
  }
  let left = reservedPages
  for (const r of present) {
    if (left === 0) break
    if (r.startPfn < MAX_DMA_PFN) continue
    const take = Math.min(left, r.endPfn - r.startPfn)
    reserved.push({ startPfn: r.startPfn, endPfn: r.startPfn + take })
    left -= take
  }
  if (left > 0) {
    throw new Error(`PageAllocConfig.reservedPages: ${reservedPages} pages do not fit in DMA32/Normal (${reservedPages - left} present pages above 16 MiB)`)
  }

  const free: PfnRange[] = []
  for (const r of present) {
    let start = r.startPfn
    for (const res of reserved) {
      if (res.startPfn >= r.startPfn && res.startPfn < r.endPfn) {
        if (res.startPfn > start) free.push({ startPfn: start, endPfn: res.startPfn })
        start = Math.max(start, res.endPfn)
      }
    }
    if (start < r.endPfn) free.push({ startPfn: start, endPfn: r.endPfn })
  }

  const zoneStartPfn = new Int32Array(NR_ZONES)
  const zoneEndPfn = new Int32Array(NR_ZONES)
  const presentPages = new Int32Array(NR_ZONES)
  const reservedCount = new Int32Array(NR_ZONES)
  const managedPages = new Int32Array(NR_ZONES)
  for (let z = 0; z < NR_ZONES; z++) {
    const pieces = present.filter((r) => zoneIdx(r.startPfn) === z)
    if (pieces.length === 0) {
      zoneStartPfn[z] = ZONE_LOWEST_PFN[z]
      zoneEndPfn[z] = ZONE_LOWEST_PFN[z]
      continue
    }
    zoneStartPfn[z] = pieces[0].startPfn
    zoneEndPfn[z] = pieces[pieces.length - 1].endPfn
    for (const r of pieces) presentPages[z] += r.endPfn - r.startPfn
    for (const r of reserved) if (zoneIdx(r.startPfn) === z) reservedCount[z] += r.endPfn - r.startPfn
    managedPages[z] = presentPages[z] - reservedCount[z]
  }
  return { maxPfn, nrPfns, hole: NO_MEMMAP_HOLE, dma32EndPfn: MAX_DMA32_PFN, present, reserved, free, zoneStartPfn, zoneEndPfn, presentPages, reservedPages: reservedCount, managedPages }
}

