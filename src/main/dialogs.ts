// Native open/save dialogs for the host (LabHost's FileDialogs), modal to the lab window.
import { app, dialog, type BrowserWindow } from 'electron'
import type { FileDialogs } from '../host/lab_host'

const FILTERS = {
  experiment: [{ name: 'Page Reporting Lab experiment', extensions: ['prlab.json', 'json'] }],
  csv: [{ name: 'CSV', extensions: ['csv'] }],
  json: [{ name: 'JSON', extensions: ['json'] }],
  txt: [{ name: 'Text', extensions: ['txt'] }],
}

export function nativeDialogs(window: () => BrowserWindow | null): FileDialogs {
  return {
    async openExperimentPath() {
      const win = window()
      const options = { properties: ['openFile' as const], filters: FILTERS.experiment }
      const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
      return result.canceled || result.filePaths.length === 0 ? null : result.filePaths[0]
    },
    async openPath(title, directory) {
      const win = window()
      const options = { title, properties: [directory ? ('openDirectory' as const) : ('openFile' as const)] }
      const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
      return result.canceled || result.filePaths.length === 0 ? null : result.filePaths[0]
    },
    async savePath(defaultName, kind) {
      const win = window()
      // The system dialog asks before replacing an existing file: its answer is the user's consent.
      const options = { defaultPath: defaultName, filters: FILTERS[kind] }
      const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options)
      return result.canceled || !result.filePath ? null : result.filePath
    },
    addRecentDocument(path) {
      // OS recent documents exist on macOS and Windows only; our own list covers Linux.
      if (process.platform === 'darwin' || process.platform === 'win32') app.addRecentDocument(path)
    },
  }
}
