// One run: an engine worker, its recorder, and the status the UI sees. Every row the worker
// sends is kept by the recorder; frames reach the UI as the worker batches them (<= ~30 Hz),
// thinned while the run goes flat out and completed whenever it stops doing so (ui_feed.ts).
import type { Worker } from 'node:worker_threads'
import type { Experiment, ExperimentInput } from '../common/experiment'
import type { SimulationInputs } from '../engine/api'
import type { ErrorCode, LabError, RunCommand, RunState, RunStatus, RunSummary } from '../common/api'
import type { SimEvent } from '../common/samples'
import { Recorder, RecorderSpillError } from './recorder'
import { UiFeed } from './ui_feed'
import type { FromWorker, ToWorker, WorkerQuery, WorkerQueryResult } from './worker_protocol'

export interface RunSink {
  frame(runId: string, rows: number, data: Float64Array): void
  events(runId: string, events: SimEvent[]): void
  status(status: RunStatus): void
}

export interface RunOptions {
  readonly speed: number | null
  readonly check?: boolean
  readonly paused?: boolean
  readonly recorder?: Recorder
  /** The files the experiment names, parsed (run_inputs.ts). */
  readonly inputs?: SimulationInputs
  /** The experiment as the user wrote it (kept with the run in the library). */
  readonly document?: ExperimentInput
}

/** A live engine answers a query in milliseconds; this long means it is stuck. */
export const QUERY_TIMEOUT_MS = 30_000

export class Run {
  readonly recorder: Recorder
  /** What the run was started from: past states are recomputed from the same (past_state.ts). */
  readonly inputs: SimulationInputs | undefined
  readonly document: ExperimentInput | undefined
  private state: RunState = 'starting'
  private speed: number | null
  private sim_ms = 0
  private wall_ms = 0
  private eventsProcessed = 0
  private error: string | undefined
  private errorCode: ErrorCode = 'internal'
  /** The worker thread has ended: nothing more will be answered. */
  private workerGone: string | null = null
  private finalSummary: RunSummary | null = null
  private nextQueryId = 1
  private readonly feed: UiFeed
  private disposed = false
  private readonly pending = new Map<number, { resolve: (v: WorkerQueryResult) => void; reject: (e: Error) => void }>()
  /** sync() calls waiting for the worker, by id. */
  private readonly syncs = new Map<number, () => void>()
  /** Commands given so far: a command's state change yields to a later command's. */
  private commands = 0
  private settle!: () => void
  /** Resolves when the run has finished, stopped or failed. */
  readonly ended: Promise<void> = new Promise((resolve) => (this.settle = resolve))

  constructor(
    readonly id: string,
    readonly experiment: Experiment,
    private readonly worker: Worker,
    private readonly sink: RunSink,
    options: RunOptions,
  ) {
    this.speed = options.speed
    this.inputs = options.inputs
    this.document = options.document
    this.recorder = options.recorder ?? new Recorder()
    this.feed = new UiFeed(id, this.recorder, sink, experiment.durationMs, experiment.recorder.sampleIntervalMs)
    worker.on('message', (m: FromWorker) => this.onMessage(m))
    worker.on('error', (e) => this.fail(`the engine failed: ${e.message}`))
    worker.on('exit', (code) => {
      this.workerGone = this.disposed ? 'the run was discarded' : `the engine worker exited (code ${code})`
      if (!this.isOver) this.fail(this.workerGone)
      for (const p of this.pending.values()) p.reject(new Error(this.goneMessage()))
      this.pending.clear()
      for (const done of [...this.syncs.values()]) done()
    })
    this.post({ type: 'start', experiment, check: options.check ?? false, speed: options.speed, paused: options.paused ?? false, ...(options.inputs !== undefined ? { inputs: options.inputs } : {}) })
    this.state = options.paused ? 'paused' : 'running'
  }

  /** As fast as possible and not paused: the UI gets a preview of the rows. */
  private get flatOut(): boolean {
    return this.state === 'running' && this.speed === null
  }

  get isOver(): boolean {
    return this.state === 'finished' || this.state === 'stopped' || this.state === 'error'
  }

  status(): RunStatus {
    return {
      runId: this.id,
      name: this.experiment.name,
      state: this.state,
      sim_ms: this.sim_ms,
      end_ms: this.experiment.durationMs,
      wall_ms: this.wall_ms,
      speed: this.speed,
      events_processed: this.eventsProcessed,
      rows: this.recorder.rowCount,
      ...(this.error ? { error: this.error } : {}),
    }
  }

  summary(): RunSummary | null {
    return this.finalSummary
  }

