// The native dialogs (a fake `electron`): modal to the lab window, and what the user picks
// reaches the host: files opened, saved, exported and imported there, nothing when cancelled.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { BrowserWindow } from 'electron'
import type { RunStatus } from '../common/api'
import type { ExperimentInput } from '../common/experiment'
import { fake } from '../../test/desktop/mock_electron'
import type { FakeBrowserWindow } from '../../test/desktop/fake_electron'
import { defaultExamplesDir } from '../host/examples'
import { LabHost } from '../host/lab_host'
import { nativeDialogs } from './dialogs'
import { labClient, runEnded } from '../host/testing/lab_client'

vi.mock('electron', () => import('../../test/desktop/mock_electron').then((m) => m.fake.module))

const dir = mkdtempSync(join(tmpdir(), 'prlab-dialogs-'))
let win: FakeBrowserWindow | null = null
const ended = new Map<string, RunStatus>()
const host = new LabHost({
  mode: 'electron',
  version: 'test',
  examplesDir: defaultExamplesDir(),
  workerEntry: new URL('../host/engine_worker.ts', import.meta.url),
  dialogs: nativeDialogs(() => win as unknown as BrowserWindow | null),
  stateDir: join(dir, 'state'),
})
host.addClient(labClient({ status: (s) => void (runEnded(s) && ended.set(s.runId, s)) }))
beforeAll(() => {
  fake.app.emitReady()
  win = new fake.BrowserWindow({ show: false })
})
afterAll(() => {
  host.dispose()
  rmSync(dir, { recursive: true, force: true })
})
const platform = process.platform
afterEach(() => void Object.defineProperty(process, 'platform', { value: platform }))

const experiment: ExperimentInput = { format: 'page-reporting-lab/experiment', version: 1, name: 'dialogs', durationMs: 2000, guest: { memoryMiB: 256 } }

describe('native dialogs', () => {
  it('open: the chosen experiment file reaches the host; the dialog is modal and filters experiments', async () => {
    const file = join(dir, 'chosen.prlab.json')
    writeFileSync(file, JSON.stringify(experiment))
    fake.answers.open.push([file])
    const opened = await host.openExperimentFile()
    expect(opened?.ok && [opened.value.path, opened.value.experiment.name]).toEqual([file, 'dialogs'])
    const call = fake.dialogCalls.at(-1)
    expect(call?.windowId).toBe(win?.id)
    expect(call?.options.filters).toEqual([{ name: 'Page Reporting Lab experiment', extensions: ['prlab.json', 'json'] }])
    expect(await host.openExperimentFile()).toBeNull() // cancelled
  })

  it('save as: the file is written where the user chose, with the suggested name offered', async () => {
    const file = join(dir, 'saved.prlab.json')
    fake.answers.save.push(file)
    const saved = await host.saveExperiment(experiment, null, true)
    expect(saved?.ok && saved.value.path).toBe(file)
    expect(JSON.parse(readFileSync(file, 'utf8')).name).toBe('dialogs')
    expect(fake.dialogCalls.at(-1)?.options.defaultPath).toBe('dialogs.prlab.json')
    expect(await host.saveExperiment(experiment, null, true)).toBeNull()
  })

  it('export: a finished run is written to the chosen file; cancelled, nothing is', async () => {
    const started = await host.startRun(experiment, null)
    if (!started.ok) throw new Error(started.error.message)
    // bounded below the test's own 60 s, so a run that never ends says so
    await expect.poll(() => ended.get(started.value.runId)?.state, { timeout: 45_000, message: 'the run did not finish' }).toBe('finished')
    const file = join(dir, 'summary.json')
    fake.answers.save.push(file)
    const exported = await host.exportRun(started.value.runId, 'summary', null)
    expect(exported?.ok && exported.value.path).toBe(file)
    expect(JSON.parse(readFileSync(file, 'utf8')).sim_ms).toBe(2000)
    expect(fake.dialogCalls.at(-1)?.options.filters).toEqual([{ name: 'JSON', extensions: ['json'] }])
    expect(await host.exportRun(started.value.runId, 'summary', null)).toBeNull()
  })

  it('import and sweep: a file, then a folder, picked in the dialog', async () => {
    const trace = join(dir, 'buddyinfo.txt')
    copyFileSync(join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'imports', 'buddyinfo-6.6.txt'), trace)
    fake.answers.open.push([trace])
    const imported = await host.openImportFile('buddyinfo')
    expect(imported?.ok && [imported.value.kind, imported.value.path]).toEqual(['buddyinfo', trace])
    expect(fake.dialogCalls.at(-1)?.options).toEqual({ title: 'Import buddyinfo', properties: ['openFile'] })
    fake.answers.open.push([join(dir, 'no-sweep-here')])
    const sweep = await host.openSweep()
    expect(sweep?.ok).toBe(false)
    expect(fake.dialogCalls.at(-1)?.options.properties).toEqual(['openDirectory'])
  })

  it('the OS recent documents get opened and saved files on macOS and Windows', async () => {
    const file = join(dir, 'recent.prlab.json')
    writeFileSync(file, JSON.stringify(experiment))
    Object.defineProperty(process, 'platform', { value: 'linux' })
    fake.answers.open.push([file])
    await host.openExperimentFile()
    expect(fake.app.recentDocuments).toEqual([])
    Object.defineProperty(process, 'platform', { value: 'darwin' })
    fake.answers.open.push([file])
    await host.openExperimentFile()
    expect(fake.app.recentDocuments).toEqual([file])
  })

  it('without a window the dialogs still open (not modal)', async () => {
    // its own file (not the first test's), and the window back even when it fails: the tests after it use it
    const file = join(dir, 'windowless.prlab.json')
    writeFileSync(file, JSON.stringify(experiment))
    const saved = win
    win = null
    try {
      fake.answers.open.push([file])
      expect((await host.openExperimentFile())?.ok).toBe(true)
      expect(fake.dialogCalls.at(-1)?.windowId).toBeNull()
    } finally {
      win = saved
    }
  })
})
