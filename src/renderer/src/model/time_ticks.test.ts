import { describe, expect, it } from 'vitest'
import { decimalsFor, formatElapsed, formatInstant, MIN_TICK_PX, tickStep, timeTicks } from './time_ticks'

describe('elapsed-time ticks', () => {
  it('formats elapsed time in one scheme: +m:ss, +h:mm:ss from an hour, decimals by step', () => {
    expect(formatElapsed(5000, 0, false)).toBe('+0:05')
    expect(formatElapsed(3_600_000, 0, true)).toBe('+1:00:00')
    expect(formatElapsed(1000 * 1000, 0, true)).toBe('+0:16:40')
    expect(formatElapsed(1500, 1, false)).toBe('+0:01.5')
    expect(formatElapsed(59_960, 0, false)).toBe('+1:00')
    expect(formatElapsed(125, 3, false)).toBe('+0:00.125')
    expect(formatElapsed(-2000, 0, false)).toBe('−0:02')
  })

  it('picks the smallest nice step that leaves MIN_TICK_PX per label', () => {
    // 30 s over 900 px: 10 labels fit, 5 s steps give 6
    expect(tickStep(30_000, 900)).toBe(5000)
    // 1 h over 900 px: 10 labels fit; 10 min gives 6, 5 min would give 12
    expect(tickStep(3_600_000, 900)).toBe(600_000)
    expect(tickStep(250, 900)).toBe(50)
    expect(tickStep(3_600_000, 900) * Math.floor(900 / MIN_TICK_PX)).toBeGreaterThanOrEqual(3_600_000)
    expect(decimalsFor(500)).toBe(1)
    expect(decimalsFor(20)).toBe(2)
    expect(decimalsFor(5000)).toBe(0)
  })

  it('places ticks on multiples of the step inside the window, never two labels alike', () => {
    const t = timeTicks(1234, 31_000, 900)
    expect(t.step_ms).toBe(5000)
    expect(t.values).toEqual([5000, 10_000, 15_000, 20_000, 25_000, 30_000])
    expect(t.values.map(t.format)).toEqual(['+0:05', '+0:10', '+0:15', '+0:20', '+0:25', '+0:30'])
    const hour = timeTicks(0, 3_600_000, 1000)
    expect(hour.values.map(hour.format).slice(0, 3)).toEqual(['+0:00:00', '+0:10:00', '+0:20:00'])
    expect(hour.format(3_600_000)).toBe('+1:00:00')
    const fine = timeTicks(1000, 1300, 600)
    expect(new Set(fine.values.map(fine.format)).size).toBe(fine.values.length)
  })

  it('writes a point in time in the axes format, no more precise than its resolution or itself', () => {
    expect(formatInstant(20_000, 1)).toBe('+0:20')
    expect(formatInstant(15_300, 30)).toBe('+0:15.3')
    expect(formatInstant(15_347, 30)).toBe('+0:15.35')
    expect(formatInstant(15_347, 1)).toBe('+0:15.347')
    expect(formatInstant(3_600_000 + 5000, 1000)).toBe('+1:00:05')
  })
})
