// Browser mode: the built renderer over http and the lab API over WebSocket, on loopback only.
// Nobody but the person who launched it may drive it: the WebSocket needs the per-launch token,
// an Origin of this very server and a Host naming loopback (DNS-rebinding guard).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { createBirpc } from 'birpc'
import type { LabEvents } from '../common/api'
import { encodeFrame } from '../common/frame_codec'
import { parseMessage, stringifyMessage } from '../common/json_codec'
import { isLabMethod, validatedApi } from '../host/api_schema'
import type { LabHost } from '../host/lab_host'

export interface LabServerOptions {
  readonly host: LabHost
  /** The built renderer (out/web). */
  readonly staticDir: string
  /** 0 picks a free port. */
  readonly port?: number
  readonly token?: string
}

export interface LabServer {
  readonly url: string
  readonly port: number
  readonly token: string
  close(): Promise<void>
}

const BIND_ADDRESS = '127.0.0.1'
const MAX_MESSAGE_BYTES = 96 * 1024 * 1024

/** The same policy the desktop window gets (src/main): scripts only from ourselves. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
}

const sameSecret = (given: string | null, token: string): boolean => {
  if (given === null) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Host header values that name this server on loopback. */
const allowedHosts = (port: number): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`])
const allowedOrigins = (port: number): Set<string> => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`])

export async function startLabServer(options: LabServerOptions): Promise<LabServer> {
  const token = options.token ?? randomBytes(24).toString('base64url')
  let port = 0
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })

  const server: Server = createServer((req, res) => {
    void serveStatic(req, res, options.staticDir, port)
  })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = refuseUpgrade(req, port, token)
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => bindClient(ws, options.host))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, BIND_ADDRESS, () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address')
  port = address.port
  return {
    url: `http://${BIND_ADDRESS}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      for (const ws of wss.clients) ws.terminate()
      wss.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Why a WebSocket upgrade is refused (an HTTP status line), or null to accept it. */
export function refuseUpgrade(req: IncomingMessage, port: number, token: string): string | null {
  const url = new URL(req.url ?? '/', 'http://invalid')
  if (url.pathname !== '/ws') return '404 Not Found'
  if (!allowedHosts(port).has(req.headers.host ?? '')) return '403 Forbidden'
  if (!allowedOrigins(port).has(req.headers.origin ?? '')) return '403 Forbidden'
  if (!sameSecret(url.searchParams.get('token'), token)) return '401 Unauthorized'
  return null
}

function bindClient(ws: WebSocket, host: LabHost): void {
  const api = validatedApi(host)
  const rpc = createBirpc<Omit<LabEvents, 'frame'>, typeof api>(api, {
    post: (data: string) => {
      if (ws.readyState === ws.OPEN) ws.send(data)
    },
    on: (fn) => {
      ws.on('message', (data, isBinary) => {
        // The browser only ever sends JSON calls; anything else ends the connection.
        if (isBinary) return ws.close(1003, 'binary messages are not accepted')
        fn(data.toString())
      })
    },
    serialize: stringifyMessage,
    deserialize: (v: string) => parseMessage(v),
    eventNames: ['status', 'events', 'menu', 'task'],
    resolver: (name, fn) => (isLabMethod(name) ? fn : undefined),
    timeout: 10 * 60_000,
  })
  const client: LabEvents = {
    frame: (runId, rows, data) => {
      if (ws.readyState === ws.OPEN) ws.send(encodeFrame(runId, rows, data))
    },
    status: (status) => void rpc.status(status),
    events: (runId, events) => void rpc.events(runId, events),
    menu: (command) => void rpc.menu(command),
    task: (task) => void rpc.task(task),
  }
  const remove = host.addClient(client)
  ws.on('close', () => {
    remove()
    rpc.$close()
  })
}

async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, port: number): Promise<void> {
  const headers = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  }
  if (!allowedHosts(port).has(req.headers.host ?? '')) {
    res.writeHead(403, headers).end('forbidden host\n')
    return
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, headers).end()
    return
  }
  const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://invalid').pathname)
  const relative = normalize(pathname === '/' ? '/index.html' : pathname)
  const file = join(root, relative)
  if (!file.startsWith(root + sep)) {
    res.writeHead(404, headers).end()
    return
  }
  try {
    const info = await stat(file)
    if (!info.isFile()) throw new Error('not a file')
    const body = await readFile(file)
    res.writeHead(200, { ...headers, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' })
    res.end(req.method === 'HEAD' ? undefined : body)
  } catch {
    res.writeHead(404, headers).end('not found\n')
  }
}
