// Host experiment benchmark (issue 15): 8 guests of 16 GiB each churning at 10,000 page
// operations per second for a simulated hour, on a host that must swap. Figures printed, never
// asserted: simulated seconds per wall second (target >= 10) and engine state per guest page
// (target <= 12 bytes), counting every typed array the engine keeps (allocator, lists, host
// backing and swap, LRU stamps, workload live sets, queues), found by walking the simulation's
// object graph.
//   npx tsx bench/host.bench.ts        (PRLAB_BENCH_HOST_S=600 simulates 10 minutes instead)
//   or as part of npm run bench
import { pathToFileURL } from 'node:url'
import { performance } from 'node:perf_hooks'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { HostExperimentSchema, type HostExperiment } from '../src/common/host_experiment'
import { planHost } from '../src/common/host_plan'
import { ExperimentSchema } from '../src/common/experiment'
import { HostSimulation } from '../src/engine/machine/host_simulation'

const GUESTS = 8
const GUEST_MIB = 16384
/** 10,000 order-0 allocations per simulated second, each freed once the live set is full: 10,000 / 256 MiB/s. */
const CHURN_MIBPS = 10000 / 256

function benchHost(seconds: number): HostExperiment {
  return HostExperimentSchema.parse({
    format: 'page-reporting-lab/experiment',
    version: 2,
    name: `${GUESTS} × 16 GiB churning on 96 GiB + 64 GiB swap`,
    durationMs: seconds * 1000,
    // the guests' RSS outgrows RAM: kswapd and direct reclaim run, cold memory goes to swap
    machine: { memoryMiB: 49152, swapMiB: 65536 },
    guests: [
      {
        name: 'server',
        count: GUESTS,
        staggerMs: 10000,
        experiment: {
          durationMs: seconds * 1000,
          guest: { memoryMiB: GUEST_MIB, cpus: 4 },
          recorder: { sampleIntervalMs: 1000, events: true },
          workload: {
            phases: [
              { op: 'alloc', mib: 4096, order: 9, label: 'heap (THP)' },
              { op: 'churn', durationMs: seconds * 1000, rateMiBps: CHURN_MIBPS, liveMiB: 2048, label: '10,000 allocations and frees per second' },
            ],
          },
        },
      },
    ],
    recorder: { sampleIntervalMs: 1000 },
  })
}

/** Bytes of every ArrayBuffer reachable from `root`, each counted once. */
export function reachableArrayBytes(root: unknown): number {
  const seenObjects = new Set<object>()
  const buffers = new Set<ArrayBufferLike>()
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    const v = stack.pop()
    if (typeof v !== 'object' || v === null || seenObjects.has(v)) continue
    seenObjects.add(v)
    if (ArrayBuffer.isView(v)) {
      buffers.add(v.buffer)
      continue
    }
    if (v instanceof ArrayBuffer) {
      buffers.add(v)
      continue
    }
    if (v instanceof Map) {
      for (const [k, x] of v) stack.push(k, x)
      continue
    }
    if (v instanceof Set) {
      for (const x of v) stack.push(x)
      continue
    }
    for (const key of Object.getOwnPropertyNames(v)) {
      const d = Object.getOwnPropertyDescriptor(v, key)
      if (d !== undefined && 'value' in d) stack.push(d.value)
    }
  }
  let bytes = 0
  for (const b of buffers) bytes += b.byteLength
  return bytes
}

const fmt = (x: number, digits = 1): string => x.toFixed(digits)

/** A full collection, so that the resident figure counts live state only. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
}

export async function runHostBench(): Promise<string[]> {
  const seconds = Number(process.env.PRLAB_BENCH_HOST_S ?? 3600)
  const host = benchHost(seconds)
  const plan = planHost(
    host,
    host.guests.map((entry) => ({ entry, experiment: ExperimentSchema.parse({ format: 'page-reporting-lab/experiment', version: 2, ...entry.experiment }) })),
  )
  let hostRows = 0
  let guestRows = 0
  let guestEvents = 0
  let bytes = 0
  let residentBytes = 0
  collectGarbage()
  const rss0 = process.memoryUsage().rss
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  const sim = new HostSimulation(plan, host.machine, host.recorder.sampleIntervalMs, {
    sample: () => void hostRows++,
    event: () => undefined,
    guestOutput: () => ({ sample: () => void guestRows++, event: () => void guestEvents++ }),
    // the engine state, measured at the end of the hour with every guest still alive
    guestEnded: () => {
      if (bytes !== 0) return
      bytes = reachableArrayBytes(sim)
      collectGarbage()
      residentBytes = process.memoryUsage().rss - rss0
    },
  })
  while (!sim.done) sim.advanceTo(sim.now_ms + 1000)
  const wall_ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  // the machine is shared: CPU time of this process is the figure that does not depend on the others' load
  const cpu_ms = (cpu.user + cpu.system) / 1000
  const s = sim.summary(wall_ms)
  const pages = GUESTS * GUEST_MIB * 256
  const gib = (kib: number): string => `${fmt(kib / 1048576, 2)} GiB`
  return [
    `${GUESTS} guests × 16 GiB (started 10 s apart), each: 4 GiB THP heap, then churn of 10,000 order-0 allocations and 10,000 frees per simulated second around a 2 GiB live set, for ${seconds} s; host 48 GiB RAM + 64 GiB swap`,
    `  ${fmt(s.sim_ms / wall_ms, 1)} sim s per wall s (target >= 10): ${fmt(wall_ms / 1000)} s wall for ${fmt(s.sim_ms / 1000, 0)} s simulated, ${s.events_processed} events, ${fmt((GUESTS * seconds * 20000) / (wall_ms / 1000) / 1e6, 2)} M page operations per wall s`,
    `  ${fmt(s.sim_ms / cpu_ms, 1)} sim s per CPU s of this process (${fmt(cpu_ms / 1000)} s user + system; wall time counts other processes' load on a shared machine)`,
    `  engine state ${fmt(residentBytes / pages, 2)} bytes per guest page resident (target <= 12): the process's RSS grew by ${fmt(residentBytes / 2 ** 20)} MiB for ${pages} guest pages (after a full GC, every guest alive)`,
    `    typed arrays allocated: ${fmt(bytes / pages, 2)} bytes per guest page (${fmt(bytes / 2 ** 20)} MiB); pfn-indexed arrays leave out each guest's 2 GiB PCI hole (memmap indices, src/engine/mm/sparse.ts)`,
    `  host: guests' RSS mean ${gib(s.mean_guests_rss_kib)}, peak ${gib(s.peak_guests_rss_kib)}; swapped out ${gib(s.swapped_out_kib)} (kswapd ${gib(s.kswapd_reclaimed_kib)}, direct ${gib(s.direct_reclaimed_kib)}), in ${gib(s.swapped_in_kib)}; ${s.oom_kills} OOM kills; ${hostRows} host rows, ${guestRows} guest rows, ${guestEvents} guest events`,
  ]
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await runHostBench()) console.log(line)
}
