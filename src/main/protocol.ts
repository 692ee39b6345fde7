// Serves the built renderer from a custom, privileged scheme instead of file:// (security
// checklist item 18), with the Content-Security-Policy on every response. Whatever the request,
// the handler answers (400, 404, 405 or the file) and never throws.
import { net, protocol } from 'electron'
import { stat } from 'node:fs/promises'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'

export const APP_SCHEME = 'prlab'
export const APP_HOST = 'app'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

/** Must run before app `ready`. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }])
}

const plain = (status: number, text: string): Response =>
  new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff' } })

/** The file under `rendererDir` a request URL names, or the status to answer instead. */
export function rendererFile(rendererDir: string, url: string): string | 400 | 404 {
  if (!URL.canParse(url)) return 400
  const parsed = new URL(url)
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host.toLowerCase() !== APP_HOST) return 404
  let pathname: string
  try {
    pathname = decodeURIComponent(parsed.pathname === '/' ? '/index.html' : parsed.pathname)
  } catch {
    return 400 // a malformed % escape
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return 400
  const root = resolve(rendererDir)
  const file = resolve(root, `.${pathname}`)
  const inside = relative(root, file)
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return 404
  return file
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

export async function answerAppRequest(rendererDir: string, request: Request): Promise<Response> {
  try {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed')
    const file = rendererFile(rendererDir, request.url)
    if (file === 400) return plain(400, 'bad request')
    if (file === 404 || !(await isFile(file))) return plain(404, 'not found')
    const response = await net.fetch(pathToFileURL(file).toString())
    const headers = new Headers(response.headers)
    headers.set('Content-Security-Policy', CSP)
    headers.set('X-Content-Type-Options', 'nosniff')
    return new Response(response.body, { status: response.status, headers })
  } catch {
    return plain(500, 'the file could not be read')
  }
}

export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => answerAppRequest(rendererDir, request))
}
