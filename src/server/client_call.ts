// One text message from the page, parsed and checked before birpc sees it: the page only ever
// sends calls ({t:'q', i, m, a}). Whatever else arrives is a protocol error carrying the WebSocket
// close code (RFC 6455 §7.4.1) the connection is closed with; the server never throws on it.
import { z } from 'zod'
import { MAX_CLIENT_MESSAGE_DEPTH } from '../common/websocket_limits'
import { parseMessage } from '../common/json_codec'

/** 1003: a binary message; the page sends only text. */
export const CLOSE_UNSUPPORTED_DATA = 1003
/** 1007: the text is not JSON (or holds a typed array that does not decode). */
export const CLOSE_INVALID_PAYLOAD = 1007
/** 1008: JSON, but not a call this server answers (or nested deeper than any call is). */
export const CLOSE_POLICY_VIOLATION = 1008
/** 1011: the server failed to handle a message; a bug, logged. */
export const CLOSE_INTERNAL_ERROR = 1011

export class ProtocolError extends Error {
  constructor(
    readonly closeCode: number,
    message: string,
  ) {
    super(message)
  }
}

/** birpc's request envelope; `a` holds the method's arguments, validated later per method. */
const CALL = z.strictObject({
  t: z.literal('q'),
  i: z.string().min(1).max(64).optional(),
  m: z.string().min(1).max(64),
  a: z.array(z.unknown()).max(8),
  o: z.boolean().optional(),
})

export type ClientCall = z.infer<typeof CALL>

/**
 * True when `text` nests arrays/objects deeper than `maxDepth`: checked before JSON.parse, whose
 * reviver (and everything after it) recurses once per level.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}

export function parseClientCall(text: string): ClientCall {
  if (nestsDeeperThan(text, MAX_CLIENT_MESSAGE_DEPTH)) throw new ProtocolError(CLOSE_POLICY_VIOLATION, `nested deeper than ${MAX_CLIENT_MESSAGE_DEPTH} levels`)
  let value: unknown
  try {
    value = parseMessage(text)
  } catch (e) {
    throw new ProtocolError(CLOSE_INVALID_PAYLOAD, `not a JSON call: ${e instanceof Error ? e.message : String(e)}`)
  }
  const call = CALL.safeParse(value)
  if (!call.success) {
    const issue = call.error.issues[0]
    throw new ProtocolError(CLOSE_POLICY_VIOLATION, `not a lab API call: ${issue.path.join('.') || 'message'}: ${issue.message}`)
  }
  return call.data
}
