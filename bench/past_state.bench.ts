// Past states (issue 11): engine checkpoints (memory, time to take and to restore) for 1, 16 and
// 64 GiB guests; the checkpoint index of a 1-hour run of a 16 GiB guest (time to index the whole
// run, checkpoints, memory); stateAt latency through the real state worker at 20 random times once
// indexed (median, p95, max). Figures printed, never asserted.
//   npx tsx bench/past_state.bench.ts      or as part of   npm run bench
// The machine is shared: times are best of N (checkpoints) or the better of two rounds (stateAt),
// and the index's time is also given as CPU time.
import { availableParallelism, loadavg } from 'node:os'
import { pathToFileURL } from 'node:url'
import { performance } from 'node:perf_hooks'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import type { GuestState, StateParts } from '../src/common/api'
import { ExperimentSchema, type Experiment } from '../src/common/experiment'
import { createSimulation } from '../src/engine/simulation'
import { CheckpointIndex } from '../src/host/past_state_index'
import { answerParts } from '../src/host/state_protocol'
import { PastStates } from '../src/host/past_state'
import { spawnWorker } from '../src/host/spawn_worker'
import { PERF_HOUR_PHASES, type Phases } from '../e2e/ui/perf_hour'


const sink = { sample: (): void => undefined, event: (): void => undefined }
const fmt = (x: number, d = 1): string => x.toFixed(d)
const mib = (bytes: number): string => `${fmt(bytes / 2 ** 20)} MiB`


/** The same hour scaled to the guest: a memhog of 3/4 of it, 20 minutes of churn over 2 GiB, a quarter read into the page cache. */
function scaledPhases(memoryMiB: number): Phases {
  return [
    { op: 'alloc', mib: Math.round(memoryMiB * 0.75), durationMs: 5000, label: 'memhog' },
    { op: 'free', fraction: 1, label: 'exit' },
    { op: 'idle', ms: 300_000 },
    { op: 'churn', durationMs: 1_200_000, rateMiBps: 64, liveMiB: 2048, orders: [{ order: 0, weight: 8 }, { order: 9, weight: 1 }], label: 'churn' },
    { op: 'pagecache', mib: Math.round(memoryMiB / 4), label: 'read files' },
    { op: 'idle', ms: 600_000 },
    { op: 'drop-caches', label: 'drop_caches' },
  ]
}

function hour(memoryMiB: number, phases: Phases): Experiment {
  return ExperimentSchema.parse({
    format: 'page-reporting-lab/experiment',
    version: 2,
    name: 'one hour',
    seed: 1,
    durationMs: 3_600_000,
    guest: { memoryMiB, cpus: 2 },
    workload: { phases },
    recorder: { sampleIntervalMs: 100, events: true },
  })
}

function bestOf<T>(n: number, f: () => T): { ms: number; value: T } {
  let best = Infinity
  let value: T | undefined
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    value = f()
    best = Math.min(best, performance.now() - t0)
  }
  return { ms: best, value: value as T }
}

function checkpointCosts(out: string[]): void {
  out.push('checkpoints of the perf run (e2e/ui/perf.spec.ts phases) in its churn phase (700 s), best of 3:')
  for (const gib of [1, 16, 64]) {
    const exp = hour(gib * 1024, PERF_HOUR_PHASES)
    const sim = createSimulation(exp, sink)
    sim.advanceToSample(700_000)
    const whole = bestOf(3, () => sim.checkpoint())
    sim.advanceToSample(710_000)
    const next = bestOf(3, () => sim.checkpoint(whole.value))
    const target = createSimulation(exp, sink)
    target.advanceToSample(100)
    const restore = bestOf(3, () => target.restore(next.value))
    out.push(
      `  ${String(gib).padStart(2)} GiB: first ${mib(whole.value.bytes)} in ${fmt(whole.ms)} ms; 10 s later ${mib(next.value.bytes)} new of ${mib(next.value.totalBytes)} in ${fmt(next.ms)} ms; restore ${fmt(restore.ms)} ms (${next.value.objects} objects)`,
    )
  }
}

/** What the Memory and /proc views ask for: the tables and a 512x512-cell map of the whole guest. */
const PARTS: StateParts = { tables: true, map: { startPfn: 0, endPfn: 2 ** 40, cells: 512 * 512 } }

/** 20 random sample times of the run (seeded). */
function randomTimes(exp: Experiment): number[] {
  const rng = xoroshiro128plus(11)
  return Array.from({ length: 20 }, () => uniformInt(rng, 0, exp.durationMs / exp.recorder.sampleIntervalMs) * exp.recorder.sampleIntervalMs)
}

