import { describe, expect, it } from 'vitest'
import { PageAllocator, createPageAlloc } from './page_alloc'
import { guestConfig } from './guest_fixtures'
import {
  MIGRATE_HIGHATOMIC,
  MIGRATE_MOVABLE,
  MIGRATE_RECLAIMABLE,
  MIGRATE_UNMOVABLE,
  ZONE_DMA,
  ZONE_DMA32,
  ZONE_NORMAL,
  type PageAllocConfig,
} from './page_alloc_api'
import { PFN_STATES } from '../../common/api'

// "§5 #N" in a test name: the behavioural property N of kernel-spec.md §5 it checks.
// Unless a test says otherwise: one DMA32 zone of 8192 pages (pfn 4096..12287, 8 order-10 blocks,
// 16 pageblocks), one CPU, no per-CPU lists, THP off. Watermarks (hand-computed, §2.7):
// int_sqrt(8192*4*16) = 724 kB -> min 181, low 226, high 271.
const Z = ZONE_DMA32

function make(overrides: Partial<PageAllocConfig> = {}): { pa: PageAllocator; notes: [number, number][] } {
  const notes: [number, number][] = []
  const pa = new PageAllocator(guestConfig({ notifyFree: (zone, order) => notes.push([zone, order]), ...overrides }))
  notes.length = 0
  return { pa, notes }
}

function list(pa: PageAllocator, zone: number, order: number, mt: number): number[] {
  const out: number[] = []
  for (let pfn = pa.listFirst(zone, order, mt); pfn >= 0; pfn = pa.listNext(pfn)) out.push(pfn)
  return out
}

function freeCounts(pa: PageAllocator, zone: number): number[] {
  return Array.from({ length: 11 }, (_, o) => pa.nrFree(zone, o))
}

describe('boot (memblock_free_all)', () => {
  it('frees all managed memory in max-order chunks to the tail, notifying with each order', () => {
    const notes: [number, number][] = []
    const pa = new PageAllocator(guestConfig({ notifyFree: (z, o) => notes.push([z, o]) }))
    expect(list(pa, Z, 10, MIGRATE_MOVABLE)).toEqual([4096, 5120, 6144, 7168, 8192, 9216, 10240, 11264])
    expect(pa.nrFreePages(Z)).toBe(8192)
    expect(notes).toEqual(Array.from({ length: 8 }, () => [Z, 10]))
    pa.check()
  })

  it('frees an unaligned range in the largest aligned chunks; pfn 0 is reserved', () => {
    const pa = new PageAllocator(guestConfig({ ranges: [{ startPfn: 0, endPfn: 159 }, { startPfn: 256, endPfn: 4096 }] }))
    // 1..158: 1(o0) 2(o1) 4(o2) 8(o3) 16(o4) 32(o5) 64(o5) 96(o5) 128(o4) 144(o3) 152(o2) 156(o1) 158(o0)
    // merged as they come: 2+... no merges (pfn 0 reserved, 159..255 a hole). 256..4095: 256(o8) 512(o9) 1024.. (o10 x3).
    expect(freeCounts(pa, ZONE_DMA)).toEqual([2, 2, 2, 2, 2, 1, 1, 0, 1, 1, 3])
    expect(pa.zoneManagedPages(ZONE_DMA)).toBe(3998)
    expect(pa.nrFreePages(ZONE_DMA)).toBe(3998)
    pa.check()
  })
})

