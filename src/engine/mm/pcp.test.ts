import { describe, expect, it } from 'vitest'
import { PerCpuPages, zoneBatchsize, zoneHighsize, NR_LOWORDER_PCP_LISTS, type PcpZoneOps } from './pcp'
import { KIND_PCP, MemMap, MT_SHIFT } from './memmap'
import { MIGRATE_HIGHATOMIC, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE, ZONE_DMA32 } from './page_alloc_api'

/** A zone that records what reaches the buddy and hands out ascending pfns. */
class FakeZone implements PcpZoneOps {
  freed: [pfn: number, order: number, mt: number][] = []
  nextPfn = 4096
  available = Infinity
  nrFreePagesDelta = 0
  freeOnePage(pfn: number, _zone: number, order: number, mt: number): void {
    this.freed.push([pfn, order, mt])
  }
  rmqueueBlock(_zone: number, order: number): number {
    if (this.available <= 0) return -1
    this.available--
    const pfn = this.nextPfn
    this.nextPfn += 1 << order
    return pfn
  }
  modNrFreePages(_zone: number, delta: number): void {
    this.nrFreePagesDelta += delta
  }
  prefetchBuddy(): void {}
}

function setup(highMode: 'six-batch' | 'low-wmark' = 'low-wmark', pcpOrders = [0, 1, 2, 3, 9]) {
  const memmap = new MemMap(1 << 16, 9)
  const zone = new FakeZone()
  const pcp = new PerCpuPages({ cpus: 2, pcpOrders, pageblockOrder: 9, highMode }, memmap, zone)
  return { memmap, zone, pcp }
}

function listOf(s: ReturnType<typeof setup>, cpu: number, pindex: number): number[] {
  return s.pcp.lists.entries(s.pcp.listId(cpu, ZONE_DMA32, pindex))
}

describe('zone_batchsize / zone_highsize', () => {
  it('batch is 63 for every zone of 1 GiB or more', () => {
    expect(zoneBatchsize(262144)).toBe(63)
    expect(zoneBatchsize(4 * 262144)).toBe(63)
    expect(zoneBatchsize(64 * 262144)).toBe(63)
  })

  it('smaller zones: rounddown_pow_of_two(b + b/2) - 1 of a quarter of managed >> 10', () => {
    // 512 MiB: 128/4 = 32 -> 48 -> 32 - 1 = 31. 64 MiB: 16/4 = 4 -> 6 -> 3. 16 MiB: 1 -> 1 -> 0.
    expect(zoneBatchsize(131072)).toBe(31)
    expect(zoneBatchsize(16384)).toBe(3)
    expect(zoneBatchsize(3998)).toBe(0)
  })

  it('high is the low watermark split over the CPUs, at least 4 * batch', () => {
    expect(zoneHighsize(13856, 247808, 63, 2, 0)).toBe(6928)
    expect(zoneHighsize(222, 3998, 1, 2, 0)).toBe(111)
    expect(zoneHighsize(300, 100000, 63, 2, 0)).toBe(252)
    // percpu_pagelist_high_fraction 8: 247808 / 8 / 2 = 15488.
    expect(zoneHighsize(13856, 247808, 63, 2, 8)).toBe(15488)
  })

  it('5.10 (six-batch): high = 6 * batch; the batch used is at least 1', () => {
    const s = setup('six-batch', [0])
    s.pcp.setHighAndBatch(ZONE_DMA32, 262144, 13856, 0)
    expect([s.pcp.batch[ZONE_DMA32], s.pcp.high[ZONE_DMA32]]).toEqual([63, 378])
    s.pcp.setHighAndBatch(0, 3998, 222, 0)
    expect([s.pcp.batch[0], s.pcp.high[0]]).toEqual([1, 6])
  })
})

