// Exports through the host: progress pushed to the UI, and a long export cancelled midway.
import { afterAll, describe, expect, it } from 'vitest'
import type { RunStatus, TaskStatus } from '../common/api'
import type { ExperimentInput } from '../common/experiment'
import { SAMPLE_COLUMNS } from '../common/samples'
import { defaultExamplesDir } from './examples'
import { LabHost } from './lab_host'
import { labClient, runEnded } from './testing/lab_client'

const host = new LabHost({ mode: 'browser', version: 'test', examplesDir: defaultExamplesDir(), workerEntry: new URL('./engine_worker.ts', import.meta.url) })
afterAll(() => host.dispose())

const tasks: TaskStatus[] = []
const ended = new Map<string, RunStatus>()
host.addClient(
  labClient({
    status: (s) => {
      if (runEnded(s)) ended.set(s.runId, s)
    },
    task: (t) => tasks.push(t),
  }),
)

async function finishedRun(document: ExperimentInput): Promise<string> {
  const started = await host.startRun(document, null)
  if (!started.ok) throw new Error(started.error.message)
  const id = started.value.runId
  // bounded below the test's own timeout, so a run that never ends says so
  await expect.poll(() => ended.get(id)?.state, { timeout: 45_000, message: `run ${id} did not finish` }).toBe('finished')
  return id
}

const idle = (durationMs: number, sampleIntervalMs: number): ExperimentInput => ({
  format: 'page-reporting-lab/experiment',
  version: 1,
  durationMs,
  guest: { memoryMiB: 256 },
  workload: { phases: [{ op: 'alloc', mib: 64 }, { op: 'free', fraction: 1 }] },
  recorder: { sampleIntervalMs },
})

describe('host exports', () => {
  it('a samples CSV comes back with the documented header and one row per sample, its progress pushed to the UI', async () => {
    const runId = await finishedRun(idle(10_000, 100))
    const result = await host.exportRun(runId, 'samples-csv', null)
    expect(result?.ok).toBe(true)
    const lines = result?.ok ? (result.value.text ?? '').trimEnd().split('\n') : []
    expect(lines[0]).toBe(SAMPLE_COLUMNS.join(','))
    expect(lines.length - 1).toBe(101) // t = 0, 100, ..., 10000 ms
    const mine = tasks.filter((t) => t.label.includes('samples.csv'))
    expect(mine[0].state).toBe('running')
    expect(mine[mine.length - 1].state).toBe('done')
  })

  it('a long export can be cancelled: the result says so and the task ends cancelled', async () => {
    const runId = await finishedRun(idle(3_600_000, 10)) // 360,001 rows
    const before = tasks.length
    const pending = host.exportRun(runId, 'samples-csv', null)
    const midway = () => tasks.slice(before).find((t) => t.state === 'running' && t.done > 0)
    // the first progress of a 360,001-row export: the poll's 1 s default was too short on a loaded machine
    await expect.poll(midway, { timeout: 30_000, message: 'the export never reported progress while running' }).toBeDefined()
    const running = midway() as TaskStatus
    expect(running.done).toBeLessThan(running.total)
    expect(await host.cancelTask(running.id)).toBe(true)
    const result = await pending
    expect(result).toMatchObject({ ok: false, error: { code: 'cancelled' } })
    expect(tasks.filter((t) => t.id === running.id).pop()?.state).toBe('cancelled')
    expect(await host.cancelTask(running.id)).toBe(false)
  })
})
