// Desktop transport: the preload's two-function pipe (window.prlab); structured clone carries
// typed arrays, so frames need no encoding.
import { createClientCore } from './client_core'
import type { LabClient } from './lab_client'

export interface PreloadPipe {
  send(message: unknown): void
  onMessage(listener: (message: unknown) => void): () => void
}

declare global {
  interface Window {
    prlab?: PreloadPipe
  }
}

export function connectElectron(pipe: PreloadPipe): Promise<LabClient> {
  // Not `beforeunload`: the page's own handler may cancel it (unsaved changes), and the window
  // then stays, connected. `pagehide` comes only once the page really goes.
  const closed = new Promise<string>((resolve) => window.addEventListener('pagehide', () => resolve('window closing'), { once: true }))
  const core = createClientCore({ post: (data) => pipe.send(data), on: (fn) => void pipe.onMessage(fn) }, closed)
  return Promise.resolve(core.client)
}