  /**
   * Pause and step end where the engine stops, which the host learns from the worker's last frame:
   * they resolve once the worker has handled the command (sync()), so the status they push says
   * "paused" with the time the engine paused at, never an earlier one that a frame then corrects.
   */
  async control(command: RunCommand): Promise<void> {
    if (this.isOver) return
    const seq = ++this.commands
    this.post({ type: command })
    if (command === 'pause' || command === 'step') await this.sync()
    if (this.isOver || seq !== this.commands) return
    if (command === 'pause' || command === 'step') this.state = 'paused'
    else if (command === 'resume') this.state = 'running'
    if (!this.flatOut) this.feed.resync()
    this.sink.status(this.status())
  }

  setSpeed(speed: number | null): void {
    this.speed = speed
    if (!this.isOver) this.post({ type: 'speed', speed })
    if (!this.flatOut) this.feed.resync()
    this.sink.status(this.status())
  }

  /**
   * Asks the engine (snapshot, memory map, page info). Rejects at once when the worker has ended,
   * and after QUERY_TIMEOUT_MS when a live worker does not answer: never a hang.
   */
  query(query: WorkerQuery): Promise<WorkerQueryResult> {
    if (this.workerGone !== null) return Promise.reject(new Error(this.goneMessage()))
    const id = this.nextQueryId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`the engine did not answer within ${QUERY_TIMEOUT_MS / 1000} s`))
      }, QUERY_TIMEOUT_MS)
      timer.unref()
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      })
      this.post({ type: 'query', id, query })
    })
  }

  /** Resolves once the worker has handled every message posted before, has ended, or after QUERY_TIMEOUT_MS. */
  private sync(): Promise<void> {
    if (this.workerGone !== null) return Promise.resolve()
    const id = this.nextQueryId++
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.syncs.delete(id)
        resolve()
      }
      const timer = setTimeout(done, QUERY_TIMEOUT_MS)
      timer.unref()
      this.syncs.set(id, done)
      this.post({ type: 'sync', id })
    })
  }

  /** What summary() and exports say of a run that failed. */
  failure(): LabError | null {
    return this.state === 'error' ? { code: this.errorCode, message: `the run failed: ${this.error ?? 'unknown error'}` } : null
  }

  /** Ends the worker and frees the recorder's spill file. */
  dispose(): void {
    this.disposed = true
    void this.worker.terminate()
    this.recorder.close()
  }

  private goneMessage(): string {
    return `no engine to ask: ${this.state === 'error' && this.error !== undefined ? `the run failed (${this.error})` : (this.workerGone ?? 'the engine ended')}`
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message)
  }

  private fail(message: string, code: ErrorCode = 'internal'): void {
    if (this.isOver) return
    this.state = 'error'
    this.error = message
    this.errorCode = code
    // A disposed run's UI is gone, and its worker's exit is the disposal itself: no news for other UIs.
    if (!this.disposed) {
      this.feed.resync()
      this.sink.status(this.status())
    }
    this.settle()
  }

  private onMessage(m: FromWorker): void {
    // terminate() is asynchronous: frames the worker posted before it stopped still arrive, after the recorder closed
    if (this.disposed && m.type !== 'answer' && m.type !== 'synced') return
    switch (m.type) {
      case 'frame':
        // a run that failed (a full disk) records nothing more
        if (this.state === 'error') return
        try {
          if (m.rows > 0) {
            this.recorder.appendRows(m.data, m.rows)
            this.feed.recorded(m.data, m.rows, this.flatOut)
          }
          if (m.events.length > 0) {
            this.recorder.appendEvents(m.events)
            this.sink.events(this.id, m.events)
          }
        } catch (e) {
          if (!(e instanceof RecorderSpillError)) throw e
          // the engine stops (and still answers queries); the rows recorded stay exportable
          this.post({ type: 'stop' })
          this.fail(e.message, 'io')
          return
        }
        this.progress(m)
        return
      case 'progress':
        this.progress(m)
        return
      case 'done':
        if (this.isOver) return
        this.finalSummary = m.summary
        this.sim_ms = m.summary.sim_ms
        this.wall_ms = m.summary.wall_ms
        this.eventsProcessed = m.summary.events_processed
        this.state = m.stopped ? 'stopped' : 'finished'
        this.feed.resync()
        this.sink.status(this.status())
        this.settle()
        return
      case 'error':
        this.fail(m.message)
        return
      case 'synced':
        this.syncs.get(m.id)?.()
        return
      case 'answer': {
        const p = this.pending.get(m.id)
        if (!p) return
        this.pending.delete(m.id)
        if (m.ok && m.value) p.resolve(m.value)
        else p.reject(new Error(m.message ?? 'query failed'))
        return
      }
    }
  }

  private progress(p: { sim_ms: number; wall_ms: number; events_processed: number }): void {
    this.sim_ms = p.sim_ms
    this.wall_ms = p.wall_ms
    this.eventsProcessed = p.events_processed
    this.sink.status(this.status())
  }
}
