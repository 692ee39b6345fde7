// Sweeps the lab runs: a grid as prlab sweep reads it, points run in worker threads as a task
// with progress, its table, any point kept as a run, Cancel, and bad grids refused up front.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MAX_UI_SWEEP_POINTS, type TaskStatus } from '../common/api'
import type { ExperimentInput } from '../common/experiment'
import { defaultExamplesDir } from './examples'
import { LabHost } from './lab_host'
import { RunLibrary } from './run_library'
import { labClient } from './testing/lab_client'

const dir = mkdtempSync(join(tmpdir(), 'prlab-lab-sweeps-'))
const library = new RunLibrary(join(dir, 'runs'))
const host = new LabHost({ mode: 'browser', version: 'test', examplesDir: defaultExamplesDir(), workerEntry: new URL('./engine_worker.ts', import.meta.url), library })
const tasks: TaskStatus[] = []
host.addClient(labClient({ task: (t) => tasks.push(t) }))
afterAll(() => {
  host.dispose()
  rmSync(dir, { recursive: true, force: true })
})

const base = (durationMs: number): ExperimentInput => ({
  format: 'page-reporting-lab/experiment',
  version: 1,
  name: 'sweep base',
  durationMs,
  guest: { memoryMiB: 512 },
  workload: { phases: [{ op: 'alloc', mib: 256 }, { op: 'free', fraction: 1 }] },
})

/** The task's last status once it is over; bounded below the tests' 120 s, so a sweep that never ends says how far it got. */
async function ended(taskId: string, limit_ms = 90_000): Promise<TaskStatus> {
  const deadline = performance.now() + limit_ms
  for (;;) {
    const last = tasks.findLast((t) => t.id === taskId)
    if (last && last.state !== 'running') return last
    if (performance.now() > deadline) throw new Error(`sweep task ${taskId} is still ${last ? `running (${last.done} of ${last.total})` : 'unheard of'} after ${limit_ms / 1000} s`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('lab sweeps', () => {
  it('runs every point of the grid, tabulates them, and keeps a point as a run', async () => {
    const started = await host.startSweep(base(3000), ['reporting.order=7,9', 'reporting.delayMs=500,2000'])
    if (!started.ok) throw new Error(started.error.message)
    expect(started.value.points).toBe(4)
    expect((await ended(started.value.taskId)).state).toBe('done')
    const status = await host.sweepStatus(started.value.sweepId)
    if (!status.ok) throw new Error(status.error.message)
    expect(status.value).toMatchObject({ state: 'done', done: 4, points: 4 })
    const t = status.value.table
    expect(t.parameters).toEqual(['reporting.order', 'reporting.delayMs'])
    expect(t.rows.map((r) => [r[0], r[1], r[2], r[t.columns.indexOf('status')]])).toEqual([
      [0, 7, 500, 'ok'],
      [1, 7, 2000, 'ok'],
      [2, 9, 500, 'ok'],
      [3, 9, 2000, 'ok'],
    ])
    // a longer reporting delay reports later
    const first = t.columns.indexOf('first_report_ms')
    expect(Number(t.rows[1][first])).toBeGreaterThan(Number(t.rows[0][first]))
    const point = await host.openSweepPoint(started.value.sweepId, 3)
    if (!point.ok) throw new Error(point.error.message)
    expect(point.value).toMatchObject({ source: 'sweep', hasExperiment: true, name: 'sweep base [reporting.order=9, reporting.delayMs=2000]' })
    expect((await library.experiment(point.value.id))?.reporting.delayMs).toBe(2000)
    expect(tasks.some((x) => x.id === started.value.taskId && x.state === 'running' && x.total === 4)).toBe(true)
  }, 120_000)

  it('Cancel ends the sweep: the points that ended stay, the rest are left out', async () => {
    const started = await host.startSweep(base(60_000), ['reporting.delayMs=100..800:100'])
    if (!started.ok) throw new Error(started.error.message)
    await host.cancelTask(started.value.taskId)
    expect((await ended(started.value.taskId)).state).toBe('cancelled')
    const status = await host.sweepStatus(started.value.sweepId)
    expect(status.ok && status.value.state).toBe('cancelled')
    expect(status.ok && status.value.done).toBeLessThan(8)
  }, 120_000)

  it('refuses a bad grid before running anything, naming what is wrong', async () => {
    const badPath = await host.startSweep(base(1000), ['reporting.nope=1,2'])
    expect(!badPath.ok && badPath.error.message).toMatch(/reporting\.nope/)
    const badValue = await host.startSweep(base(1000), ['reporting.order=5,banana'])
    expect(!badValue.ok && badValue.error.message).toMatch(/banana/)
    const huge = await host.startSweep(base(1000), [`reporting.delayMs=1..${MAX_UI_SWEEP_POINTS + 1}`])
    expect(!huge.ok && huge.error.code).toBe('limit')
    const unknown = await host.sweepStatus('00000000-0000-4000-8000-000000000000')
    expect(!unknown.ok && unknown.error.code).toBe('not-found')
  })
})
