// Picks the transport: the desktop app's preload pipe when present, else browser mode.
import { connectElectron } from './preload_pipe'
import type { LabClient } from './lab_client'
import { connectWebSocket } from './websocket'

export type { LabClient } from './lab_client'

export function connectLab(): Promise<LabClient> {
  return window.prlab ? connectElectron(window.prlab) : connectWebSocket()
}
