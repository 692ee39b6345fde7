// Engine checkpoints (issue 11, past states at the cursor): for random experiments over the
// shipped examples' features (every phase kind but replay, churn with order mixes, THP, reclaim
// with swap and page cache, compaction, hv_balloon, several CPUs, shuffle), a simulation restored
// from a checkpoint taken right after a sample continues byte-identically: its samples and events
// are those of the uninterrupted run from that point on, and its state at any later sample equals
// the state a simulation from t = 0 has there. Taking checkpoints does not disturb the run.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ExperimentSchema, type Experiment } from '../common/experiment'
import type { SimEvent } from '../common/samples'
import type { Checkpoint } from './checkpoint'
import type { Simulation } from './api'
import { createSimulation } from './simulation'
import { anyDevice, anyKernel, anyReportingOrder, churnOrderMix, devicePhases, type Phase } from './testing/arbitrary_phases'

const phase: fc.Arbitrary<Phase> = fc.oneof(
  fc.record({ op: fc.constant('alloc' as const), mib: fc.integer({ min: 1, max: 200 }), order: fc.constantFrom(0, 0, 3, 9), migratetype: fc.constantFrom('movable' as const, 'unmovable' as const), durationMs: fc.option(fc.integer({ min: 100, max: 1500 }), { nil: undefined }), tag: fc.constantFrom('a', 'b') }),
  fc.record({ op: fc.constant('free' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }), pattern: fc.constantFrom('lifo' as const, 'fifo' as const, 'random' as const, 'every-other' as const), chunkKiB: fc.constantFrom(4, 64, 1024), tag: fc.constantFrom('a', 'b') }),
  fc.record({ op: fc.constant('idle' as const), ms: fc.integer({ min: 100, max: 2500 }) }),
  fc.record({
    op: fc.constant('churn' as const),
    durationMs: fc.integer({ min: 200, max: 2500 }),
    rateMiBps: fc.integer({ min: 8, max: 256 }),
    liveMiB: fc.integer({ min: 0, max: 96 }),
    orders: churnOrderMix,
  }),
  fc.record({ op: fc.constant('pagecache' as const), mib: fc.integer({ min: 1, max: 300 }), reads: fc.constantFrom(1, 2) }),
  fc.constant({ op: 'drop-caches' as const }),
  fc.constant({ op: 'compact-memory' as const }),
  ...devicePhases,
)

const arbitraryExperiment = fc.record({
  seed: fc.integer({ min: 0, max: 1000 }),
  memoryMiB: fc.constantFrom(256, 384, 512),
  kernel: anyKernel,
  device: anyDevice,
  order: anyReportingOrder,
  delayMs: fc.integer({ min: 50, max: 2000 }),
  backing: fc.constantFrom('anon-4k' as const, 'anon-thp' as const, 'hugetlb-2m' as const),
  cpus: fc.integer({ min: 1, max: 4 }),
  thp: fc.constantFrom('always' as const, 'madvise' as const, 'never' as const),
  swapMiB: fc.constantFrom(0, 128),
  compactionProactiveness: fc.constantFrom(0, 20, 90),
  shuffle: fc.boolean(),
  phases: fc.array(phase, { minLength: 1, maxLength: 6 }),
  /** Where the checkpoints are taken, as fractions of the run. */
  at: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 }),
})

const SAMPLE_MS = 50
const DURATION_MS = 5000

function parse(e: typeof arbitraryExperiment extends fc.Arbitrary<infer T> ? T : never): Experiment {
  return ExperimentSchema.parse({
    format: 'page-reporting-lab/experiment',
    version: 2,
    seed: e.seed,
    durationMs: DURATION_MS,
    guest: {
      memoryMiB: e.memoryMiB,
      // hv_balloon has no page reporting before 5.13 (the schema refuses it): 5.14 stands in
      kernel: e.device === 'hv-balloon' && e.kernel === '5.10' ? '5.14' : e.kernel,
      cpus: e.cpus,
      thp: e.thp,
      swapMiB: e.swapMiB,
      compactionProactiveness: e.compactionProactiveness,
      shuffle: e.shuffle,
    },
    reporting: { device: e.device, order: e.order, delayMs: e.delayMs },
    host: { backing: e.backing },
    workload: { phases: e.phases },
    recorder: { sampleIntervalMs: SAMPLE_MS, events: true, allocEvents: true },
  })
}

