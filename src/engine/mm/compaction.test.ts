import { describe, expect, it } from 'vitest'
import { LRU_INACTIVE_ANON, PG_LRU } from './alloc_set'
import {
  COMPACT_MAX_DEFER_SHIFT,
  HPAGE_FRAG_CHECK_INTERVAL_MS,
  compactionSuitable,
  extfragForOrder,
  fragmentationIndex,
  fragmentationScoreNode,
  fragmentationScoreWmark,
} from './compaction'
import { GFP_KERNEL, GFP_TRANSHUGE, GFP_TRANSHUGE_LIGHT, __GFP_DIRECT_RECLAIM, __GFP_KSWAPD_RECLAIM, __GFP_NORETRY, vmaThpGfpMask } from './gfp'
import { MIGRATE_MOVABLE, MIGRATE_UNMOVABLE, ZONE_DMA32 } from './page_alloc_api'
import { fillLru, vmRig, type VmRig } from './vm_fixtures'

// One DMA32 zone of 8192 pages (pfn 4096..12287: 16 pageblocks of 512, 8 order-10 blocks), no
// per-CPU lists, watermarks min 181, low 226, high 271.
const Z = ZONE_DMA32
const START = 4096
const END = 4096 + 8192

/**
 * Every page of the zone allocated as movable LRU memory, then every other page freed: each
 * pageblock half free in order-0 holes, the worst fragmentation (the score is 100).
 */
function halfFree(rig: VmRig) {
  const set = fillLru(rig, 8192, false)
  // free the even pfns (the set is in allocation order: find them by pfn)
  for (let i = set.length - 1; i >= 0; i--) {
    const pfn = set.pfnAt(i)
    if (pfn % 2 === 0) {
      set.swapRemove(i)
      rig.alloc.freePages(pfn, 0, 0)
    }
  }
  return set
}

const freeAtOrLeast = (rig: VmRig, order: number): number => {
  let n = 0
  for (let o = order; o <= 10; o++) n += rig.alloc.nrFree(Z, o) * 2 ** o
  return n
}

describe('fragmentation figures (mm/vmstat.c, mm/compaction.c)', () => {
  it('extfrag_for_order(), fragmentation_index() and the node score, hand-computed', () => {
    const rig = vmRig()
    // fresh: 8 free order-10 blocks: nothing below order 9
    expect(extfragForOrder(rig.alloc, Z, 9)).toBe(0)
    expect(fragmentationIndex(rig.alloc, Z, 9)).toBe(-1000)
    const set = halfFree(rig)
    // the zone filled down to min (8192 - 181 pages), then every even pfn freed: order-0 holes,
    // and the 181 pages never allocated at the top in small blocks
    expect(set.length + rig.alloc.nrFree(Z, 0)).toBeGreaterThan(8000)
    const free = rig.alloc.nrFreePages(Z)
    let blocks = 0
    for (let o = 0; o <= 10; o++) blocks += rig.alloc.nrFree(Z, o)
    expect(freeAtOrLeast(rig, 9)).toBe(0)
    expect(extfragForOrder(rig.alloc, Z, 9)).toBe(100)
    // no block of order 9: 1000 - (1000 + free * 1000 / 512) / blocks
    expect(fragmentationIndex(rig.alloc, Z, 9)).toBe(1000 - Math.floor((1000 + Math.floor((free * 1000) / 512)) / blocks))
    // one zone holds all present pages: present * 100 / (present + 1) rounds down to 99
    expect(fragmentationScoreNode(rig.alloc)).toBe(Math.floor((8192 * 100) / 8193))
    expect(fragmentationScoreWmark(20, true)).toBe(80)
    expect(fragmentationScoreWmark(20, false)).toBe(90)
    expect(fragmentationScoreWmark(100, true)).toBe(5)
    expect(fragmentationScoreWmark(0, false)).toBe(100)
  })

  it('compaction_suitable(): free above the watermark plus compact_gap(), and for costly orders a fragmentation-caused failure', () => {
    const rig = vmRig()
    halfFree(rig)
    // order 9 is costly: low 226 + 2 << 9 = 1250 free needed; thousands of holes: fragindex near 1000 > 500
    expect(rig.alloc.nrFreePages(Z)).toBeGreaterThan(226 + 1024)
    expect(fragmentationIndex(rig.alloc, Z, 9)).toBeGreaterThan(500)
    expect(compactionSuitable(rig.alloc, Z, 9, Z)).toBe(true)
    // order 3 (not costly): min 181 + 16
    expect(compactionSuitable(rig.alloc, Z, 3, Z)).toBe(true)

    // the same free memory in a few large blocks: the failure is for lack of memory, not fragmentation
    const few = vmRig()
    for (let pfn = START; pfn < END; pfn += 256) expect(few.alloc.takePageOffBuddy(pfn, 8)).toBe(true)
    for (let k = 0; k < 5; k++) few.alloc.freePages(START + 512 * k, 8, 0)
    // 1280 free > 1250, in 5 order-8 blocks: 1000 - (1000 + 1280 * 1000 / 512) / 5 = 300 <= 500
    expect(few.alloc.nrFreePages(Z)).toBe(1280)
    expect(fragmentationIndex(few.alloc, Z, 9)).toBe(300)
    expect(compactionSuitable(few.alloc, Z, 9, Z)).toBe(false)
    // below the watermark + gap: not suitable whatever the fragmentation
    few.alloc.takePageOffBuddy(START, 8)
    expect(compactionSuitable(few.alloc, Z, 3, Z)).toBe(true)
    expect(few.alloc.nrFreePages(Z)).toBe(1024)
    expect(compactionSuitable(few.alloc, Z, 9, Z)).toBe(false)
  })
})

