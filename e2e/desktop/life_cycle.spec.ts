// The desktop life cycle, shown by fake-electron runs of the BUILT shell (out/main/index.js in
// Node, `electron` resolved to test/desktop/fake_electron.ts): the test plays Electron (app events,
// menu clicks, dialog answers, window closes) and the page (the lab API over the window's IPC).
import { test, expect } from '@playwright/test'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import type { ExperimentInput } from '../../src/common/experiment'
import { BUILT_MAIN, FakeDesktop, type LaunchOptions, type Page } from './fake_desktop'

const ROOT = join(import.meta.dirname, '..', '..')
test.skip(!existsSync(BUILT_MAIN), 'the desktop shell is not built: run `npm run build` first')

const desktops: FakeDesktop[] = []
let work: string
test.beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'prlab-life-'))
})
test.afterEach(async () => {
  for (const d of desktops.splice(0)) {
    await d.close()
    expect(d.crashes, 'the shell threw').toEqual([])
  }
  rmSync(work, { recursive: true, force: true })
})

const experiment = (name: string, extra: Partial<ExperimentInput> = {}): ExperimentInput => ({ format: 'page-reporting-lab/experiment', version: 1, name, durationMs: 2000, guest: { memoryMiB: 256 }, ...extra })
const writeExperiment = (path: string, name: string): string => {
  writeFileSync(path, `${JSON.stringify(experiment(name), null, 2)}\n`)
  return path
}

function launch(options: LaunchOptions = {}): FakeDesktop {
  const desktop = new FakeDesktop(options)
  desktops.push(desktop)
  return desktop
}

/** The page in the only window, connected (its first call made). */
async function connectedPage(desktop: FakeDesktop): Promise<{ windowId: number; page: Page }> {
  const state = await desktop.waitFor((s) => s.windows.length === 1)
  const windowId = state.windows[0].id
  const page = desktop.page(windowId)
  await page.lab.capabilities()
  return { windowId, page }
}

async function started(options: LaunchOptions = {}): Promise<{ desktop: FakeDesktop; windowId: number; page: Page }> {
  const desktop = launch(options)
  await desktop.ready()
  return { desktop, ...(await connectedPage(desktop)) }
}

/**
 * The recorder's spill folders under `dir`, the temp folder (others, such as tsx's cache, may be
 * there too): they live in the process's runtime folder `prlab-<pid>-<random>` (host/temp_files.ts).
 */
const spillFolders = (dir: string): string[] =>
  readdirSync(dir)
    .filter((d) => /^prlab-\d+-[0-9a-f]+$/.test(d))
    .flatMap((d) => {
      try {
        return readdirSync(join(dir, d)).filter((s) => s.startsWith('prlab-recorder-'))
      } catch {
        return [] // removed meanwhile
      }
    })

const recentPaths = (menu: unknown): string[] => {
  const file = (menu as Record<string, unknown[]>[]).find((m) => typeof m === 'object' && 'File' in m)?.File ?? []
  const recent = file.find((i): i is Record<string, string[]> => typeof i === 'object' && i !== null && 'Open Recent' in i)
  return recent?.['Open Recent'] ?? []
}

