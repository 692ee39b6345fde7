// Zone watermarks as the kernel computes them at boot (mm/page_alloc.c init_per_zone_wmark_min(),
// calculate_min_free_kbytes(), __setup_per_zone_wmarks(), setup_per_zone_lowmem_reserve();
// mm/khugepaged.c set_recommended_min_free_kbytes()). All counts in pages unless named _kbytes.
import { MIGRATE_PCPTYPES, NR_ZONES } from './page_alloc_api'

/** sysctl_lowmem_reserve_ratio for DMA, DMA32, Normal. */
export const LOWMEM_RESERVE_RATIO = [256, 256, 32] as const
const PAGE_KIB = 4

export interface Watermarks {
  readonly minFreeKbytes: number
  readonly min: Int32Array
  readonly low: Int32Array
  readonly high: Int32Array
  /** lowmem_reserve[j] of zone i at i * NR_ZONES + j. */
  readonly lowmemReserve: Int32Array
}

export interface WatermarkConfig {
  readonly managedPages: ArrayLike<number>
  readonly presentPages: ArrayLike<number>
  /** vm.min_free_kbytes set by the user (sysctl after boot), or null to let the kernel compute it. */
  readonly minFreeKbytes: number | null
  readonly thpEnabled: boolean
  readonly pageblockOrder: number
  readonly watermarkScaleFactor: number
}

/** int_sqrt(): floor of the square root. */
export function intSqrt(x: number): number {
  let r = Math.floor(Math.sqrt(x))
  while (r * r > x) r--
  while ((r + 1) * (r + 1) <= x) r++
  return r
}

/** nr_free_buffer_pages(): managed pages above the high watermark, over the zones GFP_USER may use. */
export function nrFreeBufferPages(managedPages: ArrayLike<number>, high: ArrayLike<number>): number {
  let sum = 0
  for (let z = 0; z < NR_ZONES; z++) if (managedPages[z] > high[z]) sum += managedPages[z] - high[z]
  return sum
}

/** calculate_min_free_kbytes(): runs before any watermark is set, so every managed page counts. */
export function calculateMinFreeKbytes(managedPages: ArrayLike<number>): number {
  const lowmemKbytes = nrFreeBufferPages(managedPages, new Int32Array(NR_ZONES)) * PAGE_KIB
  return Math.min(Math.max(intSqrt(lowmemKbytes * 16), 128), 262144)
}

/** set_recommended_min_free_kbytes() (THP enabled): room for fallback pageblocks, capped at 5% of lowmem. */
export function recommendedMinFreeKbytes(cfg: WatermarkConfig, high: ArrayLike<number>, minFreeKbytes: number): number {
  let nrZones = 0
  for (let z = 0; z < NR_ZONES; z++) if (cfg.presentPages[z] > 0) nrZones++
  const pageblockNrPages = 1 << cfg.pageblockOrder
  let recommended = pageblockNrPages * nrZones * 2
  recommended += pageblockNrPages * nrZones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES
  recommended = Math.min(recommended, Math.floor(nrFreeBufferPages(cfg.managedPages, high) / 20))
  return Math.max(minFreeKbytes, recommended * PAGE_KIB)
}

/** __setup_per_zone_wmarks(): WMARK_MIN in proportion to the zone; low/high a quarter of min or watermark_scale_factor apart. */
export function setupPerZoneWmarks(minFreeKbytes: number, managedPages: ArrayLike<number>, watermarkScaleFactor: number): { min: Int32Array; low: Int32Array; high: Int32Array } {
  const pagesMin = Math.floor(minFreeKbytes / PAGE_KIB)
  let lowmemPages = 0
  for (let z = 0; z < NR_ZONES; z++) lowmemPages += managedPages[z]
  const min = new Int32Array(NR_ZONES)
  const low = new Int32Array(NR_ZONES)
  const high = new Int32Array(NR_ZONES)
  for (let z = 0; z < NR_ZONES; z++) {
    const tmp = lowmemPages === 0 ? 0 : Math.floor((pagesMin * managedPages[z]) / lowmemPages)
    min[z] = tmp
    const delta = Math.max(Math.floor(tmp / 4), Math.floor((managedPages[z] * watermarkScaleFactor) / 10000))
    low[z] = min[z] + delta
    high[z] = low[z] + delta
  }
  return { min, low, high }
}

/** setup_per_zone_lowmem_reserve(): pages of zone i kept back from allocations that could use zone j > i. */
export function setupPerZoneLowmemReserve(managedPages: ArrayLike<number>): Int32Array {
  const reserve = new Int32Array(NR_ZONES * NR_ZONES)
  for (let i = 0; i < NR_ZONES - 1; i++) {
    const clear = managedPages[i] === 0
    let upper = 0
    for (let j = i + 1; j < NR_ZONES; j++) {
      upper += managedPages[j]
      reserve[i * NR_ZONES + j] = clear ? 0 : Math.floor(upper / LOWMEM_RESERVE_RATIO[i])
    }
  }
  return reserve
}

/** init_per_zone_wmark_min() followed by khugepaged's set_recommended_min_free_kbytes() when THP is on. */
export function initPerZoneWmarkMin(cfg: WatermarkConfig): Watermarks {
  let minFreeKbytes = cfg.minFreeKbytes ?? calculateMinFreeKbytes(cfg.managedPages)
  let marks = setupPerZoneWmarks(minFreeKbytes, cfg.managedPages, cfg.watermarkScaleFactor)
  if (cfg.minFreeKbytes === null && cfg.thpEnabled) {
    minFreeKbytes = recommendedMinFreeKbytes(cfg, marks.high, minFreeKbytes)
    marks = setupPerZoneWmarks(minFreeKbytes, cfg.managedPages, cfg.watermarkScaleFactor)
  }
  return { minFreeKbytes, ...marks, lowmemReserve: setupPerZoneLowmemReserve(cfg.managedPages) }
}
