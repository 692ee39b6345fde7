// The IPC binding of the lab API: calls only from the app's own top-level page reach the host, each
// validated; menu commands wait until the page has connected.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { BrowserWindow } from 'electron'
import { fake } from '../../test/desktop/mock_electron'
import { pageClient } from '../../test/desktop/page_client'
import type { FakeBrowserWindow } from '../../test/desktop/fake_electron'
import { defaultExamplesDir } from '../host/examples'
import { LabHost } from '../host/lab_host'
import { bindWindow, CHANNEL } from './ipc'
import { APP_ORIGIN } from './protocol'

vi.mock('electron', () => import('../../test/desktop/mock_electron').then((m) => m.fake.module))

const host = new LabHost({ mode: 'electron', version: 'test', examplesDir: defaultExamplesDir(), workerEntry: new URL('../host/engine_worker.ts', import.meta.url), dialogs: { openExperimentPath: async () => null, openPath: async () => null, savePath: async () => null } })
const capabilities = vi.spyOn(host, 'capabilities')
let win: FakeBrowserWindow
let unbind: () => void
beforeAll(async () => {
  fake.app.emitReady()
  win = new fake.BrowserWindow({ show: false })
  await win.loadURL(`${APP_ORIGIN}/index.html`)
  unbind = bindWindow(win as unknown as BrowserWindow, host)
})
afterAll(() => {
  unbind()
  host.dispose()
})

/** A call that must go unanswered: the host never sees it. */
async function refused(call: Promise<unknown>): Promise<void> {
  const before = capabilities.mock.calls.length
  await expect(call).rejects.toThrow(/timeout/)
  expect(capabilities.mock.calls.length).toBe(before)
}

describe('IPC from pages', () => {
  it('holds menu commands until the page connects, then delivers them in order', async () => {
    // a window of its own: the shared window's page has connected already when another test ran first
    const w = new fake.BrowserWindow({ show: false })
    await w.loadURL(`${APP_ORIGIN}/index.html`)
    const unbindW = bindWindow(w as unknown as BrowserWindow, host)
    try {
      const page = pageClient(fake, w)
      host.menu('new')
      host.menu('open')
      expect(page.menu).toEqual([])
      expect(await page.lab.capabilities()).toEqual({ nativeFiles: true, mode: 'electron', version: 'test' })
      await vi.waitFor(() => expect(page.menu).toEqual(['new', 'open']))
      host.menu('save')
      await vi.waitFor(() => expect(page.menu).toEqual(['new', 'open', 'save']))
    } finally {
      unbindW()
    }
  })

  it('answers the top-level frame of the app page', async () => {
    expect((await pageClient(fake, win).lab.listExamples()).length).toBeGreaterThan(0)
  })

  it('ignores a subframe, even one of the app', async () => {
    await refused(pageClient(fake, win, { frame: { url: `${APP_ORIGIN}/index.html`, parent: win.webContents.mainFrame }, timeout_ms: 300 }).lab.capabilities())
  })

  it('ignores another origin and an origin-less page in the window', async () => {
    for (const url of ['https://evil.example/', 'evil://app/index.html', 'data:text/html,x']) {
      await refused(pageClient(fake, win, { frame: { url, parent: null }, timeout_ms: 300 }).lab.capabilities())
    }
  })

  it('ignores a DevTools page and any other web contents', async () => {
    const devtools = new fake.BrowserWindow({ show: false })
    await devtools.loadURL('devtools://devtools/bundled/devtools_app.html')
    await refused(pageClient(fake, devtools, { timeout_ms: 300 }).lab.capabilities())
    // another window showing the app page is not this window's page
    const other = new fake.BrowserWindow({ show: false })
    await other.loadURL(`${APP_ORIGIN}/index.html`)
    await refused(pageClient(fake, other, { timeout_ms: 300 }).lab.capabilities())
  })

  it('validates every call and exposes nothing but the API', async () => {
    const { lab } = pageClient(fake, win)
    await expect(lab.control('x', 'explode' as 'stop')).rejects.toThrow(/control: invalid argument 1/)
    await expect(lab.openExperimentFile('/etc/passwd'.repeat(10))).rejects.toThrow(/openExperimentFile: invalid argument/)
    const raw = lab as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>
    for (const name of ['dispose', 'shutdown', 'grantExperimentFile', 'constructor', '__proto__', 'addClient']) {
      await expect(raw[name]()).rejects.toThrow(/not found/)
    }
  })

  it('drops messages that are not birpc objects without throwing', () => {
    for (const message of [null, undefined, 'text', 42, [1, 2], { t: 'q', i: 'x', m: 'capabilities', a: 'not-an-array' }]) {
      expect(() => fake.sendFromPage(win, CHANNEL, message)).not.toThrow()
    }
  })

  it('lets go of the window when unbound', async () => {
    // a window of its own: unbinding the shared one broke every test that ran after this one
    const w = new fake.BrowserWindow({ show: false })
    await w.loadURL(`${APP_ORIGIN}/index.html`)
    const before = fake.ipcMain.listenerCount(CHANNEL)
    const unbindW = bindWindow(w as unknown as BrowserWindow, host)
    expect(fake.ipcMain.listenerCount(CHANNEL)).toBe(before + 1)
    unbindW()
    expect(fake.ipcMain.listenerCount(CHANNEL)).toBe(before)
  })
})

