// Plays the renderer in tests of src/main: a birpc client of the lab API over a fake window's IPC
// (the preload's pipe), from the page's top frame or any frame a test chooses.
import { createBirpc, type BirpcReturn } from 'birpc'
import type { LabApi, LabEvents, MenuCommand, RunStatus } from '../../src/common/api'
import type { FakeBrowserWindow, FakeElectron, FakeFrame } from './fake_electron'

export interface PageClient {
  readonly lab: BirpcReturn<LabApi, LabEvents>
  readonly menu: MenuCommand[]
  readonly statuses: RunStatus[]
}

export function pageClient(electron: FakeElectron, win: FakeBrowserWindow, options: { frame?: FakeFrame; timeout_ms?: number; channel?: string } = {}): PageClient {
  const channel = options.channel ?? 'prlab:rpc'
  const listeners = new Set<(data: unknown) => void>()
  const previous = win.webContents.onSend
  win.webContents.onSend = (message) => {
    previous?.(message)
    if (message.channel === channel) for (const fn of listeners) fn(message.data)
  }
  const menu: MenuCommand[] = []
  const statuses: RunStatus[] = []
  const events: LabEvents = {
    frame: () => undefined,
    events: () => undefined,
    status: (s) => void statuses.push(s),
    menu: (c) => void menu.push(c),
    library: () => undefined,
    stateProgress: () => undefined,
    task: () => undefined,
  }
  const lab = createBirpc<LabApi, LabEvents>(events, {
    post: (data) => electron.sendFromPage(win, channel, data, options.frame),
    on: (fn) => void listeners.add(fn),
    timeout: options.timeout_ms ?? 5000,
  })
  return { lab, menu, statuses }
}
