import { describe, expect, it } from 'vitest'
import { LatestPacer, type PacerClock } from './latest_pacer'

function fakeClock() {
  let t = 0
  let next = 1
  const timers = new Map<number, { at: number; cb: () => void }>()
  const clock: PacerClock = {
    now: () => t,
    setTimeout: (cb, ms) => {
      timers.set(next, { at: t + ms, cb })
      return next++
    },
    clearTimeout: (h) => void timers.delete(h),
  }
  const advance = (ms: number): void => {
    t += ms
    for (const [h, timer] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at > t) continue
      timers.delete(h)
      timer.cb()
    }
  }
  return { clock, advance, pending: () => timers.size }
}

describe('LatestPacer', () => {
  it('passes the first value, holds the next ones, and delivers the latest when the gap is over', () => {
    const c = fakeClock()
    const seen: number[] = []
    const p = new LatestPacer<number>(250, c.clock, (v) => seen.push(v))
    p.push(1, false)
    c.advance(30)
    p.push(2, false)
    c.advance(30)
    p.push(3, false)
    expect(seen).toEqual([1])
    c.advance(189)
    expect(seen).toEqual([1])
    c.advance(1)
    expect(seen).toEqual([1, 3])
    expect(c.pending()).toBe(0)
    // 250 ms after that delivery, a new value goes straight through
    c.advance(250)
    p.push(4, false)
    expect(seen).toEqual([1, 3, 4])
  })

  it('lets an urgent value through at once and drops the held one', () => {
    const c = fakeClock()
    const seen: string[] = []
    const p = new LatestPacer<string>(250, c.clock, (v) => seen.push(v))
    p.push('running 1', false)
    c.advance(10)
    p.push('running 2', false)
    p.push('finished', true)
    c.advance(1000)
    expect(seen).toEqual(['running 1', 'finished'])
  })

  it('cancel forgets a held value', () => {
    const c = fakeClock()
    const seen: number[] = []
    const p = new LatestPacer<number>(100, c.clock, (v) => seen.push(v))
    p.push(1, false)
    p.push(2, false)
    p.cancel()
    c.advance(500)
    expect(seen).toEqual([1])
  })
})
