// The thread that recomputes a run's past states (past_state.ts): the same experiment, seed and
// inputs simulated again, deterministically, up to the sample asked for, then stopped right
// after that sample was taken (Simulation.advanceToSample), so the state read is the one the
// sample row recorded.
//
// Two simulations of the run live here. The indexer (past_state_index.ts) goes through the whole
// run once, in the background, taking engine checkpoints; a request for a time it has passed
// restores the nearest checkpoint at or before that time into the second simulation and
// re-simulates the rest (at most the index's spacing), or goes on from where that simulation
// stands when that is nearer. A request past the indexer's frontier waits for it, with progress,
// and is answered by the indexer itself once it stands at that sample. Work is done in slices,
// between which new messages are taken, so a cancelled or superseded request stops within a slice.
import { parentPort } from 'node:worker_threads'
import { performance } from 'node:perf_hooks'
import { createSimulation } from '../engine/simulation'
import type { Simulation } from '../engine/api'
import type { GuestState } from '../common/api'
import { CheckpointIndex } from './past_state_index'
import { answerParts, type FromStateWorker, type StateJob, type ToStateWorker } from './state_protocol'

const port = parentPort
if (!port) throw new Error('state_worker must run in a worker thread')

/** Wall time per slice before messages are looked at again. */
const SLICE_WALL_MS = 25
/** Simulated time per advance inside a slice. */
const STEP_SIM_MS = 250
const PROGRESS_EVERY_MS = 100

let setup: Extract<ToStateWorker, { type: 'init' }> | null = null
let index: CheckpointIndex | null = null
/** The simulation that answers from a checkpoint. */
let sim: Simulation | null = null
/** Where the simulation stands: stopped just after the sample at t_ms, at the end, or in between. */
let position: { t_ms: number; kind: 'sample' | 'end' | 'between' } = { t_ms: 0, kind: 'between' }
const jobs: StateJob[] = []
/** Where the answering simulation stood when the current job's re-simulation began (its progress). */
let started: { readonly id: number; readonly from_ms: number } | null = null
const cancelled = new Set<number>()
let working = false
let lastProgress = 0

const post = (m: FromStateWorker): void => port.postMessage(m)

function create(): Simulation {
  if (!setup) throw new Error('state worker: no experiment')
  return createSimulation(setup.experiment, { sample: () => undefined, event: () => undefined }, setup.inputs !== undefined ? { inputs: setup.inputs } : {})
}

function theIndex(): CheckpointIndex {
  if (index === null) {
    if (!setup) throw new Error('state worker: no experiment')
    index = new CheckpointIndex(create(), setup.experiment.recorder.sampleIntervalMs)
  }
  return index
}

/** Whether the answering simulation may go on from where it stands to the job's time. */
function canGoOn(job: StateJob): boolean {
  if (sim === null) return false
  return position.kind === 'between' ? sim.now_ms < job.t_ms : position.t_ms < job.t_ms || (position.t_ms === job.t_ms && position.kind === 'sample' && job.end)
}

/** The answering simulation at the nearest checkpoint at or before the job's time, or where it stands when that is nearer. */
function startFor(job: StateJob, idx: CheckpointIndex): Simulation {
  const base = idx.nearest(job.t_ms)
  if (sim !== null && canGoOn(job) && (base === null || sim.now_ms >= base.t_ms)) return sim
  const s = sim ?? create()
  // a restore that throws leaves the simulation half written: it is not kept
  sim = null
  if (base === null) {
    sim = create()
    position = { t_ms: 0, kind: 'between' }
  } else {
    s.restore(base.cp)
    sim = s
    position = { t_ms: base.t_ms, kind: 'sample' }
  }
  return sim
}

