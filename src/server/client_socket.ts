// One page's WebSocket bound to the lab: its calls go to the host through the validated API of
// its session (src/host/client_session.ts), the host's pushes come back. A message that is not a
// call closes this connection with a close code; nothing a page sends reaches the process.
import type { WebSocket } from 'ws'
import { createBirpc } from 'birpc'
import type { LabEvents } from '../common/api'
import { encodeFrame } from '../common/frame_codec'
import { stringifyMessage } from '../common/json_codec'
import { utf8Length } from '../common/websocket_limits'
import { InvalidCallError, isLabMethod } from '../host/api_schema'
import { ClientSession } from '../host/client_session'
import type { LabHost } from '../host/lab_host'
import { CLOSE_INTERNAL_ERROR, CLOSE_UNSUPPORTED_DATA, ProtocolError, parseClientCall } from './client_call'

export type ServerLog = (line: string) => void

/** A close reason fits in 123 bytes of UTF-8 (RFC 6455 §5.5: control frames carry at most 125). */
function closeReason(text: string): string {
  let reason = text
  while (utf8Length(reason) > 123) reason = reason.slice(0, -1)
  return reason
}

/** Closes with `code` and a reason, once; later calls do nothing. */
function closeWith(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState === ws.OPEN) ws.close(code, closeReason(reason))
}

export function bindClient(ws: WebSocket, host: LabHost, log: ServerLog): void {
  // ws closes the connection itself (1002 protocol error, 1007 bad UTF-8, 1009 too big) and
  // then reports it here; without this listener the report would end the process.
  ws.on('error', (e) => log(`websocket closed: ${e.message}`))

  const session = new ClientSession(host)
  const rpc = createBirpc<Omit<LabEvents, 'frame'>, typeof session.api>(session.api, {
    post: (data: string) => {
      if (ws.readyState === ws.OPEN) ws.send(data)
    },
    on: (fn) => {
      ws.on('message', (data, isBinary) => {
        if (isBinary) return closeWith(ws, CLOSE_UNSUPPORTED_DATA, 'binary messages are not accepted')
        void Promise.resolve(fn(data.toString())).catch((e: unknown) => fail(e))
      })
    },
    serialize: stringifyMessage,
    deserialize: (text: string) => parseClientCall(text),
    eventNames: ['status', 'events', 'menu', 'task', 'library', 'stateProgress'],
    resolver: (name, fn) =>
      isLabMethod(name)
        ? fn
        : () => {
            throw new InvalidCallError(`${JSON.stringify(name)} is not a lab API method`)
          },
    // A message birpc cannot take (a ProtocolError from deserialize) or an answer it cannot send.
    onGeneralError: (e) => {
      fail(e)
      return true
    },
    // A method that threw: the page gets the error as the call's answer; only the unexpected is logged.
    onFunctionError: (e, method) => {
      if (!(e instanceof InvalidCallError)) log(`lab API ${method} failed: ${e instanceof Error ? e.message : String(e)}`)
      return false
    },
    timeout: 10 * 60_000,
  })
  session.connect({
    frame: (runId, rows, data) => {
      if (ws.readyState === ws.OPEN) ws.send(encodeFrame(runId, rows, data))
    },
    status: (status) => push(rpc.status(status)),
    events: (runId, events) => push(rpc.events(runId, events)),
    menu: (command) => push(rpc.menu(command)),
    task: (task) => push(rpc.task(task)),
    library: (info, removed) => push(rpc.library(info, removed)),
    stateProgress: (progress) => push(rpc.stateProgress(progress)),
  })

  function push(sent: Promise<unknown>): void {
    sent.catch((e: unknown) => fail(e))
  }

  function fail(e: unknown): void {
    if (e instanceof ProtocolError) return closeWith(ws, e.closeCode, e.message)
    log(`websocket: internal error: ${e instanceof Error ? e.message : String(e)}`)
    closeWith(ws, CLOSE_INTERNAL_ERROR, 'internal error')
  }

  ws.on('close', () => {
    session.close()
    rpc.$close()
  })
}
