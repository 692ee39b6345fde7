// Electron shell: one secure window on the lab; everything else lives in src/host.
import { app, BrowserWindow, dialog, shell } from 'electron'
import { join } from 'node:path'
import workerPath from '../host/engine_worker?modulePath'
import { LabHost } from '../host/lab_host'
import { buildMenu } from './menu'
import { nativeDialogs } from './dialogs'
import { bindWindow } from './ipc'
import { APP_ORIGIN, registerAppScheme, serveRenderer } from './protocol'
import { denyPermissions, enforceSecurity, trustOrigin } from './security'

registerAppScheme()
enforceSecurity()

let mainWindow: BrowserWindow | null = null

const resourcesDir = app.isPackaged ? process.resourcesPath : join(__dirname, '../../resources')
const host = new LabHost({
  mode: 'electron',
  version: app.getVersion(),
  examplesDir: join(resourcesDir, 'examples'),
  workerEntry: workerPath,
  dialogs: nativeDialogs(() => mainWindow),
  stateDir: app.getPath('userData'),
})

// Long exports also show in the taskbar / dock (docs/api/base-window.md setProgressBar).
host.addClient({
  frame: () => undefined,
  status: () => undefined,
  events: () => undefined,
  menu: () => undefined,
  task: (task) => mainWindow?.setProgressBar(task.state === 'running' && task.total > 0 ? task.done / task.total : -1),
})

async function refreshMenu(): Promise<void> {
  buildMenu((command) => host.menu(command), await host.recentFiles())
}

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    show: false,
    title: 'Page Reporting Lab',
    backgroundColor: '#101418',
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  })
  mainWindow = win
  const unbind = bindWindow(win, host)
  // Avoid a white flash: show once the first paint is ready.
  win.once('ready-to-show', () => win.show())
  // The renderer asks before losing unsaved changes (beforeunload); Electron needs the dialog here.
  win.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(win, {
      type: 'question',
      buttons: ['Discard changes', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      message: 'The experiment has unsaved changes.',
      detail: 'Close the window and lose them?',
    })
    if (choice === 0) event.preventDefault()
  })
  win.on('focus', () => void refreshMenu())
  win.on('closed', () => {
    unbind()
    mainWindow = null
  })
  const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined
  if (devUrl) {
    trustOrigin(new URL(devUrl).origin)
    void win.loadURL(devUrl)
  } else {
    void win.loadURL(`${APP_ORIGIN}/index.html`)
  }
}

app.whenReady().then(async () => {
  denyPermissions()
  serveRenderer(join(__dirname, '../renderer'))
  await refreshMenu()
  createWindow()
  app.on('activate', () => {
    // macOS: re-create the window when the dock icon is clicked and none is open.
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  host.dispose()
  if (process.platform !== 'darwin') app.quit()
})

// Links in documentation panes open in the system browser, never inside the lab.
app.on('web-contents-created', (_e, contents) => {
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
})