describe('compact_zone() through compact_memory (compact_node())', () => {
  it('the migration scanner empties the bottom pageblocks into the holes at the top: high-order blocks form', () => {
    const rig = vmRig()
    const set = halfFree(rig)
    const free = rig.alloc.nrFreePages(Z)
    const pages = set.pages
    expect(freeAtOrLeast(rig, 9)).toBe(0)
    let done = false
    rig.compaction.compactMemory(() => (done = true))
    rig.runFor(10_000)
    expect(done).toBe(true)
    rig.check()
    // nothing lost: the same free and owned pages, each record follows its page
    expect(rig.alloc.nrFreePages(Z)).toBe(free)
    expect(set.pages).toBe(pages)
    // the free memory is now mostly in order-9 and order-10 blocks at the bottom of the zone
    expect(freeAtOrLeast(rig, 9)).toBeGreaterThan(free * 0.8)
    for (let i = 0; i < set.length; i++) expect(set.pfnAt(i)).toBeGreaterThanOrEqual(START + 0.4 * 8192)
    expect(rig.compaction.compactMigrated).toBeGreaterThan(1500)
    const ev = rig.events.filter((e) => e.kind === 'compaction')
    expect(ev.length).toBeGreaterThan(0)
    expect(ev.at(-1)?.detail).toContain('compact_memory: complete')
  })

  it('leaves unmovable pages and compound (THP) pages where they are', () => {
    const rig = vmRig()
    const unmovable = rig.alloc.allocPages(0, MIGRATE_UNMOVABLE, 0)
    const thp = rig.alloc.allocPages(9, MIGRATE_MOVABLE, 0)
    const owner = rig.rmap.create(LRU_INACTIVE_ANON)
    owner.push(thp, 9, PG_LRU)
    halfFree(rig)
    rig.compaction.compactMemory(() => undefined)
    rig.runFor(10_000)
    expect(rig.alloc.allocatedHead(unmovable, 0)).toBe(true)
    expect(owner.pfnAt(0)).toBe(thp)
    expect(rig.alloc.allocatedHead(thp, 9)).toBe(true)
    rig.check()
  })

  it('the free scanner takes Reported free pages: they lose the flag and the migration writes them, a refault on the host', () => {
    const rig = vmRig()
    const set = fillLru(rig, 8192, false)
    // free 16-page chunks at the top half, every other one, and report them (the host drops them)
    const reported: number[] = []
    for (let i = set.length - 1; i >= 0; i--) {
      const pfn = set.pfnAt(i)
      if (pfn >= START + 4096 && pfn % 32 < 16) {
        set.swapRemove(i)
        rig.alloc.freePages(pfn, 0, 0)
      }
    }
    for (let pfn = START + 4096; pfn < END; pfn += 32) {
      if (rig.alloc.isBuddyHead(pfn, 4)) {
        rig.alloc.setPageReported(pfn)
        rig.host.discard(pfn, 16)
        reported.push(pfn)
      }
    }
    expect(reported.length).toBeGreaterThan(100)
    // and every other page at the bottom: the migration sources
    for (let i = set.length - 1; i >= 0; i--) {
      const pfn = set.pfnAt(i)
      if (pfn < START + 4096 && pfn % 2 === 0) {
        set.swapRemove(i)
        rig.alloc.freePages(pfn, 0, 0)
      }
    }
    const refaultedBefore = rig.host.refaultedPages
    rig.compaction.compactMemory(() => undefined)
    rig.runFor(10_000)
    rig.check()
    expect(rig.compaction.compactReportedTaken).toBeGreaterThan(0)
    let stillReported = 0
    for (const pfn of reported) if (rig.alloc.isBuddyHead(pfn, 4) && rig.alloc.pageReported(pfn)) stillReported++
    expect(stillReported * 16 + rig.compaction.compactReportedTaken).toBe(reported.length * 16)
    // each Reported page a migration wrote was faulted back in on the host
    expect(rig.host.refaultedPages - refaultedBefore).toBeGreaterThan(0)
    expect(rig.host.refaultedPages - refaultedBefore).toBeLessThanOrEqual(rig.compaction.compactReportedTaken)
    expect(rig.events.some((e) => e.kind === 'compaction' && e.detail?.includes('Reported'))).toBe(true)
  })
})