describe('__free_one_page', () => {
  it('merges two order-0 buddies into order 1, and on up to order 10', () => {
    const { pa, notes } = make()
    const a = pa.allocPages(0, MIGRATE_MOVABLE, 0)
    const b = pa.allocPages(0, MIGRATE_MOVABLE, 0)
    const c = pa.allocPages(1, MIGRATE_MOVABLE, 0)
    expect([a, b, c]).toEqual([4096, 4097, 4098])
    pa.freePages(a, 0, 0)
    expect(pa.isBuddyHead(4096, 0)).toBe(true)
    pa.freePages(b, 0, 0)
    // 4096 + 4097 -> order 1 at 4096; its order-1 buddy 4098 is allocated.
    expect(pa.isBuddyHead(4096, 1)).toBe(true)
    expect(pa.isBuddyHead(4096, 0)).toBe(false)
    expect(pa.nrFree(Z, 0)).toBe(0)
    expect(pa.nrFree(Z, 1)).toBe(1)
    pa.freePages(c, 1, 0)
    // 4096 o1 + 4098 o1 -> o2, + 4100 o2 -> o3 ... + 4608 o9 -> order 10.
    expect(pa.isBuddyHead(4096, 10)).toBe(true)
    expect(freeCounts(pa, Z)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8])
    expect(pa.nrFreePages(Z)).toBe(8192)
    // Each free notifies with the order it ended at.
    expect(notes).toEqual([[Z, 0], [Z, 1], [Z, 10]])
    pa.check()
  })

  it('does not merge across a HighAtomic pageblock at pageblock order', () => {
    const { pa } = make()
    expect(pa.allocPages(9, MIGRATE_MOVABLE, 0)).toBe(4096)
    expect(pa.allocPages(9, MIGRATE_MOVABLE, 0)).toBe(4608)
    expect(pa.reserveHighatomicPageblock(4608)).toBe(true)
    expect(pa.nrReservedHighatomic(Z)).toBe(512)
    pa.freePages(4096, 9, 0)
    pa.freePages(4608, 9, 0)
    expect(list(pa, Z, 9, MIGRATE_MOVABLE)).toEqual([4096])
    expect(list(pa, Z, 9, MIGRATE_HIGHATOMIC)).toEqual([4608])
    expect(pa.nrFree(Z, 10)).toBe(7)
    pa.check()
  })

  it('buddy_merge_likely: a free whose order+1 buddy is free goes to the tail', () => {
    const { pa } = make()
    for (let i = 0; i < 5; i++) pa.allocPages(0, MIGRATE_MOVABLE, 0)
    // Allocated 4096..4100; free: 4101 (o0), 4102 (o1), 4104 (o3) ...
    expect(list(pa, Z, 0, MIGRATE_MOVABLE)).toEqual([4101])
    pa.freePages(4098, 0, 0)
    pa.freePages(4099, 0, 0)
    // 4098 + 4099 -> order 1; its order-2 partner 4100 is allocated: head.
    expect(list(pa, Z, 1, MIGRATE_MOVABLE)).toEqual([4098, 4102])
    pa.freePages(4096, 0, 0)
    // 4096 cannot merge (4097 allocated) but the other half of its order-1 block, 4098 (o1), is free: tail.
    expect(list(pa, Z, 0, MIGRATE_MOVABLE)).toEqual([4101, 4096])
    pa.check()
  })

  it('a merge clears PG_reported of the absorbed buddy; the merged block starts unflagged and notifies its order (§5 #23)', () => {
    const { pa, notes } = make()
    expect(pa.allocPages(0, MIGRATE_MOVABLE, 0)).toBe(4096)
    pa.setPageReported(4608)
    pa.setPageReported(4352)
    expect(pa.nrReported(Z, 9)).toBe(1)
    expect(pa.nrReported(Z, 8)).toBe(1)
    pa.freePages(4096, 0, 0)
    expect(pa.isBuddyHead(4096, 10)).toBe(true)
    expect(pa.pageReported(4096)).toBe(false)
    expect(pa.pageReported(4608)).toBe(false)
    expect(pa.nrReported(Z, 9)).toBe(0)
    expect(pa.nrReported(Z, 8)).toBe(0)
    expect(notes).toEqual([[Z, 10]])
    pa.check()
  })

  it('shuffle_pick_tail: order-10 frees take a random bit; lower orders do not', () => {
    let bits = 0
    const { pa } = make({ shuffle: true, randomBit: () => (bits++, 1) })
    expect(pa.allocPages(10, MIGRATE_MOVABLE, 0)).toBe(4096)
    pa.freePages(4096, 10, 0)
    expect(bits).toBe(1)
    expect(list(pa, Z, 10, MIGRATE_MOVABLE).at(-1)).toBe(4096)
    const { pa: heads } = make({ shuffle: true, randomBit: () => 0 })
    heads.allocPages(10, MIGRATE_MOVABLE, 0)
    heads.freePages(4096, 10, 0)
    expect(list(heads, Z, 10, MIGRATE_MOVABLE)[0]).toBe(4096)
    heads.allocPages(0, MIGRATE_MOVABLE, 0)
    heads.freePages(4096, 0, 0)
    expect(bits).toBe(1)
  })
})

