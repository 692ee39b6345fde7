// LabHost.startRun with the files an experiment names: this session's imports (browser mode),
// the experiment's own folder (desktop), the examples' folder; errors name the field.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { RunStatus } from '../common/api'
import type { ExperimentInput } from '../common/experiment'
import { LAB_API_ARGS } from './api_schema'
import { defaultExamplesDir } from './examples'
import { LabHost, type FileDialogs } from './lab_host'
import { labClient, runEnded } from './testing/lab_client'

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'imports')
const workerEntry = new URL('./engine_worker.ts', import.meta.url)
const noDialogs: FileDialogs = { openExperimentPath: async () => null, openPath: async () => null, savePath: async () => null }
const browser = new LabHost({ mode: 'browser', version: 'test', examplesDir: defaultExamplesDir(), workerEntry })
const desktop = new LabHost({ mode: 'electron', version: 'test', examplesDir: defaultExamplesDir(), workerEntry, dialogs: noDialogs })
afterAll(() => {
  browser.dispose()
  desktop.dispose()
})

const replay = (file: string): ExperimentInput => ({ format: 'page-reporting-lab/experiment', version: 1, durationMs: 3000, guest: { memoryMiB: 1024 }, workload: { phases: [{ op: 'replay', file }] } })

/** Starts a run and resolves with its last status once it is over. */
async function runToEnd(host: LabHost, document: ExperimentInput, experimentFileId?: string | null): Promise<RunStatus> {
  let id = ''
  let resolveEnd: (s: RunStatus) => void = () => undefined
  const ended = new Promise<RunStatus>((r) => (resolveEnd = r))
  const seen: RunStatus[] = []
  const client = labClient({
    status: (s) => {
      seen.push(s)
      if (s.runId === id && runEnded(s)) resolveEnd(s)
    },
  })
  const disconnect = host.addClient(client)
  try {
    const started = await host.startRun(document, null, experimentFileId)
    if (!started.ok) throw new Error(started.error.message)
    id = started.value.runId
    const early = seen.find((s) => s.runId === id && runEnded(s))
    return early ?? (await ended)
  } finally {
    disconnect()
  }
}

describe('LabHost.startRun with real data', () => {
  it('browser mode: a trace resolves once imported in this session, by file name', async () => {
    const missing = await browser.startRun(replay('kmem.txt'), null)
    expect(!missing.ok && missing.error.message).toMatch(/^workload\.phases\[0\]\.file: kmem\.txt is not among the files imported in this session/)
    const imported = await browser.importData('ftrace', 'kmem.txt', readFileSync(join(FIXTURES, 'ftrace-6.6-trace.txt'), 'utf8'))
    expect(imported.ok).toBe(true)
    const end = await runToEnd(browser, replay('kmem.txt'))
    expect(end.state).toBe('finished')
    const summary = await browser.summary(end.runId)
    expect(summary.ok && [summary.value.replay_ops, summary.value.replay_ops_done]).toEqual([6, 6])
  })

  it('browser mode never reads a path the page names, but runs the shipped example with its trace', async () => {
    const path = await browser.startRun(replay('ftrace-5.10-trace.txt'), null, browser.grantExperimentFile(join(FIXTURES, 'x.prlab.json')))
    expect(!path.ok && path.error.code).toBe('not-found')
    const example = await browser.openExample('replay-kmem-trace')
    if (!example.ok) throw new Error(example.error.message)
    const end = await runToEnd(browser, example.value.document)
    expect(end.state).toBe('finished')
  })

  it('desktop: names resolve next to the experiment file; a snapshot that does not fit ends the run with the zone named', async () => {
    const experimentFile = desktop.grantExperimentFile(join(FIXTURES, 'experiment.prlab.json'))
    const end = await runToEnd(desktop, replay('ftrace-5.10-trace-cmd.txt'), experimentFile)
    expect(end.state).toBe('finished')
    const numa: ExperimentInput = { format: 'page-reporting-lab/experiment', version: 1, durationMs: 1000, guest: { memoryMiB: 1024, initialFreeState: { file: 'buddyinfo-numa-2snap.txt' } } }
    const failed = await runToEnd(desktop, numa, experimentFile)
    expect(failed.state).toBe('error')
    expect(failed.error).toMatch(/^guest\.initialFreeState: buddyinfo-numa-2snap\.txt, snapshot 1 of 0\.\.1 \(t = 1\.000 s\): zone 0:DMA32 is not in the simulated guest \(the snapshot has several NUMA nodes/)
  })

  it('desktop: a path the page makes up is no experiment file', async () => {
    const made_up = await desktop.startRun(replay('ftrace-5.10-trace-cmd.txt'), null, join(FIXTURES, 'experiment.prlab.json'))
    expect(!made_up.ok && made_up.error.code).toBe('not-found')
  })

  it('the transport edge takes the experiment file id as an optional third argument', () => {
    const doc = replay('t.txt')
    expect(LAB_API_ARGS.startRun.safeParse([doc, null]).success).toBe(true)
    expect(LAB_API_ARGS.startRun.safeParse([doc, 10, '0b6f3c1e-8d1a-4c55-9a57-1f0e2d3c4b5a']).success).toBe(true)
    expect(LAB_API_ARGS.startRun.safeParse([doc, 10, null]).success).toBe(true)
    expect(LAB_API_ARGS.startRun.safeParse([doc, 10, 42]).success).toBe(false)
  })
})