describe('a page is one UI', () => {
  /** An hour of simulated time at a thousandth of real time: still going when the test ends. */
  const slow = { format: 'page-reporting-lab/experiment', version: 1, durationMs: 3_600_000, guest: { memoryMiB: 128 } } as const
  const startSlow = async (page: ReturnType<typeof pageClient>): Promise<string> => {
    const r = await page.lab.startRun(slow, 0.001)
    if (!r.ok) throw new Error(r.error.message)
    return r.value.runId
  }

  it('frees the runs a page started when the window reloads it or its renderer goes, and only those', async () => {
    const w = new fake.BrowserWindow({ show: false })
    await w.loadURL(`${APP_ORIGIN}/index.html`)
    const unbindW = bindWindow(w as unknown as BrowserWindow, host)
    const disposed = vi.spyOn(host, 'disposeRun')
    try {
      const first = await startSlow(pageClient(fake, w))
      const second = await startSlow(pageClient(fake, w))
      expect(disposed).not.toHaveBeenCalled()

      await w.webContents.reload()
      expect(disposed.mock.calls.map(([id]) => id).sort()).toEqual([first, second].sort())
      const gone = await host.control(first, 'pause')
      expect(gone.ok).toBe(false)

      // the reloaded page's run lives until that page goes too
      const third = await startSlow(pageClient(fake, w))
      expect((await host.control(third, 'pause')).ok).toBe(true)
      w.webContents.crash()
      expect(disposed.mock.calls.map(([id]) => id)).toContain(third)
      expect((await host.control(third, 'pause')).ok).toBe(false)

      // closing the window (unbinding it) frees the last page's runs
      const fourth = await startSlow(pageClient(fake, w))
      unbindW()
      expect(disposed.mock.calls.map(([id]) => id)).toContain(fourth)
    } finally {
      disposed.mockRestore()
    }
  })

  it('holds menu commands after a reload until the new page connects', async () => {
    const w = new fake.BrowserWindow({ show: false })
    await w.loadURL(`${APP_ORIGIN}/index.html`)
    const unbindW = bindWindow(w as unknown as BrowserWindow, host)
    try {
      const before = pageClient(fake, w)
      await before.lab.capabilities()
      await w.webContents.reload()
      host.menu('new')
      const after = pageClient(fake, w)
      expect(after.menu).toEqual([])
      await after.lab.capabilities()
      await vi.waitFor(() => expect(after.menu).toEqual(['new']))
    } finally {
      unbindW()
    }
  })
})
