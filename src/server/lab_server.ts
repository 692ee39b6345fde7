// Browser mode: the built renderer over http and the lab API over WebSocket, on loopback only.
// Nobody but the person who launched it may drive it: the WebSocket needs the per-launch token,
// an Origin of this very server and a Host naming loopback (DNS-rebinding guard). Nothing a
// client sends, however malformed, ends the process: a bad request gets a 4xx, a bad WebSocket
// message closes that one connection with a close code.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { MAX_CLIENT_MESSAGE_BYTES } from '../common/websocket_limits'
import type { LabHost } from '../host/lab_host'
import { bindClient, type ServerLog } from './client_socket'
import { listenOnLoopback } from './listen'
import { parseRequestTarget } from './request_target'
import { securityHeaders, serveStatic } from './static_files'

export interface LabServerOptions {
  readonly host: LabHost
  /** The built renderer (out/web). */
  readonly staticDir: string
  /** 0 picks a free port. Default 0. */
  readonly port?: number
  /** Fail when `port` is taken instead of trying the next ones (the user pinned it). Default true. */
  readonly strictPort?: boolean
  /** Told each time the wanted port is taken and the next one is tried. */
  readonly onPortInUse?: (port: number) => void
  readonly token?: string
  /** Where the server reports what it refused or failed at (one line each). Default: stderr. */
  readonly log?: ServerLog
  /** Time a client has to send its request headers. Default HEADERS_TIMEOUT_MS. */
  readonly headersTimeoutMs?: number
}

export interface LabServer {
  readonly url: string
  readonly port: number
  readonly token: string
  close(): Promise<void>
}

export const BIND_ADDRESS = '127.0.0.1'
/** Headers of a request must arrive within this time (slow-loris guard; pages send small GETs). */
export const HEADERS_TIMEOUT_MS = 10_000
/** A refused connection gets this long to read its answer before it is cut. */
const REFUSAL_LINGER_MS = 2_000

const sameSecret = (given: string | null, token: string): boolean => {
  if (given === null) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Host header values that name this server on loopback. */
const allowedHosts = (port: number): Set<string> => new Set([`${BIND_ADDRESS}:${port}`, `localhost:${port}`])
const allowedOrigins = (port: number): Set<string> => new Set([`http://${BIND_ADDRESS}:${port}`, `http://localhost:${port}`])

const defaultLog: ServerLog = (line) => console.error(`prlab server: ${line}`)

/** Answers a raw socket with a bare status and closes it; never throws. */
function refuse(socket: Duplex, status: string): void {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS).unref()
}

/** The status for a request Node's HTTP parser could not take (RFC 9110 §15.5). */
function clientErrorStatus(code: string | undefined): string {
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large'
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout'
  return '400 Bad Request'
}

export async function startLabServer(options: LabServerOptions): Promise<LabServer> {
  const token = options.token ?? randomBytes(24).toString('base64url')
  const log = options.log ?? defaultLog
  let port = 0
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES })

  const headersTimeoutMs = options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS
  // Node checks the timeouts every connectionsCheckingInterval (30 s by default): check often.
  const server: Server = createServer({ connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs) }, (req, res) => {
    const host = req.headers.host ?? ''
    if (!allowedHosts(port).has(host)) {
      res.writeHead(403, securityHeaders(`${BIND_ADDRESS}:${port}`)).end('forbidden host\n')
      return
    }
    serveStatic(req, res, options.staticDir, host).catch((e: unknown) => {
      log(`http: ${e instanceof Error ? e.message : String(e)}`)
      res.destroy()
    })
  })
  server.headersTimeout = headersTimeoutMs
  server.requestTimeout = 2 * headersTimeoutMs
  // Requests the parser refuses (bad request line, 1 MiB of headers, a timeout).
  server.on('clientError', (e: NodeJS.ErrnoException, socket: Duplex) => {
    if (e.code === 'ECONNRESET') socket.destroy()
    else refuse(socket, clientErrorStatus(e.code))
  })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands an upgrade's socket over without its own error listener.
    socket.on('error', () => socket.destroy())
    const refusal = refuseUpgrade(req, port, token)
    if (refusal) return refuse(socket, refusal)
    wss.handleUpgrade(req, socket, head, (ws) => bindClient(ws, options.host, log))
  })

  port = await listenOnLoopback(server, {
    address: BIND_ADDRESS,
    port: options.port ?? 0,
    strict: options.strictPort ?? true,
    ...(options.onPortInUse ? { onPortInUse: options.onPortInUse } : {}),
  })
  // After listening: errors of a running server (EMFILE on accept, ...) are reported, not fatal.
  server.on('error', (e) => log(`http server: ${e.message}`))
  return {
    url: `http://${BIND_ADDRESS}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      for (const ws of wss.clients) ws.terminate()
      wss.close()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
    },
  }
}

/** Why a WebSocket upgrade is refused (an HTTP status line), or null to accept it. */
export function refuseUpgrade(req: IncomingMessage, port: number, token: string): string | null {
  const target = parseRequestTarget(req.url)
  if (target === null) return '400 Bad Request'
  if (target.pathname !== '/ws') return '404 Not Found'
  if (!allowedHosts(port).has(req.headers.host ?? '')) return '403 Forbidden'
  if (!allowedOrigins(port).has(req.headers.origin ?? '')) return '403 Forbidden'
  if (!sameSecret(target.query.get('token'), token)) return '401 Unauthorized'
  return null
}
