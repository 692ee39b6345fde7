import { describe, expect, it } from 'vitest'
import { compactCount, linearScale, logScale, memoryUnit, niceStep, toLog, LOG_ZERO } from './value_scale'

const GiB = 1024 * 1024

describe('value axes', () => {
  it('memory reads in the largest unit that keeps the top at or above 1', () => {
    expect(memoryUnit(512).unit).toBe('KiB')
    expect(memoryUnit(600 * 1024).unit).toBe('MiB')
    expect(memoryUnit(175 * GiB).unit).toBe('GiB')
    expect(memoryUnit(2 * 1024 * GiB).unit).toBe('TiB')
  })

  it('steps are 1-2-5 multiples', () => {
    expect(niceStep(1.56, 4)).toBe(0.5)
    expect(niceStep(175, 4)).toBe(50)
    expect(niceStep(9, 4)).toBe(5)
    expect(niceStep(0, 4)).toBe(1)
  })

  it('a memory axis starts at zero and ends on a nice value above the data, labelled in its unit', () => {
    const s = linearScale(0, 1.56 * GiB, 'kib')
    expect(s.unit).toBe('GiB')
    expect(s.min).toBe(0)
    expect(s.max).toBe(2 * GiB)
    expect(s.ticks.map(s.label)).toEqual(['0.0', '0.5', '1.0', '1.5', '2.0'])
    const mib = linearScale(0, 600 * 1024, 'kib')
    expect(mib.unit).toBe('MiB')
    expect(mib.ticks.map(mib.label)).toEqual(['0', '200', '400', '600'])
  })

  it('counts step by whole numbers, and an empty axis still has a range', () => {
    const s = linearScale(0, 3, 'count', 'calls')
    expect(s.ticks).toEqual([0, 1, 2, 3])
    expect(s.unit).toBe('calls')
    const empty = linearScale(0, 0, 'count')
    expect(empty.max).toBeGreaterThan(empty.min)
    expect(compactCount(1234)).toBe('1234')
    expect(compactCount(12_345)).toBe('12.3k')
    expect(compactCount(3_400_000)).toBe('3.4M')
  })

  it('a log axis keeps zero at the bottom and has one tick per decade', () => {
    const s = logScale(4321, 'blocks')
    expect(s.ticks).toEqual([LOG_ZERO, 0, 1, 2, 3, 4])
    expect(s.ticks.map(s.label)).toEqual(['0', '1', '10', '100', '1000', '10k'])
    expect(toLog(0)).toBe(LOG_ZERO)
    expect(toLog(100)).toBe(2)
    expect(logScale(0, 'blocks').max).toBe(1)
  })
})
