import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { decimateIndices } from './decimate'
import { MinMaxPyramid } from './minmax_pyramid'

/** The first min and first max of y over [a, b) by a scan, NaN skipped. */
function scan(y: ArrayLike<number>, a: number, b: number): [number, number] {
  let lo = -1
  let hi = -1
  for (let i = a; i < b; i++) {
    if (Number.isNaN(y[i])) continue
    if (lo < 0 || y[i] < y[lo]) lo = i
    if (hi < 0 || y[i] > y[hi]) hi = i
  }
  return [lo, hi]
}

// small integers: many ties, so "the first" min and max is tested; NaN as an empty cell
const value = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: -4, max: 4 }) }, { weight: 1, arbitrary: fc.constant(Number.NaN) })

describe('MinMaxPyramid', () => {
  it('gives the first min and first max of any range, as a scan does, also after the column grows', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 300 }), fc.array(value, { maxLength: 200 }), fc.nat(), fc.nat(), (head, tail, x, y) => {
        const p = new MinMaxPyramid(Float64Array.from(head))
        const all = Float64Array.from([...head, ...tail])
        p.extend(all)
        expect(p.length).toBe(all.length)
        const a = x % all.length
        const b = a + (y % (all.length - a + 1))
        const out = new Int32Array(2)
        p.range(a, b, out)
        expect([out[0], out[1]]).toEqual(scan(all, a, b))
      }),
      { numRuns: 500 },
    )
  })

  it('decimation through the pyramid picks the same indices as the scan, for any window and width', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 2, maxLength: 2000 }), fc.integer({ min: 1, max: 120 }), fc.double({ min: -50, max: 2100, noNaN: true }), fc.double({ min: 0, max: 2500, noNaN: true }), (ys, columns, t0, span) => {
        const y = Float64Array.from(ys)
        const t = Float64Array.from(ys, (_, i) => i * 1.5)
        const p = new MinMaxPyramid(y)
        expect(Array.from(decimateIndices(t, y, t0, t0 + span, columns, p))).toEqual(Array.from(decimateIndices(t, y, t0, t0 + span, columns)))
      }),
      { numRuns: 300 },
    )
  })

  it('answers -1 for an empty range or one of NaN only', () => {
    const p = new MinMaxPyramid(Float64Array.from([Number.NaN, Number.NaN, 3, Number.NaN]))
    const out = new Int32Array(2)
    p.range(0, 2, out)
    expect(Array.from(out)).toEqual([-1, -1])
    p.range(1, 1, out)
    expect(Array.from(out)).toEqual([-1, -1])
    p.range(0, 4, out)
    expect(Array.from(out)).toEqual([2, 2])
  })
})
