import { describe, expect, it } from 'vitest'
import { LRU_ACTIVE_FILE, LRU_INACTIVE_ANON, LRU_INACTIVE_FILE, PG_LRU, PG_REFERENCED, PTE_YOUNG } from './alloc_set'
import { GFP_KERNEL } from './gfp'
import { MIGRATE_MOVABLE, MIGRATE_UNMOVABLE, ZONE_DMA32 } from './page_alloc_api'
import { fillLru, vmRig, type VmRig } from './vm_fixtures'
import { DEF_PRIORITY, KSWAPD_WAKE_NS, MAX_RECLAIM_RETRIES, inactiveIsLow } from './vmscan'

// One DMA32 zone of 8192 pages (pfn 4096..12287), no per-CPU lists, so a reclaimed page is free
// at once: watermarks min 181, low 226, high 271 (hand-computed in page_alloc.test.ts).
const Z = ZONE_DMA32
const MIN = 181
const LOW = 226
const HIGH = 271

/** Pages reclaim scans from a list of `size` pages, priority by priority, until `target` are freed (every page reclaimable). */
function reclaimedByPriorities(size: number, target: (reclaimed: number) => boolean, from = DEF_PRIORITY): number {
  let reclaimed = 0
  for (let p = from; p >= 1 && !target(reclaimed); p--) {
    const scan = Math.floor(size / 2 ** p)
    reclaimed += scan
    size -= scan
  }
  return reclaimed
}

/** Fills the zone with page cache down to `free` free pages, all with the fast path (no wakeup). */
function cacheDownTo(rig: VmRig, free: number) {
  return fillLru(rig, rig.alloc.nrFreePages(Z) - free, true)
}

describe('inactive_is_low()', () => {
  it('keeps the kernel table of target active:inactive ratios (mm/vmscan.c)', () => {
    const GB = 262144
    // below 1 GiB: 1:1
    expect(inactiveIsLow(100, 101)).toBe(true)
    expect(inactiveIsLow(100, 100)).toBe(false)
    // 1 GiB: int_sqrt(10) = 3
    expect(inactiveIsLow(GB / 4, (3 * GB) / 4)).toBe(false)
    expect(inactiveIsLow(GB / 4 - 1, (3 * GB) / 4 + 1)).toBe(true)
    // 10 GiB: int_sqrt(100) = 10; 100 GiB: int_sqrt(1000) = 31
    expect(inactiveIsLow(GB, 9 * GB)).toBe(false)
    expect(inactiveIsLow(Math.floor(0.9 * GB), Math.floor(9.1 * GB))).toBe(true)
    expect(inactiveIsLow(3 * GB, 97 * GB)).toBe(true)
    expect(inactiveIsLow(4 * GB, 96 * GB)).toBe(false)
  })
})

describe('kswapd (wakeup_kswapd(), balance_pgdat())', () => {
  it('sleeps while the fast path succeeds, wakes when an allocation fails the low watermark', () => {
    const rig = vmRig()
    const cache = cacheDownTo(rig, LOW + 1)
    expect(rig.alloc.nrFreePages(Z)).toBe(LOW + 1)
    rig.runFor(10)
    expect(rig.vmscan.pageoutrun).toBe(0)
    // free 227 - 1 page = 226: the fast path needs free - 0 > low, so this one fails over to the slow path
    expect(rig.alloc.allocPages(0, MIGRATE_MOVABLE, 0)).toBeGreaterThan(0)
    expect(rig.alloc.allocPages(0, MIGRATE_MOVABLE, 0)).toBeGreaterThan(0)
    expect(rig.vmscan.pageoutrun).toBe(0)
    rig.runFor(KSWAPD_WAKE_NS / 1e6)
    expect(rig.vmscan.pageoutrun).toBe(1)
    expect(cache.length).toBeLessThan(8000)
    rig.check()
  })

  it('reclaims the oldest page cache, size >> priority per round from priority 12, until above the high watermark', () => {
    const rig = vmRig()
    const cache = cacheDownTo(rig, LOW)
    const size = cache.lruPages
    const oldest = Array.from({ length: 80 }, (_, i) => cache.pfnAt(i))
    // fails the low watermark: kswapd woken (movable: no fallback, so no boost)
    rig.alloc.allocPages(0, MIGRATE_MOVABLE, 0)
    const free = rig.alloc.nrFreePages(Z)
    rig.runFor(100)
    // balanced once free > high: 226 - 1 + 1 + 3 + 7 + 15 = 250, then + 31 = 281 > 271
    const expected = reclaimedByPriorities(size, (r) => free + r > HIGH)
    expect(expected).toBe(1 + 3 + 7 + 15 + 31)
    expect(rig.vmscan.pgstealKswapd).toBe(expected)
    expect(rig.alloc.nrFreePages(Z)).toBe(free + expected)
    expect(rig.released).toBe(expected)
    // FIFO: exactly the `expected` oldest pages went, in order
    expect(cache.pfnAt(0)).toBe(oldest[expected])
    for (let i = 0; i < expected; i++) expect(rig.alloc.pfnState(oldest[i])).not.toBe(1)
    const run = rig.events.filter((e) => e.kind === 'kswapd')
    expect(run).toHaveLength(1)
    expect(run[0].kib).toBe(expected * 4)
    expect(run[0].detail).toContain('low watermark')
    expect(rig.vmscan.kswapdRunning).toBe(false)
    rig.check()
  })

  it('ZONE_RECLAIM_ACTIVE while it runs: pcp high drops to 4 batches (nr_pcp_high())', () => {
    const rig = vmRig({ config: { pcpOrders: [0], cpus: 1 } })
    cacheDownTo(rig, LOW)
    rig.alloc.allocPages(0, MIGRATE_MOVABLE, 0)
    const pcp = rig.alloc.pcp
    rig.q.runNext(Infinity) // kswapd's first round
    expect(pcp.reclaimActive[Z]).toBe(1)
    rig.runFor(100)
    expect(pcp.reclaimActive[Z]).toBe(0)
    rig.check()
  })
})

