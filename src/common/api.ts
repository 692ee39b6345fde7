// The lab API: what the renderer may ask of the host, and what the host pushes back.
// One contract, two thin transports: Electron IPC (src/main + src/preload) and WebSocket
// (src/server). Payloads are validated at the host edge with the schemas in api_schema.ts.
import type { Experiment, ExperimentInput } from './experiment'
import type { HostExperiment, HostExperimentInput } from './host_experiment'
import type { SimEvent } from './samples'
import type { ImportApi } from './imports'

export type ErrorCode = 'invalid' | 'io' | 'limit' | 'busy' | 'not-found' | 'cancelled' | 'internal'

export interface Issue {
  /** Field path in the experiment, e.g. `workload.phases[2].mib`; empty for the whole file. */
  readonly path: string
  readonly message: string
  /** 1-based line in the file, when known (JSON syntax errors). */
  readonly line?: number
  readonly column?: number
}

export interface LabError {
  readonly code: ErrorCode
  readonly message: string
  readonly file?: string
  readonly issues?: readonly Issue[]
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: LabError }

export const ok = <T>(value: T): Result<T> => ({ ok: true, value })
export const fail = <T = never>(error: LabError): Result<T> => ({ ok: false, error })

export interface ExampleInfo {
  readonly name: string
  readonly title: string
  readonly description: string
}

export interface LoadedExperiment {
  /** Base name shown in the title bar. */
  readonly fileName: string
  /** Desktop: the full path, to show; the host is only ever told `fileId`. */
  readonly path?: string
  /** Desktop: the opaque id of the file (file_grants.ts): Save writes to it, runs resolve names next to it. */
  readonly fileId?: string
  readonly experiment: Experiment
  /** The document as the user wrote it (defaults not filled in), after migration. */
  readonly document: ExperimentInput
  readonly migratedFrom?: number
}

/** A host experiment file, parsed (its guests' files are resolved when it runs). */
export interface LoadedHostExperiment {
  readonly fileName: string
  readonly path?: string
  readonly fileId?: string
  readonly experiment: HostExperiment
  readonly document: HostExperimentInput
  readonly migratedFrom?: number
}

export interface Capabilities {
  /** Desktop app: native open/save dialogs and paths. Browser mode: upload and download. */
  readonly nativeFiles: boolean
  readonly mode: 'electron' | 'browser'
  readonly version: string
}

export type RunState = 'starting' | 'running' | 'paused' | 'finished' | 'stopped' | 'error'

export interface RunStatus {
  readonly runId: string
  readonly name: string
  readonly state: RunState
  readonly sim_ms: number
  readonly end_ms: number
  readonly wall_ms: number
  /** Simulated ms per wall ms requested; null: as fast as possible. */
  readonly speed: number | null
  readonly events_processed: number
  readonly rows: number
  readonly error?: string
}

export interface RunSummary {
  readonly first_report_ms: number | null
  readonly report_calls: number
  readonly reported_kib_total: number
  readonly peak_host_rss_kib: number
  readonly final_host_rss_kib: number
  readonly sim_ms: number
  readonly wall_ms: number
  readonly events_processed: number
  readonly [extra: string]: number | null | string
}

export type RunCommand = 'pause' | 'resume' | 'step' | 'stop'

export type ExportKind = 'samples-csv' | 'events-csv' | 'perfetto' | 'buddyinfo' | 'pagetypeinfo' | 'summary'

export interface ExportedFile {
  readonly fileName: string
  /** Browser mode: the bytes to download. Desktop: absent, the file was written to `path`. */
  readonly text?: string
  readonly path?: string
  /** Desktop, saved experiments: the file's opaque id (as LoadedExperiment.fileId). */
  readonly fileId?: string
}

/** An entry of the desktop's recent-files list: opened by its opaque id, shown by its path. */
export interface RecentFile {
  readonly id: string
  readonly path: string
  readonly fileName: string
}

/** Page-frame states of the memory map, one byte per frame or bucket. */
export const PFN_STATES = ['hole', 'allocated', 'free', 'reported', 'isolated', 'pcp'] as const
export type PfnState = (typeof PFN_STATES)[number]

export interface MemoryMapRequest {
  readonly runId: string
  readonly startPfn: number
  readonly endPfn: number
  /** Number of cells wanted; each cell covers (endPfn - startPfn) / cells frames and shows the state most of them have. */
  readonly cells: number
}

