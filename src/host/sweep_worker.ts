// One sweep worker thread: runs the points the pool in sweep.ts hands it, one at a time, exactly
// as `prlab run --out` does (resolveRunInputs, runHeadless; a host experiment through
// resolveHostExperiment and runHostHeadless, its host files only), and reports progress at most
// ~5 times a second. A point whose files the lab already resolved (a lab sweep's inputs, a lab
// fit's inputs) reads no file.
import { parentPort } from 'node:worker_threads'
import { runHeadless } from './run_headless'
import { resolveRunInputs } from './run_inputs'
import { planInlineHost, resolveHostExperiment } from './host_experiment_io'
import { runHostHeadless } from './host_run_headless'
import { hostSummaryFigures } from './host_summary_figures'
import type { FromSweepWorker, HostSweepJob, PointFigures, PoolJob, ToSweepWorker } from './sweep'

const PROGRESS_EVERY_MS = 200
const port = parentPort
if (port === null) throw new Error('sweep_worker.ts runs in a worker thread')

async function runHost(job: HostSweepJob, onProgress: (sim_ms: number, end_ms: number) => void): Promise<PointFigures> {
  // the lab's fits hand every guest inline with its data files resolved; prlab fit's points resolve by path
  const resolved = job.inputs !== undefined ? planInlineHost(job.host, job.inputs) : await resolveHostExperiment(job.host, { baseDir: job.baseDir ?? null })
  if (!resolved.ok) throw new Error(resolved.error.message)
  const { summary } = await runHostHeadless(job.host, resolved.value, job.outDir, { check: job.check, guestFiles: false, onProgress })
  return hostSummaryFigures(summary)
}

async function run(job: PoolJob, onProgress: (sim_ms: number, end_ms: number) => void): Promise<PointFigures> {
  if ('host' in job) return runHost(job, onProgress)
  // a sweep the lab runs hands the files already resolved (as startRun resolved them)
  const inputs = job.inputs !== undefined ? { ok: true as const, value: job.inputs } : await resolveRunInputs(job.experiment, { baseDir: job.baseDir ?? null })
  if (!inputs.ok) throw new Error(inputs.error.message)
  return runHeadless(job.experiment, job.outDir, { check: job.check, ...(inputs.value !== undefined ? { inputs: inputs.value } : {}), onProgress })
}

port.on('message', (m: ToSweepWorker) => {
  const { job } = m
  let last = 0
  const post = (msg: FromSweepWorker): void => port.postMessage(msg)
  run(job, (sim_ms, end_ms) => {
    const now = Date.now()
    if (now - last < PROGRESS_EVERY_MS) return
    last = now
    post({ type: 'progress', k: job.k, fraction: end_ms > 0 ? sim_ms / end_ms : 1 })
  })
    .then(
      (summary) => post({ type: 'done', k: job.k, summary }),
      (e: unknown) => post({ type: 'failed', k: job.k, error: e instanceof Error ? e.message : String(e) }),
    )
})
