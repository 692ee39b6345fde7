// The renderer's handle on the lab: the LabApi calls plus subscriptions to host pushes.
// Implemented by a thin transport per mode (electron.ts over the preload, websocket.ts in
// browser mode); index.ts picks one at startup.
import type { LabApi, LabEvents } from '../../../common/api'

export type LabEventName = keyof LabEvents

export interface LabClient extends LabApi {
  /** Subscribe to a host push; returns the unsubscribe function. */
  on<E extends LabEventName>(event: E, handler: LabEvents[E]): () => void
  /** Resolves when the transport closes (server gone, window closing). */
  readonly closed: Promise<string>
}
