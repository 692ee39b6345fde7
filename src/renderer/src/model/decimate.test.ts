import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { dropFlatRuns, decimateIndices, gatherPoints } from './decimate'

const ramp = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => i)

describe('decimateIndices (min/max per pixel column)', () => {
  it('keeps every point when they fit in two per column', () => {
    const t = ramp(10)
    expect(Array.from(decimateIndices(t, t, 0, 9, 5))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it('keeps a one-sample spike and the minimum of each column', () => {
    const n = 10_000
    const t = ramp(n)
    const y = new Float64Array(n).fill(5)
    y[4321] = 100
    y[777] = -3
    const idx = Array.from(decimateIndices(t, y, 0, n - 1, 100))
    expect(idx.length).toBeLessThanOrEqual(202)
    expect(idx).toContain(4321)
    expect(idx).toContain(777)
    expect(idx[0]).toBe(0)
    expect(idx[idx.length - 1]).toBe(n - 1)
  })

  it('adds the neighbour just outside each end of a zoomed window', () => {
    // samples every 100 ms; window 1050..2050 ms -> from the row at 1000 to the row at 2100
    const t = Float64Array.from({ length: 100 }, (_, i) => i * 100)
    const idx = Array.from(decimateIndices(t, t, 1050, 2050, 400))
    expect(idx[0]).toBe(10)
    expect(idx[idx.length - 1]).toBe(21)
    expect(idx).toHaveLength(12)
  })

  it('returns nothing for an empty series', () => {
    expect(decimateIndices(new Float64Array(0), new Float64Array(0), 0, 10, 10)).toHaveLength(0)
  })

  it('preserves the extremes of every column and stays in time order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 3000 }), fc.integer({ min: 1, max: 200 }), (values, columns) => {
        const t = ramp(values.length)
        const y = Float64Array.from(values)
        const idx = decimateIndices(t, y, 0, values.length - 1, columns)
        for (let k = 1; k < idx.length; k++) expect(idx[k]).toBeGreaterThan(idx[k - 1])
        expect(idx.length).toBeLessThanOrEqual(2 * columns + 2)
        const kept = Array.from(idx, (i) => values[i])
        expect(Math.max(...kept)).toBe(Math.max(...values))
        expect(Math.min(...kept)).toBe(Math.min(...values))
      }),
      { numRuns: 200 },
    )
  })
})

describe('gatherPoints', () => {
  it('pairs time with the scaled value', () => {
    const t = Float64Array.of(0, 100, 200)
    const y = Float64Array.of(1024, 2048, 4096)
    expect(gatherPoints(t, y, Int32Array.of(0, 2), 1 / 1024)).toEqual([
      [0, 1],
      [200, 4],
    ])
  })

  it('drops the inner points of flat runs and keeps every change', () => {
    const y = [0, 0, 0, 0, 5, 5, 5, 1, 1, 1]
    const idx = Int32Array.from(y.keys())
    expect(Array.from(dropFlatRuns(y, idx))).toEqual([0, 3, 4, 6, 7, 9])
    expect(Array.from(dropFlatRuns([2, 2, 2], Int32Array.from([0, 1, 2])))).toEqual([0, 2])
  })
})
