// Engine speed under sustained churn (issue 14): a busy guest allocating and freeing order-0 pages
// (and THPs) at 100,000 page operations per second around a large live set. Figures printed,
// never asserted. Standalone: npx tsx bench/churn.bench.ts [16g|64g|thp ...]; or npm run bench.
//
// "page operation": one alloc_pages() or free_pages() call of the workload (summary.json
// page_allocs + page_frees), whatever its order. Each case runs once; the figures are per wall
// second, then per second of process CPU time, which other work on a shared machine inflates less.
import { pathToFileURL } from 'node:url'
import { performance } from 'node:perf_hooks'
import { ExperimentSchema, type Experiment, type ExperimentInput } from '../src/common/experiment'
import { createSimulation } from '../src/engine/simulation'

type Input = Omit<ExperimentInput, 'format' | 'version'>

const experiment = (input: Input): Experiment => ExperimentSchema.parse({ format: 'page-reporting-lab/experiment', version: 2, ...input })
const sink = { sample: (): void => undefined, event: (): void => undefined }

/** The case: 16 GiB, 4 vCPUs, 8 GiB held, 390.625 MiB/s of order-0 churn (100,000 allocations/s) around 4 GiB live, 100 ms samples. */
function churnCase(memoryGiB: number, durationS: number, orders: { order: number; weight: number }[]): Experiment {
  return experiment({
    name: `churn ${memoryGiB} GiB`,
    seed: 1,
    durationMs: durationS * 1000,
    guest: { memoryMiB: memoryGiB * 1024, cpus: 4 },
    workload: {
      // on every CPU, round robin, as the workload ran before placement (issue 12) existed: the same figures
      placement: { cpus: [0, 1, 2, 3] },
      phases: [
        { op: 'alloc', mib: memoryGiB * 512 },
        { op: 'churn', durationMs: durationS * 1000, rateMiBps: 390.625, liveMiB: memoryGiB * 256, orders },
      ],
    },
    recorder: { sampleIntervalMs: 100 },
  })
}

const CASES = {
  '16g': { label: '16 GiB guest, 8 GiB held, order-0 churn at 390.625 MiB/s (100,000 allocs/s), 4 GiB live, 600 s', exp: () => churnCase(16, 600, [{ order: 0, weight: 1 }]) },
  '64g': { label: '64 GiB guest, 32 GiB held, order-0 churn at 390.625 MiB/s, 16 GiB live, 120 s', exp: () => churnCase(64, 120, [{ order: 0, weight: 1 }]) },
  thp: { label: '16 GiB guest, 8 GiB held, orders 0/9 = 8:1 churn at 390.625 MiB/s, 4 GiB live, 600 s', exp: () => churnCase(16, 600, [{ order: 0, weight: 8 }, { order: 9, weight: 1 }]) },
} as const
type CaseName = keyof typeof CASES

function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

function runCase(name: CaseName): string {
  const exp = CASES[name].exp()
  const c0 = cpuMs()
  const t0 = performance.now()
  const sim = createSimulation(exp, sink)
  sim.advanceTo(exp.durationMs)
  const wall_ms = performance.now() - t0
  const cpu_ms = cpuMs() - c0
  const s = sim.summary(wall_ms)
  const ops = Number(s.page_allocs) + Number(s.page_frees)
  const fmt = (x: number, d = 0): string => x.toFixed(d)
  return (
    `${CASES[name].label}: ${fmt(s.sim_ms / wall_ms, 1)} sim s per wall s, ${fmt((wall_ms * 1e6) / ops)} ns per page operation ` +
    `(${fmt(wall_ms / 1000, 2)} s wall; CPU: ${fmt(s.sim_ms / cpu_ms, 1)} sim s per s, ${fmt((cpu_ms * 1e6) / ops)} ns, ${fmt(cpu_ms / 1000, 2)} s; ${fmt(ops / 1e6, 1)} M operations)`
  )
}

export async function runChurnBench(names: readonly CaseName[] = ['16g', '64g', 'thp']): Promise<string[]> {
  // warm the JIT on a short run of the same code paths first
  createSimulation(churnCase(4, 5, [{ order: 0, weight: 8 }, { order: 9, weight: 1 }]), sink).advanceTo(5000)
  createSimulation(churnCase(4, 5, [{ order: 0, weight: 1 }]), sink).advanceTo(5000)
  return names.map(runCase)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const names = process.argv.slice(2).filter((a): a is CaseName => a in CASES)
  for (const line of await runChurnBench(names.length > 0 ? names : undefined)) console.log(line)
}
