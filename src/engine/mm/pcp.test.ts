import { describe, expect, it } from 'vitest'
import { PerCpuPages, zoneBatchsize, zoneHighsize, NR_LOWORDER_PCP_LISTS, type PcpZoneOps } from './pcp'
import { KIND_PCP, MemMap, MT_SHIFT } from './memmap'
import { MIGRATE_HIGHATOMIC, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE, ZONE_DMA32, type PcpGeneration } from './page_alloc_api'

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

const BATCH_FREE_5_10: PcpGeneration = { bulkFree: 'batch-free', freeHigh: false, thpLists: 3 }
const GEN_6_1: PcpGeneration = { bulkFree: 'requested-first', freeHigh: true, thpLists: 1 }

function setup(highMode: 'six-batch' | 'low-wmark' = 'low-wmark', pcpOrders = [0, 1, 2, 3, 9], generation?: PcpGeneration) {
  const memmap = new MemMap(1 << 16, 9)
  const zone = new FakeZone()
  const pcp = new PerCpuPages({ cpus: 2, pcpOrders, pageblockOrder: 9, highMode, ...(generation !== undefined ? { generation } : {}) }, memmap, zone)
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

describe('per_cpu_pages by kernel version (free_pcppages_bulk, free_high, THP lists)', () => {
  const free = (s: ReturnType<typeof setup>, pfns: number[], order: number, pcpMt: number): void => {
    for (const pfn of pfns) s.pcp.freeUnrefPageCommit(pfn, ZONE_DMA32, order, 0, pcpMt, pcpMt)
  }

  it('5.10: from list 1 round robin, batch_free growing by one per list visited, empty ones too', () => {
    const s = setup('six-batch', [0], BATCH_FREE_5_10)
    s.pcp.setHighAndBatch(ZONE_DMA32, 262144, 13856, 0)
    free(s, [100, 101, 102, 103, 104, 105], 0, MIGRATE_UNMOVABLE)
    free(s, [200, 201, 202, 203, 204, 205], 0, MIGRATE_RECLAIMABLE)
    s.pcp.freePcppagesBulk(ZONE_DMA32, 0, 6, 0)
    // list 1 (Movable) empty: batch_free 2 at list 2 (Reclaimable): two from its tail; list 0: one;
    // list 1 empty again, so two from list 2; then one from list 0
    expect(s.zone.freed.map(([pfn]) => pfn)).toEqual([200, 201, 100, 202, 203, 101])
  })

  it('5.10: when it had to visit every list to find a non-empty one, that one gives all that is asked', () => {
    const s = setup('six-batch', [0], BATCH_FREE_5_10)
    s.pcp.setHighAndBatch(ZONE_DMA32, 262144, 13856, 0)
    free(s, [100, 101, 102, 103, 104, 105, 106, 107], 0, MIGRATE_UNMOVABLE)
    s.pcp.freePcppagesBulk(ZONE_DMA32, 0, 5, 0)
    expect(s.zone.freed.map(([pfn]) => pfn)).toEqual([100, 101, 102, 103, 104])
  })

  it('5.10 at high (378 = 6 * 63): one batch of 63, cycling the lists', () => {
    const s = setup('six-batch', [0], BATCH_FREE_5_10)
    s.pcp.setHighAndBatch(ZONE_DMA32, 262144, 13856, 0)
    // 126 Movable, then 252 Unmovable pages: the drain starts at list 1 (Movable) with batch_free 1
    free(s, Array.from({ length: 126 }, (_, i) => 1000 + i), 0, MIGRATE_MOVABLE)
    free(s, Array.from({ length: 252 }, (_, i) => 2000 + i), 0, MIGRATE_UNMOVABLE)
    expect(s.zone.freed.length).toBe(63)
    // Movable 1, (Reclaimable empty) Unmovable 2, Movable 1, Unmovable 2, ...: 21 Movable and 42 Unmovable
    expect(s.zone.freed.slice(0, 6).map(([pfn]) => pfn)).toEqual([1000, 2000, 2001, 1001, 2002, 2003])
    expect(s.zone.freed.filter(([pfn]) => pfn < 2000).length).toBe(21)
  })

  it('6.6 drains the requested list first and empties each list before the next', () => {
    const s = setup('low-wmark', [0, 1, 2, 3, 9])
    s.pcp.setHighAndBatch(ZONE_DMA32, 262144, 13856, 0)
    free(s, [100, 101, 102, 103, 104, 105], 0, MIGRATE_UNMOVABLE)
    free(s, [200, 201, 202, 203, 204, 205], 0, MIGRATE_RECLAIMABLE)
    s.pcp.freePcppagesBulk(ZONE_DMA32, 0, 6, MIGRATE_RECLAIMABLE)
    expect(s.zone.freed.map(([pfn]) => pfn)).toEqual([200, 201, 202, 203, 204, 205])
  })

  it('5.14 (no free_high before 5.18): an order 1-3 free after a free keeps the pages while below high', () => {
    const s = setup('low-wmark', [0, 1, 2, 3, 9], BATCH_FREE_5_10)
    s.pcp.setHighAndBatch(ZONE_DMA32, 262144, 1000, 0)
    free(s, [100], 0, MIGRATE_MOVABLE)
    s.pcp.freeFactor[ZONE_DMA32] = 1
    free(s, [300], 2, MIGRATE_MOVABLE)
    expect(s.zone.freed).toEqual([])
    expect(s.pcp.count[ZONE_DMA32]).toBe(5)
  })

  it('5.14 cycles 15 lists (12 low-order, 3 THP): batch_free reaches 15 only after a full turn', () => {
    const s = setup('low-wmark', [0, 1, 2, 3, 9], BATCH_FREE_5_10)
    s.pcp.setHighAndBatch(ZONE_DMA32, 262144, 13856, 0)
    expect(s.pcp.kernelLists).toBe(15)
    expect([MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE].map((mt) => s.pcp.orderToPindex(mt, 9))).toEqual([12, 13, 14])
    // only list 0 holds pages: lists 1..14 visited empty, then list 0 with batch_free 15: all asked
    free(s, [100, 101, 102, 103], 0, MIGRATE_UNMOVABLE)
    s.pcp.freePcppagesBulk(ZONE_DMA32, 0, 4, 0)
    expect(s.zone.freed.map(([pfn]) => pfn)).toEqual([100, 101, 102, 103])
    // THP pages of two migratetypes on lists 12 and 14: one order-9 block counts 512 pages
    free(s, [4096], 9, MIGRATE_UNMOVABLE)
    free(s, [8192], 9, MIGRATE_RECLAIMABLE)
    s.pcp.freePcppagesBulk(ZONE_DMA32, 0, 1024, 0)
    expect(s.zone.freed.slice(4)).toEqual([[4096, 9, MIGRATE_UNMOVABLE], [8192, 9, MIGRATE_RECLAIMABLE]])
  })

  it('THP lists: one on 6.1 (5.18-6.3), movable and the rest on 6.6', () => {
    const six1 = setup('low-wmark', [0, 1, 2, 3, 9], GEN_6_1).pcp
    expect([MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE].map((mt) => six1.orderToPindex(mt, 9))).toEqual([12, 12, 12])
    const six6 = setup().pcp
    expect([MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE].map((mt) => six6.orderToPindex(mt, 9))).toEqual([12, 13, 12])
    // 5.10 has three lists, order 0 only
    expect(setup('six-batch', [0], BATCH_FREE_5_10).pcp.kernelLists).toBe(3)
  })
})
