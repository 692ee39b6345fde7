import { describe, expect, it } from 'vitest'
import { fitOffset, interpolateAt, lastAtOrBefore, rssError } from './rss_error'

const MiB = 1024

describe('interpolation', () => {
  it('finds the last sample at or before x and interpolates linearly inside the span only', () => {
    const t = [0, 100, 100, 300]
    expect([-1, 0, 99, 100, 250, 300, 301].map((x) => lastAtOrBefore(t, x))).toEqual([-1, 0, 0, 2, 2, 3, 3])
    const y = [0, 10, 20, 40]
    expect(interpolateAt(t, y, 50)).toBe(5)
    expect(interpolateAt(t, y, 200)).toBe(30)
    expect(interpolateAt(t, y, 300)).toBe(40)
    expect(interpolateAt(t, y, 301)).toBeNaN()
    expect(interpolateAt(t, y, -1)).toBeNaN()
  })
})

describe('RSS error', () => {
  it('is zero for identical curves', () => {
    const s = { t_ms: [0, 1000, 2000], kib: [100 * MiB, 300 * MiB, 200 * MiB] }
    expect(rssError(s, s)).toEqual({ rmse_mib: 0, mae_mib: 0, bias_mib: 0, max_abs_mib: 0, points: 3, from_ms: 0, to_ms: 2000 })
  })

  it('hand-computed: errors +3, -4 MiB at two measured samples give RMSE sqrt(12.5), MAE 3.5, bias -0.5', () => {
    const sim = { t_ms: [0, 2000], kib: [0, 2000 * MiB] } // 1 MiB per ms
    const measured = { t_ms: [500, 1500, 5000], kib: [497 * MiB, 1504 * MiB, 0] } // the last sample is outside the simulation
    const e = rssError(sim, measured)
    expect(e?.points).toBe(2)
    expect(e?.rmse_mib).toBeCloseTo(Math.sqrt(12.5), 12)
    expect(e?.mae_mib).toBe(3.5)
    expect(e?.bias_mib).toBe(-0.5)
    expect(e?.max_abs_mib).toBe(4)
    expect([e?.from_ms, e?.to_ms]).toEqual([500, 1500])
  })

  it('shifts the measured series by the offset, and gives null without overlap', () => {
    const sim = { t_ms: [0, 1000], kib: [0, 1000 * MiB] }
    const measured = { t_ms: [0, 500], kib: [200 * MiB, 700 * MiB] }
    expect(rssError(sim, measured, 200)?.rmse_mib).toBe(0)
    expect(rssError(sim, measured, 5000)).toBeNull()
  })

  it('fitOffset finds the shift of a delayed copy', () => {
    const t = Array.from({ length: 200 }, (_, i) => i * 100)
    const curve = (x: number) => (x < 5000 ? 0 : x < 9000 ? (x - 5000) * MiB : 4000 * MiB)
    const sim = { t_ms: t, kib: t.map(curve) }
    const measured = { t_ms: t.slice(0, 120), kib: t.slice(0, 120).map((x) => curve(x + 1700)) }
    const best = fitOffset(sim, measured, -3000, 3000, 100)
    expect(best?.offset_ms).toBe(1700)
    expect(best?.error.rmse_mib).toBeCloseTo(0, 9)
  })
})
