// A file that `prlab validate` accepts never crashes `prlab run` (issue 9): every cross-field rule
// the engine enforces is in validation. Experiments are generated from the experiment file's
// JSON Schema (`prlab schema`), validated, and each valid one is run briefly (the run is stopped
// after RUN_BUDGET_MS of wall time): exit 0 or 2, or stopped by the budget; never an internal error.
import fc from 'fast-check'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { main as run } from '../src/cli/commands/run'
import { main as validate } from '../src/cli/commands/validate'
import { experimentJsonSchema } from '../src/common/experiment_json_schema'
import { arbitraryFromSchema } from './schema_arbitrary'

const RUN_BUDGET_MS = Number(process.env.PRLAB_PROPERTY_BUDGET_MS ?? 300)
const dir = mkdtempSync(join(tmpdir(), 'prlab-property-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let printed: string[] = []
beforeEach(() => {
  printed = []
  vi.spyOn(console, 'error').mockImplementation((s) => void printed.push(String(s)))
  vi.spyOn(console, 'log').mockImplementation(() => undefined)
})
afterEach(() => vi.restoreAllMocks())

// Sizes that keep each run brief on a 2-core machine; every other field spans the schema's range.
const experiments = arbitraryFromSchema(experimentJsonSchema(), {
  maxItems: 4,
  clamp: {
    memoryMiB: { max: 6144 },
    mib: { max: 8192 },
    liveMiB: { max: 8192 },
    rateMiBps: { max: 2048 },
    cpus: { max: 16 },
    sampleIntervalMs: { min: 10 },
  },
}).filter((doc) => {
  // replay phases and initial free states name files; the malformed-file tests cover those
  const d = doc as { workload?: { phases?: { op: string }[] }; guest?: { initialFreeState?: unknown } }
  return !(d.workload?.phases ?? []).some((p) => p.op === 'replay') && (d.guest?.initialFreeState ?? null) === null
}).map((doc) => {
  // the rules across sections (ExperimentSchema's refinement) hold for most generated files:
  // the workload's CPUs exist, hv-balloon is on a kernel that has its page reporting
  const d = structuredClone(doc) as { guest?: { cpus?: number; kernel?: string }; workload?: { placement?: { cpus?: number[] } }; reporting?: { device?: string } }
  const cpus = d.guest?.cpus ?? 2
  if (Array.isArray(d.workload?.placement?.cpus)) d.workload.placement.cpus = d.workload.placement.cpus.map((c) => c % cpus)
  if (d.reporting?.device === 'hv-balloon' && d.guest?.kernel === '5.10') d.guest.kernel = '6.6'
  return d
})

describe('prlab run on experiments generated from the schema', () => {
  it('exits 0 or 2 for every file validate accepts, never 1', async () => {
    let ran = 0
    let n = 0
    await fc.assert(
      fc.asyncProperty(experiments, async (doc) => {
        const file = join(dir, `e${n++}.prlab.json`)
        writeFileSync(file, JSON.stringify(doc))
        const checked = await validate([file, '--no-limits'])
        expect([0, 2]).toContain(checked)
        if (checked !== 0) return
        ran++
        const code = await run([file, '--quiet', '--out', join(dir, 'out')], { signal: AbortSignal.timeout(RUN_BUDGET_MS) }).catch((e: unknown) => {
          throw new Error(`prlab run crashed on ${JSON.stringify(doc)}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
        })
        // 130: stopped by the budget (reported as an interrupt), which is not a crash
        expect([0, 2, 130], `${JSON.stringify(doc)}\n${printed.join('\n')}`).toContain(code)
      }),
      { numRuns: Number(process.env.PRLAB_PROPERTY_RUNS ?? 60), seed: Number(process.env.PRLAB_PROPERTY_SEED ?? 20261201) },
    )
    // the filter and the refinements must leave enough valid files for the property to mean something
    expect(ran).toBeGreaterThan(20)
  }, 600_000)
})
