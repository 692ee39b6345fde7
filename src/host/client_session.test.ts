// Issue 9, limits: at most `maxRuns` runs go at once, with a refusal that says so; the runs a UI
// started are freed when it goes away (tab closed, page reloaded), and only those.
import { afterEach, describe, expect, it } from 'vitest'
import type { LabEvents, Result, RunStatus } from '../common/api'
import type { ExperimentInput } from '../common/experiment'
import { defaultExamplesDir } from './examples'
import { ClientSession } from './client_session'
import { DEFAULT_MAX_RUNS, LabHost } from './lab_host'
import { labClient } from './testing/lab_client'

const workerEntry = new URL('./engine_worker.ts', import.meta.url)
/** An hour of simulated time at a thousandth of real time: it is still going when the test ends. */
const slow: ExperimentInput = { format: 'page-reporting-lab/experiment', version: 1, durationMs: 3_600_000, guest: { memoryMiB: 128 } }
const SLOW_SPEED = 0.001
const quiet = labClient()

const hosts: LabHost[] = []
const newHost = (maxRuns?: number): LabHost => {
  const host = new LabHost({ mode: 'browser', version: 'test', examplesDir: defaultExamplesDir(), workerEntry, ...(maxRuns !== undefined ? { maxRuns } : {}) })
  hosts.push(host)
  return host
}
afterEach(() => {
  for (const h of hosts.splice(0)) h.dispose()
})

const start = (session: ClientSession): Promise<Result<RunStatus>> => session.api.startRun(slow, SLOW_SPEED) as Promise<Result<RunStatus>>
const runId = (r: Result<RunStatus>): string => {
  if (!r.ok) throw new Error(r.error.message)
  return r.value.runId
}

describe('run cap', () => {
  it(`refuses run ${DEFAULT_MAX_RUNS + 1} by default, saying how many go and what to do`, async () => {
    const host = newHost()
    for (let i = 0; i < DEFAULT_MAX_RUNS; i++) runId(await host.startRun(slow, SLOW_SPEED))
    const refused = await host.startRun(slow, SLOW_SPEED)
    expect(refused).toMatchObject({ ok: false, error: { code: 'limit' } })
    expect(!refused.ok && refused.error.message).toBe(`${DEFAULT_MAX_RUNS} runs are already going, the most this lab runs at once (${DEFAULT_MAX_RUNS}): stop one, or close the page that started it, then start this one`)
  })

  it('counts only runs that are going: a stopped run frees its place', async () => {
    const host = newHost(2)
    const first = runId(await host.startRun(slow, SLOW_SPEED))
    runId(await host.startRun(slow, SLOW_SPEED))
    expect((await host.startRun(slow, SLOW_SPEED)).ok).toBe(false)
    await host.control(first, 'stop')
    await expect.poll(async () => (await host.startRun(slow, SLOW_SPEED)).ok, { timeout: 20_000 }).toBe(true)
  })

  it('holds when calls race: ten starts at once against a cap of three', async () => {
    const host = newHost(3)
    const results = await Promise.all(Array.from({ length: 10 }, () => host.startRun(slow, SLOW_SPEED)))
    expect(results.filter((r) => r.ok)).toHaveLength(3)
    expect(results.filter((r) => !r.ok && r.error.code === 'limit')).toHaveLength(7)
  })
})

describe('ClientSession', () => {
  it('frees the runs its UI started when it closes, and leaves other UIs their runs', async () => {
    const host = newHost(2)
    const leaving = new ClientSession(host)
    const staying = new ClientSession(host)
    leaving.connect(quiet)
    staying.connect(quiet)
    const gone = runId(await start(leaving))
    const kept = runId(await start(staying))
    expect((await start(staying)).ok).toBe(false)
    leaving.close()
    expect(await host.control(gone, 'pause')).toMatchObject({ ok: false, error: { code: 'not-found' } })
    expect(await host.control(kept, 'pause')).toMatchObject({ ok: true })
    expect((await start(staying)).ok).toBe(true)
  })

  it('stops pushing to a closed UI, and does not tell the others about the runs it freed', async () => {
    const host = newHost()
    const seen: { who: string; status: RunStatus }[] = []
    const listener = (who: string): LabEvents => ({ ...quiet, status: (status) => seen.push({ who, status }) })
    const leaving = new ClientSession(host)
    const staying = new ClientSession(host)
    leaving.connect(listener('leaving'))
    staying.connect(listener('staying'))
    const gone = runId(await start(leaving))
    leaving.close()
    await new Promise((r) => setTimeout(r, 500))
    expect(seen.filter((s) => s.who === 'leaving' && s.status.state === 'error')).toEqual([])
    expect(seen.filter((s) => s.status.runId === gone && s.status.state === 'error')).toEqual([])
  })

  it('frees a run that finished starting after its UI left', async () => {
    const host = newHost(1)
    const session = new ClientSession(host)
    session.connect(quiet)
    const pending = start(session)
    session.close()
    const id = runId(await pending)
    expect(await host.control(id, 'pause')).toMatchObject({ ok: false, error: { code: 'not-found' } })
    expect((await host.startRun(slow, SLOW_SPEED)).ok).toBe(true)
  })
})
