import { describe, expect, it } from 'vitest'
import { FRAME_BUDGET_MS, RedrawScheduler, type Clock } from './redraw_scheduler'

/** A clock whose frames run when the test says and whose timers fire as time advances. */
function fakeClock() {
  let t = 0
  let queued: ((now: number) => void) | null = null
  let frames = 0
  let nextTimer = 1
  const timers = new Map<number, { at: number; cb: () => void }>()
  const clock: Clock = {
    now: () => t,
    frame: (cb) => {
      queued = cb
      frames++
      return 1
    },
    cancel: () => {
      queued = null
    },
    later: (cb, ms) => {
      timers.set(nextTimer, { at: t + ms, cb })
      return nextTimer++
    },
    cancelLater: (h) => void timers.delete(h),
  }
  return {
    clock,
    advance(ms: number) {
      t += ms
      for (const [h, timer] of [...timers]) {
        if (timer.at > t) continue
        timers.delete(h)
        timer.cb()
      }
    },
    runFrame() {
      const cb = queued
      queued = null
      cb?.(t)
    },
    /** Frames asked for so far. */
    get frames() {
      return frames
    },
    get timers() {
      return timers.size
    },
  }
}

describe('RedrawScheduler', () => {
  it('draws each chart once per round, the latest request winning', () => {
    const c = fakeClock()
    const s = new RedrawScheduler(c.clock)
    const drawn: string[] = []
    const a = {}
    s.request(a, () => drawn.push('a1'), false)
    s.request(a, () => drawn.push('a2'), false)
    s.request({}, () => drawn.push('b'), false)
    c.runFrame()
    expect(drawn).toEqual(['a2', 'b'])
  })

  it('spaces live redraws by four times what the last round cost', () => {
    const c = fakeClock()
    const s = new RedrawScheduler(c.clock)
    const key = {}
    const slowDraw = () => c.advance(100)
    s.request(key, slowDraw, false)
    c.runFrame()
    // cost EWMA 0.3 * 100 = 30 ms -> gap 120 ms
    expect(s.gap_ms).toBe(120)
    let count = 0
    s.request(key, () => count++, false)
    c.advance(50)
    c.runFrame()
    expect(count).toBe(0)
    c.advance(80)
    c.runFrame()
    expect(count).toBe(1)
  })

  it('lets interaction through after 33 ms whatever the cost', () => {
    const c = fakeClock()
    const s = new RedrawScheduler(c.clock)
    const key = {}
    s.request(key, () => c.advance(1000), false)
    c.runFrame()
    expect(s.gap_ms).toBe(1000)
    let count = 0
    s.request(key, () => count++, true)
    expect(s.gap_ms).toBe(33)
    c.advance(40)
    c.runFrame()
    expect(count).toBe(1)
  })

  it('redraws about once a second, at most a tenth of the thread, while the engine runs flat out; interaction still at once', () => {
    const c = fakeClock()
    const s = new RedrawScheduler(c.clock)
    s.pace = 'flat-out'
    const key = {}
    s.request(key, () => undefined, false)
    expect(s.gap_ms).toBe(1000)
    s.request(key, () => undefined, true)
    expect(s.gap_ms).toBe(33)
    c.runFrame()
    // a 500 ms round: EWMA cost 150 ms -> 10 x 150 = 1500 ms
    s.request(key, () => c.advance(500), false)
    c.advance(1000)
    c.runFrame()
    expect(s.gap_ms).toBe(1500)
    // a very slow round is capped at 5 s, and the live pace goes back to 4 x cost within 1 s
    s.request(key, () => c.advance(5000), false)
    c.advance(1500)
    c.runFrame()
    expect(s.gap_ms).toBe(5000)
    s.pace = 'live'
    expect(s.gap_ms).toBe(1000)
  })

  it('waits for the gap on a timer rather than frame by frame; interaction and a pace change cut the wait short', () => {
    const c = fakeClock()
    const s = new RedrawScheduler(c.clock)
    s.pace = 'flat-out'
    const key = {}
    let count = 0
    s.request(key, () => count++, false)
    c.runFrame()
    expect(count).toBe(1)
    // a live redraw 100 ms later waits ~900 ms on one timer, asking for no frames meanwhile
    c.advance(100)
    s.request(key, () => count++, false)
    c.runFrame()
    const framesBefore = c.frames
    expect(c.timers).toBe(1)
    c.advance(800)
    s.request(key, () => count++, false)
    expect(c.frames).toBe(framesBefore)
    c.advance(100)
    c.runFrame()
    expect(count).toBe(2)
    // interaction goes through at once
    c.advance(10)
    s.request(key, () => count++, false)
    c.runFrame()
    expect(c.timers).toBe(1)
    s.request(key, () => count++, true)
    expect(c.timers).toBe(0)
    c.advance(40)
    c.runFrame()
    expect(count).toBe(3)
    // the run ends: back to the live pace, the held redraw does not wait out the flat-out gap
    c.advance(10)
    s.request(key, () => count++, false)
    c.runFrame()
    expect(c.timers).toBe(1)
    s.pace = 'live'
    expect(c.timers).toBe(0)
    c.advance(33)
    c.runFrame()
    expect(count).toBe(4)
  })

  it('spreads a round over frames within the frame budget, round robin for charts asked again', () => {
    const c = fakeClock()
    const s = new RedrawScheduler(c.clock)
    const drawn: string[] = []
    const slow = (name: string) => () => {
      drawn.push(name)
      c.advance(FRAME_BUDGET_MS + 2)
    }
    const [a, b, d] = [{}, {}, {}]
    s.request(a, slow('a'), true)
    s.request(b, slow('b'), true)
    s.request(d, slow('d'), true)
    c.runFrame()
    expect(drawn).toEqual(['a'])
    // a asked again while b and d wait: it goes behind them
    s.request(a, slow('a'), true)
    c.runFrame()
    c.runFrame()
    c.runFrame()
    expect(drawn).toEqual(['a', 'b', 'd', 'a'])
    // the round's cost is the sum over its frames: 4 draws, EWMA 0.3, gap 4 x cost
    expect(s.gap_ms).toBeCloseTo(4 * 0.3 * 4 * (FRAME_BUDGET_MS + 2))
  })

  it('forgets a cancelled chart', () => {
    const c = fakeClock()
    const s = new RedrawScheduler(c.clock)
    const key = {}
    let count = 0
    s.request(key, () => count++, true)
    s.cancel(key)
    c.runFrame()
    expect(count).toBe(0)
  })
})
