// Issue 9: random bytes, request targets, WebSocket frames and messages thrown at an in-process
// browser-mode server (fast-check). Whatever arrives, the server answers or closes that one
// connection, never throws, and a legitimate client still works afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { connect } from 'node:net'
import WebSocket from 'ws'
import { LAB_METHODS } from '../host/api_schema'
import type { LabServer } from './lab_server'
import { exchange, frame, origin, upgradeRequest } from '../../test/hostile/raw_client'
import { LabProbe, stillServes } from '../../test/hostile/lab_probe'
import { startTestServer, type TestServer } from '../../test/hostile/test_server'

let lab: TestServer
let server: LabServer
let bystander: LabProbe

beforeAll(async () => {
  lab = await startTestServer({ log: () => undefined })
  server = lab.server
  bystander = await LabProbe.open(server)
})

afterAll(async () => {
  bystander.close()
  await lab.close()
})

const afterwards = async (): Promise<void> => {
  expect(await stillServes(server)).toBeNull()
  expect(await bystander.call('capabilities', [])).toMatchObject({ mode: 'browser' })
}

/** Sends `bytes`, then ends the connection: resolves true once the server closed it too. */
function sendAndEnd(bytes: Uint8Array, timeoutMs = 5_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: server.port })
    const timer = setTimeout(() => {
      socket.destroy()
      resolve(false)
    }, timeoutMs)
    socket.on('error', () => undefined)
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(true)
    })
    socket.on('connect', () => socket.end(bytes))
    socket.resume()
  })
}

/** Request targets: percent escapes right and wrong, any code point, the characters URLs care about. */
const targetChar = fc.oneof(
  fc.constantFrom('/', '%', '.', '?', '#', '&', '=', '[', ']', '@', ':', '\\', '+', '~'),
  fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, '0')}`),
  fc.constantFrom(...'0123456789abcdefABCDEF'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
)
const requestTarget = fc.oneof(
  fc.array(targetChar, { maxLength: 40 }).map((cs) => `/${cs.join('')}`),
  fc.array(targetChar, { maxLength: 40 }).map((cs) => cs.join('')),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
)

const randomFrame = fc.record({
  opcode: fc.integer({ min: 0, max: 15 }),
  fin: fc.boolean(),
  rsv: fc.integer({ min: 0, max: 7 }),
  masked: fc.boolean(),
  payload: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
})

/** Messages a confused or hostile page could send: JSON of any shape, calls with random arguments. */
const message = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json({ maxDepth: 6 }),
  fc.record({ t: fc.constantFrom('q', 's', 'x'), i: fc.string({ maxLength: 70 }), m: fc.oneof(fc.constantFrom(...LAB_METHODS, '__proto__', 'constructor', 'then'), fc.string()), a: fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 10 }) }).map((c) => JSON.stringify(c)),
)

describe('browser-mode server, fuzzed', () => {
  it('random bytes on a raw connection: the server closes it when the client ends', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        expect(await sendAndEnd(bytes)).toBe(true)
      }),
      { numRuns: 60 },
    )
    await afterwards()
  })

  it('random request targets, plain and as WebSocket upgrades: always an HTTP answer below 500', async () => {
    await fc.assert(
      fc.asyncProperty(requestTarget, fc.boolean(), async (target, upgrade) => {
        const clean = target.replace(/[\r\n ]/g, '')
        const request = upgrade ? upgradeRequest(server, clean) : Buffer.from(`GET ${clean} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`, 'utf8')
        const outcome = await exchange(server, { request }, 5_000)
        expect(outcome.kind).toBe('status')
        if (outcome.kind === 'status') expect(outcome.status).toBeLessThan(500)
      }),
      { numRuns: 150 },
    )
    await afterwards()
  })

  it('random WebSocket frames after the handshake: a close code or a connection still open, never a bare reset', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(randomFrame, { minLength: 1, maxLength: 4 }), async (frames) => {
        const outcome = await exchange(server, { request: upgradeRequest(server), frames: Buffer.concat(frames.map((f) => frame(f))) }, 300)
        expect(['close', 'hang']).toContain(outcome.kind)
      }),
      { numRuns: 150 },
    )
    await afterwards()
  })

  it('random text messages from a token holder: an answer, or that connection closed with 1007/1008', async () => {
    await fc.assert(
      fc.asyncProperty(message, async (text) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { headers: { Origin: origin(server) } })
        await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
        const result = await new Promise<string>((resolve) => {
          const timer = setTimeout(() => resolve('silent'), 300)
          ws.on('message', () => {
            clearTimeout(timer)
            resolve('answer')
          })
          ws.on('close', (code) => {
            clearTimeout(timer)
            resolve(`close ${code}`)
          })
          ws.send(text)
        })
        ws.terminate()
        expect(result).toMatch(/^(answer|silent|close 100[78])$/)
      }),
      { numRuns: 150 },
    )
    await afterwards()
  })
})
