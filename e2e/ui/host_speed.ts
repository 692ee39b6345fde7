// Helper of perf.spec.ts: runs an experiment file through the lab host and its engine worker, as
// `npm run web` does, with a client attached that receives every push and draws nothing. Prints
// the simulated ms per wall ms. Run: node --import tsx e2e/ui/host_speed.ts <experiment>
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { LabHost } from '../../src/host/lab_host'
import { defaultExamplesDir } from '../../src/host/examples'
import type { RunStatus } from '../../src/common/api'
import { labClient, runEnded } from '../../src/host/testing/lab_client'

const file = process.argv[2]
const host = new LabHost({ mode: 'browser', version: 'measure', examplesDir: defaultExamplesDir(), workerEntry: new URL('../../src/host/engine_worker.ts', import.meta.url) })
const done = new Promise<RunStatus>((resolve) => {
  host.addClient(labClient({ status: (s) => runEnded(s) && resolve(s) }))
})
const parsed = await host.parseExperiment(basename(file), readFileSync(file, 'utf8'))
if (!parsed.ok) throw new Error(parsed.error.message)
const started = await host.startRun(parsed.value.document, null)
if (!started.ok) throw new Error(started.error.message)
const end = await done
console.log(JSON.stringify({ state: end.state, rate: end.sim_ms / end.wall_ms }))
host.dispose()
