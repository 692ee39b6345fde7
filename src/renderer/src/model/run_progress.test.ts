import { describe, expect, it } from 'vitest'
import type { RunStatus } from '../../../common/api'
import { runProgress } from './run_progress'

const status = (s: Partial<RunStatus>): RunStatus => ({
  runId: 'r1',
  name: 'x',
  state: 'running',
  sim_ms: 0,
  end_ms: 60_000,
  wall_ms: 0,
  speed: null,
  events_processed: 0,
  rows: 0,
  ...s,
})

describe('runProgress', () => {
  it('is empty without a run', () => {
    expect(runProgress(null).fraction).toBe(0)
  })

  it('projects the achieved rate onto the rest of the run', () => {
    // 15 s simulated in 1.5 s of wall time: 10x; 45 s left -> 4.5 s
    const p = runProgress(status({ sim_ms: 15_000, wall_ms: 1500 }))
    expect(p.fraction).toBe(0.25)
    expect(p.rate).toBe(10)
    expect(p.eta_ms).toBe(4500)
  })

  it('never projects faster than the requested speed', () => {
    expect(runProgress(status({ sim_ms: 15_000, wall_ms: 1500, speed: 1 })).eta_ms).toBe(45_000)
  })

  it('has no ETA while paused and zero once finished', () => {
    expect(runProgress(status({ state: 'paused', sim_ms: 100, wall_ms: 10 })).eta_ms).toBeNaN()
    expect(runProgress(status({ state: 'finished', sim_ms: 60_000, wall_ms: 10 })).eta_ms).toBe(0)
  })
})
