// The whole preload: a two-function message pipe to the main process. No Node, no npm
// dependencies (the sandboxed preload can load neither); the main process validates the
// sender and every call's arguments.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'

const CHANNEL = 'prlab:rpc'

contextBridge.exposeInMainWorld('prlab', {
  send: (message: unknown): void => ipcRenderer.send(CHANNEL, message),
  onMessage: (listener: (message: unknown) => void): (() => void) => {
    // Never hand the IpcRendererEvent (and its sender) to the page.
    const forward = (_event: IpcRendererEvent, message: unknown): void => listener(message)
    ipcRenderer.on(CHANNEL, forward)
    return () => void ipcRenderer.removeListener(CHANNEL, forward)
  },
})
