import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { HZ_CHOICES, Jiffies, bucketExpiry, initialJiffies, lvlStart, msecsToJiffies, wheelLevel } from './timer_wheel'

const MS = 1_000_000

describe('timer wheel (kernel/time/timer.c calc_wheel_index(), calc_index())', () => {
  it('levels: LVL_START(n) = 63 << 3(n-1); granularity 8^level', () => {
    expect([lvlStart(1n), lvlStart(2n), lvlStart(3n)]).toEqual([63n, 504n, 4032n])
    expect(wheelLevel(62n, 250)).toBe(0n)
    expect(wheelLevel(63n, 250)).toBe(1n)
    // PAGE_REPORTING_DELAY = 2*HZ: 500 jiffies at HZ=250 (level 1), 2000 at HZ=1000 (level 2)
    expect(wheelLevel(500n, 250)).toBe(1n)
    expect(wheelLevel(2000n, 1000)).toBe(2n)
    expect(wheelLevel(200n, 100)).toBe(1n)
  })

  it('bucket_expiry rounds up to the level granularity, one full granule when already on an edge', () => {
    expect(bucketExpiry(1000n + 500n, 1000n, 250)).toBe(1504n) // 1500 = 187.5 * 8 -> 188 * 8
    expect(bucketExpiry(1504n + 500n, 1504n, 250)).toBe(2008n) // 2004 -> 251 * 8
    expect(bucketExpiry(1000n + 2000n, 1000n, 1000)).toBe(3008n) // 3000 -> 47 * 64 = 3008
    expect(bucketExpiry(3008n + 2000n, 3008n, 1000)).toBe(5056n) // 5008 -> 79 * 64
    expect(bucketExpiry(10n + 5n, 10n, 250)).toBe(16n) // level 0: one jiffy late
    expect(bucketExpiry(5n, 10n, 250)).toBe(10n) // already past: base->clk
  })

  it('INITIAL_JIFFIES is 2^32 - 300 HZ: the buckets\' edges relative to boot', () => {
    expect(initialJiffies(250)).toBe(4294892296n)
    expect(initialJiffies(250) % 8n).toBe(0n)
    expect(initialJiffies(1000) % 64n).toBe(32n)
  })

  it('HZ=250: armed at boot the work runs at 2016 ms; re-armed from a pass it runs every 504 jiffies (2.016 s)', () => {
    const j = new Jiffies(250)
    expect(j.delayedWorkFires(0, 500)).toBe(2016 * MS)
    // a pass that takes 1.5 ms re-arms in the same jiffy
    expect(j.delayedWorkFires(2016 * MS + 1.5 * MS, 500)).toBe(4032 * MS)
    // a free at an arbitrary time: 2.004-2.032 s later
    expect(j.delayedWorkFires(1001 * MS, 500)).toBe(3008 * MS)
  })

  it('HZ=1000: the first pass 2016 ms after boot, then every 2048 ms', () => {
    const j = new Jiffies(1000)
    expect(j.delayedWorkFires(0, 2000)).toBe(2016 * MS)
    expect(j.delayedWorkFires(2016 * MS + 0.5 * MS, 2000)).toBe(4064 * MS)
    expect(j.delayedWorkFires(4064 * MS + 0.5 * MS, 2000)).toBe(6112 * MS)
  })

  it('msecs_to_jiffies() rounds up', () => {
    expect(msecsToJiffies(2000, 250)).toBe(500)
    expect(msecsToJiffies(2000, 300)).toBe(600)
    expect(msecsToJiffies(1, 250)).toBe(1)
    expect(msecsToJiffies(250, 1000)).toBe(250)
  })

  it('property: never early, at most one granule (plus the jiffy in progress) late, on a bucket edge', () => {
    fc.assert(
      fc.property(fc.constantFrom(...HZ_CHOICES), fc.integer({ min: 0, max: 3_600_000 }), fc.integer({ min: 1, max: 100_000 }), (hz, t_us, delay) => {
        const j = new Jiffies(hz)
        const t = t_us * 1000
        const fire = j.delayedWorkFires(t, delay)
        const now = j.at(t)
        const fired = j.at(fire)
        const gran = 1n << (3n * wheelLevel(BigInt(delay), hz))
        expect(fired - now).toBeGreaterThan(BigInt(delay))
        expect(fired - now).toBeLessThanOrEqual(BigInt(delay) + gran)
        expect(fired % gran).toBe(0n)
        // the delay in time: more than delay - 1 jiffies, since jiffies lag the clock by up to one tick
        expect(fire - t).toBeGreaterThan(((delay - 1) * 1e9) / hz)
      }),
      { numRuns: 500 },
    )
  })
})
