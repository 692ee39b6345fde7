// One sweep worker thread: runs the points the pool in sweep.ts hands it, one at a time, exactly
// as `prlab run --out` does (resolveRunInputs, runHeadless), and reports progress at most ~5
// times a second.
import { parentPort } from 'node:worker_threads'
import { runHeadless } from './run_headless'
import { resolveRunInputs } from './run_inputs'
import type { FromSweepWorker, ToSweepWorker } from './sweep'

const PROGRESS_EVERY_MS = 200
const port = parentPort
if (port === null) throw new Error('sweep_worker.ts runs in a worker thread')

port.on('message', (m: ToSweepWorker) => {
  const { job } = m
  let last = 0
  const post = (msg: FromSweepWorker): void => port.postMessage(msg)
  resolveRunInputs(job.experiment, { baseDir: job.baseDir ?? null })
    .then((inputs) => {
      if (!inputs.ok) throw new Error(inputs.error.message)
      return runHeadless(job.experiment, job.outDir, {
        check: job.check,
        ...(inputs.value !== undefined ? { inputs: inputs.value } : {}),
        onProgress: (sim_ms, end_ms) => {
          const now = Date.now()
          if (now - last < PROGRESS_EVERY_MS) return
          last = now
          post({ type: 'progress', k: job.k, fraction: end_ms > 0 ? sim_ms / end_ms : 1 })
        },
      })
    })
    .then(
      (summary) => post({ type: 'done', k: job.k, summary }),
      (e: unknown) => post({ type: 'failed', k: job.k, error: e instanceof Error ? e.message : String(e) }),
    )
})
