import { describe, expect, it } from 'vitest'
import type { SweepTable } from '../../../../common/imports'
import { figureColumns, figureLabel, figureQuantity, lines, sortedRowIndices } from './sweep_view'

const table: SweepTable = {
  fileName: 'sweep.csv',
  parameters: ['reporting.order', 'guest.kernel'],
  columns: ['point', 'reporting.order', 'guest.kernel', 'status', 'first_report_ms', 'peak_host_rss_kib', 'note', 'error'],
  rows: [
    [0, 9, '5.10', 'ok', 2000, 900, 'a', null],
    [1, 9, '6.6', 'ok', 2100, 800, 'b', null],
    [2, 5, '5.10', 'ok', 2500, 700, null, null],
    [3, 5, '6.6', 'failed', null, null, null, 'boom'],
    [4, null, '5.10', 'ok', 1900, 950, null, null],
  ],
}

describe('sweep view', () => {
  it('offers numeric summary columns as figures', () => {
    expect(figureColumns(table)).toEqual(['first_report_ms', 'peak_host_rss_kib'])
  })

  it('makes one line per value of the grouping parameter, x sorted, failed points left out', () => {
    expect(lines(table, 'reporting.order', 'first_report_ms', 'guest.kernel')).toEqual([
      { name: 'guest.kernel=5.10', points: [[null, 1900], [5, 2500], [9, 2000]] },
      { name: 'guest.kernel=6.6', points: [[9, 2100]] },
    ])
    expect(lines(table, 'guest.kernel', 'peak_host_rss_kib', null)).toEqual([
      { name: 'peak_host_rss_kib', points: [['5.10', 900], ['5.10', 700], ['5.10', 950], ['6.6', 800]] },
    ])
    expect(() => lines(table, 'seed', 'first_report_ms', null)).toThrow(/sweep\.csv has no column seed/)
  })

  it('sorts rows by a column either way, stable for ties', () => {
    expect(sortedRowIndices(table, 'reporting.order', false)).toEqual([4, 2, 3, 0, 1])
    expect(sortedRowIndices(table, 'first_report_ms', true)).toEqual([2, 1, 0, 4, 3])
  })

  it('reads a figure\'s unit from its name', () => {
    expect(figureQuantity('final_host_rss_kib')).toEqual({ quantity: 'kib', unit: '' })
    expect(figureQuantity('first_report_ms')).toEqual({ quantity: 'count', unit: 'ms' })
    expect(figureQuantity('returned_pct_of_freed')).toEqual({ quantity: 'count', unit: '%' })
    expect(figureLabel('final_host_rss_kib')).toBe('final host rss')
  })
})
