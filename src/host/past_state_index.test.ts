// The checkpoint index (issue 11, past states): checkpoints right after samples, the nearest one at
// or before any time, a past state from it equal to a re-simulation from t = 0, the memory budget
// kept by thinning, and a snapshot refusal that leaves the index re-simulating rather than wrong.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ExperimentSchema, type Experiment } from '../common/experiment'
import { CheckpointError, heldBytes } from '../engine/checkpoint'
import type { Simulation } from '../engine/api'
import { createSimulation } from '../engine/simulation'
import { defaultExamplesDir } from './examples'
import { validateDocument } from './experiment_io'
import { CheckpointIndex } from './past_state_index'
import { resolveRunInputs } from './run_inputs'

const exp: Experiment = ExperimentSchema.parse({
  format: 'page-reporting-lab/experiment',
  version: 2,
  seed: 3,
  durationMs: 20_000,
  guest: { memoryMiB: 512, cpus: 2, swapMiB: 64 },
  workload: {
    phases: [
      { op: 'alloc', mib: 300, durationMs: 2000 },
      { op: 'free', fraction: 0.5, pattern: 'every-other', chunkKiB: 64 },
      { op: 'churn', durationMs: 8000, rateMiBps: 96, liveMiB: 64, orders: [{ order: 0, weight: 4 }, { order: 9, weight: 1 }] },
      { op: 'pagecache', mib: 200 },
      { op: 'compact-memory' },
      { op: 'drop-caches' },
    ],
  },
  recorder: { sampleIntervalMs: 100, events: false },
})
const sink = { sample: () => undefined, event: () => undefined }
const fresh = (): Simulation => createSimulation(exp, sink)

function stateOf(sim: Simulation): unknown {
  const map = sim.memoryMap(0, 1 << 30, 2048)
  return { now_ms: sim.now_ms, buddyinfo: sim.buddyinfo(), pagetypeinfo: sim.pagetypeinfo(), freeArea: sim.freeArea(), map: Array.from(map.states) }
}

function indexWhole(index: CheckpointIndex): void {
  while (!index.done) index.step(50)
}

describe('CheckpointIndex', () => {
  it('a past state from the nearest checkpoint equals the state re-simulated from t = 0, at any sample', () => {
    const index = new CheckpointIndex(fresh(), exp.recorder.sampleIntervalMs, { spacing_ms: 2, budget_bytes: 2 ** 30 })
    indexWhole(index)
    const cps = index.checkpoints
    expect(cps.length).toBeGreaterThan(3)
    expect(cps[0].t_ms).toBe(0)
    for (let i = 1; i < cps.length; i++) expect(cps[i].t_ms).toBeGreaterThan(cps[i - 1].t_ms)
    expect(index.bytes).toBe(heldBytes(cps.map((c) => c.cp)))
    expect(index.frontier_ms).toBe(exp.durationMs)

    const answering = fresh()
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 8 }), (samples) => {
        const fromZero = fresh()
        for (const k of [...samples].sort((a, b) => a - b)) {
          const t_ms = k * 100
          const base = index.nearest(t_ms)
          expect(base).not.toBeNull()
          if (base === null) return
          expect(base.t_ms).toBeLessThanOrEqual(t_ms)
          expect(cps.find((c) => c.t_ms > base.t_ms && c.t_ms <= t_ms)).toBeUndefined()
          answering.restore(base.cp)
          if (base.t_ms < t_ms) expect(answering.advanceToSample(t_ms)).toBe(true)
          expect(fromZero.advanceToSample(t_ms)).toBe(true)
          expect(stateOf(answering)).toEqual(stateOf(fromZero))
        }
      }),
      { numRuns: 4, seed: 5 },
    )
  }, 120_000)

  it('keeps within its memory budget by dropping every other checkpoint, the first one kept', () => {
    const one = fresh().checkpoint().bytes
    const index = new CheckpointIndex(fresh(), exp.recorder.sampleIntervalMs, { spacing_ms: 0, budget_bytes: 4 * one })
    indexWhole(index)
    const cps = index.checkpoints
    // a checkpoint after every sample would be 201
    expect(cps.length).toBeLessThan(100)
    expect(cps[0].t_ms).toBe(0)
    expect(index.bytes).toBe(heldBytes(cps.map((c) => c.cp)))
    expect(index.bytes).toBeLessThanOrEqual(4 * one + one)
    // what is kept still restores exactly
    const last = cps[cps.length - 1]
    const restored = fresh()
    restored.restore(last.cp)
    const fromZero = fresh()
    fromZero.advanceToSample(last.t_ms)
    expect(stateOf(restored)).toEqual(stateOf(fromZero))
  }, 120_000)

  it('a snapshot refusal stops the checkpoints, not the index: it still reaches the end and says why', () => {
    const sim = fresh()
    const refusing = new Proxy(sim, {
      get(target, key) {
        if (key === 'checkpoint') {
          return () => {
            throw new CheckpointError('LabSimulation.x', 'a closure that the target has not wired here cannot be recreated')
          }
        }
        const v: unknown = Reflect.get(target, key, target)
        return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(target) : v
      },
    })
    const index = new CheckpointIndex(refusing, exp.recorder.sampleIntervalMs)
    indexWhole(index)
    expect(index.checkpoints).toHaveLength(0)
    expect(index.nearest(5000)).toBeNull()
    expect(index.refused).toMatch(/LabSimulation\.x: a closure/)
    expect(index.done).toBe(true)
  }, 120_000)
})

