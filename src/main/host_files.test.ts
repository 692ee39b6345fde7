// Host experiments from disk on the desktop (issue 15), through the shell as the app wires it:
// the native dialogs (nativeDialogs against the fake Electron), the IPC binding, and a page that
// plays the renderer. A host file's guests given by `file` resolve next to it; the main process
// reads only what the rules of src/host/host_guest_files.ts allow, whatever document the page
// sends back with the host file's id.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { BrowserWindow } from 'electron'
import { fake } from '../../test/desktop/mock_electron'
import { pageClient, type PageClient } from '../../test/desktop/page_client'
import type { FakeBrowserWindow } from '../../test/desktop/fake_electron'
import { defaultExamplesDir } from '../host/examples'
import { LabHost } from '../host/lab_host'
import { nativeDialogs } from './dialogs'
import { bindWindow } from './ipc'
import { APP_ORIGIN } from './protocol'

vi.mock('electron', () => import('../../test/desktop/mock_electron').then((m) => m.fake.module))

const root = mkdtempSync(join(tmpdir(), 'prlab-host-files-'))
const lab = join(root, 'lab')
const elsewhere = join(root, 'elsewhere')
cpSync(join(process.cwd(), 'test/fixtures/host-folder'), lab, { recursive: true })
mkdirSync(elsewhere)
cpSync(join(lab, 'guests/batch-1g.prlab.json'), join(elsewhere, 'batch.prlab.json'))
// the one the "allow" test grants: a grant lasts the session, so it must not be the file the refusal test names
cpSync(join(lab, 'guests/batch-1g.prlab.json'), join(elsewhere, 'allowed.prlab.json'))
symlinkSync(join(elsewhere, 'batch.prlab.json'), join(lab, 'guests/out.prlab.json'))
writeFileSync(join(lab, 'guests/notes.txt'), '{}')
const hostPath = join(lab, 'host.prlab.json')
const hostDoc = JSON.parse(readFileSync(hostPath, 'utf8')) as { guests: { file: string }[] }
const withFile = (file: string): unknown => ({ ...hostDoc, guests: [{ ...hostDoc.guests[0], file }] })

let win: FakeBrowserWindow
let page: PageClient
const host = new LabHost({
  mode: 'electron',
  version: 'test',
  examplesDir: defaultExamplesDir(),
  workerEntry: new URL('../host/engine_worker.ts', import.meta.url),
  dialogs: nativeDialogs(() => win as unknown as BrowserWindow),
})

beforeAll(async () => {
  fake.app.emitReady()
  win = new fake.BrowserWindow({ show: false })
  await win.loadURL(`${APP_ORIGIN}/index.html`)
  bindWindow(win as unknown as BrowserWindow, host)
  page = pageClient(fake, win)
})
afterAll(() => {
  host.dispose()
  rmSync(root, { recursive: true, force: true })
})

async function openHost(): Promise<string> {
  fake.answers.open.push([hostPath])
  const opened = await page.lab.openLabFile()
  if (opened === null || !opened.ok || opened.value.kind !== 'host') throw new Error(`not opened: ${JSON.stringify(opened)}`)
  expect(opened.value.loaded.path).toBe(hostPath)
  return opened.value.loaded.fileId as string
}

describe('a host file opened from disk on the desktop', () => {
  it('opens from the dialog into the Host view and runs its guests from the files next to it', async () => {
    const fileId = await openHost()
    const started = await page.lab.startHostRun(hostDoc, fileId, null)
    if (!started.ok) throw new Error(started.error.message)
    let view = await page.lab.hostRun(started.value.id)
    for (let i = 0; i < 600 && !view.ok && view.error.code === 'busy'; i++) {
      await new Promise((r) => setTimeout(r, 100))
      view = await page.lab.hostRun(started.value.id)
    }
    if (!view.ok) throw new Error(view.error.message)
    // two copies of guests/batch-1g.prlab.json's 1 GiB batch job
    expect(view.value.summary.guests).toBe(2)
    expect(view.value.summary.guest_summaries.map((g) => [g.label, g.memory_mib])).toEqual([['batch #1', 1024], ['batch #2', 1024]])
  }, 120_000)

  it('opens by the id the shell handed out (command line, recent list); an id it never gave is refused', async () => {
    const id = host.grantExperimentFile(hostPath)
    const opened = await page.lab.openLabFile(id)
    expect(opened?.ok && opened.value.kind).toBe('host')
    const unknown = await page.lab.openLabFile('00000000-0000-0000-0000-000000000000')
    expect(unknown?.ok).toBe(false)
  })

  it('refuses, before any read, a document naming guest files outside the rules, naming the host file, the guest and the path', async () => {
    const fileId = await openHost()
    const cases: [string, RegExp][] = [
      ['../elsewhere/batch.prlab.json', /leaves the host file's folder/],
      [join(elsewhere, 'batch.prlab.json'), /absolute path is read only when you chose that file/],
      ['guests/out.prlab.json', /symbolic link out of the host file's folder/],
      ['guests/notes.txt', /\.json/],
      ['/etc/passwd', /\.json/],
    ]
    for (const [file, why] of cases) {
      const r = await page.lab.startHostRun(withFile(file), fileId, null)
      expect(r.ok, file).toBe(false)
      if (r.ok) continue
      expect(r.error.message).toMatch(why)
      expect(r.error.message.startsWith(`${hostPath}: guests[0].file ${JSON.stringify(file)}: `)).toBe(true)
      expect(r.error.issues?.[0].path).toBe('guests[0].file')
      // the fit reads the same names: refused alike
      const fit = await page.lab.startFit({ host: withFile(file), guest: JSON.parse(readFileSync(join(lab, 'guests/batch-1g.prlab.json'), 'utf8')), slo: 'oom_kills==0', startMs: 0, staggerMs: 0, max: 2 }, fileId, null)
      expect(fit.ok, `fit ${file}`).toBe(false)
    }
  })

  it('reads an absolute guest path once the user chose that file in the "allow" dialog', async () => {
    const fileId = await openHost()
    const abs = join(elsewhere, 'allowed.prlab.json')
    fake.answers.open.push([abs])
    expect(await page.lab.allowHostGuestFile()).toEqual({ ok: true, value: abs })
    const started = await page.lab.startHostRun(withFile(abs), fileId, null)
    expect(started.ok).toBe(true)
    if (started.ok) await page.lab.cancelTask(started.value.taskId)
    // cancelled dialog: nothing granted
    expect(await page.lab.allowHostGuestFile()).toBeNull()
  })
})
