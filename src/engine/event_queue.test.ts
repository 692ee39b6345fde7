import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { EventQueue } from './event_queue'

describe('EventQueue', () => {
  it('runs events in time order and skips idle time', () => {
    const q = new EventQueue()
    const seen: [number, number][] = []
    const h = q.register((arg) => seen.push([q.now_ns, arg]))
    q.schedule(5_000_000_000, h, 3)
    q.schedule(10, h, 1)
    q.schedule(2_000, h, 2)
    q.runUntil(Infinity)
    expect(seen).toEqual([
      [10, 1],
      [2_000, 2],
      [5_000_000_000, 3],
    ])
    expect(q.processed).toBe(3)
  })

  it('breaks ties by insertion sequence, also for events scheduled while running', () => {
    const q = new EventQueue()
    const seen: number[] = []
    let h = 0
    h = q.register((arg) => {
      seen.push(arg)
      if (arg === 1) q.schedule(q.now_ns, h, 4)
    })
    q.schedule(100, h, 1)
    q.schedule(100, h, 2)
    q.schedule(100, h, 3)
    q.runUntil(100)
    expect(seen).toEqual([1, 2, 3, 4])
  })

  it('runUntil stops at the limit and sets the clock to it', () => {
    const q = new EventQueue()
    const seen: number[] = []
    const h = q.register((a) => seen.push(a))
    q.schedule(50, h, 1)
    q.schedule(150, h, 2)
    q.runUntil(100)
    expect(seen).toEqual([1])
    expect(q.now_ns).toBe(100)
    expect(q.peekTime()).toBe(150)
  })

  it('refuses times in the past and non-integer times', () => {
    const q = new EventQueue()
    const h = q.register(() => undefined)
    q.runUntil(1000)
    expect(() => q.schedule(999, h)).toThrow(/must be an integer >= now/)
    expect(() => q.schedule(1000.5, h)).toThrow(/integer/)
  })

  it('pops any schedule in (time, sequence) order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 600 }), (times) => {
        const q = new EventQueue()
        const seen: number[] = []
        const h = q.register((i) => seen.push(i))
        times.forEach((t, i) => q.schedule(t, h, i))
        q.runUntil(Infinity)
        const expected = times.map((t, i) => [t, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((x) => x[1])
        expect(seen).toEqual(expected)
      }),
    )
  })
})