/** Advances the current job one slice; true when its state is reached. */
function advance(job: StateJob, idx: CheckpointIndex): boolean {
  const s = startFor(job, idx)
  // restored right after the very sample asked for
  if (!job.end && position.kind === 'sample' && position.t_ms === job.t_ms) return true
  if (started?.id !== job.id) started = { id: job.id, from_ms: s.now_ms }
  const from_ms = started.from_ms
  const t0 = performance.now()
  // up to one nanosecond before the target, so the final call stops at the sample itself
  const before_ms = job.t_ms - 1e-6
  while (s.now_ms < before_ms && performance.now() - t0 < SLICE_WALL_MS) {
    s.advanceTo(Math.min(s.now_ms + STEP_SIM_MS, before_ms))
    position = { t_ms: s.now_ms, kind: 'between' }
  }
  if (s.now_ms < before_ms) {
    reportProgress(job, job.t_ms > from_ms ? (s.now_ms - from_ms) / (job.t_ms - from_ms) : 1, 'recomputing')
    return false
  }
  if (job.end) {
    s.advanceTo(job.t_ms)
    position = { t_ms: job.t_ms, kind: 'end' }
  } else {
    if (!s.advanceToSample(job.t_ms)) throw new Error(`no sample is taken at ${job.t_ms} ms`)
    position = { t_ms: job.t_ms, kind: 'sample' }
  }
  return true
}

function work(): void {
  working = false
  const job = jobs[0]
  if (job === undefined) return
  if (cancelled.has(job.id)) {
    jobs.shift()
    cancelled.delete(job.id)
    post({ type: 'answer', id: job.id, ok: false, cancelled: true, message: 'superseded' })
    return schedule()
  }
  try {
    const s = answering(job)
    if (s === null) return schedule()
    jobs.shift()
    const value: GuestState = { t_ms: job.t_ms, live: false, ...answerParts(s, job.parts) }
    post({ type: 'answer', id: job.id, ok: true, value })
  } catch (e) {
    jobs.shift()
    // a simulation that threw mid-event is not trusted for the next request
    sim = null
    index = null
    post({ type: 'answer', id: job.id, ok: false, message: e instanceof Error ? e.message : String(e) })
  }
  schedule()
}

/** One slice of work on the job: the simulation standing at its state, or null while not there yet. */
function answering(job: StateJob): Simulation | null {
  const idx = theIndex()
  if (idx.at(job.t_ms, job.end)) return idx.sim
  if (!idx.covers(job.t_ms, job.end)) {
    // past the index's frontier: the indexer goes there (taking checkpoints on its way) and answers
    idx.step(SLICE_WALL_MS, job.end ? -1 : job.t_ms)
    if (idx.at(job.t_ms, job.end)) return idx.sim
    reportProgress(job, idx.frontier_ms < 0 ? 0 : idx.frontier_ms / Math.max(job.t_ms, 1), 'indexing')
    return null
  }
  if (position.kind === (job.end ? 'end' : 'sample') && position.t_ms === job.t_ms && sim !== null) return sim
  return advance(job, idx) ? sim : null
}

function reportProgress(job: StateJob, fraction: number, stage: 'indexing' | 'recomputing'): void {
  const now = performance.now()
  if (now - lastProgress < PROGRESS_EVERY_MS) return
  lastProgress = now
  post({ type: 'progress', id: job.id, fraction: Math.min(1, fraction), stage })
}

/** With no request waiting, the index goes on through the run, a slice at a time. */
function indexInBackground(): void {
  working = false
  if (jobs.length > 0 || index === null || index.done) return schedule()
  try {
    index.step(SLICE_WALL_MS)
  } catch {
    // the next request rebuilds the index and reports what failed
    index = null
    return
  }
  schedule()
}

function schedule(): void {
  if (working) return
  if (jobs.length > 0) {
    working = true
    setImmediate(work)
  } else if (index !== null && !index.done) {
    working = true
    setImmediate(indexInBackground)
  }
}

port.on('message', (m: ToStateWorker) => {
  switch (m.type) {
    case 'init':
      setup = m
      sim = null
      index = null
      return
    case 'query':
      jobs.push(m.job)
      schedule()
      return
    case 'cancel':
      if (jobs.some((j) => j.id === m.id)) cancelled.add(m.id)
      return
  }
})
