// The lab API: what the renderer may ask of the host, and what the host pushes back.
// One contract, two thin transports: Electron IPC (src/main + src/preload) and WebSocket
// (src/server). Payloads are validated at the host edge with the schemas in api_schema.ts.
import type { Experiment, ExperimentInput } from './experiment'
import type { HostExperiment, HostExperimentInput } from './host_experiment'
import type { SimEvent } from './samples'
import type { ImportApi, SweepTable } from './imports'
import type { HostApi } from './host_api'
import type { ValidationApi } from './validation_api'

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
  /** A guest experiment (opens in the editor) or a host experiment (opens in the Host view). */
  readonly kind?: 'guest' | 'host'
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

/** Figures of a finished run shown in the run library's list (from its summary; docs/run-summary.md). */
export interface RunFigures {
  readonly freed_kib: number | null
  readonly returned_kib: number | null
  readonly returned_pct_of_freed: number | null
  readonly first_report_after_free_ms: number | null
  readonly passes: number | null
  readonly report_calls: number | null
  readonly peak_host_rss_kib: number | null
  readonly final_host_rss_kib: number | null
}

/** A run kept in the run library (src/host/run_library.ts). */
export interface RunInfo {
  /** The run's id (a UUID), the same the lab gave it while it ran. */
  readonly id: string
  readonly name: string
  /** When it was kept, ms since the epoch. */
  readonly created_ms: number
  readonly state: RunState
  /** A run of this lab, a `prlab run --out` folder opened here, or a point of a sweep run here. */
  readonly source: 'lab' | 'folder' | 'sweep'
  readonly sim_ms: number
  readonly end_ms: number
  readonly rows: number
  readonly events: number
  /** Size on disk. */
  readonly bytes: number
  readonly figures: RunFigures | null
  /** Its experiment is known: the state at any past time can be recomputed (stateAt). */
  readonly hasExperiment: boolean
}

export interface RunLibraryListing {
  /** Newest first. */
  readonly runs: readonly RunInfo[]
  readonly usedBytes: number
  /** Older runs are deleted first once there are more than maxRuns or they take more than maxBytes; the newest is always kept. */
  readonly policy: { readonly maxRuns: number; readonly maxBytes: number }
  /** Desktop: the folder, to show. Browser mode: null (the server's folder is not the page's business). */
  readonly location: string | null
}

/** A stored run without its sample rows (those come in slices: runRows). */
export interface StoredRun {
  readonly info: RunInfo
  /** The experiment as written (null for a folder without experiment.prlab.json). */
  readonly document: ExperimentInput | null
  readonly summary: RunSummary | null
  readonly events: readonly SimEvent[]
}

/** A file the page uploaded (browser mode), by name and text. */
export interface UploadedFile {
  readonly name: string
  readonly text: string
}

/** Rows per runRows call: about 4 MB of float64 on the wire. */
export const RUN_ROWS_PER_CALL = 4096

/** Which parts of the guest's state stateAt reads; each is computed only when asked for. */
export interface StateParts {
  /** /proc/buddyinfo, /proc/pagetypeinfo and the free-area counts. */
  readonly tables?: boolean
  /** The memory map of a pfn range. */
  readonly map?: { readonly startPfn: number; readonly endPfn: number; readonly cells: number }
  /** One frame's details. */
  readonly pfn?: number
}

/** Free and PG_reported blocks per zone, migratetype and order, and pageblocks per migratetype. */
export interface FreeAreaCounts {
  /** Kernel names (Unmovable, Movable, Reclaimable, HighAtomic, Isolate, …). */
  readonly migratetypes: readonly string[]
  readonly zones: readonly {
    readonly name: string
    /** [migratetype][order] blocks on the free list. */
    readonly free: readonly (readonly number[])[]
    /** [migratetype][order] of those, blocks with PG_reported set. */
    readonly reported: readonly (readonly number[])[]
    /** Pageblocks per migratetype. */
    readonly pageblocks: readonly number[]
  }[]
}

