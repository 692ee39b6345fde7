// Electron shell: one secure window on the lab; everything else lives in src/host. The life
// cycle (docs/api/app.md): one instance (a second launch hands its files to the first and
// brings its window to the front), files from the command line and the OS, macOS's life without
// a window, and a quit that lets the host clean up (quit.ts).
import { app, BrowserWindow, dialog } from 'electron'
import { join } from 'node:path'
import workerPath from '../host/engine_worker?modulePath'
import stateWorkerPath from '../host/state_worker?modulePath'
import sweepWorkerPath from '../host/sweep_worker?modulePath'
import hostWorkerPath from '../host/host_run_worker?modulePath'
import validationWorkerPath from '../host/validation/validation_worker?modulePath'
import type { MenuCommand } from '../common/api'
import { LabHost } from '../host/lab_host'
import { RunLibrary } from '../host/run_library'
import { experimentFilesIn } from './command_line'
import { nativeDialogs } from './dialogs'
import { buildMenu, opensDocument } from './menu'
import { registerAppScheme, serveRenderer } from './protocol'
import { handleQuit } from './quit'
import { denyPermissions, enforceSecurity } from './security'
import { createLabWindow } from './window'
import { installTempFileCleanup } from '../host/temp_files'

function startLab(): void {
  // spill folders and temp files: a killed session's are removed now, this one's at exit
  installTempFileCleanup()
  let mainWindow: BrowserWindow | null = null
  // Packaged, electron-builder's extraResources put the examples in <resources>/examples and the
  // validation scenarios in <resources>/validation (electron-builder.json); from source they are
  // the repository's resources/examples and validation/.
  const resourcesDir = app.isPackaged ? process.resourcesPath : join(import.meta.dirname, '../../resources')
  const validationDir = app.isPackaged ? join(process.resourcesPath, 'validation') : join(import.meta.dirname, '../../validation')
  const host = new LabHost({
    mode: 'electron',
    version: app.getVersion(),
    examplesDir: join(resourcesDir, 'examples'),
    workerEntry: workerPath,
    stateWorkerEntry: stateWorkerPath,
    sweepWorkerEntry: sweepWorkerPath,
    hostWorkerEntry: hostWorkerPath,
    validationDir,
    validationWorkerEntry: validationWorkerPath,
    dialogs: nativeDialogs(() => mainWindow),
    stateDir: app.getPath('userData'),
    // finished runs outlive the window: the run library in the app's data folder
    library: new RunLibrary(join(app.getPath('userData'), 'runs')),
    showLibraryLocation: true,
    onRecentFilesChanged: () => void refreshMenu(),
  })
  const quit = handleQuit(host)

  // Long exports also show in the taskbar / dock (docs/api/base-window.md setProgressBar).
  host.addClient({
    frame: () => undefined,
    status: () => undefined,
    events: () => undefined,
    menu: () => undefined,
    library: () => undefined,
    stateProgress: () => undefined,
    task: (task) => mainWindow?.setProgressBar(task.state === 'running' && task.total > 0 ? task.done / task.total : -1),
  })

  async function refreshMenu(): Promise<void> {
    buildMenu(runCommand, await host.recentFiles())
  }

  /** The lab's window, opened when there is none, else restored and brought to the front. */
  function showWindow(): BrowserWindow {
    if (mainWindow !== null) {
      if (mainWindow.isMinimized()) mainWindow.restore()
      mainWindow.focus()
      return mainWindow
    }
    quit.askAgain()
    const win = createLabWindow(host, {
      confirmClose: (w) => quit.confirmClose(w, 'close the window'),
      closeCancelled: () => quit.askAgain(),
      closed: () => {
        if (mainWindow === win) mainWindow = null
      },
    })
    mainWindow = win
    return win
  }

  function runCommand(command: MenuCommand): void {
    // macOS lives on without a window: New, Open and Open Recent open one, then run there.
    if (mainWindow === null) {
      if (!opensDocument(command)) return
      showWindow()
    }
    host.menu(command)
  }

  // Files the OS hands over before the window can take them (macOS open-file before ready).
  const pendingFiles: string[] = []

  /** Opens the first of `paths` (one document per window; the page asks about unsaved changes). */
  function openFiles(paths: readonly string[]): void {
    if (paths.length === 0) return
    if (!app.isReady()) {
      pendingFiles.push(...paths)
      return
    }
    runCommand(`open-file:${host.grantExperimentFile(paths[0])}`)
  }

  app.on('second-instance', (_event, argv, workingDirectory) => {
    showWindow()
    openFiles(experimentFilesIn(argv, workingDirectory, app.isPackaged))
  })
  // macOS: a file dropped on the Dock icon or opened from Finder (may come before `ready`).
  app.on('open-file', (event, path) => {
    event.preventDefault()
    openFiles([path])
  })
  app.on('window-all-closed', () => {
    // macOS keeps the app in the Dock: the runs go with their window. Elsewhere the app quits,
    // and will-quit cleans up (quit.ts).
    if (process.platform === 'darwin') void host.shutdown()
    else app.quit()
  })
  // macOS: the Dock icon clicked with no window open.
  app.on('activate', () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) showWindow()
  })
  app
    .whenReady()
    .then(async () => {
      denyPermissions()
      serveRenderer(join(import.meta.dirname, '../renderer'))
      await refreshMenu()
      showWindow()
      openFiles([...pendingFiles.splice(0), ...experimentFilesIn(process.argv, process.cwd(), app.isPackaged)])
    })
    .catch((error: unknown) => {
      dialog.showErrorBox('Page Reporting Lab could not start', error instanceof Error ? error.message : String(error))
      app.exit(1)
    })
}

registerAppScheme()
enforceSecurity()
// One lab per user: a second launch quits here, and the first gets its command line
// (`second-instance` above).
if (app.requestSingleInstanceLock()) startLab()
else app.quit()
