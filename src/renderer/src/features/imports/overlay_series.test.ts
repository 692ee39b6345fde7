import { describe, expect, it } from 'vitest'
import { xyPoints } from './overlay_series'

describe('overlay points', () => {
  it('converts ms to s and scales y, shifted by the offset', () => {
    expect(xyPoints([0, 1000, 2500], [1024, 2048, 0], 1 / 1024, 100, 500)).toEqual([[0.5, 1], [1.5, 2], [3, 0]])
  })

  it('keeps the min and max of each bucket and max in time order when thinning', () => {
    const t = Array.from({ length: 1000 }, (_, i) => i)
    const y = t.map((i) => (i === 123 ? 99 : i === 877 ? -99 : 0))
    const pts = xyPoints(t, y, 1, 10)
    expect(pts.length).toBeLessThanOrEqual(10)
    expect(pts.map((p) => p[1])).toContain(99)
    expect(pts.map((p) => p[1])).toContain(-99)
    const ts = pts.map((p) => p[0])
    expect([...ts].sort((a, b) => a - b)).toEqual(ts)
  })
})