function quantiles(xs: number[]): string {
  const sorted = [...xs].sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
  return `median ${fmt(at(0.5))} ms, p95 ${fmt(at(0.95))} ms, max ${fmt(sorted[sorted.length - 1])} ms`
}

const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000

function indexRun(out: string[], title: string, exp: Experiment): void {
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const index = new CheckpointIndex(createSimulation(exp, sink), exp.recorder.sampleIntervalMs)
  while (!index.done) index.step(1000)
  const wall = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const cps = index.checkpoints
  let gap = 0
  for (let i = 1; i < cps.length; i++) gap = Math.max(gap, cps[i].t_ms - cps[i - 1].t_ms)
  out.push(
    `  ${title}: indexed in ${fmt(wall / 1000, 2)} s wall (${fmt(cpuMs(cpu) / 1000, 2)} s CPU), ${cps.length} checkpoints, ${mib(index.bytes)} held, widest gap ${fmt(gap / 1000)} simulated s`,
  )
  // a past state as the state worker computes it (nearest checkpoint, restore, re-simulate, answer), in CPU time
  const answering = createSimulation(exp, sink)
  const cpuTimes: number[] = []
  const parts: [number[], number[], number[]] = [[], [], []]
  for (const t_ms of randomTimes(exp)) {
    const u0 = cpuMs(process.cpuUsage())
    const base = index.nearest(t_ms)
    if (base === null) throw new Error(`no checkpoint at or before ${t_ms} ms`)
    answering.restore(base.cp)
    const u1 = cpuMs(process.cpuUsage())
    if (base.t_ms < t_ms && !answering.advanceToSample(t_ms)) throw new Error(`no sample at ${t_ms} ms`)
    const u2 = cpuMs(process.cpuUsage())
    answerParts(answering, PARTS)
    const u3 = cpuMs(process.cpuUsage())
    cpuTimes.push(u3 - u0)
    parts[0].push(u1 - u0)
    parts[1].push(u2 - u1)
    parts[2].push(u3 - u2)
  }
  const mean = (xs: number[]): string => fmt(xs.reduce((a, b) => a + b, 0) / xs.length)
  out.push(`    a past state at 20 random times, CPU time: ${quantiles(cpuTimes)} (mean restore ${mean(parts[0])} ms, re-simulation ${mean(parts[1])} ms, tables + map ${mean(parts[2])} ms)`)
}

async function latency(out: string[], title: string, exp: Experiment): Promise<void> {
  const states = new PastStates(
    () => spawnWorker(new URL('../src/host/state_worker.ts', import.meta.url)),
    () => undefined,
  )
  const source = async () => ({ experiment: exp })
  try {
    const t0 = performance.now()
    await states.request('run', source, { t_ms: exp.durationMs, end: true }, PARTS)
    const index_ms = performance.now() - t0
    const times = randomTimes(exp)
    const best = new Array<number>(times.length).fill(Infinity)
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < times.length; i++) {
        const t = performance.now()
        const s: GuestState = await states.request('run', source, { t_ms: times[i], end: false }, PARTS)
        if (s.t_ms !== times[i]) throw new Error(`asked for ${times[i]} ms, got ${s.t_ms} ms`)
        best[i] = Math.min(best[i], performance.now() - t)
      }
    }
    out.push(`  ${title}: end state (the whole run indexed first) ${fmt(index_ms / 1000, 2)} s; 20 random times, wall: ${quantiles(best)}`)
  } finally {
    states.dispose()
  }
}

export async function runPastStateBench(): Promise<string[]> {
  const out: string[] = [`(load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores: wall times grow with it, CPU times much less)`]
  checkpointCosts(out)
  const perf16 = hour(16384, PERF_HOUR_PHASES)
  const scaled16 = hour(16384, scaledPhases(16384))
  out.push('checkpoint index of a 1-hour run, 16 GiB guest (in-process, as the state worker builds it and answers from it):')
  indexRun(out, 'perf run', perf16)
  indexRun(out, 'scaled churn run', scaled16)
  out.push('stateAt through the state worker (thread, messages and all), 16 GiB guest, tables + 262144-cell map, better of 2 rounds per time:')
  await latency(out, 'perf run', perf16)
  await latency(out, 'scaled churn run', scaled16)
  return out
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await runPastStateBench()) console.log(line)
}
