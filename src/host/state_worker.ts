// The thread that recomputes a run's past states (past_state.ts): the same experiment, seed and
// inputs simulated again, deterministically, up to the sample asked for, then stopped right
// after that sample was taken (Simulation.advanceToSample), so the state read is the one the
// sample row recorded. It moves forward in slices, reports progress, and between slices takes
// new messages, so a cancelled or superseded request stops within a slice. A later time goes on
// from where it stands; an earlier one starts again from t = 0.
import { parentPort } from 'node:worker_threads'
import { performance } from 'node:perf_hooks'
import { createSimulation } from '../engine/simulation'
import type { Simulation } from '../engine/api'
import type { GuestState } from '../common/api'
import { answerParts, type FromStateWorker, type StateJob, type ToStateWorker } from './state_protocol'

const port = parentPort
if (!port) throw new Error('state_worker must run in a worker thread')

/** Wall time per slice before messages are looked at again. */
const SLICE_WALL_MS = 25
/** Simulated time per advance inside a slice. */
const STEP_SIM_MS = 250
const PROGRESS_EVERY_MS = 100

let setup: Extract<ToStateWorker, { type: 'init' }> | null = null
let sim: Simulation | null = null
/** Where the simulation stands: stopped just after the sample at t_ms, at the end, or in between. */
let position: { t_ms: number; kind: 'sample' | 'end' | 'between' } = { t_ms: 0, kind: 'between' }
const jobs: StateJob[] = []
const cancelled = new Set<number>()
let working = false
let lastProgress = 0

const post = (m: FromStateWorker): void => port.postMessage(m)

function fresh(): Simulation {
  if (!setup) throw new Error('state worker: no experiment')
  position = { t_ms: 0, kind: 'between' }
  return createSimulation(setup.experiment, { sample: () => undefined, event: () => undefined }, setup.inputs !== undefined ? { inputs: setup.inputs } : {})
}

/** Advances the current job one slice; true when its state is reached. */
function advance(job: StateJob): boolean {
  // a later time goes on from where the simulation stands; the same or an earlier one starts again
  if (sim === null) sim = fresh()
  else if (position.kind === 'between' ? sim.now_ms >= job.t_ms : position.t_ms > job.t_ms || (position.t_ms === job.t_ms && !(position.kind === 'sample' && job.end))) sim = fresh()
  const s = sim
  const t0 = performance.now()
  // up to one nanosecond before the target, so the final call stops at the sample itself
  const before_ms = job.t_ms - 1e-6
  while (s.now_ms < before_ms && performance.now() - t0 < SLICE_WALL_MS) {
    s.advanceTo(Math.min(s.now_ms + STEP_SIM_MS, before_ms))
    position = { t_ms: s.now_ms, kind: 'between' }
  }
  if (s.now_ms < before_ms) {
    const now = performance.now()
    if (now - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = now
      post({ type: 'progress', id: job.id, fraction: job.t_ms > 0 ? s.now_ms / job.t_ms : 1 })
    }
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
    const reached = (position.kind === (job.end ? 'end' : 'sample') && position.t_ms === job.t_ms && sim !== null) || advance(job)
    if (!reached) return schedule()
    jobs.shift()
    const s = sim as Simulation
    const value: GuestState = { t_ms: job.t_ms, live: false, ...answerParts(s, job.parts) }
    post({ type: 'answer', id: job.id, ok: true, value })
  } catch (e) {
    jobs.shift()
    // a simulation that threw mid-event is not trusted for the next request
    sim = null
    post({ type: 'answer', id: job.id, ok: false, message: e instanceof Error ? e.message : String(e) })
  }
  schedule()
}

function schedule(): void {
  if (working || jobs.length === 0) return
  working = true
  setImmediate(work)
}

port.on('message', (m: ToStateWorker) => {
  switch (m.type) {
    case 'init':
      setup = m
      sim = null
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