describe('checkpoints of the shipped examples', () => {
  const dir = defaultExamplesDir()
  const files = readdirSync(dir).filter((f) => f.endsWith('.prlab.json'))
  it.each(files)('%s: a run restored from its checkpoints continues byte-identically', async (file) => {
    const checked = validateDocument(JSON.parse(readFileSync(join(dir, file), 'utf8')), file)
    // host experiments (several guests) have no past-state view
    if (!checked.ok && /host experiment/i.test(checked.error.message)) return
    if (!checked.ok) throw new Error(checked.error.message)
    // the first seconds: every example's setup, boot and first phases (a replay, an initial free state)
    const exp = { ...checked.value, durationMs: Math.min(checked.value.durationMs, 4000), recorder: { ...checked.value.recorder, events: true } }
    const inputs = await resolveRunInputs(exp, { baseDir: dir })
    if (!inputs.ok) throw new Error(inputs.error.message)
    const options = inputs.value !== undefined ? { inputs: inputs.value } : {}
    const run = (): { sim: Simulation; rows: string[]; events: string[] } => {
      const rows: string[] = []
      const events: string[] = []
      const sim = createSimulation(exp, { sample: (r) => rows.push(Buffer.from(new Float64Array(r).buffer).toString('base64')), event: (e) => events.push(JSON.stringify(e)) }, options)
      return { sim, rows, events }
    }
    const whole = run()
    whole.sim.advanceTo(exp.durationMs)
    const src = run()
    const step = exp.recorder.sampleIntervalMs
    const at = [...new Set([Math.max(step, Math.floor(exp.durationMs / 3 / step) * step), Math.floor((2 * exp.durationMs) / 3 / step) * step])]
    let previous = null
    for (const t_ms of at) {
      expect(src.sim.advanceToSample(t_ms)).toBe(true)
      const cp = src.sim.checkpoint(previous)
      previous = cp
      const restored = run()
      restored.sim.restore(cp)
      restored.sim.advanceTo(exp.durationMs)
      expect(restored.rows).toEqual(whole.rows.slice(src.rows.length))
      expect(restored.events).toEqual(whole.events.slice(src.events.length))
      expect(restored.sim.buddyinfo()).toBe(whole.sim.buddyinfo())
    }
  }, 120_000)
})
