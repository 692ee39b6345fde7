// Real data in runs (issue 6, engine side): figures printed, never asserted.
//   npx tsx bench/inputs.bench.ts
// - a replay phase: trace operations per wall second through the real allocator (one engine event
//   per distinct trace time), with refault bookkeeping and the host touches of alloc phases;
// - the initial free state: the time to lay a fragmented /proc/buddyinfo snapshot into a guest.
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { ExperimentSchema, type Experiment, type ExperimentInput } from '../src/common/experiment'
import { REPLAY_ALLOC, REPLAY_FREE, type FtraceReplay } from '../src/common/imports'
import type { SimulationInputs } from '../src/engine/api'
import { createSimulation } from '../src/engine/simulation'

type Input = Omit<ExperimentInput, 'format' | 'version'>
const experiment = (input: Input): Experiment => ExperimentSchema.parse({ format: 'page-reporting-lab/experiment', version: 2, ...input })
const sink = { sample: (): void => undefined, event: (): void => undefined }
const fmt = (x: number, digits = 1): string => x.toFixed(digits)

/**
 * A kernel-build-like trace: `ops` operations over `span_s` seconds on 4 cpus, order 0 mostly
 * (some 1-3 and THP order 9), each allocation freed later; live memory stays under `liveMiB`.
 */
function syntheticTrace(ops: number, span_s: number, liveMiB: number): FtraceReplay {
  const rng = xoroshiro128plus(42)
  const t_ns = new Float64Array(ops)
  const op = new Uint8Array(ops)
  const order = new Uint8Array(ops)
  const migratetype = new Int8Array(ops)
  const cpu = new Uint16Array(ops)
  const ref = new Int32Array(ops).fill(-1)
  const live: number[] = []
  let livePages = 0
  for (let i = 0; i < ops; i++) {
    t_ns[i] = Math.floor((i * span_s * 1e9) / ops)
    cpu[i] = uniformInt(rng, 0, 3)
    const free = live.length > 0 && (livePages > liveMiB * 256 || uniformInt(rng, 0, 99) < 48)
    if (free) {
      const a = live.splice(uniformInt(rng, 0, live.length - 1), 1)[0]
      op[i] = REPLAY_FREE
      order[i] = order[a]
      migratetype[i] = -1
      ref[i] = a
      livePages -= 2 ** order[a]
    } else {
      const r = uniformInt(rng, 0, 999)
      op[i] = REPLAY_ALLOC
      order[i] = r < 900 ? 0 : r < 990 ? uniformInt(rng, 1, 3) : 9
      migratetype[i] = r < 850 ? 1 : 0
      live.push(i)
      livePages += 2 ** order[i]
    }
  }
  return {
    kind: 'ftrace',
    fileName: 'synthetic.txt',
    lines: ops,
    problems: [],
    problemCount: 0,
    count: ops,
    t_ns,
    op,
    pfn: new Float64Array(ops),
    order,
    migratetype,
    cpu,
    ref,
    offset: new Uint32Array(ops),
    line: Uint32Array.from({ length: ops }, (_, i) => i + 1),
    start_ts: '0.000000',
    stats: { events: { mm_page_alloc: ops }, allocs: ops, frees: 0, failedAllocs: 0, freesOfUnknownPfn: 0, batchedDuplicates: 0, allocsOfLivePfn: 0, liveAtEnd: live.length, internalEvents: 0, otherEvents: 0, cpus: 4, pfnFormat: 'hex', traceCmdHeader: false },
  }
}

export async function runInputsBench(): Promise<string[]> {
  const out: string[] = []
  const ops = 2_000_000
  const trace = syntheticTrace(ops, 20, 1024)
  for (const speed of [1, 100]) {
    const exp = experiment({ durationMs: 20000 / speed + 1000, guest: { memoryMiB: 4096, cpus: 4 }, workload: { phases: [{ op: 'replay', file: 'synthetic.txt', speed }] } })
    const inputs: SimulationInputs = { replays: [trace], initialFree: null }
    let best = Infinity
    let events = 0
    for (let run = 0; run < 2; run++) {
      const t0 = performance.now()
      const sim = createSimulation(exp, sink, { inputs })
      sim.advanceTo(exp.durationMs)
      best = Math.min(best, performance.now() - t0)
      events = sim.events_processed
      if (sim.summary(0).replay_ops_done !== ops) throw new Error('replay did not finish')
    }
    out.push(`replay of ${ops / 1e6} M trace operations (20 s of trace, speed ${speed}) on a 4 GiB guest with reporting: ${fmt(best)} ms wall, ${fmt(ops / (best / 1000) / 1e6, 2)} M operations/s, ${events} engine events`)
  }

  // a fragmented snapshot of a 16 GiB guest: every order populated, about half the memory free
  const exp = experiment({ durationMs: 1000, guest: { memoryMiB: 16384, cpus: 4, initialFreeState: { file: 'buddyinfo.txt' } } })
  const plain = experiment({ durationMs: 1000, guest: { memoryMiB: 16384, cpus: 4 } })
  const dma32 = [10000, 5000, 2500, 1200, 600, 300, 150, 80, 40, 60, 150]
  const normal = [80000, 40000, 20000, 10000, 5000, 2500, 1200, 600, 300, 500, 1000]
  const inputs: SimulationInputs = { replays: [], initialFree: { source: 'bench', zones: [{ zone: 'DMA', nr_free: [1, 1, 1, 0, 2, 1, 1, 0, 1, 1, 2] }, { zone: 'DMA32', nr_free: dma32 }, { zone: 'Normal', nr_free: normal }] } }
  const time = (e: Experiment, opts: { inputs?: SimulationInputs }): number => {
    let best = Infinity
    for (let run = 0; run < 3; run++) {
      const t0 = performance.now()
      createSimulation(e, sink, opts)
      best = Math.min(best, performance.now() - t0)
    }
    return best
  }
  const base_ms = time(plain, {})
  const seeded_ms = time(exp, { inputs })
  const freeBlocks = [...dma32, ...normal].reduce((s, n) => s + n, 0)
  out.push(`16 GiB guest createSimulation: ${fmt(base_ms)} ms booted; ${fmt(seeded_ms)} ms from a snapshot of ${freeBlocks} free blocks (+${fmt(seeded_ms - base_ms)} ms to plan, take off and touch the memory in use)`)
  return out
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const line of await runInputsBench()) console.log(line)
}
