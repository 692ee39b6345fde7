import { describe, expect, it } from 'vitest'
import { PageAllocator } from './page_alloc'
import { guestConfig } from './guest_fixtures'
import { KIND_ALLOCATED, KIND_BUDDY, PG_REPORTED } from './memmap'
import { MIGRATE_HIGHATOMIC, MIGRATE_MOVABLE } from './page_alloc_api'

// Each case breaks one invariant of a healthy allocator by hand and expects check() to name it.
function healthy(): PageAllocator {
  const pa = new PageAllocator(guestConfig({ pcpOrders: [0], cpus: 2 }))
  pa.allocPages(0, MIGRATE_MOVABLE, 0)
  pa.allocPages(3, MIGRATE_MOVABLE, 1)
  pa.check()
  return pa
}

describe('check()', () => {
  it('nr_free', () => {
    const pa = healthy()
    pa.area.nrFree[1 * 11 + 10]++
    expect(() => pa.check()).toThrow(/zone DMA32 order 10: nr_free 8 != 7 blocks on the lists/)
  })

  it('NR_FREE_PAGES', () => {
    const pa = healthy()
    pa.nrFreePagesByZone[1] -= 1
    expect(() => pa.check()).toThrow(/zone DMA32: NR_FREE_PAGES \d+ != \d+ pages on the free lists/)
  })

  it('a cycle in a list', () => {
    const pa = healthy()
    const id = (1 * 11 + 10) * 6 + MIGRATE_MOVABLE
    pa.lists.link[2 * pa.lists.tail[id]] = pa.lists.head[id]
    expect(() => pa.check()).toThrow(/zone DMA32 order 10 Movable free list: pfn 5120 is reached twice/)
  })

  it('a broken prev link', () => {
    const pa = healthy()
    pa.lists.link[2 * 6144 + 1] = 9216
    expect(() => pa.check()).toThrow(/order 10 Movable free list: pfn 6144 has prev 9216, expected 5120/)
  })

  it('a block on the wrong order list', () => {
    const pa = healthy()
    pa.memmap.set(5120, 9, pa.memmap.flags(5120))
    expect(() => pa.check()).toThrow(/order 10 Movable free list: pfn 5120 has buddy order 9/)
  })

  it('free buddies that __free_one_page would have merged', () => {
    const pa = healthy()
    pa.area.del(11264, 1, 10)
    pa.area.add(11264, 1, 9, MIGRATE_MOVABLE, false)
    pa.area.add(11776, 1, 9, MIGRATE_MOVABLE, false)
    expect(() => pa.check()).toThrow(/zone DMA32 order 9: free buddies at pfn 11264 and 11776 \(pageblocks Movable\/Movable\) were not merged/)
  })

  it('but not buddies split by a HighAtomic pageblock', () => {
    const pa = healthy()
    pa.area.del(11264, 1, 10)
    pa.area.add(11264, 1, 9, MIGRATE_MOVABLE, false)
    pa.area.add(11776, 1, 9, MIGRATE_HIGHATOMIC, false)
    pa.pageblockMt[11776 >> 9] = MIGRATE_HIGHATOMIC
    pa.nrReservedHighatomicByZone[1] = 512
    expect(() => pa.check()).not.toThrow()
  })

  it('overlapping blocks', () => {
    const pa = healthy()
    pa.memmap.set(5200, 0, KIND_ALLOCATED)
    expect(() => pa.check()).toThrow(/order 10 block at pfn 5120 overlaps pfn 5200/)
  })

  it('a free block on no list', () => {
    const pa = healthy()
    pa.lists.del(5120)
    pa.area.nrFree[1 * 11 + 10]--
    expect(() => pa.check()).toThrow(/free block at pfn 5120 is on no free list/)
  })

  it('PG_reported outside the free lists, and the reported counter', () => {
    const pa = healthy()
    pa.memmap.setFlags(4096, pa.memmap.flags(4096) | PG_REPORTED)
    expect(() => pa.check()).toThrow(/pfn 4096: PG_reported on a block that is not free/)
    const pb = healthy()
    pb.memmap.setFlags(5120, pb.memmap.flags(5120) | PG_REPORTED)
    expect(() => pb.check()).toThrow(/zone DMA32 order 10: nrReported 0 != 1 flagged blocks/)
  })

  it('a frame covered by no block (pages lost)', () => {
    const pa = healthy()
    pa.memmap.set(4096, -1, 0)
    expect(() => pa.check()).toThrow(/pfn 4096 is not inside any block/)
  })

  it('pcp count', () => {
    const pa = healthy()
    pa.pcp.count[0 * 3 + 1]++
    expect(() => pa.check()).toThrow(/cpu 0 zone DMA32: pcp count \d+ != \d+ pages on its lists/)
  })

  it('page conservation', () => {
    const pa = healthy()
    pa.memmap.setFlags(4096, KIND_BUDDY)
    expect(() => pa.check()).toThrow(/free block at pfn 4096 is on no free list/)
    const pb = healthy()
    pb.isolatedByZone[1] = 5
    expect(() => pb.check()).toThrow(/zone DMA32: isolated 5 != 0 pages in isolated blocks/)
  })

  it('the highatomic reserve', () => {
    const pa = healthy()
    pa.nrReservedHighatomicByZone[1] = 100
    expect(() => pa.check()).toThrow(/nr_reserved_highatomic 100 for 0 HighAtomic pageblocks/)
    const pb = healthy()
    pb.pageblockMt[11776 >> 9] = MIGRATE_HIGHATOMIC
    expect(() => pb.check()).toThrow(/nr_reserved_highatomic 0 for 1 HighAtomic pageblocks/)
  })
})