/** A simulation whose samples (as bytes) and events are kept. */
function recorded(exp: Experiment): { sim: Simulation; samples: Buffer[]; events: SimEvent[] } {
  const samples: Buffer[] = []
  const events: SimEvent[] = []
  const sim = createSimulation(exp, { sample: (r) => samples.push(Buffer.from(new Float64Array(r).buffer)), event: (e) => events.push(structuredClone(e)) })
  return { sim, samples, events }
}

/** What a past-state view reads: every table, the whole map, a page, the summary's engine figures. */
function stateOf(sim: Simulation): unknown {
  const { wall_ms: _wall, ...summary } = sim.summary(0)
  const map = sim.memoryMap(0, 1 << 30, 4096)
  return {
    now_ms: sim.now_ms,
    events: sim.events_processed,
    buddyinfo: sim.buddyinfo(),
    pagetypeinfo: sim.pagetypeinfo(),
    zoneinfo: sim.zoneinfo(),
    freeArea: sim.freeArea(),
    map: { ...map, states: Buffer.from(map.states).toString('base64') },
    page: sim.pageInfo(4096),
    summary,
  }
}

describe('engine checkpoints (property)', () => {
  it('a simulation restored from a checkpoint continues byte-identically, and its state at a later sample equals a run from t = 0', () => {
    let taken = 0
    fc.assert(
      fc.property(arbitraryExperiment, fc.double({ min: 0, max: 1, noNaN: true }), (e, later) => {
        const exp = parse(e)
        const whole = recorded(exp)
        whole.sim.advanceTo(DURATION_MS)

        // the same run, checkpointed right after a few samples on its way
        const times = [...new Set(e.at.map((f) => Math.floor((f * DURATION_MS) / SAMPLE_MS) * SAMPLE_MS))].sort((a, b) => a - b)
        const src = recorded(exp)
        const cps: { t_ms: number; cp: Checkpoint; samples: number; events: number }[] = []
        for (const t_ms of times) {
          expect(src.sim.advanceToSample(t_ms)).toBe(true)
          // chained: each shares the unchanged chunks of the large arrays with the one before (a refusal would throw)
          cps.push({ t_ms, cp: src.sim.checkpoint(cps.at(-1)?.cp ?? null), samples: src.samples.length, events: src.events.length })
        }
        src.sim.advanceTo(DURATION_MS)
        expect(src.samples).toEqual(whole.samples)
        expect(src.events).toEqual(whole.events)

        for (const { t_ms, cp, samples, events } of cps) {
          taken++
          const restored = recorded(exp)
          // into a simulation that has run elsewhere meanwhile, as the state worker's does
          restored.sim.advanceTo(later * DURATION_MS)
          restored.samples.length = 0
          restored.events.length = 0
          restored.sim.restore(cp)
          expect(restored.sim.now_ms).toBe(t_ms)
          restored.sim.advanceTo(DURATION_MS)
          expect(restored.samples.length).toBe(whole.samples.length - samples)
          expect(restored.samples).toEqual(whole.samples.slice(samples))
          expect(restored.events).toEqual(whole.events.slice(events))
          expect(stateOf(restored.sim)).toEqual(stateOf(whole.sim))

          // a past state from the checkpoint equals the one re-simulated from t = 0
          const at_ms = t_ms + Math.floor((later * (DURATION_MS - t_ms)) / SAMPLE_MS) * SAMPLE_MS
          const fromCp = createSimulation(exp, { sample: () => undefined, event: () => undefined })
          fromCp.restore(cp)
          const fromZero = createSimulation(exp, { sample: () => undefined, event: () => undefined })
          if (at_ms > t_ms) {
            expect(fromCp.advanceToSample(at_ms)).toBe(true)
            expect(fromZero.advanceToSample(at_ms)).toBe(true)
          } else {
            expect(fromZero.advanceToSample(t_ms)).toBe(true)
          }
          expect(stateOf(fromCp)).toEqual(stateOf(fromZero))
        }
      }),
      { numRuns: 24, seed: 11 },
    )
    expect(taken).toBeGreaterThan(24)
  }, 300_000)
})