describe('per_cpu_pages', () => {
  it('indexes lists as order_to_pindex(): 3 per low order, THP movable and non-movable', () => {
    const { pcp } = setup()
    expect(pcp.orderToPindex(MIGRATE_UNMOVABLE, 0)).toBe(0)
    expect(pcp.orderToPindex(MIGRATE_RECLAIMABLE, 3)).toBe(11)
    expect(pcp.orderToPindex(MIGRATE_UNMOVABLE, 9)).toBe(NR_LOWORDER_PCP_LISTS)
    expect(pcp.orderToPindex(MIGRATE_MOVABLE, 9)).toBe(NR_LOWORDER_PCP_LISTS + 1)
    expect([0, 2, 3, 5, 11, 12, 13].map((p) => pcp.pindexToOrder(p))).toEqual([0, 0, 1, 1, 3, 9, 9])
  })

  it('refills max(batch >> order, 2) blocks to the tail and allocates from the head', () => {
    const s = setup()
    s.pcp.setHighAndBatch(ZONE_DMA32, 262144, 7040, 0)
    expect(s.pcp.rmqueuePcplist(ZONE_DMA32, 0, MIGRATE_MOVABLE, 0, 0)).toBe(4096)
    expect(s.pcp.count[ZONE_DMA32]).toBe(62)
    expect(s.zone.nrFreePagesDelta).toBe(-63)
    expect(listOf(s, 0, MIGRATE_MOVABLE).slice(0, 3)).toEqual([4097, 4098, 4099])
    // Order 2: 63 >> 2 = 15 blocks of 4 pages.
    expect(s.pcp.rmqueuePcplist(ZONE_DMA32, 2, MIGRATE_MOVABLE, 0, 0)).toBe(4096 + 63)
    expect(s.pcp.count[ZONE_DMA32]).toBe(62 + 14 * 4)
    // Order 9 (THP): max(63 >> 9, 2) = 2 blocks.
    s.zone.nextPfn = 8192
    expect(s.pcp.rmqueuePcplist(ZONE_DMA32, 9, MIGRATE_MOVABLE, 0, 0)).toBe(8192)
    expect(listOf(s, 0, NR_LOWORDER_PCP_LISTS + 1)).toEqual([8704])
  })

  it('a failed refill returns -1 and leaves the count alone', () => {
    const s = setup()
    s.pcp.setHighAndBatch(ZONE_DMA32, 262144, 7040, 0)
    s.zone.available = 0
    expect(s.pcp.rmqueuePcplist(ZONE_DMA32, 0, MIGRATE_MOVABLE, 1, 0)).toBe(-1)
    expect(s.pcp.count[1 * 3 + ZONE_DMA32]).toBe(0)
  })

  it('frees to the head; at high, drains nr_pcp_free() pages from the tail, doubling with free_factor', () => {
    const s = setup()
    s.pcp.setHighAndBatch(ZONE_DMA32, 262144, 1000, 0)
    // high = max(1000 / 2, 252) = 500, batch 63.
    expect(s.pcp.high[ZONE_DMA32]).toBe(500)
    for (let i = 0; i < 499; i++) s.pcp.freeUnrefPageCommit(10000 + i, ZONE_DMA32, 0, 0, MIGRATE_MOVABLE, MIGRATE_MOVABLE)
    expect(s.zone.freed).toEqual([])
    expect(listOf(s, 0, MIGRATE_MOVABLE)[0]).toBe(10498)
    s.pcp.freeUnrefPageCommit(10499, ZONE_DMA32, 0, 0, MIGRATE_MOVABLE, MIGRATE_MOVABLE)
    // count 500 >= high: free_factor 0 -> 63 pages, the oldest first; free_factor becomes 1.
    expect(s.zone.freed.length).toBe(63)
    expect(s.zone.freed[0]).toEqual([10000, 0, MIGRATE_MOVABLE])
    expect(s.zone.freed[62][0]).toBe(10062)
    expect(s.pcp.count[ZONE_DMA32]).toBe(437)
    expect(s.pcp.freeFactor[ZONE_DMA32]).toBe(1)
    // Next time: 63 << 1 = 126 (< high - batch = 437, so free_factor 2).
    for (let i = 0; i < 63; i++) s.pcp.freeUnrefPageCommit(20000 + i, ZONE_DMA32, 0, 0, MIGRATE_MOVABLE, MIGRATE_MOVABLE)
    expect(s.zone.freed.length).toBe(63 + 126)
    expect(s.pcp.freeFactor[ZONE_DMA32]).toBe(2)
    // An allocation halves free_factor.
    s.pcp.rmqueuePcplist(ZONE_DMA32, 0, MIGRATE_MOVABLE, 0, 0)
    expect(s.pcp.freeFactor[ZONE_DMA32]).toBe(1)
  })

  it('nr_pcp_free() is clamped to high - batch', () => {
    const s = setup()
    s.pcp.setHighAndBatch(ZONE_DMA32, 262144, 1000, 0)
    s.pcp.freeFactor[ZONE_DMA32] = 5
    // 63 << 5 = 2016 > 437: clamp to 437, free_factor stays.
    expect(s.pcp.nrPcpFree(ZONE_DMA32, 500, 63, false)).toBe(437)
    expect(s.pcp.freeFactor[ZONE_DMA32]).toBe(5)
    // high below batch (a boot pageset): 1 page.
    expect(s.pcp.nrPcpFree(ZONE_DMA32, 10, 63, false)).toBe(1)
  })

  it('free_high: an order 1-3 free after a free without an allocation drains the whole pcp', () => {
    const s = setup()
    s.pcp.setHighAndBatch(ZONE_DMA32, 262144, 1000, 0)
    s.pcp.freeUnrefPageCommit(100, ZONE_DMA32, 0, 0, MIGRATE_MOVABLE, MIGRATE_MOVABLE)
    s.pcp.freeUnrefPageCommit(200, ZONE_DMA32, 1, 0, MIGRATE_UNMOVABLE, MIGRATE_UNMOVABLE)
    expect(s.zone.freed).toEqual([])
    s.pcp.freeFactor[ZONE_DMA32] = 1
    s.pcp.freeUnrefPageCommit(300, ZONE_DMA32, 2, 0, MIGRATE_MOVABLE, MIGRATE_MOVABLE)
    // Starts at the freed list (order 2 movable, pindex 7), then round robin: pindex 0.. wraps.
    expect(s.zone.freed).toEqual([
      [300, 2, MIGRATE_MOVABLE],
      [100, 0, MIGRATE_MOVABLE],
      [200, 1, MIGRATE_UNMOVABLE],
    ])
    expect(s.pcp.count[ZONE_DMA32]).toBe(0)
  })

  it('HighAtomic pages sit on the movable list but drain with their own type', () => {
    const s = setup()
    s.pcp.setHighAndBatch(ZONE_DMA32, 262144, 1000, 0)
    s.pcp.freeUnrefPageCommit(100, ZONE_DMA32, 0, 1, MIGRATE_MOVABLE, MIGRATE_HIGHATOMIC)
    expect(listOf(s, 1, MIGRATE_MOVABLE)).toEqual([100])
    expect(s.memmap.flags(100)).toBe(KIND_PCP | (MIGRATE_HIGHATOMIC << MT_SHIFT))
    s.pcp.drainAll()
    expect(s.zone.freed).toEqual([[100, 0, MIGRATE_HIGHATOMIC]])
  })

  it('5.10 (six-batch) drains exactly one batch at high', () => {
    const s = setup('six-batch', [0])
    s.pcp.setHighAndBatch(ZONE_DMA32, 262144, 13856, 0)
    for (let i = 0; i < 378; i++) s.pcp.freeUnrefPageCommit(10000 + i, ZONE_DMA32, 0, 0, MIGRATE_MOVABLE, MIGRATE_MOVABLE)
    expect(s.zone.freed.length).toBe(63)
    expect(s.pcp.count[ZONE_DMA32]).toBe(315)
    expect(s.pcp.freeFactor[ZONE_DMA32]).toBe(0)
  })

  it('drain_all_pages empties every cpu and zone', () => {
    const s = setup()
    s.pcp.setHighAndBatch(ZONE_DMA32, 262144, 13856, 0)
    s.pcp.freeUnrefPageCommit(100, ZONE_DMA32, 0, 0, MIGRATE_MOVABLE, MIGRATE_MOVABLE)
    s.pcp.freeUnrefPageCommit(512, ZONE_DMA32, 9, 1, MIGRATE_MOVABLE, MIGRATE_MOVABLE)
    expect(s.pcp.zoneCount(ZONE_DMA32)).toBe(513)
    s.pcp.drainAll()
    expect(s.zone.freed).toEqual([[100, 0, MIGRATE_MOVABLE], [512, 9, MIGRATE_MOVABLE]])
    expect(s.pcp.zoneCount(ZONE_DMA32)).toBe(0)
  })

  it('rejects orders the kernel never keeps on a pcp list', () => {
    expect(() => setup('low-wmark', [0, 4])).toThrow(/pcpOrders\[1\]: expected 0..3 or pageblock order 9/)
  })
})
