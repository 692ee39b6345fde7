// How imported real data becomes part of the experiment: a buddyinfo snapshot as the guest's
// initial free state (guest.initialFreeState), a kmem trace as the workload (a replay phase), and
// where the host looks for the files a document names when a run starts.
import type { ExperimentInput } from '../../../common/experiment'
import type { FtraceReplay } from '../../../common/imports'
import { getAt, setAt } from './document_path'

/** Seconds of simulated time left after a replay ends, for the reporting worker to catch up (a few delayMs). */
export const REPLAY_TAIL_MS = 10_000

/** The files a document names: guest.initialFreeState.file, then each replay phase's file. */
export function namedInputFiles(doc: ExperimentInput): string[] {
  const files: string[] = []
  const initial = getAt(doc, ['guest', 'initialFreeState', 'file'])
  if (typeof initial === 'string') files.push(initial)
  const phases = getAt(doc, ['workload', 'phases'])
  if (Array.isArray(phases)) {
    for (const p of phases as unknown[]) {
      const file = getAt(p, ['file'])
      if (getAt(p, ['op']) === 'replay' && typeof file === 'string') files.push(file)
    }
  }
  return files
}

/**
 * The experiment file id startRun gets. Names resolve next to the experiment's file when the host
 * has one; when every file the document names was imported in this session, null sends the host
 * to those imports instead.
 */
export function inputBaseFile(doc: ExperimentInput, experimentFileId: string | null, imported: ReadonlySet<string>): string | null {
  if (experimentFileId === null) return null
  const files = namedInputFiles(doc)
  return files.length > 0 && files.every((f) => imported.has(f)) ? null : experimentFileId
}

/** Start the guest from snapshot `snapshot` (0-based) of the buddyinfo file `file`. */
export function withInitialFreeState(doc: ExperimentInput, file: string, snapshot: number): ExperimentInput {
  return setAt(doc, ['guest', 'initialFreeState'], { file, snapshot })
}

/** Length of a trace's replay at `speed`, in simulated ms. */
export function replayLength_ms(trace: FtraceReplay, speed: number): number {
  return trace.count === 0 ? 0 : trace.t_ns[trace.count - 1] / 1e6 / speed
}

/**
 * The trace `trace` replayed at `speed` as the whole workload; the run is lengthened (to whole
 * seconds) when it would end before the replay plus REPLAY_TAIL_MS.
 */
export function withReplay(doc: ExperimentInput, trace: FtraceReplay, speed: number): ExperimentInput {
  if (!(speed > 0)) throw new Error(`replay speed must be positive, got ${speed}`)
  // Desktop imports name their file by path, so a saved experiment finds it again; uploads by name.
  const phase = { op: 'replay', file: trace.path ?? trace.fileName, speed, label: `replay ${trace.fileName}` }
  const needed_ms = Math.ceil((replayLength_ms(trace, speed) + REPLAY_TAIL_MS) / 1000) * 1000
  const duration = getAt(doc, ['durationMs'])
  const next = setAt(doc, ['workload', 'phases'], [phase])
  return typeof duration === 'number' && duration >= needed_ms ? next : setAt(next, ['durationMs'], needed_ms)
}
