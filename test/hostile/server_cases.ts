// The hostile inputs of issue 9 for browser mode, each with the answer the server must give:
// malformed HTTP gets a 4xx, a malformed WebSocket message or frame closes that connection with
// the RFC 6455 close code. Used by the regression tests (src/server/lab_server_hostile.test.ts)
// and by the scripted attack on a live server (scripts/attack/server.ts).
import { frame, textFrame, upgradeRequest, type ServerTarget } from './raw_client'

export interface ServerCase {
  readonly name: string
  /** Plain HTTP bytes, or frames sent after a valid (tokened) WebSocket handshake. */
  readonly via: 'http' | 'websocket'
  readonly bytes: (t: ServerTarget) => Buffer
  /** The HTTP status (via http) or the WebSocket close code (via websocket) expected. */
  readonly expect: number
}

const MIB = 1024 * 1024

const get = (target: string, extra = '') => (t: ServerTarget): Buffer =>
  Buffer.from(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\n${extra}\r\n`, 'latin1')

const http = (name: string, expect: number, bytes: (t: ServerTarget) => Buffer): ServerCase => ({ name, via: 'http', bytes, expect })
const ws = (name: string, expect: number, bytes: () => Buffer): ServerCase => ({ name, via: 'websocket', bytes, expect })
const call = (body: unknown): Buffer => textFrame(JSON.stringify(body))

export const SERVER_CASES: readonly ServerCase[] = [
  // Request targets that do not decode: each was an uncaught URIError (the process died).
  http('GET /% (a lone percent sign, no token needed)', 400, get('/%')),
  http('GET /%zz (not hex)', 400, get('/%zz')),
  http('GET /%E0%A4%A (truncated UTF-8 escape)', 400, get('/%E0%A4%A')),
  http('GET /%c0%ae%c0%ae/ (overlong UTF-8 dots)', 400, get('/%c0%ae%c0%ae/')),
  http('GET /%00 (NUL in the path)', 400, get('/%00')),
  http('GET http://[ (an absolute target that does not parse)', 400, (t) => Buffer.from(`GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\n\r\n`, 'latin1')),
  http('GET http://[ as a WebSocket upgrade with the token', 400, (t) => upgradeRequest(t, 'http://[')),
  http('upgrade to /% with the token', 400, (t) => upgradeRequest(t, '/%')),
  http('upgrade to /ws?token=%zz', 401, (t) => upgradeRequest(t, '/ws?token=%zz')),
  http('GET //evil.example/ (scheme-relative target)', 400, get('//evil.example/')),
  http('GET * (asterisk form)', 400, get('*')),
  http('GET /../../../etc/passwd', 404, get('/../../../etc/passwd')),
  http('GET /%2e%2e/%2e%2e/etc/passwd', 404, get('/%2e%2e/%2e%2e/etc/passwd')),
  http('GET /..%2f..%2fetc%2fpasswd', 404, get('/..%2f..%2fetc%2fpasswd')),
  http('Host: evil.example (DNS rebinding)', 403, (t) => Buffer.from(`GET / HTTP/1.1\r\nHost: evil.example:${t.port}\r\n\r\n`, 'latin1')),
  http('HTTP/1.1 without a Host', 400, () => Buffer.from('GET / HTTP/1.1\r\n\r\n', 'latin1')),
  http('POST with a body', 405, (t) => Buffer.from(`POST / HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nContent-Length: 5\r\n\r\nhello`, 'latin1')),
  http('1 MiB of headers', 431, get('/', `X-Padding: ${'a'.repeat(MIB)}\r\n`)),
  http('a 1 MiB request target', 431, get(`/${'a'.repeat(MIB)}`)),
  http('10,000 headers', 431, get('/', Array.from({ length: 10_000 }, (_, i) => `X-H${i}: v\r\n`).join(''))),
  http('headers that never end (slow loris)', 408, (t) => Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nX-Slow: `, 'latin1')),
  http('a request line of binary garbage', 400, () => Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a])),
  http('Content-Length and Transfer-Encoding together (smuggling)', 400, (t) =>
    Buffer.from(`POST / HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 'latin1'),
  ),
  http('WebSocket upgrade with a bad Sec-WebSocket-Version', 400, (t) =>
    Buffer.from(upgradeRequest(t).toString('latin1').replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 99'), 'latin1'),
  ),

  // Messages that are not lab API calls: the server closes that one connection.
  ws('a text frame that is not JSON', 1007, () => textFrame('hello, lab')),
  ws('an empty text frame', 1007, () => textFrame('')),
  ws('null', 1008, () => textFrame('null')),
  ws('a truncated call', 1007, () => textFrame('{"t":"q","i":"1","m":"listExamples","a":[')),
  ws('a call whose arguments are not a list', 1008, () => call({ t: 'q', i: '1', m: 'listExamples', a: 'x' })),
  ws('an answer (t: s) no call asked for', 1008, () => call({ t: 's', i: '1', r: 1 })),
  ws('a typed-array envelope of 5 bytes as Float64Array', 1007, () => call({ t: 'q', i: '1', m: 'validateExperiment', a: [{ $ta: 'Float64Array', $b: 'AAAAAAA=' }] })),
  ws('a typed-array envelope that is not base64', 1007, () => call({ t: 'q', i: '1', m: 'validateExperiment', a: [{ $ta: 'Uint8Array', $b: '%%%%' }] })),
  ws('100,000-deep nesting', 1008, () => textFrame(`{"t":"q","i":"1","m":"validateExperiment","a":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`)),
  ws('a 100 MiB frame', 1009, () => textFrame(Buffer.alloc(100 * MIB, 0x20))),
  ws('two fragments of 40 MiB (80 MiB message)', 1009, () =>
    Buffer.concat([frame({ opcode: 0x1, fin: false, payload: Buffer.alloc(40 * MIB, 0x20) }), frame({ opcode: 0x0, payload: Buffer.alloc(40 * MIB, 0x20) })]),
  ),
  ws('invalid UTF-8 in a text frame', 1007, () => textFrame(Buffer.from([0x7b, 0xc0, 0xae, 0xff, 0x7d]))),
  ws('an unmasked client frame', 1002, () => frame({ opcode: 0x1, payload: Buffer.from('{}'), masked: false })),
  ws('reserved data opcode 0x3', 1002, () => frame({ opcode: 0x3, payload: Buffer.from('x') })),
  ws('reserved control opcode 0xB', 1002, () => frame({ opcode: 0xb })),
  ws('RSV1 set without a negotiated extension', 1002, () => frame({ opcode: 0x1, rsv: 0b100, payload: Buffer.from('{}') })),
  ws('RSV2 and RSV3 set', 1002, () => frame({ opcode: 0x1, rsv: 0b011, payload: Buffer.from('{}') })),
  ws('a 126-byte ping', 1002, () => frame({ opcode: 0x9, payload: Buffer.alloc(126, 0x70) })),
  ws('a fragmented ping', 1002, () => frame({ opcode: 0x9, fin: false, payload: Buffer.from('p') })),
  ws('close code 999', 1002, () => frame({ opcode: 0x8, payload: Buffer.from([0x03, 0xe7]) })),
  ws('a close frame of one byte', 1002, () => frame({ opcode: 0x8, payload: Buffer.from([0x03]) })),
  ws('a close reason that is not UTF-8', 1007, () => frame({ opcode: 0x8, payload: Buffer.from([0x03, 0xe8, 0xc0, 0xae]) })),
  ws('a continuation frame with nothing to continue', 1002, () => frame({ opcode: 0x0, payload: Buffer.from('x') })),
  ws('a binary frame', 1003, () => frame({ opcode: 0x2, payload: Buffer.from([1, 2, 3]) })),
]