export interface MemoryMap {
  readonly startPfn: number
  readonly endPfn: number
  readonly states: Uint8Array
  readonly zones: readonly { readonly name: string; readonly startPfn: number; readonly endPfn: number }[]
  readonly sim_ms: number
}

export interface PageInfo {
  readonly pfn: number
  readonly zone: string
  readonly state: PfnState
  /** Order of the free block containing the frame, or of the allocation; -1 if unknown. */
  readonly order: number
  readonly blockPfn: number
  readonly migratetype: string
  readonly flags: readonly string[]
  readonly hostResident: boolean
}

export interface Snapshot {
  readonly sim_ms: number
  readonly buddyinfo: string
  readonly pagetypeinfo: string
}

/** Renderer -> host. Every method is validated at the host edge (api_schema.ts). */
export interface LabApi extends ImportApi {
  capabilities(): Promise<Capabilities>
  listExamples(): Promise<ExampleInfo[]>
  openExample(name: string): Promise<Result<LoadedExperiment>>
  /** Parse a file the user uploaded or dropped (its name and text). Nothing is written. */
  parseExperiment(fileName: string, text: string): Promise<Result<LoadedExperiment>>
  /**
   * Desktop: the native open dialog, or the file of an id the host handed out (recent list, a
   * file given on the command line). null when the user cancels.
   */
  openExperimentFile(fileId?: string): Promise<Result<LoadedExperiment> | null>
  /** Desktop: the recent experiment files, most recent first. */
  recentFiles(): Promise<RecentFile[]>
  /**
   * Desktop: write atomically to the file `fileId` names (one the user opened or saved), or ask
   * with a dialog when saveAs or no id. Browser: returns the text to download. null when the user
   * cancels.
   */
  saveExperiment(document: ExperimentInput, fileId: string | null, saveAs: boolean): Promise<Result<ExportedFile> | null>
  validateExperiment(document: unknown): Promise<Result<Experiment>>
  /**
   * Validates and starts a run. The files the experiment names (replay traces, the initial free
   * state) resolve, on the desktop, next to the experiment's own file `experimentFileId` (null or
   * omitted for an unsaved one), else among the files imported in this session by name; in
   * browser mode (which ignores the id) among those imports, then the files shipped with the
   * examples. The desktop reads only files the user chose (src/host/file_grants.ts).
   */
  startRun(document: ExperimentInput, speed: number | null, experimentFileId?: string | null): Promise<Result<RunStatus>>
  control(runId: string, command: RunCommand): Promise<Result<RunStatus>>
  setSpeed(runId: string, speed: number | null): Promise<Result<RunStatus>>
  summary(runId: string): Promise<Result<RunSummary>>
  /** Pushes `task` progress while it works; `cancelTask` with that id stops it (result: code 'cancelled'). */
  exportRun(runId: string, kind: ExportKind, atMs: number | null): Promise<Result<ExportedFile> | null>
  cancelTask(taskId: string): Promise<boolean>
  snapshot(runId: string, atMs: number | null): Promise<Result<Snapshot>>
  memoryMap(request: MemoryMapRequest): Promise<Result<MemoryMap>>
  pageInfo(runId: string, pfn: number): Promise<Result<PageInfo>>
}

/** A long host operation (an export) the UI shows with progress and can cancel. */
export interface TaskStatus {
  readonly id: string
  readonly label: string
  readonly done: number
  readonly total: number
  readonly state: 'running' | 'done' | 'cancelled' | 'error'
}

/** A desktop menu command; `open-file:<id>` opens a file the host handed out (recent list, command line, the OS). */
export type MenuCommand = 'new' | 'open' | 'save' | 'save-as' | 'export-csv' | 'export-perfetto' | `open-file:${string}`

/** Host -> renderer pushes. Frames arrive at most ~30 Hz, rows coalesced. */
export interface LabEvents {
  /**
   * `rows` sample rows, row-major (SAMPLE_COLUMNS). They replace every row the UI holds for the
   * run from the frame's first t_ms on (sample times strictly increase). While a run goes flat
   * out the host sends a thinned preview; when it pauses, steps, stops, ends or gets a finite
   * speed, the host sends the rows the preview left out, from the first of them, so the UI ends
   * up with exactly the recorded rows (src/host/ui_feed.ts).
   */
  frame(runId: string, rows: number, data: Float64Array): void
  status(status: RunStatus): void
  events(runId: string, events: SimEvent[]): void
  menu(command: MenuCommand): void
  task(task: TaskStatus): void
}