describe('__rmqueue_smallest and expand', () => {
  it('takes the head; the halves go to the list heads without PG_reported (§5 #20, #22)', () => {
    const { pa } = make()
    for (const pfn of list(pa, Z, 10, MIGRATE_MOVABLE)) pa.setPageReported(pfn)
    expect(pa.nrReported(Z, 10)).toBe(8)
    expect(pa.allocPages(3, MIGRATE_MOVABLE, 0)).toBe(4096)
    expect(pa.nrReported(Z, 10)).toBe(7)
    // expand(): 4096 + 2^k for k = 3..9.
    for (let k = 3; k <= 9; k++) {
      expect(pa.listFirst(Z, k, MIGRATE_MOVABLE)).toBe(4096 + (1 << k))
      expect(pa.pageReported(4096 + (1 << k))).toBe(false)
      expect(pa.nrReported(Z, k)).toBe(0)
    }
    expect(pa.pfnState(4103)).toBe(PFN_STATES.indexOf('allocated'))
    expect(pa.pfnState(4104)).toBe(PFN_STATES.indexOf('free'))
    expect(pa.pfnState(5200)).toBe(PFN_STATES.indexOf('reported'))
    // The head of the order-10 list goes next, flag and all.
    expect(pa.allocPages(10, MIGRATE_MOVABLE, 0)).toBe(5120)
    expect(pa.nrReported(Z, 10)).toBe(6)
    expect(pa.nrFreePages(Z)).toBe(8192 - 8 - 1024)
    pa.check()
  })
})

describe('__rmqueue_fallback and steal_suitable_fallback', () => {
  it('an unmovable request claims a whole order-10 movable block (no boost)', () => {
    const { pa } = make()
    expect(pa.allocPages(0, MIGRATE_UNMOVABLE, 0)).toBe(4096)
    expect([4096, 4608, 5120].map((p) => pa.getPageblockMigratetype(p))).toEqual([MIGRATE_UNMOVABLE, MIGRATE_UNMOVABLE, MIGRATE_MOVABLE])
    expect(pa.listFirst(Z, 9, MIGRATE_UNMOVABLE)).toBe(4608)
    expect(list(pa, Z, 10, MIGRATE_MOVABLE)).toEqual([5120, 6144, 7168, 8192, 9216, 10240, 11264])
    expect(pa.watermarkBoost(Z)).toBe(0)
    pa.check()
  })

  it('tries the largest order first, then the fallback types in table order', () => {
    const { pa } = make()
    expect(pa.allocPages(10, MIGRATE_UNMOVABLE, 0)).toBe(4096)
    pa.freePages(4096, 10, 0)
    expect(list(pa, Z, 10, MIGRATE_UNMOVABLE)).toEqual([4096])
    // Reclaimable falls back to Unmovable before Movable at the same order.
    expect(pa.allocPages(0, MIGRATE_RECLAIMABLE, 0)).toBe(4096)
    expect(pa.getPageblockMigratetype(4096)).toBe(MIGRATE_RECLAIMABLE)
    // Movable falls back to Reclaimable first, but its own type comes before any fallback.
    expect(pa.allocPages(0, MIGRATE_MOVABLE, 0)).toBe(5120)
    pa.check()
  })

  /** 15 order-9 movable blocks and `used` order-0 movable pages from the last pageblock (11776..). */
  function fragmentLastPageblock(used: number): PageAllocator {
    const { pa } = make()
    for (let i = 0; i < 15; i++) expect(pa.allocPages(9, MIGRATE_MOVABLE, 0)).toBe(4096 + 512 * i)
    for (let i = 0; i < used; i++) expect(pa.allocPages(0, MIGRATE_MOVABLE, 0)).toBe(11776 + i)
    return pa
  }

  it('below pageblock order: boosts, moves the free pages to the tail keeping PG_reported, claims with >= 256 free', () => {
    const pa = fragmentLastPageblock(200)
    const wakes: number[] = []
    pa.attachSlowpath({ allocSlowpath: () => -1, wakeupKswapdBoosted: (zone) => wakes.push(zone) })
    // Free in 11776..12287: 11976 (o3), 11984 (o4), 12000 (o5), 12032 (o8) = 312 pages.
    pa.setPageReported(12032)
    expect(pa.allocPages(0, MIGRATE_UNMOVABLE, 0)).toBe(11976)
    // ZONE_BOOSTED_WATERMARK: rmqueue() woke kswapd for the zone, once
    expect(wakes).toEqual([Z])
    // 312 free + 0 alike >= 256: claimed.
    expect(pa.getPageblockMigratetype(11776)).toBe(MIGRATE_UNMOVABLE)
    expect(list(pa, Z, 8, MIGRATE_UNMOVABLE)).toEqual([12032])
    expect(list(pa, Z, 8, MIGRATE_MOVABLE)).toEqual([])
    expect(pa.pageReported(12032)).toBe(true)
    expect(pa.nrReported(Z, 8)).toBe(1)
    // 11976 (o3) was split: 11977 o0, 11978 o1, 11980 o2 on the unmovable lists.
    expect([0, 1, 2].map((o) => pa.listFirst(Z, o, MIGRATE_UNMOVABLE))).toEqual([11977, 11978, 11980])
    // boost_watermark: min(0 + 512, max(512, 271 * 15000 / 10000 = 406)) = 512.
    expect(pa.watermarkBoost(Z)).toBe(512)
    // 311 free <= low 226 + boost 512: the fast path fails and the slow path (here: fails) takes over.
    expect(pa.allocPages(0, MIGRATE_MOVABLE, 0)).toBe(-1)
    // Frees do not clear the boost, however much comes back: only kswapd does, at the end of balance_pgdat().
    pa.freePages(4096, 9, 0)
    expect(pa.watermarkBoost(Z)).toBe(512)
    pa.clearBoost(Z, 512)
    expect(pa.watermarkBoost(Z)).toBe(0)
    expect(wakes).toEqual([Z])
    pa.check()
  })

  it('below pageblock order with < 256 free: moves the free pages but keeps the block type', () => {
    const pa = fragmentLastPageblock(300)
    // Free: 12076 (o2), 12080 (o4), 12096 (o6), 12160 (o7) = 212 pages < low 226: the slow path (min 181) serves.
    expect(pa.allocPages(0, MIGRATE_UNMOVABLE, 0)).toBe(12076)
    expect(pa.getPageblockMigratetype(11776)).toBe(MIGRATE_MOVABLE)
    expect(list(pa, Z, 7, MIGRATE_UNMOVABLE)).toEqual([12160])
    expect(list(pa, Z, 6, MIGRATE_UNMOVABLE)).toEqual([12096])
    expect(list(pa, Z, 7, MIGRATE_MOVABLE)).toEqual([])
    pa.check()
  })

  it('no boost in a zone of fewer than 4 pageblocks, or with watermark_boost_factor 0', () => {
    for (const cfg of [{ ranges: [{ startPfn: 4096, endPfn: 4096 + 1536 }] }, { watermarkBoostFactor: 0 }]) {
      const { pa } = make(cfg)
      // Fragment a movable pageblock, then steal below pageblock order.
      pa.allocPages(0, MIGRATE_MOVABLE, 0)
      pa.allocPages(9, MIGRATE_MOVABLE, 0)
      while (pa.allocPages(9, MIGRATE_MOVABLE, 0) >= 0);
      expect(pa.allocPages(0, MIGRATE_UNMOVABLE, 0)).toBeGreaterThan(0)
      expect(pa.watermarkBoost(Z)).toBe(0)
      pa.check()
    }
  })
})

