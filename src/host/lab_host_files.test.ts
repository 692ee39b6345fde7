// The desktop host acts only on files the user chose (file_grants.ts): the page names files by
// opaque ids the host handed out, a save never replaces a file the user did not choose, and a run
// reads only the files the user imported, the experiment file's folder, or what the file itself
// named. A compromised page is played by calling the API directly with whatever it likes.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import type { ExperimentInput } from '../common/experiment'
import { defaultExamplesDir } from './examples'
import { LabHost, type FileDialogs } from './lab_host'
import { RECENT_FILES_NAME } from './recent_files'

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'imports')
const workerEntry = new URL('./engine_worker.ts', import.meta.url)
const root = mkdtempSync(join(tmpdir(), 'prlab-files-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** Dialogs that give the answers queued for them, and record what they were asked. */
class ScriptedDialogs implements FileDialogs {
  readonly open: (string | null)[] = []
  readonly save: (string | null)[] = []
  readonly asked: string[] = []
  async openExperimentPath(): Promise<string | null> {
    this.asked.push('open')
    return this.open.shift() ?? null
  }
  async openPath(title: string): Promise<string | null> {
    this.asked.push(title)
    return this.open.shift() ?? null
  }
  async savePath(): Promise<string | null> {
    this.asked.push('save')
    return this.save.shift() ?? null
  }
}

const doc = (extra: Partial<ExperimentInput> = {}): ExperimentInput => ({ format: 'page-reporting-lab/experiment', version: 1, name: 'files', durationMs: 1000, guest: { memoryMiB: 256 }, ...extra })
const replaying = (file: string): ExperimentInput => doc({ workload: { phases: [{ op: 'replay', file }] } })
const write = (path: string, document: ExperimentInput): void => writeFileSync(path, `${JSON.stringify(document, null, 2)}\n`)

let n = 0
let dir: string
let outside: string
let dialogs: ScriptedDialogs
let host: LabHost
let recentChanges = 0
const hosts: LabHost[] = []
afterAll(() => hosts.forEach((h) => h.dispose()))

beforeEach(() => {
  n += 1
  dir = join(root, `case-${n}`, 'lab')
  outside = join(root, `case-${n}`, 'elsewhere')
  mkdirSync(dir, { recursive: true })
  mkdirSync(outside, { recursive: true })
  copyFileSync(join(FIXTURES, 'ftrace-6.6-trace.txt'), join(dir, 'trace.txt'))
  copyFileSync(join(FIXTURES, 'ftrace-6.6-trace.txt'), join(outside, 'trace.txt'))
  copyFileSync(join(FIXTURES, 'ftrace-5.10-trace.txt'), join(outside, 'secret.txt'))
  dialogs = new ScriptedDialogs()
  recentChanges = 0
  host = new LabHost({ mode: 'electron', version: 'test', examplesDir: defaultExamplesDir(), workerEntry, dialogs, stateDir: join(dir, '..', 'state'), onRecentFilesChanged: () => void (recentChanges += 1) })
  hosts.push(host)
})

/** Opens `path` through the (scripted) open dialog and returns its id. */
async function openThroughDialog(path: string): Promise<string> {
  dialogs.open.push(path)
  const opened = await host.openExperimentFile()
  if (!opened?.ok || opened.value.fileId === undefined) throw new Error(`could not open ${path}`)
  return opened.value.fileId
}

describe('desktop files by opaque id', () => {
  it('opens through the dialog, hands out an id the recent list shares, and tells the shell the list changed', async () => {
    const file = join(dir, 'a.prlab.json')
    write(file, doc())
    dialogs.open.push(file)
    const opened = await host.openExperimentFile()
    expect(opened?.ok && [opened.value.path, opened.value.fileName]).toEqual([file, 'a.prlab.json'])
    const id = opened?.ok ? opened.value.fileId : undefined
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(await host.recentFiles()).toEqual([{ id, path: file, fileName: 'a.prlab.json' }])
    expect(recentChanges).toBe(1)
    expect(await host.openExperimentFile()).toBeNull() // the dialog cancelled
  })

  it('refuses an id it never handed out, and a path in place of an id', async () => {
    for (const id of ['0b6f3c1e-8d1a-4c55-9a57-1f0e2d3c4b5a', join(dir, 'a.prlab.json'), '/etc/passwd']) {
      const r = await host.openExperimentFile(id)
      expect(r?.ok === false && r.error.code).toBe('not-found')
    }
    expect(dialogs.asked).toEqual([])
  })

  it('a recent file that is gone says so and leaves the list', async () => {
    const file = join(dir, 'gone.prlab.json')
    write(file, doc())
    const id = await openThroughDialog(file)
    rmSync(file)
    const r = await host.openExperimentFile(id)
    expect(r?.ok === false && r.error.code).toBe('not-found')
    expect(await host.recentFiles()).toEqual([])
  })
})

describe('a save never replaces a file the user did not choose', () => {
  it('ids it never handed out and paths are refused; the file is untouched', async () => {
    const victim = join(outside, 'victim.prlab.json')
    write(victim, doc({ name: 'victim' }))
    const before = readFileSync(victim, 'utf8')
    for (const id of ['0b6f3c1e-8d1a-4c55-9a57-1f0e2d3c4b5a', victim]) {
      const r = await host.saveExperiment(doc({ name: 'attacker' }), id, false)
      expect(r?.ok === false && r.error.code).toBe('not-found')
    }
    expect(readFileSync(victim, 'utf8')).toBe(before)
    expect(dialogs.asked).toEqual([])
  })

  it('a recent-list entry is not writable until the user opens it', async () => {
    const victim = join(outside, 'recent.prlab.json')
    write(victim, doc({ name: 'victim' }))
    mkdirSync(join(dir, '..', 'state'), { recursive: true })
    writeFileSync(join(dir, '..', 'state', RECENT_FILES_NAME), JSON.stringify({ version: 1, files: [victim] }))
    const [entry] = await host.recentFiles()
    const refused = await host.saveExperiment(doc({ name: 'attacker' }), entry.id, false)
    expect(refused?.ok === false && refused.error.message).toBe('recent.prlab.json was not opened in this session: open it first, or use Save As')
    expect(JSON.parse(readFileSync(victim, 'utf8')).name).toBe('victim')
    const opened = await host.openExperimentFile(entry.id)
    expect(opened?.ok && opened.value.fileId).toBe(entry.id)
    const saved = await host.saveExperiment(doc({ name: 'edited' }), entry.id, false)
    expect(saved?.ok && saved.value).toEqual({ fileName: 'recent.prlab.json', path: victim, fileId: entry.id })
    expect(JSON.parse(readFileSync(victim, 'utf8')).name).toBe('edited')
  })

  it('Save As asks, and the chosen file is the one Save then replaces; cancelling writes nothing', async () => {
    const file = join(dir, 'b.prlab.json')
    dialogs.save.push(file)
    const saved = await host.saveExperiment(doc({ name: 'first' }), null, false)
    const id = saved?.ok ? saved.value.fileId : undefined
    expect(id).toBeDefined()
    expect(await host.saveExperiment(doc({ name: 'second' }), id as string, false)).toEqual({ ok: true, value: { fileName: 'b.prlab.json', path: file, fileId: id } })
    expect(JSON.parse(readFileSync(file, 'utf8')).name).toBe('second')
    expect(await host.saveExperiment(doc({ name: 'third' }), id as string, true)).toBeNull()
    expect(JSON.parse(readFileSync(file, 'utf8')).name).toBe('second')
    expect(dialogs.asked).toEqual(['save', 'save'])
  })
})

describe('a run reads only files the user chose', () => {
  it('files in the experiment folder, by any relative name inside it', async () => {
    write(join(dir, 'x.prlab.json'), doc())
    const id = await openThroughDialog(join(dir, 'x.prlab.json'))
    expect((await host.startRun(replaying('trace.txt'), null, id)).ok).toBe(true)
    const up = await host.startRun(replaying('../elsewhere/trace.txt'), null, id)
    expect(!up.ok && up.error.message).toMatch(/^workload\.phases\[0\]\.file: \.\.\/elsewhere\/trace\.txt was not imported in this session and is not in the experiment file's folder/)
  })

  it('an absolute name the experiment file gave, but not one the page wrote in, even after a save and reopen', async () => {
    const file = join(dir, 'abs.prlab.json')
    write(file, replaying(join(outside, 'trace.txt')))
    const id = await openThroughDialog(file)
    expect((await host.startRun(replaying(join(outside, 'trace.txt')), null, id)).ok).toBe(true)
    const secret = await host.startRun(replaying(join(outside, 'secret.txt')), null, id)
    expect(!secret.ok && secret.error.code).toBe('not-found')
    // the page saves the name into the user's file and opens it again: still not trusted
    expect((await host.saveExperiment(replaying(join(outside, 'secret.txt')), id, false))?.ok).toBe(true)
    expect((await host.openExperimentFile(id))?.ok).toBe(true)
    const again = await host.startRun(replaying(join(outside, 'secret.txt')), null, id)
    expect(!again.ok && again.error.code).toBe('not-found')
    // ... and an unsaved document cannot name it either
    const unsaved = await host.startRun(replaying(join(outside, 'secret.txt')), null, null)
    expect(!unsaved.ok && unsaved.error.code).toBe('not-found')
  })

  it('a file imported through the dialog, by its path, also once saved into an experiment', async () => {
    dialogs.open.push(join(outside, 'secret.txt'))
    const imported = await host.openImportFile('ftrace')
    expect(imported?.ok && imported.value.path).toBe(join(outside, 'secret.txt'))
    expect((await host.startRun(replaying(join(outside, 'secret.txt')), null, null)).ok).toBe(true)
    dialogs.save.push(join(dir, 'with-import.prlab.json'))
    const saved = await host.saveExperiment(replaying(join(outside, 'secret.txt')), null, true)
    const id = saved?.ok ? saved.value.fileId : undefined
    expect((await host.startRun(replaying(join(outside, 'secret.txt')), null, id)).ok).toBe(true)
  })
})