describe('the watermark boost (boost_watermark(), balance_pgdat())', () => {
  /**
   * A steal below pageblock order: movable memory nobody can reclaim everywhere, one pageblock
   * with 312 free pages left, then an unmovable request (as in page_alloc.test.ts).
   */
  function boosted(rig: VmRig): void {
    rig.alloc.allocPages(0, MIGRATE_MOVABLE, 0)
    while (rig.alloc.allocPages(9, MIGRATE_MOVABLE, 0) >= 0);
    for (let i = 0; i < 200; i++) rig.alloc.allocPages(0, MIGRATE_MOVABLE, 0)
    expect(rig.alloc.allocPages(0, MIGRATE_UNMOVABLE, 0)).toBeGreaterThan(0)
  }

  it('is cleared at the end of the kswapd run the boost woke, even with nothing to reclaim; allocations pass again', () => {
    const rig = vmRig()
    boosted(rig)
    // boost_watermark(): min(512, max(512, 271 * 15000 / 10000)) = 512
    expect(rig.alloc.watermarkBoost(Z)).toBe(512)
    // rmqueue() saw ZONE_BOOSTED_WATERMARK: kswapd is on its way
    rig.runFor(100)
    expect(rig.vmscan.pageoutrun).toBe(1)
    expect(rig.alloc.watermarkBoost(Z)).toBe(0)
    const run = rig.events.find((e) => e.kind === 'kswapd')
    expect(run?.detail).toContain('watermark boost')
    expect(run?.detail).toContain('boost of 2048 KiB cleared')
    // 311 free > low 226: the fast path serves again
    expect(rig.alloc.allocPages(0, MIGRATE_MOVABLE, 0)).toBeGreaterThan(0)
    rig.check()
  })

  it('a hopeless node (MAX_RECLAIM_RETRIES runs without progress) is not woken: the boost stays until reclaim progresses', () => {
    const rig = vmRig()
    rig.vmscan.kswapdFailures = MAX_RECLAIM_RETRIES
    boosted(rig)
    rig.runFor(100)
    expect(rig.vmscan.pageoutrun).toBe(0)
    expect(rig.alloc.watermarkBoost(Z)).toBe(512)
  })
})

describe('direct reclaim (try_to_free_pages())', () => {
  it('an allocation that would fall below min reclaims 32 pages itself, priority by priority, and stalls for it', () => {
    const rig = vmRig()
    const cache = cacheDownTo(rig, LOW + 1)
    const size = cache.lruPages
    // allocate synchronously down to min, before kswapd (woken, 20 µs away) gets to run
    while (rig.alloc.nrFreePages(Z) > MIN) rig.alloc.allocPages(0, MIGRATE_MOVABLE, 0)
    expect(rig.vmscan.pgstealDirect).toBe(0)
    expect(rig.alloc.allocPages(0, MIGRATE_MOVABLE, 0)).toBeGreaterThan(0)
    // priority 12 scans size >> 12 whole (proportional at DEF_PRIORITY), then until 32 are freed
    const expected = reclaimedByPriorities(size, (r) => r >= 32)
    expect(rig.vmscan.pgstealDirect).toBe(expected)
    expect(rig.vmscan.allocstall).toBe(1)
    const stall = rig.alloc.takeStall_ns()
    expect(stall).toBeGreaterThan(0)
    expect(rig.vmscan.directReclaim_ns).toBe(stall)
    expect(rig.events.filter((e) => e.kind === 'direct_reclaim')).toHaveLength(1)
    rig.check()
  })

  it('without reclaimable memory the allocation fails at once (should_reclaim_retry(): free + reclaimable cannot pass min; no OOM killer)', () => {
    const rig = vmRig()
    while (rig.alloc.allocPages(0, MIGRATE_MOVABLE, 0, GFP_KERNEL) >= 0);
    expect(rig.alloc.nrFreePages(Z)).toBe(MIN)
    expect(rig.vmscan.pgstealDirect).toBe(0)
    expect(rig.vmscan.allocstall).toBe(1)
    rig.check()
  })
})

