// The past-state API (LabHost.stateAt): the state at a time equals the live state when the run
// was at that time. A mid-run buddyinfo equals the nr_free columns of that sample row; the end
// state recomputed after the run is gone from memory equals what `prlab run` wrote in
// buddyinfo.txt and what the live engine answered at the end; a newer request supersedes an
// older one for another time.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { GuestState, LabEvents, RunStatus } from '../common/api'
import type { ExperimentInput } from '../common/experiment'
import { defaultExamplesDir } from './examples'
import { validateDocument } from './experiment_io'
import { LabHost } from './lab_host'
import { RunLibrary } from './run_library'
import { runHeadless } from './run_headless'
import { Recorder } from './recorder'
import { buddyinfoAt } from './snapshot'
import { runFromUploads } from './run_folder'
import { createSimulation } from '../engine/simulation'

const dir = mkdtempSync(join(tmpdir(), 'prlab-past-state-'))
const library = new RunLibrary(join(dir, 'runs'))
const kept = new Map<string, () => void>()
const host = new LabHost({ mode: 'browser', version: 'test', examplesDir: defaultExamplesDir(), workerEntry: new URL('./engine_worker.ts', import.meta.url), library })
const progress: number[] = []
const stages = new Set<string | undefined>()
host.addClient({
  frame: () => undefined,
  events: () => undefined,
  menu: () => undefined,
  task: () => undefined,
  status: () => undefined,
  stateProgress: (p) => {
    progress.push(p.fraction)
    stages.add(p.stage)
  },
  library: (info) => kept.get(info.id)?.(),
} satisfies LabEvents)
afterAll(() => {
  host.dispose()
  rmSync(dir, { recursive: true, force: true })
})

const churn: ExperimentInput = {
  format: 'page-reporting-lab/experiment',
  version: 1,
  name: 'churn for past states',
  seed: 7,
  durationMs: 12_000,
  guest: { memoryMiB: 1024 },
  workload: { phases: [{ op: 'alloc', mib: 600 }, { op: 'free', fraction: 1 }, { op: 'churn', durationMs: 8000, rateMiBps: 64, liveMiB: 128 }] },
}

/** Runs to the end and waits until the library has kept it. */
async function run(document: ExperimentInput): Promise<RunStatus> {
  let resolveEnd: (s: RunStatus) => void = () => undefined
  const ended = new Promise<RunStatus>((r) => (resolveEnd = r))
  let id = ''
  const off = host.addClient({
    frame: () => undefined,
    events: () => undefined,
    menu: () => undefined,
    task: () => undefined,
    library: () => undefined,
    stateProgress: () => undefined,
    status: (s) => {
      if (s.runId === id && s.state === 'finished') resolveEnd(s)
    },
  })
  const started = await host.startRun(document, null)
  if (!started.ok) throw new Error(started.error.message)
  id = started.value.runId
  const keptNow = new Promise<void>((r) => kept.set(id, r))
  const end = await ended
  off()
  await keptNow
  return end
}

const tables = (s: GuestState) => {
  if (!s.tables) throw new Error('no tables')
  return s.tables
}

