// Issue 9, browser mode: each hostile input once against a real in-process server over real
// sockets. The answer must be the 4xx or close code the case names; afterwards the page still
// loads, a new client's call is answered, and a client connected all along still works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LabServer } from './lab_server'
import { SERVER_CASES } from '../../test/hostile/server_cases'
import { describeOutcome, exchange, upgradeRequest } from '../../test/hostile/raw_client'
import { LabProbe, stillServes } from '../../test/hostile/lab_probe'
import { startTestServer, type TestServer } from '../../test/hostile/test_server'

let lab: TestServer
let server: LabServer
let bystander: LabProbe
const logged: string[] = []

beforeAll(async () => {
  // A short headers timeout so the slow-loris case answers quickly; `npm run attack:server` uses the real one.
  lab = await startTestServer({ log: (line) => logged.push(line), headersTimeoutMs: 1_000 })
  server = lab.server
  bystander = await LabProbe.open(server)
})

afterAll(async () => {
  bystander.close()
  await lab.close()
})

describe('browser-mode server under hostile input', () => {
  it.each(SERVER_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const outcome =
      c.via === 'http' ? await exchange(server, { request: c.bytes(server) }) : await exchange(server, { request: upgradeRequest(server), frames: c.bytes(server) })
    expect(describeOutcome(outcome)).toMatch(new RegExp(`^${c.via === 'http' ? 'HTTP' : 'close'} ${c.expect}\\b`))
    expect(await stillServes(server)).toBeNull()
    expect(await bystander.call('capabilities', [])).toMatchObject({ mode: 'browser' })
  })

  it('logs what ws refused, one line each, without the process noticing', async () => {
    // its own refused frame: the log held one only when the case above had run first (shuffled, it had not)
    const unmasked = SERVER_CASES.find((c) => c.name === 'an unmasked client frame')
    if (unmasked === undefined) throw new Error('the unmasked-frame case is gone from server_cases.ts')
    const before = logged.length
    const outcome = await exchange(server, { request: upgradeRequest(server), frames: unmasked.bytes(server) })
    expect(describeOutcome(outcome)).toMatch(/^close 1002\b/)
    // ws logs through the error listener in the same tick as it sends the close frame
    expect(logged.slice(before).some((l) => /websocket closed: .*MASK/i.test(l))).toBe(true)
    expect(await bystander.call('capabilities', [])).toMatchObject({ mode: 'browser' })
  })
})
