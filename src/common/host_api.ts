// The host-experiment calls of the lab API (renderer -> host), issue 15: open a host experiment,
// run it as a task (its progress shows, Cancel ends it) and read the result for the Host view,
// and the sizing answer of `prlab fit` for the Sweep view. Kept apart from LabApi as ImportApi
// is: `interface LabApi extends ImportApi, HostApi`, the host side in src/host/lab_hosts.ts.
import type { LoadedExperiment, LoadedHostExperiment, Result, UploadedFile } from './api'
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

/** An experiment file read from disk: a guest experiment (the editor) or a host experiment (the Host view). */
export type LoadedLabDocument = { readonly kind: 'guest'; readonly loaded: LoadedExperiment } | { readonly kind: 'host'; readonly loaded: LoadedHostExperiment }

/** Files one openHostFiles call may carry: a host file and its guests' files. */
export const MAX_HOST_UPLOAD_FILES = 64

export interface HostApi {
  /** A shipped example that is a host experiment. */
  openHostExample(name: string): Promise<Result<LoadedHostExperiment>>
  /** A host experiment file the user uploaded or dropped. Nothing is written. */
  parseHostExperiment(fileName: string, text: string): Promise<Result<LoadedHostExperiment>>
  /**
   * A host experiment uploaded together with its guest files (browser mode: multi-select or a
   * folder; names are paths relative to the folder chosen). Each `file` entry resolves among them
   * by its path relative to the host file; an error lists every file missing. The result's
   * fileId names the upload for startHostRun and startFit.
   */
  openHostFiles(files: readonly UploadedFile[]): Promise<Result<LoadedHostExperiment>>
  /**
   * Desktop: an experiment file of either kind, from the native open dialog or by the id the host
   * handed out (recent list, command line, the OS). null when the user cancels.
   */
  openLabFile(fileId?: string): Promise<Result<LoadedLabDocument> | null>
  /** Desktop: the user chooses a guest file in a dialog, which lets a host file name it by its absolute path. The path chosen; null when cancelled. */
  allowHostGuestFile(): Promise<Result<string> | null>
  /**
   * Validates a host experiment, resolves its guests (`file` entries: on the desktop next to the
   * host file `hostFileId`, each checked by src/host/host_guest_files.ts; in browser mode among
   * the files uploaded with it (openHostFiles), then the shipped examples; for an example among
   * the examples) and starts running it in a worker thread, as a task.
   */
  startHostRun(document: unknown, hostFileId: string | null, exampleName: string | null): Promise<Result<HostTaskStarted>>
  /** The run's result once its task is done (code 'busy' while it runs). */
  hostRun(id: string): Promise<Result<HostRunView>>
  /** Starts `prlab fit`'s search in worker threads, as a task. */
  startFit(request: FitRequest, hostFileId: string | null, exampleName: string | null): Promise<Result<HostTaskStarted>>
  /** The search so far (points as they end) and, once ended, the answer. */
  fitStatus(id: string): Promise<Result<FitStatus>>
}
