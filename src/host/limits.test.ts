import { describe, expect, it } from 'vitest'
import { ExperimentSchema } from '../common/experiment'
import type { ExperimentInput } from '../common/experiment'
import { checkLimits, estimateRun, formatBytes } from './limits'

const GiB = 1024 ** 3
const machine = { totalMemBytes: 2 * GiB, cpus: 2, tmpFreeBytes: 10 * GiB }
const exp = (over: Partial<ExperimentInput>) => ExperimentSchema.parse({ format: 'page-reporting-lab/experiment', version: 2, guest: { memoryMiB: 1024 }, ...over })

describe('checkLimits', () => {
  it('accepts an ordinary experiment', () => {
    expect(checkLimits(exp({}), machine)).toEqual({ ok: true, value: undefined })
  })

  it('refuses a guest whose engine state does not fit and says what fits', () => {
    // 16 B per 4 KiB page = 4 KiB per MiB of guest. Usable: 1 GiB - 64 MiB recorder - 256 MiB runtime = 704 MiB -> 180224 MiB.
    const r = checkLimits(exp({ guest: { memoryMiB: 1024 * 1024 } }), machine)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('limit')
    expect(r.error.issues?.[0].path).toBe('guest.memoryMiB')
    expect(r.error.message).toContain('needs 4.0 GiB of engine state')
    expect(r.error.message).toContain('fits at most 180224 MiB')
    expect(checkLimits(exp({ guest: { memoryMiB: 180224 } }), machine).ok).toBe(true)
    expect(checkLimits(exp({ guest: { memoryMiB: 180225 } }), machine).ok).toBe(false)
  })

  it('refuses a recording that would fill the temp directory, naming the sample interval (129 sample columns)', () => {
    const r = checkLimits(exp({ durationMs: 7 * 24 * 3600 * 1000, recorder: { sampleIntervalMs: 1 } }), machine)
    expect(!r.ok && r.error.issues?.[0].path).toBe('recorder.sampleIntervalMs')
    expect(!r.ok && r.error.message).toContain('a sample interval of at least 83 ms fits')
    expect(checkLimits(exp({ durationMs: 7 * 24 * 3600 * 1000, recorder: { sampleIntervalMs: 83 } }), machine).ok).toBe(true)
  })

  it('refuses a workload that would run for days, naming the phase and what fits', () => {
    const week = 7 * 24 * 3600 * 1000
    const r = checkLimits(exp({ durationMs: week, workload: { phases: [{ op: 'idle', ms: 5 }, { op: 'churn', durationMs: week, rateMiBps: 100000 }] } }), machine)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.issues?.[0].path).toBe('workload.phases[1].durationMs')
    expect(r.error.message).toMatch(/runs are limited to 6\.0 h; at most \d+ ms fits/)
  })

  it('estimates events from the workload: one per request, orders count 2^order pages', () => {
    const e = estimateRun(exp({ workload: { phases: [{ op: 'alloc', mib: 4, order: 2 }, { op: 'free', fraction: 0.5 }] } }))
    expect(e.contributors[0]).toMatchObject({ path: 'workload.phases[0].mib', events: 256 }) // 4 MiB = 1024 pages = 256 order-2 requests
    expect(e.contributors[1]).toMatchObject({ path: 'workload.phases[1].fraction', events: 512 }) // 2 MiB freed as pages
    expect(e.engineBytes).toBe(1024 * 256 * 16)
  })

  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(4 * 1024 ** 5)).toBe('4.0 PiB')
  })
})

describe('what fits (issue 9): never Infinity, never a value the schema refuses', () => {
  const messages = (m: Partial<typeof machine> & { maxWallSeconds?: number }): string[] => {
    const on = { ...machine, ...m }
    return [
      exp({ guest: { memoryMiB: 1024 * 1024 } }),
      exp({ durationMs: 7 * 24 * 3600 * 1000, recorder: { sampleIntervalMs: 1 } }),
      exp({ durationMs: 7 * 24 * 3600 * 1000, workload: { phases: [{ op: 'churn', durationMs: 7 * 24 * 3600 * 1000, rateMiBps: 100000 }] } }),
      exp({}),
    ].flatMap((e) => {
      const r = checkLimits(e, on)
      return r.ok ? [] : [r.error.message]
    })
  }

  it('a full temp disk says to free space, not "at least Infinity ms"', () => {
    const said = messages({ tmpFreeBytes: 0 })
    expect(said.length).toBeGreaterThan(0)
    expect(said.join('\n')).toContain('free space there')
    for (const m of said) expect(m).not.toMatch(/Infinity|NaN/)
  })

  it('a machine without memory says no guest fits; a zero time limit names no value', () => {
    for (const m of [...messages({ totalMemBytes: 0 }), ...messages({ maxWallSeconds: 0 }), ...messages({ totalMemBytes: 1, tmpFreeBytes: 1, maxWallSeconds: 1e-9 })]) {
      expect(m).not.toMatch(/Infinity|NaN|at most 0 |at least \d{8,} ms/)
    }
    expect(messages({ totalMemBytes: 0 })[0]).toContain('cannot run even a 64 MiB guest')
  })
})
