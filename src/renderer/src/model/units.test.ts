import { describe, expect, it } from 'vitest'
import { formatAxisTime, formatCount, formatDelta, formatKiB, formatMs } from './units'

describe('units', () => {
  it('formats KiB with binary prefixes', () => {
    expect(formatKiB(512)).toBe('512 KiB')
    expect(formatKiB(1536)).toBe('1.5 MiB')
    expect(formatKiB(3 * 1024 * 1024)).toBe('3.00 GiB')
    expect(formatKiB(Number.NaN)).toBe('–')
  })

  it('formats durations', () => {
    expect(formatMs(850)).toBe('850 ms')
    expect(formatMs(12_345)).toBe('12.3 s')
    expect(formatMs(245_000)).toBe('4 min 05 s')
    expect(formatMs(3_720_000)).toBe('1 h 02 min')
  })

  it('formats axis time', () => {
    expect(formatAxisTime(2500)).toBe('2.5 s')
    expect(formatAxisTime(125_000)).toBe('2:05')
  })

  it('formats counts and signed deltas', () => {
    expect(formatCount(1234567)).toBe('1,234,567')
    expect(formatDelta(2048, formatKiB)).toBe('+2.0 MiB')
    expect(formatDelta(-3, formatCount)).toBe('−3')
    expect(formatDelta(0, formatCount)).toBe('±0')
  })
})
