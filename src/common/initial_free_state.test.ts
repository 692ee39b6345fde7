import { describe, expect, it } from 'vitest'
import { targetFromBuddyinfo } from './initial_free_state'
import type { BuddyinfoSeries } from './imports'

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
