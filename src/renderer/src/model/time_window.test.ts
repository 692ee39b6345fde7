import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { clampWindow, panWindow, windowBetween, zoomWindow, MIN_SPAN_MS, type TimeWindow } from './time_window'

const run: TimeWindow = { t0_ms: 0, t1_ms: 3_600_000 }

describe('time window verbs', () => {
  it('zooms about the pointer: the time under it stays in place', () => {
    const w = zoomWindow({ t0_ms: 0, t1_ms: 1000 }, 0.5, 250, { t0_ms: 0, t1_ms: 10_000 })
    expect(w).toEqual({ t0_ms: 125, t1_ms: 625 })
  })

  it('never zooms past the run or below the minimum span', () => {
    expect(zoomWindow(run, 4, 100, run)).toEqual(run)
    const tiny = zoomWindow({ t0_ms: 1000, t1_ms: 1300 }, 0.01, 1100, run)
    expect(tiny.t1_ms - tiny.t0_ms).toBe(MIN_SPAN_MS)
  })

  it('pans and stops at the ends', () => {
    expect(panWindow({ t0_ms: 100, t1_ms: 200 }, -500, { t0_ms: 0, t1_ms: 1000 }, 10)).toEqual({ t0_ms: 0, t1_ms: 100 })
    expect(panWindow({ t0_ms: 100, t1_ms: 200 }, 5000, { t0_ms: 0, t1_ms: 1000 }, 10)).toEqual({ t0_ms: 900, t1_ms: 1000 })
  })

  it('a drag-selection in either direction is the same window', () => {
    expect(windowBetween(5000, 2000, run)).toEqual(windowBetween(2000, 5000, run))
    expect(windowBetween(5000, 2000, run)).toEqual({ t0_ms: 2000, t1_ms: 5000 })
  })

  it('whatever the verbs, the window stays inside the run and at least the minimum span wide', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.tuple(fc.constant('zoom'), fc.double({ min: 0.01, max: 100, noNaN: true }), fc.double({ min: -1e7, max: 1e7, noNaN: true })), fc.tuple(fc.constant('pan'), fc.double({ min: -1e7, max: 1e7, noNaN: true }), fc.constant(0)))),
        (steps) => {
          let w: TimeWindow = run
          for (const [verb, a, b] of steps) w = verb === 'zoom' ? zoomWindow(w, a, b, run) : panWindow(w, a, run)
          expect(w.t0_ms).toBeGreaterThanOrEqual(run.t0_ms - 1e-6)
          expect(w.t1_ms).toBeLessThanOrEqual(run.t1_ms + 1e-6)
          expect(w.t1_ms - w.t0_ms).toBeGreaterThanOrEqual(MIN_SPAN_MS - 1e-6)
          expect(clampWindow(w, run)).toEqual(w)
        },
      ),
    )
  })
})
