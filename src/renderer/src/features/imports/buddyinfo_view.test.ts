import { describe, expect, it } from 'vitest'
import type { BuddyinfoSeries } from '../../../../common/imports'
import { ALL_ZONES, blocksPerOrder, freeKib } from './buddyinfo_view'

const series: BuddyinfoSeries = {
  kind: 'buddyinfo',
  fileName: 'b.txt',
  lines: 4,
  problems: [],
  problemCount: 0,
  zones: ['DMA', 'Normal'],
  nodes: [0, 0],
  orders: 3,
  t_ms: [0, 1000],
  timestamped: true,
  start_unix_ms: 0,
  nr_free: [
    [[1, 0, 2], [10, 5, 1]],
    [[0, 1, 2], [8, 4, 3]],
  ],
}

describe('buddyinfo view', () => {
  it('gives blocks per order over time for one zone or all zones summed', () => {
    expect(blocksPerOrder(series, 'Normal')).toEqual([[10, 8], [5, 4], [1, 3]])
    expect(blocksPerOrder(series, ALL_ZONES)).toEqual([[11, 8], [5, 5], [3, 5]])
    expect(() => blocksPerOrder(series, 'DMA32')).toThrow(/b\.txt has no zone DMA32 \(it has DMA, Normal\)/)
  })

  it('counts free KiB as nr_free * 2^order * 4 KiB', () => {
    // DMA snapshot 0: 1*4 + 0*8 + 2*16 = 36; Normal: 10*4 + 5*8 + 1*16 = 96
    expect(freeKib(series, 0, 'DMA')).toBe(36)
    expect(freeKib(series, 0)).toBe(132)
  })
})