describe('deferral (defer_compaction(), compaction_deferred())', () => {
  it('skips (1 << shift) - 1 attempts after the shift-th failure, up to 63; orders below the last success are never deferred', () => {
    const c = vmRig().compaction
    c.deferCompaction(Z, 9)
    // shift 1: the next attempt is skipped, the one after goes ahead
    expect([c.compactionDeferred(Z, 9), c.compactionDeferred(Z, 9)]).toEqual([true, false])
    c.deferCompaction(Z, 9)
    c.deferCompaction(Z, 9)
    // shift 3: 7 skipped, the 8th goes
    const skipped = Array.from({ length: 8 }, () => c.compactionDeferred(Z, 9))
    expect(skipped).toEqual([true, true, true, true, true, true, true, false])
    // compact_order_failed starts at 0: every order may be deferred until one succeeds
    c.deferCompaction(Z, 9)
    expect(c.compactionDeferred(Z, 4)).toBe(true)
    // compaction_defer_reset(order 8): compact_order_failed 9, so order 8 and below go ahead
    c.compactionDeferReset(Z, 8, false)
    expect(c.compactionDeferred(Z, 8)).toBe(false)
    expect(c.compactionDeferred(Z, 9)).toBe(true)
    for (let i = 0; i < 10; i++) c.deferCompaction(Z, 9)
    expect(c.zones[Z].deferShift).toBe(COMPACT_MAX_DEFER_SHIFT)
    c.compactionDeferReset(Z, 9, true)
    expect(c.compactionDeferred(Z, 9)).toBe(false)
  })
})

describe('kcompactd', () => {
  it('proactive compaction (5.9+): on the 500 ms check, compacts while the score is above 100 - proactiveness + 10', () => {
    const rig = vmRig({ proactiveness: 20 })
    halfFree(rig)
    expect(fragmentationScoreNode(rig.alloc)).toBeGreaterThan(90)
    rig.runFor(HPAGE_FRAG_CHECK_INTERVAL_MS - 1)
    expect(rig.compaction.compactMigrated).toBe(0)
    rig.runFor(2000)
    expect(rig.compaction.compactMigrated).toBeGreaterThan(0)
    // it stops once the zone is at or below 100 - proactiveness
    expect(extfragForOrder(rig.alloc, Z, 9)).toBeLessThanOrEqual(80)
    const ev = rig.events.find((e) => e.kind === 'compaction')
    expect(ev?.detail).toContain('proactive')
    rig.check()
  })

  it('no proactive compaction with vm.compaction_proactiveness = 0', () => {
    const rig = vmRig({ proactiveness: 0 })
    halfFree(rig)
    rig.runFor(5000)
    expect(rig.compaction.compactMigrated).toBe(0)
  })

  it('is woken for pageblock order at the end of a boosted kswapd run', () => {
    const rig = vmRig()
    halfFree(rig)
    rig.compaction.wakeup(9, Z)
    rig.runFor(1000)
    expect(rig.compaction.kcompactdWakes).toBe(1)
    expect(rig.compaction.compactMigrated).toBeGreaterThan(0)
    rig.check()
  })
})

