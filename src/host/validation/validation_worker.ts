// One validation in a worker thread: the scenario's experiment run at the validation's sampling and
// compared with its recording (validate.ts), so the app's host never runs a simulation on its own
// event loop. workerData.data is { dir, name }; the thread posts one message and ends.
import { parentPort, workerData } from 'node:worker_threads'
import { toValidationReport } from './report'
import { validateScenario } from './validate'

const port = parentPort
if (port === null) throw new Error('validation_worker.ts runs in a worker thread')
const { dir, name } = (workerData as { data: { dir: string; name: string } }).data

validateScenario(dir, name).then(
  (result) => port.postMessage({ ok: true, report: toValidationReport(result) }),
  (e: unknown) => port.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) }),
)
