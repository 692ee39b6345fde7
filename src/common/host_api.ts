// The host-experiment calls of the lab API (renderer -> host), issue 15: open a host experiment,
// run it as a task (its progress shows, Cancel ends it) and read the result for the Host view,
// and the sizing answer of `prlab fit` for the Sweep view. Kept apart from LabApi as ImportApi
// is: `interface LabApi extends ImportApi, HostApi`, the host side in src/host/lab_hosts.ts.
import type { LoadedHostExperiment, Result } from './api'
import type { HostExplainSentence } from './host_explain'
import type { HostEvent } from './host_samples'
import type { HostSummary } from './host_summary'

/** A host run or fit the host started: its id, and the task whose progress shows. */
export interface HostTaskStarted {
  readonly id: string
  readonly taskId: string
}

/** A finished host run as the Host view shows it. */
export interface HostRunView {
  readonly name: string
  readonly summary: HostSummary
  readonly sampleIntervalMs: number
  /** Host rows (hostRowWidth(summary.guests) numbers each, row-major), at most MAX_HOST_VIEW_ROWS: every k-th row of a longer run. */
  readonly rows: Float64Array
  /** The stride of `rows` over the recorded rows (1: all of them). */
  readonly stride: number
  readonly events: readonly HostEvent[]
  /** Read from every recorded row (src/common/host_explain.ts). */
  readonly explanations: readonly HostExplainSentence[]
}

/** Rows a host run hands the renderer; the CSV export (prlab run) keeps every row. */
export const MAX_HOST_VIEW_ROWS = 4000

export interface FitRequest {
  /** The host experiment: its machine and the guests that run beside the copies. */
  readonly host: unknown
  /** The guest experiment to copy. */
  readonly guest: unknown
  /** The objective, src/common/fit_objective.ts: `swapin_ms_per_s<5,oom_kills==0`. */
  readonly slo: string
  readonly startMs: number
  readonly staggerMs: number
  /** The largest count searched. */
  readonly max: number
}

/** One evaluated count. */
export interface FitPointView {
  readonly count: number
  readonly verdict: 'meets' | 'fails' | 'failed'
  readonly why: string
  readonly figures: Readonly<Record<string, number | string | null>> | null
}

export interface FitStatus {
  readonly state: 'running' | 'done' | 'cancelled' | 'error'
  readonly objective: string
  readonly guestName: string
  readonly max: number
  readonly points: readonly FitPointView[]
  /** Counts running now. */
  readonly running: readonly number[]
  /** Known once the search ended: the largest count that met the objective (0: not even one), the smallest that did not. */
  readonly largest: number | null
  readonly firstFailing: number | null
  readonly nonMonotonic: readonly number[]
  /** The answer in words, as prlab fit prints it (once ended). */
  readonly answerText: string
  readonly error?: string
}

export interface HostApi {
  /** A shipped example that is a host experiment. */
  openHostExample(name: string): Promise<Result<LoadedHostExperiment>>
  /** A host experiment file the user uploaded or dropped. Nothing is written. */
  parseHostExperiment(fileName: string, text: string): Promise<Result<LoadedHostExperiment>>
  /**
   * Validates a host experiment, resolves its guests (`file` entries next to the host file
   * `hostFileId` on the desktop; among the shipped examples in browser mode and for examples)
   * and starts running it in a worker thread, as a task.
   */
  startHostRun(document: unknown, hostFileId: string | null, exampleName: string | null): Promise<Result<HostTaskStarted>>
  /** The run's result once its task is done (code 'busy' while it runs). */
  hostRun(id: string): Promise<Result<HostRunView>>
  /** Starts `prlab fit`'s search in worker threads, as a task. */
  startFit(request: FitRequest, hostFileId: string | null, exampleName: string | null): Promise<Result<HostTaskStarted>>
  /** The search so far (points as they end) and, once ended, the answer. */
  fitStatus(id: string): Promise<Result<FitStatus>>
}
