// The engine's thread. Runs one Simulation in slices so control messages and queries are answered
// between slices; paces simulated time to `speed` (simulated ms per wall ms) or runs flat out.
// Rows go to the host in transferable frames at most every FRAME_INTERVAL_MS of wall time.
import { parentPort } from 'node:worker_threads'
import { performance } from 'node:perf_hooks'
import { createSimulation } from '../engine/simulation'
import type { Simulation } from '../engine/api'
import type { SimEvent } from '../common/samples'
import { SampleBatch } from './sample_batch'
import type { FromWorker, ToWorker, WorkerQuery, WorkerQueryResult } from './worker_protocol'
import { answerParts } from './state_protocol'

const SLICE_MS = 12
const FRAME_INTERVAL_MS = 33
const port = parentPort
if (!port) throw new Error('engine_worker must run in a worker thread')

const batch = new SampleBatch()
let events: SimEvent[] = []
let sim: Simulation | null = null
let paused = false
let stopped = false
let finished = false
let speed: number | null = null
let stepMs = 100
/** Active (not paused) wall time before the current anchor, and the anchor itself. */
let wallActiveBefore_ms = 0
let wallAnchor_ms = 0
let simAnchor_ms = 0
let lastFrame_ms = 0
let timer: NodeJS.Timeout | NodeJS.Immediate | null = null

const post = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer)

function activeWall_ms(): number {
  return wallActiveBefore_ms + (paused || finished ? 0 : performance.now() - wallAnchor_ms)
}

function progress(): { sim_ms: number; end_ms: number; wall_ms: number; events_processed: number; paused: boolean } {
  const s = sim as Simulation
  return { sim_ms: s.now_ms, end_ms: s.end_ms, wall_ms: activeWall_ms(), events_processed: s.events_processed, paused }
}

function flush(): void {
  if (!sim) return
  lastFrame_ms = performance.now()
  if (batch.rows === 0 && events.length === 0) {
    post({ type: 'progress', ...progress() })
    return
  }
  const { rows, data } = batch.take()
  const sent = events
  events = []
  post({ type: 'frame', rows, data, events: sent, ...progress() }, [data.buffer as ArrayBuffer])
}

/** Restart pacing from now: keeps the active wall time counted so far. */
function reanchor(): void {
  wallActiveBefore_ms = activeWall_ms()
  wallAnchor_ms = performance.now()
  simAnchor_ms = sim ? sim.now_ms : 0
}

function finish(): void {
  if (!sim || finished) return
  wallActiveBefore_ms = activeWall_ms()
  finished = true
  flush()
  post({ type: 'done', summary: sim.summary(wallActiveBefore_ms), stopped })
}

function schedule(): void {
  if (timer !== null || finished || paused) return
  timer = speed === null ? setImmediate(loop) : setTimeout(loop, 8)
}

function loop(): void {
  timer = null
  const s = sim
  if (!s || finished || paused) return
  try {
    const t0 = performance.now()
    if (speed === null) {
      while (!s.done && performance.now() - t0 < SLICE_MS) s.advanceTo(s.now_ms + stepMs)
    } else {
      const target_ms = Math.min(s.end_ms, simAnchor_ms + (t0 - wallAnchor_ms) * speed)
      while (!s.done && s.now_ms < target_ms && performance.now() - t0 < SLICE_MS) {
        s.advanceTo(Math.min(target_ms, s.now_ms + stepMs))
      }
    }
  } catch (e) {
    finished = true
    post({ type: 'error', message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) })
    return
  }
  if (s.done) return finish()
  if (performance.now() - lastFrame_ms >= FRAME_INTERVAL_MS) flush()
  schedule()
}

function answer(id: number, query: WorkerQuery): void {
  const s = sim
  if (!s) return post({ type: 'answer', id, ok: false, message: 'no simulation' })
  try {
    let value: WorkerQueryResult
    if (query.kind === 'memoryMap') value = s.memoryMap(query.startPfn, query.endPfn, query.cells)
    else if (query.kind === 'pageInfo') value = s.pageInfo(query.pfn)
    else if (query.kind === 'state') value = { t_ms: s.now_ms, live: true, ...answerParts(s, query.parts) }
    else value = { sim_ms: s.now_ms, buddyinfo: s.buddyinfo(), pagetypeinfo: s.pagetypeinfo() }
    post({ type: 'answer', id, ok: true, value })
  } catch (e) {
    post({ type: 'answer', id, ok: false, message: e instanceof Error ? e.message : String(e) })
  }
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'start': {
      speed = message.speed
      paused = message.paused
      stepMs = Math.max(1, message.experiment.recorder.sampleIntervalMs)
      try {
        sim = createSimulation(
          message.experiment,
          { sample: (row) => batch.push(row), event: (e) => events.push(e) },
          { check: message.check, ...(message.inputs !== undefined ? { inputs: message.inputs } : {}) },
        )
      } catch (e) {
        finished = true
        post({ type: 'error', message: e instanceof Error ? e.message : String(e) })
        return
      }
      wallAnchor_ms = performance.now()
      simAnchor_ms = 0
      flush()
      schedule()
      return
    }
    case 'pause':
      if (!paused && !finished) {
        wallActiveBefore_ms = activeWall_ms()
        paused = true
        flush()
      }
      return
    case 'resume':
      if (paused && !finished) {
        reanchor()
        paused = false
        schedule()
      }
      return
    case 'step':
      if (sim && !finished) {
        if (!paused) {
          wallActiveBefore_ms = activeWall_ms()
          paused = true
        }
        const t0 = performance.now()
        sim.advanceToNextPass()
        wallActiveBefore_ms += performance.now() - t0
        if (sim.done) finish()
        else flush()
      }
      return
    case 'stop':
      stopped = true
      finish()
      return
    case 'speed':
      speed = message.speed
      reanchor()
      return
    case 'query':
      answer(message.id, message.query)
      return
    case 'sync':
      post({ type: 'synced', id: message.id })
      return
  }
})
