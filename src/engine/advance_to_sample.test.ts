// The past-state API's engine side: advanceToSample() stops with the state a sample row recorded,
// and freeArea() counts what /proc/buddyinfo and /proc/pagetypeinfo count.
import { describe, expect, it } from 'vitest'
import { ExperimentSchema, type Experiment } from '../common/experiment'
import { COL, NR_ORDERS, ZONE_NAMES, type SampleColumn } from '../common/samples'
import churnDelay from '../../resources/examples/churn-delay-tradeoff.prlab.json'
import { createSimulation } from './simulation'

const churn: Experiment = ExperimentSchema.parse({ ...churnDelay, durationMs: 12_000 })

function rowsOf(exp: Experiment): Float64Array[] {
  const rows: Float64Array[] = []
  const sim = createSimulation(exp, { sample: (r) => rows.push(r.slice()), event: () => undefined })
  sim.advanceTo(exp.durationMs)
  return rows
}

/** The nr_free columns of a row, as buddyinfo lines print them. */
function buddyinfoOfRow(row: Float64Array, zones: readonly string[]): number[][] {
  return zones.map((z) => Array.from({ length: NR_ORDERS }, (_, o) => row[COL[`${z.toLowerCase()}_nr_free_${o}` as SampleColumn]]))
}

function parseBuddyinfo(text: string): { zones: string[]; counts: number[][] } {
  const lines = text.trim().split('\n')
  return { zones: lines.map((l) => /zone\s+(\S+)/.exec(l)?.[1] ?? ''), counts: lines.map((l) => l.replace(/^.*zone\s+\S+\s+/, '').trim().split(/\s+/).map(Number)) }
}

describe('advanceToSample', () => {
  const rows = rowsOf(churn)

  it('a fresh simulation stopped at any sample has the free lists that sample recorded', () => {
    for (const k of [0, 1, 37, 64, 65, 66, 117, rows.length - 1]) {
      const sim = createSimulation(churn, { sample: () => undefined, event: () => undefined })
      const t = rows[k][COL.t_ms]
      expect(sim.advanceToSample(t)).toBe(true)
      expect(sim.now_ms).toBe(t)
      const b = parseBuddyinfo(sim.buddyinfo())
      expect(b.zones.every((z) => (ZONE_NAMES as readonly string[]).includes(z))).toBe(true)
      expect(b.counts).toEqual(buddyinfoOfRow(rows[k], b.zones))
    }
  })

  it('going on from a stop gives the same rows as one run (the stop leaves nothing out)', () => {
    const again: Float64Array[] = []
    const sim = createSimulation(churn, { sample: (r) => again.push(r.slice()), event: () => undefined })
    sim.advanceToSample(rows[40][COL.t_ms])
    sim.advanceToSample(rows[41][COL.t_ms])
    sim.advanceTo(churn.durationMs)
    expect(again.length).toBe(rows.length)
    for (let k = 0; k < rows.length; k++) expect(Array.from(again[k])).toEqual(Array.from(rows[k]))
  })

  it('a time between samples or in the past is no sample', () => {
    const sim = createSimulation(churn, { sample: () => undefined, event: () => undefined })
    expect(sim.advanceToSample(150)).toBe(false)
    expect(sim.now_ms).toBe(150)
    expect(sim.advanceToSample(100)).toBe(false)
    expect(sim.advanceToSample(200)).toBe(true)
  })
})

describe('freeArea', () => {
  it('sums over migratetypes to buddyinfo, reported blocks to the nr_reported columns', () => {
    const rows: Float64Array[] = []
    const sim = createSimulation(churn, { sample: (r) => rows.push(r.slice()), event: () => undefined })
    sim.advanceTo(churn.durationMs)
    const last = rows[rows.length - 1]
    const area = sim.freeArea()
    const b = parseBuddyinfo(sim.buddyinfo())
    expect(area.zones.map((z) => z.name)).toEqual(b.zones)
    area.zones.forEach((z, i) => {
      const sums = Array.from({ length: NR_ORDERS }, (_, o) => z.free.reduce((n, mt) => n + mt[o], 0))
      expect(sums).toEqual(b.counts[i])
      for (const [mt, counts] of z.reported.entries()) counts.forEach((n, o) => expect(n).toBeLessThanOrEqual(z.free[mt][o]))
    })
    for (let o = 0; o < NR_ORDERS; o++) {
      const reported = area.zones.reduce((n, z) => n + z.reported.reduce((m, mt) => m + mt[o], 0), 0)
      expect(reported).toBe(last[COL[`nr_reported_${o}` as SampleColumn]])
    }
    expect(area.zones.some((z) => z.pageblocks.reduce((a, b) => a + b, 0) > 0)).toBe(true)
  })
})
