// Binds the lab API to one window over Electron IPC: the preload's pipe carries birpc messages;
// each message is accepted only from our own top-level page, and every call is validated. Each page
// the window loads is one UI (a ClientSession, as a browser tab is in browser mode): when it goes
// (a reload, a crash, the window closing), the runs it started are disposed with it.
import { ipcMain, type BrowserWindow, type IpcMainEvent } from 'electron'
import { createBirpc } from 'birpc'
import type { LabEvents, MenuCommand } from '../common/api'
import { isLabMethod } from '../host/api_schema'
import { ClientSession } from '../host/client_session'
import type { LabHost } from '../host/lab_host'
import { isTrustedSender } from './security'

export const CHANNEL = 'prlab:rpc'

export function bindWindow(win: BrowserWindow, host: LabHost): () => void {
  const contents = win.webContents
  let deliver: ((message: unknown) => void) | null = null
  // Menu commands wait until the page has connected (its first call): a window opened for a
  // command (macOS with no window, a file from the command line) has no listener before that.
  let connected = false
  const waiting: MenuCommand[] = []
  let session = new ClientSession(host)
  const rpc = createBirpc<LabEvents, ClientSession['api']>(session.api, {
    post: (data) => {
      if (!contents.isDestroyed()) contents.send(CHANNEL, data)
    },
    on: (fn) => void (deliver = fn),
    eventNames: ['frame', 'status', 'events', 'menu', 'task', 'library', 'stateProgress'],
    // the current page's session answers (its startRun() keeps the runs it must free)
    resolver: (name) => (isLabMethod(name) ? session.api[name] : undefined),
    timeout: 10 * 60_000,
    // A reply that cannot be sent (the page went away mid-call) ends that call, not the app.
    onGeneralError: (error, method) => {
      console.error(`lab IPC: ${method ?? 'message'}: ${error.message}`)
      return true
    },
  })
  const onMessage = (event: IpcMainEvent, message: unknown): void => {
    if (event.sender !== contents || !isTrustedSender(event.senderFrame)) return
    if (message === null || typeof message !== 'object' || Array.isArray(message)) return
    deliver?.(message)
    if (!connected) {
      connected = true
      for (const command of waiting.splice(0)) void rpc.menu(command)
    }
  }
  ipcMain.on(CHANNEL, onMessage)
  const client: LabEvents = {
    frame: (runId, rows, data) => void rpc.frame(runId, rows, data),
    status: (status) => void rpc.status(status),
    events: (runId, events) => void rpc.events(runId, events),
    menu: (command) => {
      if (connected) void rpc.menu(command)
      else waiting.push(command)
    },
    task: (task) => void rpc.task(task),
    library: (info, removed) => void rpc.library(info, removed),
    stateProgress: (progress) => void rpc.stateProgress(progress),
  }
  session.connect(client)
  // A main-frame navigation (a reload) commits a new page, and a crashed renderer's page is gone:
  // the old page's runs go, and menu commands wait for the new page to connect.
  const newPage = (): void => {
    session.close()
    session = new ClientSession(host)
    session.connect(client)
    connected = false
  }
  contents.on('did-navigate', newPage)
  contents.on('render-process-gone', newPage)
  return () => {
    session.close()
    contents.removeListener('did-navigate', newPage)
    contents.removeListener('render-process-gone', newPage)
    ipcMain.removeListener(CHANNEL, onMessage)
    rpc.$close()
  }
}
