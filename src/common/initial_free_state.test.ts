import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { FreeStatePlanError, PLAN_MAX_ORDER, planFreeState, targetFromBuddyinfo, type PlannedBlock, type ZoneSpan } from './initial_free_state'
import type { BuddyinfoSeries } from './imports'

/** Frees the planned blocks one by one into an all-allocated zone with the buddy merge rule of __free_one_page(). */
function buddyinfoAfterFreeing(blocks: readonly PlannedBlock[], span: ZoneSpan): number[] {
  const heads = new Map<number, number>() // free block head pfn -> order
  for (const b of blocks) {
    let pfn = b.pfn
    let order = b.order
    while (order < PLAN_MAX_ORDER) {
      const buddy = pfn ^ (1 << order)
      if (buddy < span.startPfn || buddy + (1 << order) > span.endPfn || heads.get(buddy) !== order) break
      heads.delete(buddy)
      pfn = Math.min(pfn, buddy)
      order++
    }
    heads.set(pfn, order)
  }
  const nr_free = new Array(PLAN_MAX_ORDER + 1).fill(0)
  for (const o of heads.values()) nr_free[o]++
  return nr_free
}

const DMA32: ZoneSpan = { name: 'DMA32', startPfn: 4096, endPfn: 524288 } // 16 MiB .. 2 GiB

describe('initial free state from a buddyinfo snapshot', () => {
  it('reproduces a real-looking DMA32 snapshot exactly once freed with buddy merging', () => {
    const nr_free = [1203, 842, 510, 301, 122, 61, 25, 12, 5, 3, 402]
    const blocks = planFreeState([DMA32], [{ zone: 'DMA32', nr_free }])
    expect(blocks).toHaveLength(nr_free.reduce((a, b) => a + b, 0))
    expect(buddyinfoAfterFreeing(blocks, DMA32)).toEqual(nr_free)
  })

  it('places naturally aligned, disjoint blocks inside the zone', () => {
    const span: ZoneSpan = { name: 'Normal', startPfn: 1048576 + 7, endPfn: 1048576 + 300000 }
    const blocks = planFreeState([span], [{ zone: 'Normal', nr_free: [500, 400, 300, 200, 100, 50, 20, 10, 5, 2, 100] }])
    const sorted = [...blocks].sort((a, b) => a.pfn - b.pfn)
    for (const [i, b] of sorted.entries()) {
      expect(b.pfn % 2 ** b.order).toBe(0)
      expect(b.pfn).toBeGreaterThanOrEqual(span.startPfn)
      expect(b.pfn + 2 ** b.order).toBeLessThanOrEqual(span.endPfn)
      if (i > 0) expect(sorted[i - 1].pfn + 2 ** sorted[i - 1].order).toBeLessThanOrEqual(b.pfn)
    }
  })

  it('any counts that fit come out exactly (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 11, maxLength: 11 }), (nr_free) => {
        const span: ZoneSpan = { name: 'Normal', startPfn: 0, endPfn: 1 << 20 }
        expect(buddyinfoAfterFreeing(planFreeState([span], [{ zone: 'Normal', nr_free }]), span)).toEqual(nr_free)
      }),
      { numRuns: 60 },
    )
  })

  it('refuses counts that cannot fit, a zone the guest lacks and bad counts, naming the zone', () => {
    const small: ZoneSpan = { name: 'DMA', startPfn: 1, endPfn: 4096 }
    expect(() => planFreeState([small], [{ zone: 'DMA', nr_free: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4] }])).toThrow(/zone DMA \(4095 pages\) cannot hold .*: 1 of order 10 left over/)
    expect(() => planFreeState([small], [{ zone: 'Normal', nr_free: [1] }])).toThrow(FreeStatePlanError)
    expect(() => planFreeState([small], [{ zone: 'DMA', nr_free: [-1] }])).toThrow(/whole numbers/)
  })
})

describe('targets from an imported series', () => {
  const series: BuddyinfoSeries = {
    kind: 'buddyinfo', fileName: 'b.txt', lines: 2, problems: [], problemCount: 0, zones: ['DMA', 'DMA32'], nodes: [0, 0], orders: 11,
    t_ms: [0], timestamped: false, start_unix_ms: null,
    nr_free: [[[0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3], [1203, 842, 510, 301, 122, 61, 25, 12, 5, 3, 402]]],
  }
  it('takes one snapshot per zone and refuses an index the series lacks', () => {
    expect(targetFromBuddyinfo(series, 0).map((t) => [t.zone, t.nr_free[10]])).toEqual([['DMA', 3], ['DMA32', 402]])
    expect(() => targetFromBuddyinfo(series, 1)).toThrow(/b\.txt has snapshots 0\.\.0, not 1/)
  })
})