describe('stateAt', () => {
  it('a mid-run state equals the sample row of that time; the end state equals the live engine and buddyinfo.txt', async () => {
    const end = await run(churn)
    const rows = await library.times(end.runId)
    const recorder = new Recorder()
    recorder.appendRows(await library.rows(end.runId, 0, rows.length), rows.length)
    // mid-run times, between samples too: the sample at or before
    for (const t of [0, 2150, 5000, 7777, 11_900]) {
      const past = await host.stateAt(end.runId, t, { tables: true })
      if (!past.ok) throw new Error(past.error.message)
      const row = recorder.rowIndexAt(t)
      expect(past.value.t_ms).toBe(recorder.timeOfRow(row))
      expect(past.value.live).toBe(false)
      const zones = [...tables(past.value).buddyinfo.matchAll(/zone\s+(\S+)/g)].map((m) => m[1])
      expect(tables(past.value).buddyinfo).toBe(buddyinfoAt(recorder, t, zones))
    }
    const live = await host.stateAt(end.runId, null, { tables: true, map: { startPfn: 0, endPfn: 262_144, cells: 4096 } })
    if (!live.ok) throw new Error(live.error.message)
    expect(live.value.live).toBe(true)
    // the run leaves memory (its page went away): its end state is recomputed from the library
    host.disposeRun(end.runId)
    const again = await host.stateAt(end.runId, 60_000, { tables: true, map: { startPfn: 0, endPfn: 262_144, cells: 4096 } })
    if (!again.ok) throw new Error(again.error.message)
    expect(again.value.live).toBe(false)
    expect(again.value.t_ms).toBe(12_000)
    expect(tables(again.value).buddyinfo).toBe(tables(live.value).buddyinfo)
    expect(tables(again.value).pagetypeinfo).toBe(tables(live.value).pagetypeinfo)
    expect(Array.from(again.value.map?.states ?? [])).toEqual(Array.from(live.value.map?.states ?? []))
    const out = join(dir, 'cli')
    const valid = validateDocument(churn)
    if (!valid.ok) throw new Error(valid.error.message)
    await runHeadless(valid.value, out)
    expect(tables(again.value).buddyinfo).toBe(readFileSync(join(out, 'buddyinfo.txt'), 'utf8'))
    // per-migratetype counts add up to buddyinfo's
    const b = tables(again.value).buddyinfo
    for (const z of tables(again.value).freeArea.zones) {
      const line = b.split('\n').find((l) => new RegExp(`zone\\s+${z.name}\\s`).test(l)) ?? ''
      const counts = line.replace(/^.*zone\s+\S+\s+/, '').trim().split(/\s+/).map(Number)
      expect(counts).toEqual(Array.from({ length: 11 }, (_, o) => z.free.reduce((n, mt) => n + mt[o], 0)))
    }
    expect(progress.length).toBeGreaterThan(0)
    // the first requests wait for the index to reach their time, and say so
    expect(stages.has('indexing')).toBe(true)
  }, 120_000)

  it('past states asked for in any order (back and forth, from the checkpoints) equal the sample rows and a re-simulation from t = 0', async () => {
    const document = { ...churn, seed: 9 }
    const end = await run(document)
    host.disposeRun(end.runId)
    const rows = await library.times(end.runId)
    const recorder = new Recorder()
    recorder.appendRows(await library.rows(end.runId, 0, rows.length), rows.length)
    const valid = validateDocument(document)
    if (!valid.ok) throw new Error(valid.error.message)
    for (const t of [11_900, 300, 7_050, 7_050, 2_150, 9_999, 0, 5_000, 4_900]) {
      const past = await host.stateAt(end.runId, t, { tables: true, map: { startPfn: 0, endPfn: 262_144, cells: 1024 } })
      if (!past.ok) throw new Error(past.error.message)
      const row = recorder.rowIndexAt(t)
      expect(past.value.t_ms).toBe(recorder.timeOfRow(row))
      const zones = [...tables(past.value).buddyinfo.matchAll(/zone\s+(\S+)/g)].map((m) => m[1])
      expect(tables(past.value).buddyinfo).toBe(buddyinfoAt(recorder, t, zones))
      const fromZero = createSimulation(valid.value, { sample: () => undefined, event: () => undefined })
      expect(fromZero.advanceToSample(past.value.t_ms)).toBe(true)
      expect(tables(past.value).pagetypeinfo).toBe(fromZero.pagetypeinfo())
      expect(tables(past.value).freeArea).toEqual(fromZero.freeArea())
      expect(Array.from(past.value.map?.states ?? [])).toEqual(Array.from(fromZero.memoryMap(0, 262_144, 1024).states))
    }
  }, 120_000)

  it('a request for another time supersedes the one in flight (it answers cancelled); the same time is shared', async () => {
    const end = await run({ ...churn, seed: 8 })
    host.disposeRun(end.runId)
    const before = progress.length
    const firstCall = host.stateAt(end.runId, 11_000, { tables: true })
    // once the re-simulation toward 11 s reports progress, ask for 3 s, twice
    await expect.poll(() => progress.length, { interval: 5, timeout: 60_000, message: 'the re-simulation toward 11 s never reported progress' }).toBeGreaterThan(before)
    const [first, second, third] = await Promise.all([firstCall, host.stateAt(end.runId, 3000, { tables: true }), host.stateAt(end.runId, 3000, { pfn: 300 })])
    expect(!first.ok && first.error.code).toBe('cancelled')
    expect(second.ok && second.value.t_ms).toBe(3000)
    expect(third.ok && third.value.page?.pfn).toBe(300)
  }, 120_000)

  it('says why a run without its experiment has no past states, and refuses an unknown run', async () => {
    const opened = runFromUploads([{ name: 'samples.csv', text: 't_ms,free_kib\n0,1\n100,2\n' }])
    if (!opened.ok) throw new Error(opened.error.message)
    await library.keep(opened.value)
    const none = await host.stateAt(opened.value.id, 50, { tables: true })
    expect(!none.ok && none.error.message).toMatch(/without experiment\.prlab\.json: its past states cannot be recomputed/)
    const unknown = await host.stateAt('00000000-0000-4000-8000-000000000000', 10, { tables: true })
    expect(!unknown.ok && unknown.error.code).toBe('not-found')
  })
})
