import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { LabClient } from '../bridge/lab_client'
import type { RunCommand, RunStatus, Result, RunSummary } from '../../../common/api'
import { COL, NR_SAMPLE_COLUMNS } from '../../../common/samples'
import { setLab } from '../lab'
import { useRunStore } from './run'
import { useRunsStore } from './runs'
import { useSeriesStore } from './series'
import { useExperimentStore } from './experiment'
import { FLAT_OUT_STATUS_GAP_MS } from './run'

const status = (s: Partial<RunStatus>): RunStatus => ({
  runId: 'run-1',
  name: 'untitled',
  state: 'running',
  sim_ms: 0,
  end_ms: 60_000,
  wall_ms: 0,
  speed: null,
  events_processed: 0,
  rows: 0,
  ...s,
})

/** A lab that answers the run calls like the host does and records what it was asked. */
function fakeLab(): { lab: LabClient; calls: string[] } {
  const calls: string[] = []
  const summary: RunSummary = { first_report_ms: 2000, report_calls: 5, reported_kib_total: 1, peak_host_rss_kib: 1, final_host_rss_kib: 1, sim_ms: 1, wall_ms: 1, events_processed: 1 }
  const okStatus = (s: Partial<RunStatus>): Promise<Result<RunStatus>> => Promise.resolve({ ok: true, value: status(s) })
  const next: Record<RunCommand, RunStatus['state']> = { pause: 'paused', resume: 'running', step: 'paused', stop: 'stopped' }
  const lab = {
    startRun: (_doc: unknown, speed: number | null, experimentPath?: string | null) => {
      calls.push(`start ${String(speed)}${experimentPath ? ` next to ${experimentPath}` : ''}`)
      return okStatus({ state: 'starting', speed })
    },
    control: (runId: string, command: RunCommand) => {
      calls.push(`${command} ${runId}`)
      return okStatus({ state: next[command] })
    },
    setSpeed: (runId: string, speed: number | null) => {
      calls.push(`speed ${runId} ${String(speed)}`)
      return okStatus({ speed })
    },
    summary: () => Promise.resolve({ ok: true, value: summary }),
  } as unknown as LabClient
  return { lab, calls }
}

function rows(n: number, t0: number): Float64Array {
  const data = new Float64Array(n * NR_SAMPLE_COLUMNS)
  for (let r = 0; r < n; r++) data[r * NR_SAMPLE_COLUMNS + COL.t_ms] = t0 + r * 100
  return data
}

describe('run store', () => {
  let calls: string[]
  beforeEach(() => {
    setActivePinia(createPinia())
    const fake = fakeLab()
    calls = fake.calls
    setLab(fake.lab)
    useExperimentStore().reset()
  })

  it('starts, pauses, steps, resumes and stops through the lab', async () => {
    const run = useRunStore()
    expect(run.canStart).toBe(true)
    await run.start()
    expect(run.state).toBe('starting')
    run.onStatus(status({ state: 'running' }))
    expect(run.canPause).toBe(true)
    expect(run.canStep).toBe(false)
    await run.control('pause')
    expect(run.canStep).toBe(true)
    await run.control('step')
    await run.control('resume')
    expect(run.state).toBe('running')
    await run.control('stop')
    expect(calls).toEqual(['start null', 'pause run-1', 'step run-1', 'resume run-1', 'stop run-1'])
    expect(run.active).toBe(false)
  })

  it('does not start an invalid experiment', async () => {
    useExperimentStore().setField(['guest', 'memoryMiB'], 1)
    const run = useRunStore()
    expect(run.canStart).toBe(false)
    await run.start()
    expect(calls).toEqual([])
  })

  it('keeps frames that arrive before startRun answers', async () => {
    const series = useSeriesStore()
    series.append('run-1', 2, rows(2, 0))
    await useRunStore().start()
    series.append('run-1', 1, rows(1, 200))
    series.append('other-run', 1, rows(1, 0))
    expect(Array.from(series.series?.column('t_ms') ?? [])).toEqual([0, 100, 200])
  })

  it('hands a finished run with its samples and summary to the comparison', async () => {
    const run = useRunStore()
    await run.start()
    useSeriesStore().append('run-1', 3, rows(3, 0))
    run.onStatus(status({ state: 'finished', sim_ms: 60_000 }))
    await new Promise((r) => setTimeout(r, 0))
    const kept = useRunsStore().compared
    expect(kept).toHaveLength(1)
    expect(kept[0].series.rows).toBe(3)
    expect(kept[0].summary?.first_report_ms).toBe(2000)
    expect(useRunsStore().runs.map((r) => r.id)).toEqual(['run-1'])
    expect(useRunsStore().selected).toEqual(['run-1'])
    run.onStatus(status({ state: 'running' }))
    expect(run.state).toBe('finished')
  })

  it('sends a speed change to an active run', async () => {
    const run = useRunStore()
    await run.start()
    await run.setSpeed(10)
    expect(calls).toContain('speed run-1 10')
    expect(run.speed).toBe(10)
  })

  it('passes the experiment file (its id) to startRun so the files it names resolve next to it', async () => {
    const experiment = useExperimentStore()
    experiment.setField(['workload', 'phases'], [{ op: 'replay', file: 'traces/cc1.trace.txt' }])
    experiment.markSaved('cc1.prlab.json', { path: '/home/me/lab/cc1.prlab.json', fileId: 'file-7' })
    await useRunStore().start()
    expect(calls).toEqual(['start null next to file-7'])
  })

  describe('while the engine runs flat out', () => {
    beforeEach(() => void vi.useFakeTimers())
    afterEach(() => void vi.useRealTimers())

    it('shows progress at most every 250 ms, the latest one, and a state change at once', async () => {
      const run = useRunStore()
      await run.start()
      run.onStatus(status({ state: 'running', sim_ms: 100 }))
      expect(run.flatOut).toBe(true)
      vi.advanceTimersByTime(10)
      run.onStatus(status({ state: 'running', sim_ms: 200 }))
      run.onStatus(status({ state: 'running', sim_ms: 300 }))
      expect(run.status?.sim_ms).toBe(100)
      vi.advanceTimersByTime(FLAT_OUT_STATUS_GAP_MS)
      expect(run.status?.sim_ms).toBe(300)
      run.onStatus(status({ state: 'running', sim_ms: 400 }))
      run.onStatus(status({ state: 'paused', sim_ms: 450 }))
      expect(run.state).toBe('paused')
      vi.advanceTimersByTime(1000)
      expect(run.status?.sim_ms).toBe(450)
    })

    it('shows every progress push at a chosen speed', async () => {
      const run = useRunStore()
      await run.start()
      run.onStatus(status({ state: 'running', speed: 10, sim_ms: 100 }))
      run.onStatus(status({ state: 'running', speed: 10, sim_ms: 200 }))
      expect(run.flatOut).toBe(false)
      expect(run.status?.sim_ms).toBe(200)
    })
  })
})