describe('get_page_from_freelist', () => {
  it('walks DMA32 then DMA against low + lowmem_reserve, then the min watermark, then fails', () => {
    // DMA 4095 managed (min 73, low 91), DMA32 8192 (min 147, low 183); lowmem_reserve DMA = 8192/256 = 32.
    const { pa } = make({ ranges: [{ startPfn: 0, endPfn: 12288 }] })
    const zones: number[] = []
    for (;;) {
      const pfn = pa.allocPages(0, MIGRATE_MOVABLE, 0)
      if (pfn < 0) break
      zones.push(pa.zoneOfPfn(pfn))
    }
    // DMA32 while free > 183 (8009), DMA while free > 91 + 32 (3972), then min: DMA32 to 147 (36), DMA to 105 (18).
    const runs: [number, number][] = []
    for (const z of zones) {
      if (runs.length > 0 && runs[runs.length - 1][0] === z) runs[runs.length - 1][1]++
      else runs.push([z, 1])
    }
    expect(runs).toEqual([[ZONE_DMA32, 8009], [ZONE_DMA, 3972], [ZONE_DMA32, 36], [ZONE_DMA, 18]])
    expect(pa.nrFreePages(ZONE_DMA32)).toBe(147)
    expect(pa.nrFreePages(ZONE_DMA)).toBe(105)
    pa.check()
  })

  it('a high-order request needs a block of that order besides the watermark', () => {
    const { pa } = make()
    for (let i = 0; i < 7; i++) pa.allocPages(10, MIGRATE_MOVABLE, 0)
    // 1024 free: 1024 - 1023 = 1 <= low: the order-10 request fails even on the min watermark.
    expect(pa.allocPages(10, MIGRATE_MOVABLE, 0)).toBe(-1)
    expect(pa.allocPages(9, MIGRATE_MOVABLE, 0)).toBe(11264)
  })

  it('with a Normal zone, ALLOC_NOFRAGMENT sends a fragmenting request to DMA32 for a whole block first', () => {
    const { pa } = make({ ranges: [{ startPfn: 4096, endPfn: 8192 }, { startPfn: 1048576, endPfn: 1048576 + 4096 }] })
    for (let i = 0; i < 7; i++) expect(pa.zoneOfPfn(pa.allocPages(9, MIGRATE_MOVABLE, 0))).toBe(ZONE_NORMAL)
    pa.allocPages(0, MIGRATE_MOVABLE, 0)
    // Normal holds only movable fragments below pageblock order: with ALLOC_NOFRAGMENT it does
    // not steal them, and DMA32 gives up a whole order-10 block instead.
    const pfn = pa.allocPages(0, MIGRATE_UNMOVABLE, 0)
    expect(pa.zoneOfPfn(pfn)).toBe(ZONE_DMA32)
    expect(pa.getPageblockMigratetype(pfn)).toBe(MIGRATE_UNMOVABLE)
    pa.check()
  })
})

