// Quitting (File > Quit, Ctrl+Q, Cmd+Q, Dock > Quit, the last window closed on Linux and
// Windows, SIGINT/SIGTERM) always goes through app.quit(), which emits before-quit, closes the
// windows (each may be kept by its unsaved-changes prompt, which cancels the quit) and emits
// will-quit; window-all-closed is not emitted then (docs/api/app.md). So the host is cleaned up at
// will-quit: running exports are cancelled and remove their partial files, runs end and their
// spill folders go, then the app quits for real.
import { app, BrowserWindow, dialog } from 'electron'
import type { LabHost } from '../host/lab_host'

/** Longest wait for the host's clean-up before quitting anyway. */
export const SHUTDOWN_TIMEOUT_MS = 10_000

export interface QuitControl {
  /** Asks before closing `win` (or quitting) would cancel exports in progress; false: keep going. */
  confirmClose(win: BrowserWindow | null, action: 'quit' | 'close the window'): boolean
  /** A window stayed open (unsaved changes kept) or a new one opened: the next close or quit asks again. */
  askAgain(): void
}

export function handleQuit(host: LabHost): QuitControl {
  // The user agreed to cancel the exports for this close or quit.
  let confirmed = false
  let cleaning = false
  let cleanedUp = false

  const confirmClose = (win: BrowserWindow | null, action: 'quit' | 'close the window'): boolean => {
    const tasks = host.activeTasks()
    if (confirmed || tasks.length === 0) return true
    const options = {
      type: 'warning' as const,
      buttons: [action === 'quit' ? 'Cancel the export and quit' : 'Cancel the export and close', 'Keep working'],
      defaultId: 1,
      cancelId: 1,
      message: tasks.length === 1 ? 'An export is still running.' : `${tasks.length} exports are still running.`,
      detail: `${tasks.join('\n')}\n\nIf you ${action} now, ${tasks.length === 1 ? 'it is' : 'they are'} cancelled and nothing is written.`,
    }
    confirmed = (win ? dialog.showMessageBoxSync(win, options) : dialog.showMessageBoxSync(options)) === 0
    return confirmed
  }

  app.on('before-quit', (event) => {
    if (cleanedUp || cleaning) return
    if (!confirmClose(BrowserWindow.getFocusedWindow(), 'quit')) event.preventDefault()
  })

  app.on('will-quit', (event) => {
    if (cleanedUp) return
    event.preventDefault()
    if (cleaning) return
    cleaning = true
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_TIMEOUT_MS)))
    void Promise.race([host.shutdown(), timeout])
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(timer)
        cleanedUp = true
        app.quit()
      })
  })

  // Ctrl-C in the terminal, or the session ending: the same clean quit, without asking about exports.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      confirmed = true
      app.quit()
    })
  }

  return {
    confirmClose,
    askAgain: () => void (confirmed = false),
  }
}