test.describe('the desktop shell, built, against a fake electron', () => {
  test('opens one secure window on prlab://app whose page can call the lab; the built protocol handler and security rules hold', async () => {
    const { desktop, windowId, page } = await started()
    const state = await desktop.state()
    expect(state.windows[0]).toMatchObject({ url: 'prlab://app/index.html', visible: true, focused: true })
    expect(state.windows[0].webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true })
    expect(state.log.slice(0, 3)).toEqual(['sandbox enabled', 'single-instance lock requested', 'menu set'])
    expect(await page.lab.capabilities()).toEqual({ nativeFiles: true, mode: 'electron', version: '0.0.0-fake' })
    expect((await page.lab.listExamples()).map((e) => e.name)).toContain('quick-drain-2g')

    const index = await desktop.fetchApp('prlab://app/index.html')
    expect(index.status).toBe(200)
    expect(index.text).toMatch(/<div id="app">/)
    expect((await desktop.fetchApp('prlab://app/%')).status).toBe(400)
    expect((await desktop.fetchApp('prlab://app/..%2f..%2fpackage.json')).status).toBe(404)

    expect(await desktop.navigate(windowId, 'https://example.com/')).toBe(false)
    expect(await desktop.navigate(windowId, 'prlab://app/index.html', true)).toBe(true)
    expect(await desktop.navigate(windowId, 'https://example.com/', true)).toBe(false)
    expect(await desktop.openWindow(windowId, 'https://docs.kernel.org/mm/free_page_reporting.html')).toEqual({ action: 'deny' })
    expect(await desktop.openWindow(windowId, 'https://evil.example/')).toEqual({ action: 'deny' })
    expect((await desktop.state()).openedExternally).toEqual(['https://docs.kernel.org/mm/free_page_reporting.html'])
    const subframe = desktop.page(windowId, { frame: { url: 'prlab://app/index.html', parent: { url: 'prlab://app/index.html', parent: null } }, timeout_ms: 500 })
    await expect(subframe.lab.capabilities()).rejects.toThrow(/timeout/)
  })

  test('Cancel at the unsaved-changes prompt leaves the window working, for a close and for Quit; Discard closes and quits', async () => {
    const { desktop, windowId, page } = await started({ platform: 'linux' })
    await desktop.pageBlocksUnload(windowId, true)
    await desktop.answerMessage(1) // Cancel
    await desktop.closeWindow(windowId)
    let state = await desktop.state()
    expect(state.windows.map((w) => w.id)).toEqual([windowId])
    expect(state.dialogs.at(-1)).toMatchObject({ kind: 'message', windowId, message: 'The experiment has unsaved changes.', buttons: ['Discard changes', 'Cancel'] })
    expect(await page.lab.capabilities()).toMatchObject({ mode: 'electron' })

    await desktop.answerMessage(1)
    await desktop.click('File', 'quit') // Ctrl+Q
    state = await desktop.state()
    expect(state.windows).toHaveLength(1)
    expect(state.log).toContain('quit cancelled by a window')
    expect(desktop.exitCode).toBeNull()
    expect((await page.lab.listExamples()).length).toBeGreaterThan(0)

    await desktop.answerMessage(0) // Discard changes
    await desktop.closeWindow(windowId)
    expect(await desktop.exited).toBe(0)
    // the last window closed (Linux): app.quit(), clean-up at will-quit, then the exit
    const log = desktop.finalState?.log ?? []
    expect(log.slice(log.indexOf(`window ${windowId} closed`))).toEqual([`window ${windowId} closed`, 'app.quit', 'quit deferred at will-quit', 'app.quit', 'exit 0'])
  })

  test('quitting disposes the host: an export in progress is cancelled, leaving no partial file; the spill folder goes', async () => {
    const spill = join(work, 'tmp')
    mkdirSync(spill)
    const { desktop, windowId, page } = await started({ env: { TMPDIR: spill } })
    // 150,001 rows of 71 columns: past the recorder's 64 MiB budget, so it spills to TMPDIR
    const long = experiment('long', { durationMs: 1_500_000, workload: { phases: [{ op: 'alloc', mib: 64 }, { op: 'free', fraction: 1 }] }, recorder: { sampleIntervalMs: 10 } })
    const run = await page.lab.startRun(long, null)
    if (!run.ok) throw new Error(run.error.message)
    await expect.poll(() => page.statuses.find((s) => s.runId === run.value.runId && s.state === 'finished'), { timeout: 60_000 }).toBeDefined()
    expect(spillFolders(spill)).toHaveLength(1)

    const target = join(work, 'long-samples.csv')
    await desktop.answerSave(target)
    const exported = page.lab.exportRun(run.value.runId, 'samples-csv', null)
    await expect.poll(() => page.tasks.find((t) => t.state === 'running' && t.done > 0), { timeout: 30_000 }).toBeDefined()
    const progress = (await desktop.state()).windows[0].lastProgress
    expect(progress).toBeGreaterThan(0)
    expect(progress).toBeLessThan(1)

    await desktop.answerMessage(0) // Cancel the export and quit
    await desktop.click('File', 'quit')
    expect(await desktop.exited).toBe(0)
    await exported.catch(() => undefined)
    expect(desktop.finalState?.dialogs.at(-1)).toMatchObject({ kind: 'message', windowId, message: 'An export is still running.', buttons: ['Cancel the export and quit', 'Keep working'] })
    expect(desktop.finalState?.log).toEqual(expect.arrayContaining(['app.quit', `window ${windowId} closed`, 'quit deferred at will-quit', 'exit 0']))
    expect(readdirSync(work).filter((f) => f.includes('long-samples'))).toEqual([])
    expect(spillFolders(spill)).toEqual([])
  })

  test('Keep working at the export prompt: the app stays and the export completes; then Quit asks nothing more', async () => {
    const { desktop, page } = await started()
    const run = await page.lab.startRun(experiment('medium', { durationMs: 600_000, recorder: { sampleIntervalMs: 10 } }), null)
    if (!run.ok) throw new Error(run.error.message)
    await expect.poll(() => page.statuses.find((s) => s.runId === run.value.runId && s.state === 'finished'), { timeout: 60_000 }).toBeDefined()
    const target = join(work, 'medium.csv')
    await desktop.answerSave(target)
    const exported = page.lab.exportRun(run.value.runId, 'samples-csv', null)
    await expect.poll(() => page.tasks.find((t) => t.state === 'running'), { timeout: 30_000 }).toBeDefined()
    await desktop.answerMessage(1) // Keep working
    await desktop.click('File', 'quit')
    expect((await desktop.state()).log).toContain('quit cancelled at before-quit')
    const result = await exported
    expect(result?.ok).toBe(true)
    expect(readFileSync(target, 'utf8').trimEnd().split('\n')).toHaveLength(60_002) // header + t = 0..600 s every 10 ms
    const prompts = (await desktop.state()).dialogs.length
    await desktop.click('File', 'quit')
    expect(await desktop.exited).toBe(0)
    expect(desktop.finalState?.dialogs).toHaveLength(prompts)
  })

  test('SIGTERM (or Ctrl-C in the terminal) quits the same clean way', async () => {
    const spill = join(work, 'tmp')
    mkdirSync(spill)
    const { desktop, page } = await started({ env: { TMPDIR: spill } })
    const run = await page.lab.startRun(experiment('long', { durationMs: 3_600_000, recorder: { sampleIntervalMs: 10 } }), null)
    if (!run.ok) throw new Error(run.error.message)
    await expect.poll(() => spillFolders(spill).length, { timeout: 60_000 }).toBe(1)
    process.kill(desktop.pid, 'SIGTERM')
    expect(await desktop.exited).toBe(0)
    expect(desktop.finalState?.log).toContain('quit deferred at will-quit')
    expect(spillFolders(spill)).toEqual([])
  })

  test('macOS: with no window open, New, Open and Open Recent open one and run there; the Dock icon opens one; Save does nothing', async () => {
    const file = writeExperiment(join(work, 'recent.prlab.json'), 'recent')
    const userData = join(work, 'user-data')
    mkdirSync(userData)
    writeFileSync(join(userData, 'recent-files.json'), JSON.stringify({ version: 1, files: [file] }))
    const { desktop, windowId } = await started({ platform: 'darwin', userData })
    await desktop.closeWindow(windowId)
    await desktop.waitFor((s) => s.windows.length === 0)
    expect(desktop.exitCode).toBeNull() // the app stays in the Dock

    await desktop.click('File', 'Save')
    expect((await desktop.state()).windows).toHaveLength(0)

    for (const [path, command] of [
      [['File', 'New'], 'new'],
      [['File', 'Open…'], 'open'],
      [['File', 'Open Recent', file], 'open-file:'],
    ] as const) {
      await desktop.click(...path)
      const { windowId: opened, page } = await connectedPage(desktop)
      await expect.poll(() => page.menu).toHaveLength(1)
      expect(page.menu[0].startsWith(command)).toBe(true)
      if (command === 'open-file:') {
        const loaded = await page.lab.openExperimentFile(page.menu[0].slice('open-file:'.length))
        expect(loaded?.ok && loaded.value.path).toBe(file)
      }
      await desktop.closeWindow(opened)
      await desktop.waitFor((s) => s.windows.length === 0)
    }
    expect(await desktop.appEvent('activate', false)).toBe(false)
    await desktop.waitFor((s) => s.windows.length === 1)
  })

  test('one instance: a second launch quits at once and hands its file to the first, whose window comes to the front', async () => {
    const { desktop, windowId, page } = await started()
    const second = launch({ singleInstance: false, userData: desktop.userData })
    expect(await second.exited).toBe(0)
    expect(second.finalState?.log).toEqual(['sandbox enabled', 'single-instance lock requested', 'app.quit', 'exit 0'])

    const file = writeExperiment(join(work, 'second.prlab.json'), 'second')
    await desktop.minimize(windowId)
    await desktop.appEvent('second-instance', ['/usr/lib/electron/electron', '.', '--no-sandbox', 'second.prlab.json'], work, {})
    const state = await desktop.state()
    expect(state.windows[0]).toMatchObject({ minimized: false, focused: true })
    await expect.poll(() => page.menu).toHaveLength(1)
    const loaded = await page.lab.openExperimentFile(page.menu[0].slice('open-file:'.length))
    expect(loaded?.ok && [loaded.value.path, loaded.value.experiment.name]).toEqual([file, 'second'])
  })

  test('files from the command line (from source and packaged) and from macOS open-file, even before ready', async () => {
    const file = writeExperiment(join(work, 'cli.prlab.json'), 'cli')
    for (const options of [{ args: ['cli.prlab.json'], cwd: work }, { args: ['--no-sandbox', file], packaged: true, resourcesPath: join(ROOT, 'resources') }]) {
      const desktop = launch(options)
      await desktop.ready()
      const { page } = await connectedPage(desktop)
      await expect.poll(() => page.menu).toHaveLength(1)
      const loaded = await page.lab.openExperimentFile(page.menu[0].slice('open-file:'.length))
      expect(loaded?.ok && loaded.value.path).toBe(file)
      await desktop.close()
    }
    const mac = launch({ platform: 'darwin' })
    expect(await mac.appEvent('open-file', file)).toBe(true) // before ready; the shell takes it
    await mac.ready()
    const { page } = await connectedPage(mac)
    await expect.poll(() => page.menu).toHaveLength(1)
    expect((await page.lab.openExperimentFile(page.menu[0].slice('open-file:'.length)))?.ok).toBe(true)
    expect(await mac.appEvent('open-file', join(work, 'missing.prlab.json'))).toBe(true)
    await expect.poll(() => page.menu).toHaveLength(2)
    const missing = await page.lab.openExperimentFile(page.menu[1].slice('open-file:'.length))
    expect(missing?.ok === false && missing.error.code).toBe('not-found')
  })

  test('Open Recent shows the file just opened or saved, and opens it by the same id', async () => {
    const { desktop, page } = await started()
    expect(recentPaths((await desktop.state()).menu)).toEqual(['No recent files'])
    const file = writeExperiment(join(work, 'opened.prlab.json'), 'opened')
    await desktop.answerOpen([file])
    const opened = await page.lab.openExperimentFile()
    const id = opened?.ok ? opened.value.fileId : undefined
    await desktop.waitFor((s) => recentPaths(s.menu)[0] === file)
    await desktop.click('File', 'Open Recent', file)
    await expect.poll(() => page.menu).toEqual([`open-file:${id}`])

    const saved = join(work, 'saved.prlab.json')
    await desktop.answerSave(saved)
    expect((await page.lab.saveExperiment(experiment('saved'), id ?? null, true))?.ok).toBe(true)
    const state = await desktop.waitFor((s) => recentPaths(s.menu)[0] === saved)
    expect(recentPaths(state.menu)).toEqual([saved, file])
  })

  test('a packaged app finds the examples and the validation scenarios where electron-builder.json puts them', async () => {
    // Stage the packaged resources as electron-builder's extraResources would, filters included.
    const config = JSON.parse(readFileSync(join(ROOT, 'electron-builder.json'), 'utf8')) as { extraResources: { from: string; to: string; filter?: string[] }[]; files: string[] }
    const resources = join(work, 'resources')
    for (const { from, to, filter } of config.extraResources) cpSync(join(ROOT, from), join(resources, to), { recursive: true, filter: (src) => statSync(src).isDirectory() || inBuild(relative(join(ROOT, from), src), filter) })
    expect(config.files).toEqual(expect.arrayContaining(['out/main/**', 'out/preload/**', 'out/renderer/**']))

    const { page } = await started({ packaged: true, resourcesPath: resources })
    const shipped = readdirSync(join(ROOT, 'resources', 'examples')).filter((f) => f.endsWith('.prlab.json')).map((f) => f.slice(0, -'.prlab.json'.length))
    expect((await page.lab.listExamples()).map((e) => e.name).sort()).toEqual(shipped.sort())
    const example = await page.lab.openExample('replay-kmem-trace')
    expect(example.ok).toBe(true)
    // the example's trace is found in the packaged resources too
    if (!example.ok) return
    const run = await page.lab.startRun(example.value.document, null)
    expect(run.ok).toBe(true)

    // every validation scenario, its experiment runnable (its initial free state comes with it) and its checks from the bundled worker
    const scenarios = readdirSync(join(ROOT, 'validation'), { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(ROOT, 'validation', d.name, 'meta.json'))).map((d) => d.name)
    expect((await page.lab.listValidationScenarios()).map((v) => v.name)).toEqual(scenarios.sort())
    const scenario = await page.lab.openValidationScenario('trace_small')
    if (!scenario.ok) throw new Error(scenario.error.message)
    expect((await page.lab.startRun(scenario.value.loaded.document, null)).ok).toBe(true)
    const checks = await page.lab.validationChecks('trace_small')
    if (!checks.ok) throw new Error(checks.error.message)
    expect(checks.value.passed).toBe(checks.value.checked)
  })
})

/** Whether electron-builder's `filter` globs ship the file `rel` (no filter ships all). */
function inBuild(rel: string, filter: readonly string[] | undefined): boolean {
  if (filter === undefined) return true
  const glob = (g: string): RegExp => new RegExp(`^${g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '(.*/)?').replace(/\*\*/g, '.*').replace(/\*/g, '[^/]*')}$`)
  return filter.some((g) => glob(g).test(rel.split(sep).join('/')))
}
