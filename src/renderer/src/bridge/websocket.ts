// Browser mode transport: JSON calls over the WebSocket, sample frames as binary messages.
import { decodeFrame } from '../../../common/frame_codec'
import { parseMessage, stringifyMessage } from '../../../common/json_codec'
import { MessageTooLargeError, oversizeMessageBytes } from '../../../common/websocket_limits'
import { createClientCore } from './client_core'
import type { LabClient } from './lab_client'

const TOKEN_KEY = 'prlab-token'

/** The launch token: from the URL the server printed, kept for reloads of this tab. */
function launchToken(): string {
  const fromUrl = new URLSearchParams(location.search).get('token')
  if (fromUrl) sessionStorage.setItem(TOKEN_KEY, fromUrl)
  const token = fromUrl ?? sessionStorage.getItem(TOKEN_KEY)
  if (!token) throw new Error('This page needs the token from the URL `npm run web` printed (…/?token=…). Open that URL.')
  return token
}

export function connectWebSocket(): Promise<LabClient> {
  const token = launchToken()
  const ws = new WebSocket(`ws://${location.host}/ws?token=${encodeURIComponent(token)}`)
  ws.binaryType = 'arraybuffer'
  const closed = new Promise<string>((resolve) => ws.addEventListener('close', (e) => resolve(e.reason || `connection closed (${e.code})`)))
  const listeners = new Set<(data: string) => void>()
  const core = createClientCore(
    {
      post: (data: string) => {
        // The server would close the whole connection over a larger message: fail this call alone.
        const bytes = oversizeMessageBytes(data)
        if (bytes !== null) throw new MessageTooLargeError(bytes)
        ws.send(data)
      },
      on: (fn) => void listeners.add(fn),
      serialize: stringifyMessage,
      deserialize: (v: string) => parseMessage(v),
    },
    closed,
  )
  ws.addEventListener('message', (e: MessageEvent<string | ArrayBuffer>) => {
    if (typeof e.data === 'string') {
      for (const fn of listeners) fn(e.data)
      return
    }
    const frame = decodeFrame(e.data)
    if (frame) core.emit('frame', frame.runId, frame.rows, frame.data)
  })
  return new Promise((resolve, reject) => {
    ws.addEventListener('open', () => resolve(core.client), { once: true })
    ws.addEventListener('error', () => reject(new Error('The lab refused the connection: check that `npm run web` is running and that the URL has its token.')), { once: true })
  })
}
