import { describe, expect, it } from 'vitest'
import type { ExperimentInput } from '../../../common/experiment'
import type { FtraceReplay } from '../../../common/imports'
import { ExperimentSchema } from '../../../common/experiment'
import { inputBaseFile, namedInputFiles, replayLength_ms, withInitialFreeState, withReplay } from './imported_inputs'

const doc = (extra: Record<string, unknown> = {}): ExperimentInput =>
  ({
    format: 'page-reporting-lab/experiment',
    version: 2,
    name: 't',
    durationMs: 60_000,
    guest: { memoryMiB: 1024 },
    workload: { phases: [{ op: 'alloc', mib: 100 }, { op: 'free', fraction: 1 }] },
    ...extra,
  }) as ExperimentInput

/** A trace of `count` operations, the last at `last_ms` after the first. */
function trace(count: number, last_ms: number): FtraceReplay {
  const t_ns = new Float64Array(count)
  if (count > 0) t_ns[count - 1] = last_ms * 1e6
  return { kind: 'ftrace', fileName: 'cc1.trace.txt', count, t_ns } as unknown as FtraceReplay
}

describe('imported inputs', () => {
  it('lists the files a document names: the initial free state, then replay phases in order', () => {
    const d = doc({
      guest: { memoryMiB: 1024, initialFreeState: { file: 'buddyinfo.txt', snapshot: 2 } },
      workload: { phases: [{ op: 'replay', file: 'a.trace' }, { op: 'idle', ms: 5 }, { op: 'replay', file: 'b.trace' }] },
    })
    expect(namedInputFiles(d)).toEqual(['buddyinfo.txt', 'a.trace', 'b.trace'])
    expect(namedInputFiles(doc())).toEqual([])
  })

  it('sends names to the session imports only when all of them were imported; the experiment file otherwise', () => {
    const d = doc({ workload: { phases: [{ op: 'replay', file: 'a.trace' }, { op: 'replay', file: 'b.trace' }] } })
    expect(inputBaseFile(d, 'file-1', new Set(['a.trace', 'b.trace']))).toBeNull()
    expect(inputBaseFile(d, 'file-1', new Set(['a.trace']))).toBe('file-1')
    expect(inputBaseFile(doc(), 'file-1', new Set(['a.trace']))).toBe('file-1')
    expect(inputBaseFile(d, null, new Set())).toBeNull()
  })

  it('sets the initial free state to a snapshot, and the result passes the schema', () => {
    const d = withInitialFreeState(doc(), 'buddyinfo-series.txt', 3)
    expect(d.guest).toEqual({ memoryMiB: 1024, initialFreeState: { file: 'buddyinfo-series.txt', snapshot: 3 } })
    expect(ExperimentSchema.safeParse(d).success).toBe(true)
  })

  it('makes the replay the whole workload and lengthens the run to the trace at its speed plus the tail', () => {
    // 25 s of trace at 0.5x = 50 s, + 10 s tail = 60 s: the 60 s run already covers it
    const same = withReplay(doc(), trace(3, 25_000), 0.5)
    expect(same.workload?.phases).toEqual([{ op: 'replay', file: 'cc1.trace.txt', speed: 0.5, label: 'replay cc1.trace.txt' }])
    expect(same.durationMs).toBe(60_000)
    expect(ExperimentSchema.safeParse(same).success).toBe(true)
    // 100.2 s at 2x = 50.1 s + 10 s = 60.1 s: rounded up to 61 s
    expect(withReplay(doc(), trace(3, 100_200), 2).durationMs).toBe(61_000)
    expect(replayLength_ms(trace(3, 100_200), 2)).toBeCloseTo(50_100, 9)
    expect(replayLength_ms(trace(0, 0), 1)).toBe(0)
    expect(() => withReplay(doc(), trace(3, 1), 0)).toThrow(/speed must be positive, got 0/)
  })
})
