// The lab's window: sandboxed, isolated, our preload only, the renderer from prlab:// (or the
// dev server), shown once painted. Closing asks the page (unsaved changes) and the shell (an
// export in progress) first.
import { app, BrowserWindow, dialog } from 'electron'
import { join } from 'node:path'
import type { LabHost } from '../host/lab_host'
import { bindWindow } from './ipc'
import { APP_ORIGIN } from './protocol'
import { trustOrigin } from './security'

export interface WindowHooks {
  /** The window is about to close: false keeps it open. */
  confirmClose(win: BrowserWindow): boolean
  /** The user kept the page at the unsaved-changes prompt (a close or quit in progress stops). */
  closeCancelled(): void
  closed(): void
}

export function createLabWindow(host: LabHost, hooks: WindowHooks): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    show: false,
    title: 'Page Reporting Lab',
    backgroundColor: '#101418',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  })
  const unbind = bindWindow(win, host)
  // Avoid a white flash: show once the first paint is ready.
  win.once('ready-to-show', () => win.show())
  win.on('close', (event) => {
    if (!hooks.confirmClose(win)) event.preventDefault()
  })
  // The page asks before losing unsaved changes (beforeunload); Electron leaves the question to
  // us. preventDefault() lets the page unload; otherwise it stays, working, and so does its
  // connection to the lab.
  win.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(win, {
      type: 'question',
      buttons: ['Discard changes', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      message: 'The experiment has unsaved changes.',
      detail: 'Discard them?',
    })
    if (choice === 0) event.preventDefault()
    else hooks.closeCancelled()
  })
  win.on('closed', () => {
    unbind()
    hooks.closed()
  })
  const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined
  if (devUrl) {
    trustOrigin(devUrl)
    void win.loadURL(devUrl)
  } else {
    void win.loadURL(`${APP_ORIGIN}/index.html`)
  }
  return win
}
