import { describe, expect, it } from 'vitest'
import { COL, NR_SAMPLE_COLUMNS } from '../../../common/samples'
import { SampleSeries, lastIndexAtOrBefore } from './sample_series'

/** Row-major frame whose t_ms and free_kib columns are given; other columns hold r*1000+c. */
function frame(rows: { t_ms: number; free_kib: number }[]): Float64Array {
  const data = new Float64Array(rows.length * NR_SAMPLE_COLUMNS)
  rows.forEach((row, r) => {
    for (let c = 0; c < NR_SAMPLE_COLUMNS; c++) data[r * NR_SAMPLE_COLUMNS + c] = r * 1000 + c
    data[r * NR_SAMPLE_COLUMNS + COL.t_ms] = row.t_ms
    data[r * NR_SAMPLE_COLUMNS + COL.free_kib] = row.free_kib
  })
  return data
}

describe('SampleSeries', () => {
  it('transposes row-major frames into columns', () => {
    const s = new SampleSeries()
    s.append(2, frame([{ t_ms: 0, free_kib: 10 }, { t_ms: 100, free_kib: 20 }]))
    s.append(1, frame([{ t_ms: 200, free_kib: 30 }]))
    expect(s.rows).toBe(3)
    expect(Array.from(s.column('t_ms'))).toEqual([0, 100, 200])
    expect(Array.from(s.column('free_kib'))).toEqual([10, 20, 30])
    expect(s.column('nr_free_9')[1]).toBe(1000 + COL.nr_free_9)
  })

  it('grows past its initial capacity without losing rows', () => {
    const s = new SampleSeries(1)
    const rows = Array.from({ length: 2500 }, (_, i) => ({ t_ms: i * 100, free_kib: i }))
    s.append(rows.length, frame(rows))
    expect(s.rows).toBe(2500)
    expect(s.capacity).toBeGreaterThanOrEqual(2500)
    expect(s.column('free_kib')[2499]).toBe(2499)
    expect(s.last('t_ms')).toBe(249_900)
  })

  it('holds the last sample at or before a time', () => {
    const s = new SampleSeries()
    s.append(3, frame([{ t_ms: 0, free_kib: 1 }, { t_ms: 100, free_kib: 2 }, { t_ms: 200, free_kib: 3 }]))
    expect(s.valueAt('free_kib', 150)).toBe(2)
    expect(s.valueAt('free_kib', 200)).toBe(3)
    expect(s.valueAt('free_kib', 9999)).toBe(3)
    expect(s.valueAt('free_kib', -1)).toBeNaN()
  })

  it('rejects a frame shorter than its row count says', () => {
    expect(() => new SampleSeries().append(2, new Float64Array(NR_SAMPLE_COLUMNS))).toThrow(/needs/)
  })
})

describe('lastIndexAtOrBefore', () => {
  it('finds the last index not after x', () => {
    const a = [0, 10, 10, 20]
    expect(lastIndexAtOrBefore(a, -5)).toBe(-1)
    expect(lastIndexAtOrBefore(a, 10)).toBe(2)
    expect(lastIndexAtOrBefore(a, 15)).toBe(2)
    expect(lastIndexAtOrBefore(a, 25)).toBe(3)
  })
})