describe('per-CPU lists', () => {
  // 1 GiB DMA32-only guest, THP on: min 5632, low 7040, high 8448; batch 63, pcp high 7040.
  const big = { ranges: [{ startPfn: 4096, endPfn: 4096 + 262144 }], thpEnabled: true, pcpOrders: [0, 1, 2, 3, 9] }

  it('refills a batch in pfn order and reuses frees LIFO; pcp pages are not free pages', () => {
    const { pa, notes } = make(big)
    expect(pa.wmarkLow(Z)).toBe(7040)
    expect(pa.allocPages(0, MIGRATE_MOVABLE, 0)).toBe(4096)
    expect(pa.allocPages(0, MIGRATE_MOVABLE, 0)).toBe(4097)
    expect(pa.pcpCount(Z)).toBe(61)
    expect(pa.nrFreePages(Z)).toBe(262144 - 63)
    expect(pa.pfnState(4100)).toBe(PFN_STATES.indexOf('pcp'))
    pa.freePages(4096, 0, 0)
    expect(notes).toEqual([])
    expect(pa.pcpCount(Z)).toBe(62)
    expect(pa.allocPages(0, MIGRATE_MOVABLE, 0)).toBe(4096)
    pa.check()
  })

  it('an order-9 (THP) free sits on the pcp list and notifies only when drained (§5 #2)', () => {
    const { pa, notes } = make(big)
    // The refill takes max(63 >> 9, 2) = 2 blocks: 4096 is handed out, 4608 waits on the list.
    expect(pa.allocPages(9, MIGRATE_MOVABLE, 0)).toBe(4096)
    pa.freePages(4096, 9, 0)
    expect(notes).toEqual([])
    expect(pa.pcpCount(Z)).toBe(1024)
    pa.drainAllPages()
    expect(pa.pcpCount(Z)).toBe(0)
    // Drained from the tail: 4608 first (its buddy is still on the pcp: order 9), then 4096 merges to 10.
    expect(notes).toEqual([[Z, 9], [Z, 10]])
    expect(pa.nrFreePages(Z)).toBe(262144)
    pa.check()
  })

  it('frees past pcp->high drain the oldest batch into the buddy', () => {
    const { pa, notes } = make(big)
    const pfns: number[] = []
    for (let i = 0; i < 7100; i++) pfns.push(pa.allocPages(0, MIGRATE_MOVABLE, 0))
    // 113 refills of 63 = 7119 taken: 19 left on the list.
    expect(pa.pcpCount(Z)).toBe(19)
    for (let i = 0; i < 7020; i++) pa.freePages(pfns[i], 0, 0)
    expect(notes).toEqual([])
    pa.freePages(pfns[7020], 0, 0)
    // count 7040 >= high: 63 pages from the tail go to the buddy, the first ones refilled.
    expect(pa.pcpCount(Z)).toBe(7040 - 63)
    expect(notes.length).toBe(63)
    pa.check()
  })
})

