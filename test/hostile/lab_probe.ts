// A legitimate user of the browser-mode server: the page's GET and a WebSocket client calling the
// lab API as the renderer does. Hostile tests check after each attack that these still work.
import { request } from 'node:http'
import WebSocket from 'ws'
import { origin, type ServerTarget } from './raw_client'

/** Resolves with the status of GET `path` with this server's Host header. */
export function getStatus(t: ServerTarget, path = '/', timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: t.port, path, headers: { Host: `127.0.0.1:${t.port}` }, timeout: timeoutMs }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer in ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end()
  })
}

/** A WebSocket client holding the token, sending birpc calls as the renderer does. */
export class LabProbe {
  private next = 1
  private readonly replies = new Map<string, (msg: { r?: unknown; e?: unknown }) => void>()
  closeCode: number | null = null

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data, binary) => {
      if (binary) return
      const msg = JSON.parse(data.toString()) as { t?: string; i?: string; r?: unknown; e?: unknown }
      if (msg.t === 's' && msg.i !== undefined) this.replies.get(msg.i)?.(msg)
    })
    ws.on('close', (code) => (this.closeCode = code))
    ws.on('error', () => undefined)
  }

  static open(t: ServerTarget, timeoutMs = 10_000): Promise<LabProbe> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${t.port}/ws?token=${t.token}`, { headers: { Origin: origin(t) } })
      const timer = setTimeout(() => {
        ws.terminate()
        reject(new Error(`WebSocket did not open in ${timeoutMs} ms`))
      }, timeoutMs)
      ws.once('open', () => {
        clearTimeout(timer)
        resolve(new LabProbe(ws))
      })
      ws.once('error', (e) => {
        clearTimeout(timer)
        reject(e)
      })
    })
  }

  /** One call; resolves with its answer, rejects with its error or after `timeoutMs`. */
  call(method: string, args: unknown[], timeoutMs = 10_000): Promise<unknown> {
    const id = String(this.next++)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(id)
        reject(new Error(`${method}: no answer in ${timeoutMs} ms`))
      }, timeoutMs)
      this.replies.set(id, (msg) => {
        clearTimeout(timer)
        this.replies.delete(id)
        if (msg.e !== undefined) reject(new Error(`${method}: ${JSON.stringify(msg.e)}`))
        else resolve(msg.r)
      })
      this.ws.send(JSON.stringify({ t: 'q', i: id, m: method, a: args }))
    })
  }

  close(): void {
    this.ws.close()
  }
}

/** The page loads and a fresh client's call is answered: the server still serves. */
export async function stillServes(t: ServerTarget): Promise<string | null> {
  try {
    const status = await getStatus(t)
    if (status !== 200) return `GET / answered ${status}`
    const probe = await LabProbe.open(t)
    try {
      const examples = await probe.call('listExamples', [])
      if (!Array.isArray(examples) || examples.length === 0) return `listExamples answered ${JSON.stringify(examples)}`
    } finally {
      probe.close()
    }
    return null
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  }
}
