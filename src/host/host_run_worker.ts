// One host experiment run for the Host view (src/host/lab_hosts.ts), in a worker thread so the
// lab's event loop stays free: takes the guests as the lab resolved them (it reads no file: the
// lab checked every name first), runs runHostHeadless without writing files,
// explains the run from every recorded row, and hands back at most MAX_HOST_VIEW_ROWS rows.
// Progress at most ~5 times a second; a 'cancel' message stops the run between slices.
import { parentPort, workerData } from 'node:worker_threads'
import { MAX_HOST_VIEW_ROWS, type HostRunView } from '../common/host_api'
import { explainHost } from '../common/host_explain'
import type { HostExperiment } from '../common/host_experiment'
import type { ResolvedHost } from './host_experiment_io'
import { runHostHeadless } from './host_run_headless'
import type { HostRows } from './host_rows'

export interface HostRunJob {
  readonly host: HostExperiment
  /** The guests' experiments and data files, resolved and within limits (lab_hosts.ts). */
  readonly resolved: ResolvedHost
}

export type FromHostRunWorker =
  | { readonly type: 'progress'; readonly fraction: number }
  | { readonly type: 'done'; readonly view: HostRunView }
  | { readonly type: 'failed'; readonly error: string }

export type ToHostRunWorker = { readonly type: 'cancel' }

const PROGRESS_EVERY_MS = 200

/** Every `stride`-th row and the last one, so the view ends where the run ended. */
export function viewRows(rows: HostRows, max: number): { rows: Float64Array; stride: number } {
  const n = rows.rowCount
  const stride = Math.max(1, Math.ceil(n / max))
  if (stride === 1) return { rows: rows.slice(0, n), stride }
  const picks: number[] = []
  for (let r = 0; r < n; r += stride) picks.push(r)
  if (picks[picks.length - 1] !== n - 1) picks.push(n - 1)
  const out = new Float64Array(picks.length * rows.width)
  picks.forEach((r, i) => out.set(rows.slice(r, r + 1), i * rows.width))
  return { rows: out, stride }
}

async function run(job: HostRunJob, signal: AbortSignal, progress: (fraction: number) => void): Promise<HostRunView> {
  const { summary, rows } = await runHostHeadless(job.host, job.resolved, null, { signal, onProgress: (sim, end) => progress(end > 0 ? sim / end : 1) })
  const all = rows.slice(0, rows.rowCount)
  const explanations = explainHost({ summary, rows: all, events: rows.events, sampleIntervalMs: job.host.recorder.sampleIntervalMs })
  const view = viewRows(rows, MAX_HOST_VIEW_ROWS)
  return { name: job.host.name, summary, sampleIntervalMs: job.host.recorder.sampleIntervalMs, rows: view.rows, stride: view.stride, events: rows.events, explanations }
}

const port = parentPort
if (port !== null) {
  const controller = new AbortController()
  port.on('message', (m: ToHostRunWorker) => {
    if (m.type === 'cancel') controller.abort(new Error('cancelled by the user'))
  })
  let last = 0
  const post = (m: FromHostRunWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer)
  run((workerData as { data: HostRunJob }).data, controller.signal, (fraction) => {
    const now = Date.now()
    if (now - last < PROGRESS_EVERY_MS) return
    last = now
    post({ type: 'progress', fraction })
  }).then(
    (view) => post({ type: 'done', view }, [view.rows.buffer as ArrayBuffer]),
    (e: unknown) => post({ type: 'failed', error: controller.signal.aborted ? 'cancelled' : e instanceof Error ? e.message : String(e) }),
  )
}