describe('__isolate_free_page / __putback_isolated_page', () => {
  it('refuses when usable free would not stay above min + 2^order', () => {
    const { pa } = make()
    for (let i = 0; i < 7498; i++) pa.allocPages(0, MIGRATE_MOVABLE, 0)
    // 694 free, the last pageblock (11776) whole: 694 > 181 + 512.
    expect(pa.nrFreePages(Z)).toBe(694)
    expect(pa.isBuddyHead(11776, 9)).toBe(true)
    pa.allocPages(0, MIGRATE_MOVABLE, 0)
    // 693 is not above 693.
    expect(pa.isolateFreePage(11776, 9)).toBe(false)
    expect(pa.isBuddyHead(11776, 9)).toBe(true)
    pa.freePages(11593, 0, 0)
    expect(pa.isolateFreePage(11776, 9)).toBe(true)
    pa.check()
  })

  it('takes the block off the lists and out of NR_FREE_PAGES until the put-back, which does not notify (§5 #2, #16, #17)', () => {
    const { pa, notes } = make()
    pa.setPageReported(11264)
    expect(pa.isolateFreePage(11264, 10)).toBe(true)
    expect(pa.pageReported(11264)).toBe(false)
    expect(pa.nrReported(Z, 10)).toBe(0)
    expect(pa.nrFreePages(Z)).toBe(8192 - 1024)
    expect(pa.nrFree(Z, 10)).toBe(7)
    expect(pa.isolatedPages(Z)).toBe(1024)
    expect(pa.pfnState(11300)).toBe(PFN_STATES.indexOf('isolated'))
    pa.check()
    pa.putbackIsolatedPage(11264, 10)
    expect(pa.nrFreePages(Z)).toBe(8192)
    expect(pa.isolatedPages(Z)).toBe(0)
    expect(list(pa, Z, 10, MIGRATE_MOVABLE).at(-1)).toBe(11264)
    expect(notes).toEqual([])
    pa.check()
  })

  it('an isolated block cannot merge with a buddy freed meanwhile; the put-back merges and goes to the tail (§5 #16, #20)', () => {
    const { pa } = make()
    expect(pa.allocPages(9, MIGRATE_MOVABLE, 0)).toBe(4096)
    expect(pa.isolateFreePage(4608, 9)).toBe(true)
    pa.freePages(4096, 9, 0)
    expect(pa.isBuddyHead(4096, 9)).toBe(true)
    pa.check()
    pa.putbackIsolatedPage(4608, 9)
    expect(pa.isBuddyHead(4096, 10)).toBe(true)
    expect(list(pa, Z, 10, MIGRATE_MOVABLE)).toEqual([5120, 6144, 7168, 8192, 9216, 10240, 11264, 4096])
    pa.check()
  })

  it('5.7-5.9 put-back (putbackToTail false) uses the normal placement', () => {
    const { pa } = make({ putbackToTail: false })
    pa.isolateFreePage(4096, 10)
    pa.putbackIsolatedPage(4096, 10)
    expect(list(pa, Z, 10, MIGRATE_MOVABLE)[0]).toBe(4096)
  })

  it('order >= pageblock_order - 1 retypes covered Unmovable/Reclaimable pageblocks to Movable, type bits only', () => {
    const { pa } = make()
    expect(pa.allocPages(0, MIGRATE_UNMOVABLE, 0)).toBe(4096)
    // Pageblocks 4096 and 4608 are Unmovable; 4097 (o0) .. 4352 (o8), 4608 (o9) on the unmovable lists.
    expect(pa.isolateFreePage(4352, 8)).toBe(true)
    expect(pa.getPageblockMigratetype(4096)).toBe(MIGRATE_MOVABLE)
    expect(pa.getPageblockMigratetype(4608)).toBe(MIGRATE_UNMOVABLE)
    // 6.6 does not move the other free pages of the block.
    expect(pa.listFirst(Z, 7, MIGRATE_UNMOVABLE)).toBe(4224)
    pa.putbackIsolatedPage(4352, 8)
    expect(list(pa, Z, 8, MIGRATE_MOVABLE)).toEqual([4352])
    expect(pa.isolateFreePage(4608, 9)).toBe(true)
    expect(pa.getPageblockMigratetype(4608)).toBe(MIGRATE_MOVABLE)
    pa.putbackIsolatedPage(4608, 9)
    // Order 7 and below never retype.
    expect(pa.allocPages(0, MIGRATE_RECLAIMABLE, 0)).toBe(5120)
    expect(pa.isolateFreePage(5248, 7)).toBe(true)
    expect(pa.getPageblockMigratetype(5120)).toBe(MIGRATE_RECLAIMABLE)
    pa.check()
  })

  it('leaves HighAtomic pageblocks alone, and the highatomic reserve is not usable free memory', () => {
    const { pa } = make()
    pa.allocPages(9, MIGRATE_MOVABLE, 0)
    pa.allocPages(9, MIGRATE_MOVABLE, 0)
    pa.reserveHighatomicPageblock(4608)
    pa.freePages(4608, 9, 0)
    expect(pa.isolateFreePage(4608, 9)).toBe(true)
    expect(pa.getPageblockMigratetype(4608)).toBe(MIGRATE_HIGHATOMIC)
    pa.putbackIsolatedPage(4608, 9)
    expect(list(pa, Z, 9, MIGRATE_HIGHATOMIC)).toEqual([4608])
    // Allocations stop when free - reserved (512) is no longer above min (181): at 693 free, not 181.
    while (pa.allocPages(0, MIGRATE_MOVABLE, 0) >= 0);
    expect(pa.nrFreePages(Z)).toBe(693)
    pa.check()
  })

  it('move_freepages_block keeps PG_reported and appends to the tail of the new list (§5 #24)', () => {
    const { pa } = make()
    // Leave one free order-8 block in each of the pageblocks 4096 and 4608.
    expect(pa.takePageOffBuddy(4096, 8)).toBe(true)
    expect(pa.takePageOffBuddy(4608, 8)).toBe(true)
    expect(list(pa, Z, 8, MIGRATE_MOVABLE)).toEqual([4864, 4352])
    pa.setPageReported(4352)
    pa.setPageReported(4864)
    expect(pa.reserveHighatomicPageblock(4096)).toBe(true)
    expect(pa.reserveHighatomicPageblock(4608)).toBe(true)
    expect(list(pa, Z, 8, MIGRATE_HIGHATOMIC)).toEqual([4352, 4864])
    expect(list(pa, Z, 8, MIGRATE_MOVABLE)).toEqual([])
    expect([pa.pageReported(4352), pa.pageReported(4864), pa.nrReported(Z, 8)]).toEqual([true, true, 2])
    pa.check()
  })

  it('reserve_highatomic_pageblock stops at managed / 100 + one pageblock', () => {
    const { pa } = make()
    // 8192 / 100 + 512 = 593: the second reservation (1024 >= 593) is refused.
    expect(pa.reserveHighatomicPageblock(4096)).toBe(true)
    expect(pa.reserveHighatomicPageblock(5120)).toBe(true)
    expect(pa.reserveHighatomicPageblock(6144)).toBe(false)
    expect(pa.nrReservedHighatomic(Z)).toBe(1024)
    pa.check()
  })
})

