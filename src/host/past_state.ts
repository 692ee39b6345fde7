// Past states behind one narrow call: the guest's state as the sample at (or before) a time
// recorded it, for any run the lab holds or keeps, recomputed by deterministic re-simulation of
// the run's experiment, seed and inputs in a thread of its own (state_worker.ts), one per run. The
// thread indexes the run once with engine checkpoints and then answers any time from the nearest
// one: `request` is the whole contract (docs/past-state.md).
//
// A request for a run supersedes that run's pending requests for other times (they answer
// 'cancelled'); requests for the same time share the work. At most MAX_STATE_WORKERS threads
// live at once (the oldest idle one goes), and an idle thread ends after IDLE_MS: its index goes
// with it (up to BUDGET_BYTES of memory), and the next request indexes the run again.
import type { Worker } from 'node:worker_threads'
import type { GuestState, StateParts } from '../common/api'
import type { Experiment } from '../common/experiment'
import type { SimulationInputs } from '../engine/api'
import type { FromStateWorker, StateJob, ToStateWorker } from './state_protocol'

export const MAX_STATE_WORKERS = 2
export const IDLE_MS = 600_000

/** What a past state is recomputed from. */
export interface StateSource {
  readonly experiment: Experiment
  readonly inputs?: SimulationInputs
}

/** The time to recompute: the sample at `t_ms`, or the run's end (`end`: every event of its last instant). */
export interface StateTarget {
  readonly t_ms: number
  readonly end: boolean
}

export class StateCancelled extends Error {
  constructor() {
    super('a newer request for this run superseded this one')
    this.name = 'StateCancelled'
  }
}

interface Pending {
  readonly job: StateJob
  resolve(state: GuestState): void
  reject(error: Error): void
}

interface RunThread {
  readonly worker: Worker
  readonly pending: Map<number, Pending>
  idle: NodeJS.Timeout | null
  used: number
  gone: string | null
}

export class PastStates {
  private readonly threads = new Map<string, RunThread>()
  private nextId = 1

  constructor(
    private readonly spawn: () => Worker,
    private readonly onProgress: (key: string, t_ms: number, fraction: number, stage: 'indexing' | 'recomputing') => void,
  ) {}

  /** The state of run `key` at `target`, recomputed from `source` (loaded only when a thread starts). */
  async request(key: string, source: () => Promise<StateSource>, target: StateTarget, parts: StateParts): Promise<GuestState> {
    const thread = this.threads.get(key) ?? (await this.start(key, await source()))
    // the same run at another time: the older requests are of no use any more
    for (const p of thread.pending.values()) {
      if (p.job.t_ms !== target.t_ms || p.job.end !== target.end) {
        thread.pending.delete(p.job.id)
        thread.worker.postMessage({ type: 'cancel', id: p.job.id } satisfies ToStateWorker)
        p.reject(new StateCancelled())
      }
    }
    const job: StateJob = { id: this.nextId++, t_ms: target.t_ms, end: target.end, parts }
    thread.used = Date.now()
    if (thread.idle) clearTimeout(thread.idle)
    thread.idle = null
    return new Promise<GuestState>((resolve, reject) => {
      if (thread.gone !== null) return reject(new Error(thread.gone))
      thread.pending.set(job.id, { job, resolve, reject })
      thread.worker.postMessage({ type: 'query', job } satisfies ToStateWorker)
    })
  }

  /** The run is gone (disposed, deleted): its thread ends. */
  forget(key: string): void {
    const t = this.threads.get(key)
    if (!t) return
    this.threads.delete(key)
    this.end(t, 'the run is gone')
  }

  dispose(): void {
    for (const key of [...this.threads.keys()]) this.forget(key)
  }

  private async start(key: string, source: StateSource): Promise<RunThread> {
    // another request may have started it while the source loaded
    const existing = this.threads.get(key)
    if (existing) return existing
    while (this.threads.size >= MAX_STATE_WORKERS) {
      const [oldKey] = [...this.threads.entries()].sort((a, b) => a[1].pending.size - b[1].pending.size || a[1].used - b[1].used)[0]
      this.forget(oldKey)
    }
    const worker = this.spawn()
    const thread: RunThread = { worker, pending: new Map(), idle: null, used: Date.now(), gone: null }
    this.threads.set(key, thread)
    worker.on('message', (m: FromStateWorker) => {
      const p = thread.pending.get(m.id)
      if (!p) return
      if (m.type === 'progress') {
        this.onProgress(key, p.job.t_ms, m.fraction, m.stage)
        return
      }
      thread.pending.delete(m.id)
      if (m.ok && m.value) p.resolve(m.value)
      else p.reject(m.cancelled ? new StateCancelled() : new Error(m.message ?? 'the past state could not be computed'))
      if (thread.pending.size === 0) this.idleLater(key, thread)
    })
    const lost = (why: string): void => {
      if (this.threads.get(key) === thread) this.threads.delete(key)
      this.end(thread, why)
    }
    worker.on('error', (e) => lost(`recomputing the past state failed: ${e.message}`))
    worker.on('exit', (code) => lost(`the thread recomputing past states exited (code ${code})`))
    worker.postMessage({ type: 'init', experiment: source.experiment, ...(source.inputs !== undefined ? { inputs: source.inputs } : {}) } satisfies ToStateWorker)
    return thread
  }

  private idleLater(key: string, thread: RunThread): void {
    if (thread.idle) clearTimeout(thread.idle)
    thread.idle = setTimeout(() => {
      if (this.threads.get(key) === thread && thread.pending.size === 0) this.forget(key)
    }, IDLE_MS)
    thread.idle.unref()
  }

  private end(thread: RunThread, why: string): void {
    if (thread.gone !== null) return
    thread.gone = why
    if (thread.idle) clearTimeout(thread.idle)
    for (const p of thread.pending.values()) p.reject(new Error(why))
    thread.pending.clear()
    void thread.worker.terminate()
  }
}
