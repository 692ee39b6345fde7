import { describe, expect, it } from 'vitest'
import { PageAllocator } from './page_alloc'
import { GIB_PAGES, guestConfig, q35Ranges } from './guest_fixtures'
import { intSqrt, setupPerZoneLowmemReserve } from './watermark'
import { ZONE_DMA, ZONE_DMA32, ZONE_NORMAL } from './page_alloc_api'

// Expected values worked out from kernel-spec §2.7 by hand (integer division everywhere).
// Layouts: q35 e820 (pfn 0..158 and 256.. below 2 GiB, the rest from 4 GiB); pfn 0 reserved;
// `reservedPages` taken from the bottom of DMA32.

function marks(pa: PageAllocator, zone: number): [number, number, number] {
  return [pa.wmarkMin(zone), pa.wmarkLow(zone), pa.wmarkHigh(zone)]
}

describe('watermarks (init_per_zone_wmark_min, set_recommended_min_free_kbytes)', () => {
  it('1 GiB guest, THP on', () => {
    // managed: DMA 159 + 3840 - 1 = 3998; DMA32 258048 - 10240 = 247808; lowmem 251806.
    // calculate_min_free_kbytes: int_sqrt(251806 * 4 * 16 = 16115584) = 4014.
    // First pass, pages_min 1003: DMA 15/18/21, DMA32 987/1234/1481.
    // khugepaged: 2 populated zones -> 512*2*2 + 512*2*9 = 11264 pages; 5% cap
    // (3998-21 + 247808-1481) / 20 = 12515; so 11264 pages = 45056 kB.
    // pages_min 11264: DMA min 11264*3998/251806 = 178, delta max(44, 3) -> 222/266;
    // DMA32 min 11264*247808/251806 = 11085, delta max(2771, 247) -> 13856/16627.
    const pa = new PageAllocator(guestConfig({ ranges: q35Ranges(GIB_PAGES), reservedPages: 10240, thpEnabled: true }))
    expect(pa.minFreeKbytes).toBe(45056)
    expect(marks(pa, ZONE_DMA)).toEqual([178, 222, 266])
    expect(marks(pa, ZONE_DMA32)).toEqual([11085, 13856, 16627])
    expect(marks(pa, ZONE_NORMAL)).toEqual([0, 0, 0])
    // lowmem_reserve of DMA: 247808 / 256 = 968 for DMA32 and for Normal (empty).
    expect(Array.from(pa.lowmemReserve)).toEqual([0, 968, 968, 0, 0, 0, 0, 0, 0])
  })

  it('1 GiB guest, THP off: min_free_kbytes stays int_sqrt(lowmem_kbytes * 16)', () => {
    const pa = new PageAllocator(guestConfig({ ranges: q35Ranges(GIB_PAGES), reservedPages: 10240, thpEnabled: false }))
    expect(pa.minFreeKbytes).toBe(4014)
    expect(marks(pa, ZONE_DMA)).toEqual([15, 18, 21])
    expect(marks(pa, ZONE_DMA32)).toEqual([987, 1234, 1481])
  })

  it('4 GiB guest (2 GiB below the hole, 2 GiB from 4 GiB), THP on', () => {
    // managed: DMA 3998, DMA32 520192 - 22528 = 497664, Normal 524288; lowmem 1025950.
    // 3 zones: 512*3*11 = 16896 pages (cap 1021879/20 = 51093) = 67584 kB; pages_min 16896.
    // DMA 16896*3998/1025950 = 65, delta max(16, 3) = 16.
    // DMA32 16896*497664/1025950 = 8195, delta max(2048, 497) = 2048.
    // Normal 16896*524288/1025950 = 8634, delta max(2158, 524) = 2158.
    const pa = new PageAllocator(guestConfig({ ranges: q35Ranges(4 * GIB_PAGES), reservedPages: 22528, thpEnabled: true }))
    expect(pa.minFreeKbytes).toBe(67584)
    expect(marks(pa, ZONE_DMA)).toEqual([65, 81, 97])
    expect(marks(pa, ZONE_DMA32)).toEqual([8195, 10243, 12291])
    expect(marks(pa, ZONE_NORMAL)).toEqual([8634, 10792, 12950])
    // DMA: 497664/256 = 1944, (497664+524288)/256 = 3992; DMA32: 524288/256 = 2048.
    expect(Array.from(pa.lowmemReserve)).toEqual([0, 1944, 3992, 0, 0, 2048, 0, 0, 0])
  })

  it('16 GiB guest, THP on: the scale factor wins where min/4 is smaller', () => {
    // managed: DMA 3998, DMA32 520192 - 71680 = 448512, Normal 3670016; lowmem 4122526.
    // pages_min 16896 (67584 kB). DMA 16; DMA32 1838, delta max(459, 448) = 459;
    // Normal 15041, delta max(3760, 3670) = 3760.
    const pa = new PageAllocator(guestConfig({ ranges: q35Ranges(16 * GIB_PAGES), reservedPages: 71680, thpEnabled: true }))
    expect(pa.minFreeKbytes).toBe(67584)
    expect(marks(pa, ZONE_DMA)).toEqual([16, 20, 24])
    expect(marks(pa, ZONE_DMA32)).toEqual([1838, 2297, 2756])
    expect(marks(pa, ZONE_NORMAL)).toEqual([15041, 18801, 22561])
    expect(Array.from(pa.lowmemReserve)).toEqual([0, 1752, 16088, 0, 0, 14336, 0, 0, 0])
  })

  it('16 GiB guest, THP off: int_sqrt(4122526 * 64) = 16243 kB', () => {
    // pages_min 4060: DMA32 4060*448512/4122526 = 441, delta max(110, 448) = 448.
    const pa = new PageAllocator(guestConfig({ ranges: q35Ranges(16 * GIB_PAGES), reservedPages: 71680, thpEnabled: false }))
    expect(pa.minFreeKbytes).toBe(16243)
    expect(marks(pa, ZONE_DMA32)).toEqual([441, 889, 1337])
  })

  it('a user-set vm.min_free_kbytes and watermark_scale_factor are used as given', () => {
    // One 32 MiB DMA32 zone: pages_min 1024 all in it; delta max(256, 8192*100/10000 = 81) = 256.
    const pa = new PageAllocator(guestConfig({ minFreeKbytes: 4096, thpEnabled: true }))
    expect(pa.minFreeKbytes).toBe(4096)
    expect(marks(pa, ZONE_DMA32)).toEqual([1024, 1280, 1536])
    const scaled = new PageAllocator(guestConfig({ minFreeKbytes: 4096, watermarkScaleFactor: 1000 }))
    // delta max(256, 8192*1000/10000 = 819) = 819.
    expect(marks(scaled, ZONE_DMA32)).toEqual([1024, 1843, 2662])
  })

  it('min_free_kbytes is clamped to 128 on a tiny guest', () => {
    // 128 managed pages: int_sqrt(128 * 4 * 16) = 90, clamped up to 128.
    const pa = new PageAllocator(guestConfig({ ranges: [{ startPfn: 4096, endPfn: 4096 + 128 }] }))
    expect(pa.minFreeKbytes).toBe(128)
  })

  it('int_sqrt is the floor of the square root', () => {
    expect(intSqrt(16115584)).toBe(4014)
    expect(intSqrt(4014 * 4014)).toBe(4014)
    expect(intSqrt(4014 * 4014 - 1)).toBe(4013)
    expect(intSqrt(0)).toBe(0)
  })

  it('lowmem_reserve uses the ratio of the lower zone; an empty lower zone reserves nothing', () => {
    // DMA is empty; DMA32 keeps 3200 / 256 = 12 pages from Normal allocations.
    expect(Array.from(setupPerZoneLowmemReserve([0, 8192, 3200]))).toEqual([0, 0, 0, 0, 0, 12, 0, 0, 0])
  })
})