describe('take_page_off_buddy', () => {
  it('splits the free block around the target, halves to the list heads, the target allocated', () => {
    const { pa } = make()
    expect(pa.takePageOffBuddy(4100, 2)).toBe(true)
    // 4096 (o10) -> 4608 o9, 4352 o8, ... 4104 o3, then 4096 o2 kept free, 4100 o2 taken.
    expect(pa.listFirst(Z, 2, MIGRATE_MOVABLE)).toBe(4096)
    expect([3, 4, 5, 6, 7, 8, 9].map((o) => pa.listFirst(Z, o, MIGRATE_MOVABLE))).toEqual([4104, 4112, 4128, 4160, 4224, 4352, 4608])
    expect(pa.nrFreePages(Z)).toBe(8192 - 4)
    expect(PFN_STATES[pa.pfnState(4103)]).toBe('allocated')
    // Not free any more, nor is a block that is only partly free.
    expect(pa.takePageOffBuddy(4100, 0)).toBe(false)
    expect(pa.takePageOffBuddy(4096, 3)).toBe(false)
    pa.check()
    pa.freePages(4100, 2, 0)
    expect(pa.isBuddyHead(4096, 10)).toBe(true)
    pa.check()
  })

  it('takes a whole free block', () => {
    const { pa } = make()
    expect(pa.takePageOffBuddy(11264, 10)).toBe(true)
    expect(pa.nrFree(Z, 10)).toBe(7)
    expect(() => pa.takePageOffBuddy(11265, 1)).toThrow(/takePageOffBuddy: expected .* aligned to it, got pfn 11265 order 1/)
    pa.check()
  })
})