/** The guest's state at a recorded time (stateAt). */
export interface GuestState {
  /** The time of the state shown: the sample at or before the time asked for. */
  readonly t_ms: number
  /** From the running engine (the latest state), not recomputed. */
  readonly live: boolean
  readonly tables?: { readonly buddyinfo: string; readonly pagetypeinfo: string; readonly freeArea: FreeAreaCounts }
  readonly map?: MemoryMap
  readonly page?: PageInfo
}

/** A past state being recomputed: how far the re-simulation has come. */
export interface StateProgress {
  readonly runId: string
  readonly t_ms: number
  /** 0..1 */
  readonly fraction: number
  /** 'indexing': the run is gone through once, checkpointing, up to t_ms; 'recomputing': from the nearest checkpoint (docs/past-state.md). */
  readonly stage?: 'indexing' | 'recomputing'
}

/** A grid sweep the lab runs (the Sweep view), as a task with progress and Cancel. */
export interface SweepStarted {
  readonly sweepId: string
  /** The task whose progress the UI shows; cancelTask(taskId) stops the sweep. */
  readonly taskId: string
  readonly points: number
}

/** A lab-run sweep so far: its table holds the points that have ended. */
export interface SweepStatus {
  readonly sweepId: string
  readonly state: 'running' | 'done' | 'cancelled' | 'error'
  readonly done: number
  readonly points: number
  readonly table: SweepTable
}

/** Largest grid the lab runs from the UI; a bigger one is `prlab sweep`'s (shards, batch schedulers). */
export const MAX_UI_SWEEP_POINTS = 256

/** Renderer -> host. Every method is validated at the host edge (api_schema.ts). */
export interface LabApi extends ImportApi, HostApi, ValidationApi {
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
  /**
   * The guest's state as it was at `t_ms` (the last sample at or before it; from the run's end on,
   * the end state), or the latest state when `t_ms` is null: the memory map, /proc/buddyinfo and
   * /proc/pagetypeinfo with per-migratetype and reported counts, one frame. For any run the lab
   * holds or keeps in its library. A past state is recomputed (docs/past-state.md) with `stateProgress`
   * pushes; a newer call for the same run supersedes an older one, which answers code 'cancelled'.
   */
  stateAt(runId: string, t_ms: number | null, parts: StateParts): Promise<Result<GuestState>>
  /** The run library: finished runs kept on disk, newest first. */
  listRuns(): Promise<Result<RunLibraryListing>>
  /** A kept run's experiment, summary and events. */
  openRun(id: string): Promise<Result<StoredRun>>
  /** Rows [firstRow, firstRow + rows) of a kept run, row-major in SAMPLE_COLUMNS; at most RUN_ROWS_PER_CALL. */
  runRows(id: string, firstRow: number, rows: number): Promise<Result<Float64Array>>
  renameRun(id: string, name: string): Promise<Result<RunInfo>>
  deleteRun(id: string): Promise<Result<true>>
  /**
   * Keeps a `prlab run --out` folder (samples.csv, and events.csv, summary.json,
   * experiment.prlab.json when there) in the library. Desktop: `files` null opens the folder
   * dialog; browser mode: the files the user uploaded. null when the user cancels.
   */
  importRunFolder(files: readonly UploadedFile[] | null): Promise<Result<RunInfo> | null>
  /**
   * Runs a grid sweep of `document`: each `grid` entry is `path=v1,v2,...` or `path=a..b[:step]`
   * as `prlab sweep --grid` takes it. Points run headless in worker threads; files the experiment
   * names resolve as for startRun.
   */
  startSweep(document: ExperimentInput, grid: readonly string[], experimentFileId?: string | null): Promise<Result<SweepStarted>>
  sweepStatus(sweepId: string): Promise<Result<SweepStatus>>
  /** Keeps point `k` of a sweep in the run library, to open it as a run. */
  openSweepPoint(sweepId: string, k: number): Promise<Result<RunInfo>>
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
export type MenuCommand = 'new' | 'open' | 'save' | 'save-as' | 'export-csv' | 'export-perfetto' | 'open-run-folder' | 'undo' | 'redo' | 'help' | `open-file:${string}`

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
  /** A run was kept in the run library (or renamed, or deleted: `removed`). */
  library(info: RunInfo, removed: boolean): void
  /** A past state is being recomputed (stateAt). */
  stateProgress(progress: StateProgress): void
}
