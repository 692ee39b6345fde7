// A real run through the lab host and its engine worker: whatever mix of flat-out preview and
// full frames the UI got, it ends up with every recorded row exactly once, in order.
import { afterAll, describe, expect, it } from 'vitest'
import type { RunStatus } from '../common/api'
import type { ExperimentInput } from '../common/experiment'
import { COL, NR_SAMPLE_COLUMNS } from '../common/samples'
import { defaultExamplesDir } from './examples'
import { LabHost } from './lab_host'
import { labClient, runEnded } from './testing/lab_client'

const host = new LabHost({ mode: 'browser', version: 'test', examplesDir: defaultExamplesDir(), workerEntry: new URL('./engine_worker.ts', import.meta.url) })
afterAll(() => host.dispose())

const DURATION_MS = 300_000
const INTERVAL_MS = 10
const experiment: ExperimentInput = {
  format: 'page-reporting-lab/experiment',
  version: 1,
  durationMs: DURATION_MS,
  guest: { memoryMiB: 512 },
  workload: { phases: [{ op: 'alloc', mib: 256, durationMs: 1000 }, { op: 'free', fraction: 1 }, { op: 'idle', ms: 60_000 }] },
  recorder: { sampleIntervalMs: INTERVAL_MS },
}

/** Runs flat out, optionally pausing and resuming at the first frame; returns the UI's t_ms and the end. */
async function runAsUi(pauseAtFirstFrame: boolean): Promise<{ times: number[]; end: RunStatus }> {
  let id = ''
  let times: number[] = []
  let paused = false
  let resolveEnd: (s: RunStatus) => void = () => undefined
  const ended = new Promise<RunStatus>((r) => (resolveEnd = r))
  const client = labClient({
    frame: (runId, rows, data) => {
      if (rows === 0) return
      const first_ms = data[COL.t_ms]
      times = times.filter((t) => t < first_ms)
      for (let r = 0; r < rows; r++) times.push(data[r * NR_SAMPLE_COLUMNS + COL.t_ms])
      if (pauseAtFirstFrame && !paused && runId === id) {
        paused = true
        void host.control(id, 'pause').then(() => host.control(id, 'resume'))
      }
    },
    status: (s) => {
      if (s.runId === id && runEnded(s)) resolveEnd(s)
    },
  })
  const disconnect = host.addClient(client)
  try {
    const started = await host.startRun(experiment, null)
    if (!started.ok) throw new Error(started.error.message)
    id = started.value.runId
    const end = await ended
    return { times, end }
  } finally {
    disconnect()
  }
}

const expected = Array.from({ length: DURATION_MS / INTERVAL_MS + 1 }, (_, i) => i * INTERVAL_MS)

describe('Run: the UI after a flat-out run', () => {
  it('holds every recorded row once, in order', async () => {
    const { times, end } = await runAsUi(false)
    expect(end.state).toBe('finished')
    expect(end.rows).toBe(expected.length)
    expect(times).toEqual(expected)
  })

  it('holds every row once after a pause and resume in the middle', async () => {
    const { times, end } = await runAsUi(true)
    expect(end.state).toBe('finished')
    expect(times).toEqual(expected)
  })
})

describe('Run: pause and step answer with where the engine stopped', () => {
  it('says "paused" only with the time the engine paused at, and a step with the time it reached', async () => {
    const churning: ExperimentInput = {
      format: 'page-reporting-lab/experiment',
      version: 1,
      durationMs: 3_600_000,
      guest: { memoryMiB: 512 },
      workload: { phases: [{ op: 'alloc', mib: 256 }, { op: 'churn', durationMs: 3_600_000, rateMiBps: 64, liveMiB: 64 }] },
      recorder: { sampleIntervalMs: 100 },
    }
    let id = ''
    const statuses: RunStatus[] = []
    let framed: () => void = () => undefined
    const firstFrame = new Promise<void>((r) => (framed = r))
    const disconnect = host.addClient(
      labClient({
        frame: (runId, rows) => {
          if (runId === id && rows > 0) framed()
        },
        status: (s) => {
          if (s.runId === id) statuses.push(s)
        },
      }),
    )
    const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 300))
    try {
      const started = await host.startRun(churning, null)
      if (!started.ok) throw new Error(started.error.message)
      id = started.value.runId
      await firstFrame
      const paused = await host.control(id, 'pause')
      if (!paused.ok) throw new Error(paused.error.message)
      expect(paused.value.state).toBe('paused')
      await settle()
      // every status that says paused, pushed or answered, carries the time the engine paused at
      const sawPaused = statuses.filter((s) => s.state === 'paused')
      expect(sawPaused.length).toBeGreaterThan(0)
      expect(sawPaused.map((s) => s.sim_ms)).toEqual(sawPaused.map(() => paused.value.sim_ms))
      expect(statuses.at(-1)?.sim_ms).toBe(paused.value.sim_ms)

      const stepped = await host.control(id, 'step')
      if (!stepped.ok) throw new Error(stepped.error.message)
      expect(stepped.value.state).toBe('paused')
      expect(stepped.value.sim_ms).toBeGreaterThan(paused.value.sim_ms)
      await settle()
      expect(statuses.at(-1)?.sim_ms).toBe(stepped.value.sim_ms)

      // a resume given while a pause waits for the engine decides the state: the pause does not undo it
      const [, resumed] = await Promise.all([host.control(id, 'pause'), host.control(id, 'resume')])
      expect(resumed.ok && resumed.value.state).toBe('running')
      await settle()
      expect(statuses.at(-1)?.state).toBe('running')
      await host.control(id, 'stop')
    } finally {
      disconnect()
    }
  })
})
