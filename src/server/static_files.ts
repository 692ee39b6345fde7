// The built renderer over HTTP, read-only, from one folder. Every answer carries the security
// headers; the request target is parsed defensively (request_target.ts) and nothing outside the
// folder is ever read.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { parseRequestTarget } from './request_target'

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

/**
 * The same policy the desktop window gets (src/main), with the page's connections limited to
 * this very server: `host` is the request's Host header, already checked to name this server.
 */
export function contentSecurityPolicy(host: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ws://${host}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ')
}

export function securityHeaders(host: string): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(host),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  }
}

/** Serves `root` to a request whose Host the caller has checked. Never throws. */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, host: string): Promise<void> {
  const headers = securityHeaders(host)
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end()
    return
  }
  const target = parseRequestTarget(req.url)
  if (target === null) {
    res.writeHead(400, headers).end('bad request target\n')
    return
  }
  const base = resolve(root)
  const file = join(base, normalize(target.pathname === '/' ? '/index.html' : target.pathname))
  if (!file.startsWith(base + sep)) {
    res.writeHead(404, headers).end('not found\n')
    return
  }
  let body: Buffer
  try {
    const info = await stat(file)
    if (!info.isFile()) throw new Error('not a file')
    body = await readFile(file)
  } catch {
    if (!res.headersSent && !res.destroyed) res.writeHead(404, headers).end('not found\n')
    return
  }
  if (res.destroyed) return
  res.writeHead(200, { ...headers, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' })
  res.end(req.method === 'HEAD' ? undefined : body)
}
