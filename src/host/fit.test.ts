// The fit search (issue 15): for any threshold, width and bound it finds the largest count that
// meets the objective, with rounds that depend only on earlier results; non-monotonic runs are
// named; the host experiment of a point adds the copies after the host's own guests.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ExperimentSchema } from '../common/experiment'
import { HostExperimentSchema } from '../common/host_experiment'
import { planHost } from '../common/host_plan'
import { fitAnswer, fitPointHost, nextCounts, searchFit, type FitPoint } from './fit'

const point = (count: number, ok: boolean): FitPoint => ({ count, ok, why: ok ? 'ok' : 'no', figures: null })

describe('fit search', () => {
  it('finds the largest count below the threshold for any width and bound', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 256 }), async (threshold, width, max) => {
        const rounds: number[][] = []
        const { answer, points } = await searchFit(async (counts) => counts.map((c) => point(c, c <= threshold)), width, max, (r) => rounds.push([...r]))
        expect(answer.largest).toBe(Math.min(threshold, max))
        expect(answer.firstFailing).toBe(threshold < max ? threshold + 1 : null)
        // never more than width counts a round, never one twice, never above max
        for (const r of rounds) expect(r.length).toBeLessThanOrEqual(width)
        expect(new Set(points.map((p) => p.count)).size).toBe(points.length)
        expect(Math.max(...points.map((p) => p.count))).toBeLessThanOrEqual(max)
        // a logarithmic number of rounds
        expect(rounds.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(max + 1)) + 2)
      }),
      { numRuns: 300 },
    )
  })

  it('gallops with one worker: 1, 2, 4, 8, ... then bisects', () => {
    const known = new Map<number, FitPoint>()
    const rounds: number[][] = []
    for (;;) {
      const next = nextCounts(known, 1, 100)
      if (next.length === 0) break
      rounds.push(next)
      for (const c of next) known.set(c, point(c, c <= 11))
    }
    expect(rounds.flat()).toEqual([1, 2, 4, 8, 16, 12, 10, 11])
  })

  it('names counts that met the objective above one that did not', () => {
    const a = fitAnswer([point(1, true), point(2, true), point(3, false), point(4, true)], 10)
    expect(a).toEqual({ largest: 2, firstFailing: 3, nonMonotonic: [4] })
    expect(fitAnswer([point(1, false)], 10)).toEqual({ largest: 0, firstFailing: 1, nonMonotonic: [] })
  })

  it('a point runs the host’s own guests, then the copies, numbered after them', () => {
    const guest = ExperimentSchema.parse({ format: 'page-reporting-lab/experiment', version: 2, name: 'web', guest: { memoryMiB: 1024 } })
    const host = HostExperimentSchema.parse({
      format: 'page-reporting-lab/experiment',
      version: 2,
      name: 'rack',
      machine: { memoryMiB: 8192 },
      guests: [{ name: 'db', experiment: { guest: { memoryMiB: 2048 } } }],
    })
    const h = fitPointHost(host, guest, 3, { startMs: 100, staggerMs: 1000 })
    expect(HostExperimentSchema.parse(h)).toEqual(h)
    expect(h.name).toBe('rack: 3 × web')
    const plan = planHost(h, h.guests.map((entry) => ({ entry, experiment: ExperimentSchema.parse({ format: 'page-reporting-lab/experiment', version: 2, ...entry.experiment }) })))
    expect(plan.guests.map((g) => [g.guest, g.label, g.start_ms])).toEqual([
      [1, 'db', 0],
      [2, 'web #1', 100],
      [3, 'web #2', 1100],
      [4, 'web #3', 2100],
    ])
  })
})