describe('split_page', () => {
  it('turns an allocated block into order-0 pages that are freed one by one', () => {
    const { pa } = make()
    expect(pa.allocPages(2, MIGRATE_MOVABLE, 0)).toBe(4096)
    pa.splitPage(4096, 2)
    expect(() => pa.freePages(4096, 2, 0)).toThrow(/not the head of an allocated block of order 2/)
    pa.check()
    for (const pfn of [4099, 4097, 4096]) pa.freePages(pfn, 0, 0)
    expect(pa.isBuddyHead(4096, 1)).toBe(true)
    pa.freePages(4098, 0, 0)
    expect(pa.isBuddyHead(4096, 10)).toBe(true)
    pa.check()
    expect(() => pa.splitPage(4096, 10)).toThrow(/splitPage: pfn 4096 is not the head of an allocated block of order 10/)
  })
})

describe('free-list walking for page_reporting', () => {
  it('rotateToFront, listNext and the reported counters', () => {
    const { pa } = make()
    pa.rotateToFront(Z, 10, MIGRATE_MOVABLE, 7168)
    expect(list(pa, Z, 10, MIGRATE_MOVABLE)).toEqual([7168, 8192, 9216, 10240, 11264, 4096, 5120, 6144])
    pa.setPageReported(7168)
    pa.setPageReported(7168)
    expect(pa.nrReported(Z, 10)).toBe(1)
    pa.check()
  })
})

describe('pfnState', () => {
  it('maps every frame to its memory-map state', () => {
    const { pa } = make({ ranges: [{ startPfn: 0, endPfn: 159 }, { startPfn: 256, endPfn: 12288 }], pcpOrders: [0], reservedPages: 4 })
    const state = (pfn: number) => PFN_STATES[pa.pfnState(pfn)]
    expect(state(0)).toBe('allocated')
    expect(state(200)).toBe('hole')
    expect(state(4096)).toBe('allocated')
    expect(state(20000)).toBe('hole')
    expect(state(-1)).toBe('hole')
    const pfn = pa.allocPages(0, MIGRATE_MOVABLE, 0)
    expect(state(pfn)).toBe('allocated')
    pa.freePages(pfn, 0, 0)
    expect(state(pfn)).toBe('pcp')
    pa.drainAllPages()
    expect(state(pfn)).toBe('free')
  })
})

describe('bad input', () => {
  it('names the call, the pfn and what was expected', () => {
    const pa = createPageAlloc(guestConfig())
    expect(() => pa.freePages(4096, 0, 0)).toThrow(/freePages: pfn 4096 is not the head of an allocated block of order 0/)
    expect(() => pa.allocPages(11, MIGRATE_MOVABLE, 0)).toThrow(/allocPages: order must be an integer in 0..10, got 11/)
    expect(() => pa.allocPages(0, MIGRATE_HIGHATOMIC, 0)).toThrow(/allocPages: migratetype must be/)
    expect(() => pa.allocPages(0, MIGRATE_MOVABLE, 1)).toThrow(/allocPages: cpu must be an integer in 0..0, got 1/)
    expect(() => pa.isolateFreePage(4096, 9)).toThrow(/isolateFreePage: pfn 4096 is not the head of a free block of order 9/)
    expect(() => pa.putbackIsolatedPage(4096, 10)).toThrow(/putbackIsolatedPage: pfn 4096 is not an isolated block of order 10/)
    expect(() => pa.setPageReported(4097)).toThrow(/setPageReported: pfn 4097/)
    const p = pa.allocPages(1, MIGRATE_MOVABLE, 0)
    expect(() => pa.freePages(p, 0, 0)).toThrow(/not the head of an allocated block of order 0/)
  })

  it('rejects a bad configuration with the field name', () => {
    expect(() => createPageAlloc(guestConfig({ cpus: 0 }))).toThrow(/PageAllocConfig.cpus: expected an integer in 1..8192, got 0/)
    expect(() => createPageAlloc(guestConfig({ pageblockOrder: 8 as 9 }))).toThrow(/PageAllocConfig.pageblockOrder/)
    expect(() => createPageAlloc(guestConfig({ pcpOrders: [0, 5] }))).toThrow(/PageAllocConfig.pcpOrders\[1\]/)
    expect(() => createPageAlloc(guestConfig({ watermarkScaleFactor: 0 }))).toThrow(/PageAllocConfig.watermarkScaleFactor/)
  })
})