describe('anonymous memory (get_scan_count(), folio_check_references())', () => {
  it('is never scanned without swap: reclaim can only drop page cache', () => {
    const rig = vmRig()
    const anon = fillLru(rig, rig.alloc.nrFreePages(Z) - LOW, false)
    const before = anon.length
    rig.alloc.allocPages(0, MIGRATE_MOVABLE, 0)
    rig.runFor(100)
    expect(anon.length).toBe(before)
    expect(rig.vmscan.pgscanKswapd).toBe(0)
    // kswapd retries at once while the node is unbalanced, until it is hopeless
    expect(rig.vmscan.pageoutrun).toBe(MAX_RECLAIM_RETRIES)
    expect(rig.vmscan.kswapdFailures).toBe(MAX_RECLAIM_RETRIES)
  })

  it('with swap: a young page is kept once (PG_referenced, PTE young cleared), an old one is written to swap', () => {
    const rig = vmRig({ swapPages: 4096 })
    // memory nobody can reclaim, down to the low watermark, then two anonymous pages
    while (rig.alloc.nrFreePages(Z) > LOW + 2) rig.alloc.allocPages(0, MIGRATE_MOVABLE, 0)
    const anon = rig.rmap.create(LRU_INACTIVE_ANON)
    const old = rig.alloc.allocPages(0, MIGRATE_MOVABLE, 0)
    const young = rig.alloc.allocPages(0, MIGRATE_MOVABLE, 0)
    anon.push(old, 0, PG_LRU)
    anon.push(young, 0, PG_LRU | PTE_YOUNG)
    // priorities 12..2 scan 2 >> p = 0 pages; priority 1 scans the oldest (to swap), priority 0
    // the other (size 1, SCAN_EQUAL): its PTE is young, so it is kept
    expect(rig.vmscan.tryToFreePages(0, 0)).toBe(1)
    expect(rig.vmscan.pswpout).toBe(1)
    expect(anon.length).toBe(1)
    expect(anon.pfnAt(0)).toBe(young)
    expect(rig.rmap.flags(young) & (PG_REFERENCED | PTE_YOUNG)).toBe(PG_REFERENCED)
    expect(anon.swappedPages).toBe(1)
    expect(rig.vmscan.swapUsedPages).toBe(1)
    expect(rig.alloc.pfnState(old)).not.toBe(1)
    // the next scan finds it referenced but not young: folio_check_references() says reclaim
    expect(rig.vmscan.tryToFreePages(0, 0)).toBe(1)
    expect(anon.length).toBe(0)
    expect(rig.vmscan.swapUsedPages).toBe(2)
    expect(rig.released).toBe(2)
    rig.vmscan.releaseSwap(anon.swappedPages)
    anon.swappedPages = 0
    expect(rig.vmscan.swapUsedPages).toBe(0)
    rig.check()
  })

  it('with swap full, anonymous memory is not scanned', () => {
    const rig = vmRig({ swapPages: 1 })
    while (rig.alloc.nrFreePages(Z) > LOW + 2) rig.alloc.allocPages(0, MIGRATE_MOVABLE, 0)
    const anon = rig.rmap.create(LRU_INACTIVE_ANON)
    for (let i = 0; i < 2; i++) anon.push(rig.alloc.allocPages(0, MIGRATE_MOVABLE, 0), 0, PG_LRU)
    expect(rig.vmscan.tryToFreePages(0, 0)).toBe(1)
    expect(rig.vmscan.tryToFreePages(0, 0)).toBe(0)
    expect(anon.length).toBe(1)
    rig.check()
  })
})

describe('the file LRU (shrink_active_list(), prepare_scan_count())', () => {
  it('spares the active list while the inactive one is large enough, deactivates it once it is low', () => {
    const rig = vmRig()
    const inactive = rig.rmap.create(LRU_INACTIVE_FILE)
    const active = rig.rmap.create(LRU_ACTIVE_FILE)
    fillLru(rig, 3000, true, 0, active)
    fillLru(rig, rig.alloc.nrFreePages(Z) - LOW, true, 0, inactive)
    expect(rig.vmscan.lruPages(LRU_ACTIVE_FILE)).toBe(3000)
    rig.alloc.allocPages(0, MIGRATE_MOVABLE, 0)
    rig.runFor(100)
    // inactive (about 4900) >= active: the active list is not aged
    expect(rig.vmscan.lruPages(LRU_ACTIVE_FILE)).toBe(3000)
    expect(rig.vmscan.lruPages(LRU_INACTIVE_ANON)).toBe(0)
    // drop most of the inactive list: now inactive < active, kswapd moves active pages to the inactive list
    while (inactive.length > 1000) {
      const pfn = inactive.pfnAt(0)
      inactive.shift()
      rig.alloc.freePages(pfn, 0, 0)
    }
    fillLru(rig, rig.alloc.nrFreePages(Z) - LOW, true, 0, active)
    rig.alloc.allocPages(0, MIGRATE_MOVABLE, 0)
    rig.runFor(100)
    expect(rig.vmscan.lruPages(LRU_ACTIVE_FILE)).toBeLessThan(active.length + 1)
    expect(active.length).toBeLessThan(3000 + 3900)
    rig.check()
  })
})
