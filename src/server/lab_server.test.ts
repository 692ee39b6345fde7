// Browser mode must not let anyone but the launcher drive the lab: loopback only, the launch
// token, this server's Origin and a loopback Host. Real server, real sockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { networkInterfaces } from 'node:os'
import { request } from 'node:http'
import { connect } from 'node:net'
import WebSocket from 'ws'
import type { LabServer } from './lab_server'
import { LabProbe } from '../../test/hostile/lab_probe'
import { startTestServer, type TestServer } from '../../test/hostile/test_server'

let lab: TestServer
let server: LabServer

beforeAll(async () => {
  lab = await startTestServer()
  server = lab.server
})

afterAll(() => lab.close())

/** Resolves with the HTTP status of a refused upgrade, or 101 when the socket opens. */
function upgradeStatus(path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`, { headers })
    ws.on('open', () => {
      ws.close()
      resolve(101)
    })
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    ws.on('error', (e) => reject(e))
  })
}

const origin = () => `http://127.0.0.1:${server.port}`

describe('browser-mode server', () => {
  it('prints a loopback URL carrying the token', () => {
    const url = new URL(server.url)
    expect(url.hostname).toBe('127.0.0.1')
    expect(url.searchParams.get('token')).toBe(server.token)
    expect(server.token.length).toBeGreaterThanOrEqual(32)
  })

  it('accepts the token holder from its own origin', async () => {
    expect(await upgradeStatus(`/ws?token=${server.token}`, { Origin: origin() })).toBe(101)
  })

  it('refuses a WebSocket without the token, or with a wrong one', async () => {
    expect(await upgradeStatus('/ws', { Origin: origin() })).toBe(401)
    expect(await upgradeStatus(`/ws?token=${server.token.slice(1)}x`, { Origin: origin() })).toBe(401)
  })

  it('refuses a WebSocket from another Origin, even with the token', async () => {
    expect(await upgradeStatus(`/ws?token=${server.token}`, { Origin: 'http://evil.example' })).toBe(403)
    expect(await upgradeStatus(`/ws?token=${server.token}`, { Origin: `http://127.0.0.1:${server.port + 1}` })).toBe(403)
    expect(await upgradeStatus(`/ws?token=${server.token}`, {})).toBe(403)
  })

  it('refuses a Host that is not loopback (DNS rebinding)', async () => {
    expect(await upgradeStatus(`/ws?token=${server.token}`, { Origin: origin(), Host: `attacker.example:${server.port}` })).toBe(403)
  })

  it('does not listen on other interfaces', async (ctx) => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)
    if (!external) return ctx.skip()
    const reached = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: external.address, port: server.port })
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    expect(reached).toBe(false)
  })

  it('serves the renderer with a CSP, and refuses foreign hosts and path traversal', async () => {
    const get = (path: string, hostHeader: string) =>
      new Promise<{ status: number; csp: string | undefined }>((resolve, reject) => {
        request({ host: '127.0.0.1', port: server.port, path, headers: { Host: hostHeader } }, (res) => {
          res.resume()
          resolve({ status: res.statusCode ?? 0, csp: res.headers['content-security-policy'] as string | undefined })
        })
          .on('error', reject)
          .end()
      })
    const index = await get('/', `127.0.0.1:${server.port}`)
    expect(index.status).toBe(200)
    expect(index.csp).toContain("script-src 'self'")
    // The page may connect to this server only, under the name it was loaded by.
    expect(index.csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port};`)
    expect(index.csp).not.toMatch(/\*|ws:(?!\/\/127)/)
    expect((await get('/', `localhost:${server.port}`)).csp).toContain(`connect-src 'self' ws://localhost:${server.port};`)
    expect((await get('/', `evil.example:${server.port}`)).status).toBe(403)
    expect((await get('/../package.json', `127.0.0.1:${server.port}`)).status).toBe(404)
    expect((await get('/%2e%2e/package.json', `127.0.0.1:${server.port}`)).status).toBe(404)
  })

  it('answers validated API calls and refuses invalid ones', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { headers: { Origin: origin() } })
    await new Promise((resolve) => ws.once('open', resolve))
    type Reply = { r?: unknown; e?: { message?: string } }
    const waiting = new Map<string, (reply: Reply) => void>()
    ws.on('message', (data, binary) => {
      if (binary) return
      const msg = JSON.parse(data.toString()) as { t: string; i: string } & Reply
      if (msg.t === 's') waiting.get(msg.i)?.(msg)
    })
    // the answer is awaited as it arrives (a poll's 1 s default was too short for a loaded machine)
    const call = (id: string, m: string, a: unknown[]): Promise<Reply> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${m}: no answer in 20 s`)), 20_000)
        waiting.set(id, (reply) => {
          clearTimeout(timer)
          resolve(reply)
        })
        ws.send(JSON.stringify({ t: 'q', i: id, m, a }))
      })
    const examples = (await call('1', 'listExamples', [])).r as { name: string }[]
    expect(examples.map((e) => e.name)).toContain('quick-drain-2g')
    expect((await call('2', 'openExample', [123])).e?.message).toMatch(/openExample: invalid argument/)
    expect((await call('3', 'constructor', [])).e?.message).toBe('"constructor" is not a lab API method')
    expect((await call('4', 'openExample', ['../../package'])).r).toMatchObject({ ok: false, error: { code: 'not-found' } })
    ws.close()
  })

  it('frees the runs of a page whose WebSocket closed (tab closed, page reloaded)', async () => {
    const doc = { format: 'page-reporting-lab/experiment', version: 1, durationMs: 3_600_000, guest: { memoryMiB: 128 } }
    const page = await LabProbe.open(server)
    const started = (await page.call('startRun', [doc, 0.001])) as { ok: boolean; value: { runId: string } }
    expect(started.ok).toBe(true)
    const other = await LabProbe.open(server)
    expect(await other.call('control', [started.value.runId, 'pause'])).toMatchObject({ ok: true })
    page.close()
    // the server frees them once it has seen the close: polled, with room for a loaded machine
    await expect
      .poll(async () => other.call('control', [started.value.runId, 'resume']), { timeout: 20_000, message: 'the closed page\'s run is still there' })
      .toMatchObject({ ok: false, error: { code: 'not-found' } })
    other.close()
  })
})
