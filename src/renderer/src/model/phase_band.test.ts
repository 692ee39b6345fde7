import { describe, expect, it } from 'vitest'
import { fitText, phaseSegments } from './phase_band'

describe('phase band', () => {
  const phases = [
    { t_ms: 0, label: 'alloc: memhog 1.5 GiB' },
    { t_ms: 2000, label: 'free: exit' },
    { t_ms: 2000, label: 'idle' },
    { t_ms: 20_000, label: 'drop_caches' },
  ]

  it('phases that start together share one segment and one label', () => {
    const s = phaseSegments(phases, 0, 30_000, 30_000, 600)
    expect(s.map((x) => x.labels)).toEqual([['alloc: memhog 1.5 GiB'], ['free: exit', 'idle'], ['drop_caches']])
    expect(s[1].text).toBe('free: exit · idle')
    expect(s.map((x) => [x.x0, x.x1])).toEqual([
      [0, 40],
      [40, 400],
      [400, 600],
    ])
  })

  it('segments never overlap, and a label never runs past its segment', () => {
    const s = phaseSegments(phases, 0, 30_000, 30_000, 600)
    for (let i = 1; i < s.length; i++) expect(s[i].x0).toBeGreaterThanOrEqual(s[i - 1].x1)
    for (const x of s) expect(x.text.length * 6 + 6).toBeLessThanOrEqual(x.x1 - x.x0 + 6)
    // 40 px hold five characters: the first phase's name is cut
    expect(s[0].text).toBe('allo…')
  })

  it('clips to the window and drops phases outside it', () => {
    const s = phaseSegments(phases, 10_000, 25_000, 30_000, 300)
    expect(s.map((x) => x.labels[0])).toEqual(['free: exit', 'drop_caches'])
    expect(s[0].x0).toBe(0)
    expect(s[1].x1).toBe(300)
  })

  it('fits text or gives up', () => {
    expect(fitText('idle', 100)).toBe('idle')
    expect(fitText('drop_caches', 30)).toBe('dro…')
    expect(fitText('drop_caches', 20)).toBe('')
  })
})