describe('THP faults (vma_thp_gfp_mask(), __alloc_pages_slowpath())', () => {
  it('defrag settings give the kernel gfp masks', () => {
    expect(vmaThpGfpMask('always', true)).toBe(GFP_TRANSHUGE)
    expect(vmaThpGfpMask('always', false)).toBe(GFP_TRANSHUGE | __GFP_NORETRY)
    expect(vmaThpGfpMask('defer', true)).toBe(GFP_TRANSHUGE_LIGHT | __GFP_KSWAPD_RECLAIM)
    expect(vmaThpGfpMask('defer+madvise', true)).toBe(GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM)
    expect(vmaThpGfpMask('defer+madvise', false)).toBe(GFP_TRANSHUGE_LIGHT | __GFP_KSWAPD_RECLAIM)
    expect(vmaThpGfpMask('madvise', true)).toBe(GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM)
    expect(vmaThpGfpMask('madvise', false)).toBe(GFP_TRANSHUGE_LIGHT)
    expect(vmaThpGfpMask('never', true)).toBe(GFP_TRANSHUGE_LIGHT)
  })

  it('madvised (defrag=madvise): direct compaction serves the fault, and the caller stalls for it', () => {
    const rig = vmRig()
    halfFree(rig)
    const pfn = rig.alloc.allocPages(9, MIGRATE_MOVABLE, 0, vmaThpGfpMask('madvise', true))
    expect(pfn).toBeGreaterThan(0)
    expect(rig.compaction.compactStall).toBeGreaterThan(0)
    expect(rig.compaction.compactSuccess).toBe(1)
    expect(rig.alloc.takeStall_ns()).toBeGreaterThan(0)
    expect(rig.events.some((e) => e.kind === 'compaction' && e.detail?.startsWith('direct compaction (async)'))).toBe(true)
    rig.check()
  })

  it('not madvised (defrag=madvise) or defrag=never: the fault fails at once, no stall, kswapd not woken', () => {
    for (const gfp of [vmaThpGfpMask('madvise', false), vmaThpGfpMask('never', true)]) {
      const rig = vmRig()
      halfFree(rig)
      rig.runFor(1000)
      rig.alloc.takeStall_ns()
      const runs = rig.vmscan.pageoutrun
      expect(rig.alloc.allocPages(9, MIGRATE_MOVABLE, 0, gfp)).toBe(-1)
      expect(rig.compaction.compactStall).toBe(0)
      expect(rig.alloc.takeStall_ns()).toBe(0)
      rig.runFor(1000)
      expect(rig.vmscan.pageoutrun).toBe(runs)
      expect(rig.compaction.kcompactdWakes).toBe(0)
    }
  })

  it('defrag=defer: no stall; kswapd is woken for order 9, and once it is hopeless (nothing to reclaim), kcompactd instead', () => {
    const rig = vmRig()
    halfFree(rig)
    rig.runFor(1000)
    rig.alloc.takeStall_ns()
    const gfp = vmaThpGfpMask('defer', false)
    let faults = 0
    while (rig.compaction.kcompactdWakes === 0 && faults < 100) {
      expect(rig.alloc.allocPages(9, MIGRATE_MOVABLE, 0, gfp)).toBe(-1)
      faults++
      rig.runFor(10)
    }
    // balance_pgdat() for order 9 reclaims nothing and returns 9: kswapd sleeps without waking
    // kcompactd; after MAX_RECLAIM_RETRIES such runs wakeup_kswapd() wakes kcompactd itself
    expect(faults).toBe(17)
    expect(rig.vmscan.kswapdFailures).toBe(16)
    expect(rig.alloc.takeStall_ns()).toBe(0)
    rig.runFor(1000)
    expect(rig.compaction.compactMigrated).toBeGreaterThan(0)
    // and the next fault finds a block
    expect(rig.alloc.allocPages(9, MIGRATE_MOVABLE, 0, gfp)).toBeGreaterThan(0)
    rig.check()
  })

  it('GFP_KERNEL at order 9 (not a THP): compaction first, no retry loop for a costly order', () => {
    const rig = vmRig()
    halfFree(rig)
    expect(rig.alloc.allocPages(9, MIGRATE_UNMOVABLE, 0, GFP_KERNEL)).toBeGreaterThan(0)
    expect(rig.compaction.compactStall).toBeGreaterThan(0)
    rig.check()
  })
})
