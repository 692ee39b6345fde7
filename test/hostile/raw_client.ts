// Raw sockets for hostile tests of the browser-mode server: bytes exactly as written (a malformed
// request line, a frame no WebSocket library would send), and what came back: an HTTP status, a
// WebSocket close code, a reset, or nothing (a hang).
import { connect, type Socket } from 'node:net'

export interface ServerTarget {
  readonly port: number
  readonly token: string
}

export type Outcome =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'close'; readonly code: number; readonly reason: string }
  | { readonly kind: 'reset'; readonly detail: string }
  | { readonly kind: 'hang' }

export const describeOutcome = (o: Outcome): string =>
  o.kind === 'status' ? `HTTP ${o.status}` : o.kind === 'close' ? `close ${o.code}${o.reason ? ` (${o.reason})` : ''}` : o.kind === 'reset' ? `reset: ${o.detail}` : 'no answer (hang)'

export const origin = (t: ServerTarget): string => `http://127.0.0.1:${t.port}`

/** The opening handshake a browser on the lab's page sends (RFC 6455 §4.1), as bytes. */
export function upgradeRequest(t: ServerTarget, target = `/ws?token=${t.token}`, extraHeaders = ''): Buffer {
  return Buffer.from(
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nOrigin: ${origin(t)}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extraHeaders}\r\n`,
    'latin1',
  )
}

export interface FrameSpec {
  readonly opcode: number
  readonly payload?: Buffer
  readonly fin?: boolean
  /** RSV1..3 as the three bits 0b100, 0b010, 0b001. */
  readonly rsv?: number
  /** Client frames must be masked (RFC 6455 §5.3); false sends one unmasked. */
  readonly masked?: boolean
}

/** One WebSocket frame. The masking key is zero, so the payload bytes go out as they are. */
export function frame(spec: FrameSpec): Buffer {
  const payload = spec.payload ?? Buffer.alloc(0)
  const masked = spec.masked ?? true
  const first = ((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | (spec.opcode & 0x0f)
  const maskBit = masked ? 0x80 : 0
  let header: Buffer
  if (payload.length < 126) header = Buffer.from([first, maskBit | payload.length])
  else if (payload.length < 65536) {
    header = Buffer.alloc(4)
    header[0] = first
    header[1] = maskBit | 126
    header.writeUInt16BE(payload.length, 2)
  } else {
    header = Buffer.alloc(10)
    header[0] = first
    header[1] = maskBit | 127
    header.writeBigUInt64BE(BigInt(payload.length), 2)
  }
  return Buffer.concat([header, masked ? Buffer.alloc(4) : Buffer.alloc(0), payload])
}

export const textFrame = (text: string | Buffer): Buffer => frame({ opcode: 0x1, payload: typeof text === 'string' ? Buffer.from(text) : text })

/** A close frame from the server, if `data` holds one: its code and reason. */
function findClose(data: Buffer): { code: number; reason: string } | null {
  let at = 0
  while (at + 2 <= data.length) {
    const opcode = data[at] & 0x0f
    let length = data[at + 1] & 0x7f
    let start = at + 2
    if (length === 126) {
      if (start + 2 > data.length) return null
      length = data.readUInt16BE(start)
      start += 2
    } else if (length === 127) {
      if (start + 8 > data.length) return null
      length = Number(data.readBigUInt64BE(start))
      start += 8
    }
    if (start + length > data.length) return null
    if (opcode === 0x8) {
      const body = data.subarray(start, start + length)
      return body.length >= 2 ? { code: body.readUInt16BE(0), reason: body.subarray(2).toString() } : { code: 1005, reason: '' }
    }
    at = start + length
  }
  return null
}

interface Exchange {
  /** Bytes sent once connected. */
  readonly request: Buffer
  /** Bytes sent after a 101 answer to `request`; absent for plain HTTP. */
  readonly frames?: Buffer
}

/**
 * Sends `request` (and, once the server switched protocols, `frames`) and resolves with the first
 * answer: the HTTP status (for plain HTTP or a refused upgrade) or the close frame of the WebSocket.
 */
export function exchange(t: ServerTarget, ex: Exchange, timeoutMs = 10_000): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: '127.0.0.1', port: t.port })
    let received = Buffer.alloc(0)
    let upgraded = false
    let done = false
    const finish = (o: Outcome): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve(o)
    }
    const timer = setTimeout(() => finish({ kind: 'hang' }), timeoutMs)
    // Writes to a socket the server already closed fail with EPIPE/ECONNRESET: that is the answer
    // arriving early, not an error of the test; what was read decides.
    socket.on('error', (e) => finish({ kind: 'reset', detail: e.message }))
    socket.on('close', () => finish({ kind: 'reset', detail: `closed after ${received.length} bytes without an answer` }))
    socket.on('connect', () => socket.write(ex.request))
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      if (!upgraded) {
        const end = received.indexOf('\r\n\r\n')
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(received.subarray(0, Math.max(0, end === -1 ? received.length : end)).toString('latin1'))
        if (status === null) return
        if (status[1] !== '101' || ex.frames === undefined) return finish({ kind: 'status', status: Number(status[1]) })
        if (end === -1) return
        upgraded = true
        received = received.subarray(end + 4)
        socket.write(ex.frames)
      }
      const close = findClose(received)
      if (close) finish({ kind: 'close', ...close })
    })
  })
}
