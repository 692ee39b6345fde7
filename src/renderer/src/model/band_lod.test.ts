import { describe, expect, it } from 'vitest'
import { bandAt, bandsForWindow, type TimeBand } from './band_lod'

const pass = (n: number, t0: number, t1: number, failed = false): TimeBand => ({ t0_ms: t0, t1_ms: t1, label: `#${n}`, detail: `pass #${n}`, failed })

describe('pass bands at the window resolution', () => {
  // a pass of 2 ms every 2 s for an hour
  const hour = Array.from({ length: 1800 }, (_, i) => pass(i + 1, 2000 * (i + 1), 2000 * (i + 1) + 2, i === 900))

  it('an hour of passes on 900 px is a few hundred bands, each at least 3 px wide, none lost', () => {
    const drawn = bandsForWindow(hour, 0, 3_600_000, 900)
    expect(drawn.length).toBeLessThanOrEqual(300)
    const minMs = (3 * 3_600_000) / 900
    for (const b of drawn) expect(b.t1_ms - b.t0_ms).toBeGreaterThanOrEqual(minMs - 1e-9)
    // every pass lies inside a drawn band
    for (const p of hour) expect(bandAt(drawn, p.t0_ms)).not.toBeNull()
    // a merged band names its passes and says whether one failed
    const merged = drawn.find((b) => b.detail.includes('passes'))
    expect(merged?.label).toMatch(/^#\d+–\d+$/)
    expect(drawn.filter((b) => b.failed)).toHaveLength(1)
  })

  it('zoomed in, each pass is its own band, and only those in the window', () => {
    const drawn = bandsForWindow(hour, 10_000, 20_000, 900)
    expect(drawn.map((b) => b.label)).toEqual(['#5', '#6', '#7', '#8', '#9', '#10'])
    expect(drawn[0].detail).toBe('pass #5')
  })
})
