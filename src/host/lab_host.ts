// The lab's controller, free of Electron: implements LabApi for the desktop app (src/main) and
// browser mode (src/server) alike. Owns the runs and their engine workers; native dialogs are
// injected by the desktop shell, and without them files travel as text (upload / download).
import { basename, dirname, join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { writeFileAtomic } from './atomic_write'
import type {
  GuestState,
  RunInfo,
  RunLibraryListing,
  StateParts,
  StoredRun,
  SweepStarted,
  SweepStatus,
  UploadedFile,
  Capabilities,
  ExampleInfo,
  ExportKind,
  ExportedFile,
  LabApi,
  LabError,
  LabEvents,
  LoadedExperiment,
  LoadedHostExperiment,
  MemoryMap,
  MemoryMapRequest,
  PageInfo,
  RecentFile,
  Result,
  RunCommand,
  RunStatus,
  RunSummary,
  Snapshot,
  TaskStatus,
} from '../common/api'
import { fail, ok } from '../common/api'
import type { Experiment, ExperimentInput } from '../common/experiment'
import type { SimulationInputs } from '../engine/api'
import type { SimEvent } from '../common/samples'
import { examplePath, isExampleName, listExamples } from './examples'
import { experimentToText, hostFileRefused, loadExperimentFile, loadLabFile, parseExperimentText, saveExperimentFile, validateDocument } from './experiment_io'
import { checkLimits } from './limits'
import { Run } from './run'
import { Recorder, type RecorderOptions } from './recorder'
import { spawnWorker } from './spawn_worker'
import { samplesCsv, eventsCsv, writeSamplesCsv, writeEventsCsv } from './export_csv'
import { perfettoTrace, writePerfettoTrace } from './export_perfetto'
import { RecentFiles } from './recent_files'
import { FileGrants, type FileGrant } from './file_grants'
import { importFile, importText, openSweep, parseSweepCsv } from './import/index'
import { resolveRunInputs } from './run_inputs'
import { SessionImports } from './session_imports'
import type { ImportKind, ImportOptions, ImportedData, SweepTable } from '../common/imports'
import { SAMPLE_COLUMNS } from '../common/samples'
import { RunLibrary, RunLibraryError, isRunId } from './run_library'
import { runFromFolder, runFromUploads } from './run_folder'
import { PastStates, StateCancelled, type StateSource, type StateTarget } from './past_state'
import { lastIndexAtOrBefore } from '../common/sorted'
import { LabSweeps } from './lab_sweeps'
import type { FitRequest, FitStatus, HostRunView, HostTaskStarted, LoadedLabDocument } from '../common/host_api'
import { LabHosts, type LabTask } from './lab_hosts'
import type { ValidationReport, ValidationScenario, ValidationScenarioInfo } from '../common/validation_api'
import { LabValidation } from './validation/lab_validation'
import { INITIAL_BUDDYINFO_FILE } from './validation/scenario_open'
import { defaultValidationDir } from './validation/validate'

/** Native dialogs of the desktop shell. */
export interface FileDialogs {
  openExperimentPath(): Promise<string | null>
  /** Any file (imports) or, with `directory`, a folder (sweep output). */
  openPath(title: string, directory: boolean): Promise<string | null>
  savePath(defaultName: string, kind: 'experiment' | 'csv' | 'json' | 'txt'): Promise<string | null>
  /** Ask before replacing an existing file (the dialog itself usually asks). */
  addRecentDocument?(path: string): void
}

export interface LabHostOptions {
  readonly mode: 'electron' | 'browser'
  readonly version: string
  readonly examplesDir: string
  /** File path or URL of the engine worker entry (src/host/engine_worker.ts, or the bundled file). */
  readonly workerEntry: string | URL
  readonly dialogs?: FileDialogs
  /** Directory for the recent-files list (desktop: app.getPath('userData')). */
  readonly stateDir?: string
  /** The recent-files list changed (the desktop rebuilds its Open Recent menu). */
  readonly onRecentFilesChanged?: () => void
  /** Finished runs kept for comparison; older ones are disposed. */
  readonly keepRuns?: number
  /** Each run's recorder: spill folder, budget, and the write seam tests inject faults through. */
  readonly recorder?: RecorderOptions
  /** Runs going at once (starting, running or paused); one more is refused. Default DEFAULT_MAX_RUNS. */
  readonly maxRuns?: number
  /** Where finished runs are kept (the desktop's data folder, browser mode's server data folder); none: runs are not kept. */
  readonly library?: RunLibrary
  /** The library's folder is shown to the user (desktop). */
  readonly showLibraryLocation?: boolean
  /** The thread that recomputes past states (src/host/state_worker.ts, or the bundled file). */
  readonly stateWorkerEntry?: string | URL
  /** The sweep pool's worker (src/host/sweep_worker.ts, or the bundled file). */
  readonly sweepWorkerEntry?: string | URL
  /** The host run worker (src/host/host_run_worker.ts, or the bundled file). */
  readonly hostWorkerEntry?: string | URL
  /** The validation scenarios (validation/ of the source tree, or the copy the desktop app ships). */
  readonly validationDir?: string
  /** The validation worker (src/host/validation/validation_worker.ts, or the bundled file). */
  readonly validationWorkerEntry?: string | URL
}

/** Each run is an engine worker on its own core with its own engine memory; the machine is shared. */
export const DEFAULT_MAX_RUNS = 4

const EXPORT_NAMES: Record<ExportKind, { suffix: string; kind: 'csv' | 'json' | 'txt' }> = {
  'samples-csv': { suffix: 'samples.csv', kind: 'csv' },
  'events-csv': { suffix: 'events.csv', kind: 'csv' },
  perfetto: { suffix: 'trace.json', kind: 'json' },
  buddyinfo: { suffix: 'buddyinfo.txt', kind: 'txt' },
  pagetypeinfo: { suffix: 'pagetypeinfo.txt', kind: 'txt' },
  summary: { suffix: 'summary.json', kind: 'json' },
}

const safeStem = (name: string): string => name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'run'

export class LabHost implements LabApi {
  private readonly runs = new Map<string, Run>()
  private readonly clients = new Set<LabEvents>()
  private readonly recent: RecentFiles | null
  private readonly tasks = new Map<string, { readonly label: string; readonly controller: AbortController; readonly settled: Promise<void> }>()
  /** Desktop: the files the shell handed out, by opaque id. */
  private readonly grants = new FileGrants()
  /** Imports of this session, which replay phases and initial free states may name. */
  private readonly imports = new SessionImports()
  private readonly pastStates: PastStates
  /** Runs being written into the library: a UI that asks for one waits for it. */
  private readonly keeping = new Map<string, Promise<void>>()
  private readonly sweeps: LabSweeps
  /** Host experiments (issue 15): runs for the Host view, fits for the Sweep view. */
  private readonly hosts: LabHosts
  /** Validation scenarios (issue 13): real guests' recordings beside the experiments that mirror them. */
  private readonly validation: LabValidation

  constructor(private readonly options: LabHostOptions) {
    this.validation = new LabValidation(options.validationDir ?? defaultValidationDir(), options.validationWorkerEntry ?? new URL('./validation/validation_worker.ts', import.meta.url))
    this.recent = options.stateDir ? new RecentFiles(options.stateDir) : null
    const entry = options.stateWorkerEntry ?? new URL('./state_worker.ts', import.meta.url)
    this.sweeps = new LabSweeps({
      startTask: (label) => this.labTask(label),
      ...(options.sweepWorkerEntry !== undefined ? { workerEntry: options.sweepWorkerEntry } : {}),
    })
    this.hosts = new LabHosts({
      examplesDir: options.examplesDir,
      desktop: options.dialogs !== undefined,
      filePath: (fileId) => this.grants.get(fileId)?.path,
      granted: (path) => this.grants.chosen(path),
      imports: () => this.imports.files,
      startTask: (label) => this.labTask(label),
      hostWorkerEntry: options.hostWorkerEntry ?? new URL('./host_run_worker.ts', import.meta.url),
      ...(options.sweepWorkerEntry !== undefined ? { sweepWorkerEntry: options.sweepWorkerEntry } : {}),
    })
    this.pastStates = new PastStates(
      () => spawnWorker(entry),
      (runId, t_ms, fraction, stage) => this.clients.forEach((c) => c.stateProgress({ runId, t_ms, fraction, stage })),
    )
  }

  /** A connected UI; returns the function that disconnects it. */
  addClient(client: LabEvents): () => void {
    this.clients.add(client)
    return () => this.clients.delete(client)
  }

  /** Pushes a menu command to every UI (desktop menu). */
  menu(command: Parameters<LabEvents['menu']>[0]): void {
    for (const c of this.clients) c.menu(command)
  }

  dispose(): void {
    for (const task of this.tasks.values()) task.controller.abort(new Error('the lab is closing'))
    for (const run of this.runs.values()) run.dispose()
    this.runs.clear()
    this.pastStates.dispose()
  }

  /** Cancels the exports in progress, waits until they have removed their partial files, then disposes. */
  async shutdown(): Promise<void> {
    const settled = [...this.tasks.values()].map((t) => t.settled)
    // runs being kept finish writing (a run folder appears whole or not at all either way)
    await Promise.all(this.keeping.values())
    for (const task of this.tasks.values()) task.controller.abort(new Error('the lab is closing'))
    await Promise.all(settled)
    this.dispose()
  }

  /** Labels of the exports in progress (the desktop asks before quitting over them). */
  activeTasks(): string[] {
    return [...this.tasks.values()].map((t) => t.label)
  }

  /** Desktop: the id of an experiment file the shell was given (command line, the OS's open-file). */
  grantExperimentFile(path: string): string {
    return this.grants.experiment(path).id
  }

  async capabilities(): Promise<Capabilities> {
    return { nativeFiles: this.options.dialogs !== undefined, mode: this.options.mode, version: this.options.version }
  }

  listExamples(): Promise<ExampleInfo[]> {
    return listExamples(this.options.examplesDir)
  }

  async openExample(name: string): Promise<Result<LoadedExperiment>> {
    if (!isExampleName(name)) return fail({ code: 'not-found', message: `no example named ${JSON.stringify(name)}` })
    const result = await loadExperimentFile(examplePath(this.options.examplesDir, name))
    // Examples are templates: the UI must not save over the shipped file.
    if (result.ok) return ok({ ...result.value, path: undefined })
    return result
  }

  listValidationScenarios(): Promise<ValidationScenarioInfo[]> {
    return this.validation.listValidationScenarios()
  }

  /**
   * A validation scenario, and its initial free state (initial-buddyinfo.txt) kept as a session
   * import: the experiment names it, and a run of the unsaved document finds it there in either mode.
   */
  async openValidationScenario(name: string): Promise<Result<ValidationScenario>> {
    const opened = await this.validation.openValidationScenario(name)
    if (!opened.ok) return opened
    const initial = await importFile('buddyinfo', join(this.validation.dir, name, INITIAL_BUDDYINFO_FILE))
    if (!initial.ok) return initial
    this.imports.add(initial.value)
    return opened
  }

  validationChecks(name: string): Promise<Result<ValidationReport>> {
    return this.validation.validationChecks(name)
  }

  async parseExperiment(fileName: string, text: string): Promise<Result<LoadedExperiment>> {
    return parseExperimentText(basename(fileName), text)
  }

  async openExperimentFile(fileId?: string): Promise<Result<LoadedExperiment> | null> {
    const opened = await this.openLabFile(fileId)
    if (opened === null || !opened.ok) return opened
    if (opened.value.kind === 'guest') return ok(opened.value.loaded)
    return fail(hostFileRefused(opened.value.loaded.path ?? opened.value.loaded.fileName))
  }

  async openLabFile(fileId?: string): Promise<Result<LoadedLabDocument> | null> {
    const dialogs = this.options.dialogs
    if (!dialogs) return fail({ code: 'invalid', message: 'browser mode: open a file by uploading it (the server never reads a path the browser names)' })
    let grant: FileGrant
    if (fileId === undefined) {
      const chosen = await dialogs.openExperimentPath()
      if (chosen === null) return null
      grant = this.grants.experiment(chosen)
    } else {
      const known = this.grants.get(fileId)
      if (known === undefined) return this.unknownFile()
      grant = known
    }
    const result = await loadLabFile(grant.path)
    if (!result.ok) {
      // a recent file that is gone leaves the list
      if (result.error.code === 'not-found' && this.recent) this.recentChanged(await this.recent.remove(grant.path))
      return result
    }
    await this.remember(grant.path)
    if (result.value.kind === 'host') {
      const host = await this.hosts.openFile(grant.path, grant.id)
      return host.ok ? ok({ kind: 'host', loaded: host.value }) : host
    }
    const { kind: _kind, ...loaded } = result.value
    this.grants.loaded(grant, loaded.experiment)
    return ok({ kind: 'guest', loaded: { ...loaded, path: grant.path, fileId: grant.id } })
  }

  async allowHostGuestFile(): Promise<Result<string> | null> {
    const dialogs = this.options.dialogs
    if (!dialogs) return fail({ code: 'invalid', message: 'browser mode: choose the guest files together with the host file' })
    const chosen = await dialogs.openPath('Allow a guest experiment file', false)
    if (chosen === null) return null
    this.grants.addInput(chosen)
    return ok(chosen)
  }

  async recentFiles(): Promise<RecentFile[]> {
    const paths = this.recent ? await this.recent.list() : []
    return paths.map((path) => ({ id: this.grants.experiment(path).id, path, fileName: basename(path) }))
  }

  async saveExperiment(document: ExperimentInput, fileId: string | null, saveAs: boolean): Promise<Result<ExportedFile> | null> {
    const valid = validateDocument(document)
    if (!valid.ok) return valid
    const dialogs = this.options.dialogs
    const fileName = `${safeStem(valid.value.name)}.prlab.json`
    if (!dialogs) return ok({ fileName, text: experimentToText(document) })
    const source = fileId === null ? undefined : this.grants.get(fileId)
    if (fileId !== null && source === undefined) return this.unknownFile()
    let target: FileGrant
    if (!saveAs && source !== undefined) {
      // Save replaces only a file the user opened or saved: never a path the page names.
      if (!source.writable) return fail({ code: 'invalid', file: source.path, message: `${basename(source.path)} was not opened in this session: open it first, or use Save As` })
      target = source
    } else {
      // The save dialog asks before replacing a file: its answer is the user's consent.
      const chosen = await dialogs.savePath(fileName, 'experiment')
      if (chosen === null) return null
      target = this.grants.experiment(chosen)
    }
    const result = await saveExperimentFile(target.path, document, { overwrite: true })
    if (!result.ok) return result
    this.grants.saved(target, valid.value, source)
    await this.remember(target.path)
    return ok({ ...result.value, fileId: target.id })
  }

  async validateExperiment(document: unknown): Promise<Result<Experiment>> {
    return validateDocument(document)
  }

  async startRun(document: ExperimentInput, speed: number | null, experimentFileId: string | null = null): Promise<Result<RunStatus>> {
    const valid = validateDocument(document)
    if (!valid.ok) return valid
    const limits = checkLimits(valid.value)
    if (!limits.ok) return limits
    const inputs = await this.resolveInputs(valid.value, experimentFileId)
    if (!inputs.ok) return inputs
    // Counted after the last await, so calls racing each other cannot pass the cap together.
    const going = this.activeRuns()
    const maxRuns = this.options.maxRuns ?? DEFAULT_MAX_RUNS
    if (going >= maxRuns) {
      return fail({ code: 'limit', message: `${going} runs are already going, the most this lab runs at once (${maxRuns}): stop one, or close the page that started it, then start this one` })
    }
    const id = randomUUID()
    const sink = {
      frame: (runId: string, rows: number, data: Float64Array) => this.clients.forEach((c) => c.frame(runId, rows, data)),
      events: (runId: string, events: SimEvent[]) => this.clients.forEach((c) => c.events(runId, events)),
      status: (status: RunStatus) => this.clients.forEach((c) => c.status(status)),
    }
    const worker = spawnWorker(this.options.workerEntry)
    const run = new Run(id, valid.value, worker, sink, { speed, document, recorder: new Recorder(this.options.recorder), ...(inputs.value !== undefined ? { inputs: inputs.value } : {}) })
    this.runs.set(id, run)
    this.evict()
    void run.ended.then(() => this.keepRun(run))
    return ok(run.status())
  }

  /**
   * The files an experiment names. Desktop: they resolve next to the experiment's file, and only
   * files the user chose are read (file_grants.ts). Browser mode never reads a path the page names:
   * only this session's imports and the files shipped with the examples.
   */
  private async resolveInputs(experiment: Experiment, experimentFileId: string | null): Promise<Result<SimulationInputs | undefined>> {
    const desktop = this.options.dialogs !== undefined
    const grant = desktop && experimentFileId !== null ? this.grants.get(experimentFileId) : undefined
    if (desktop && experimentFileId !== null && grant === undefined) return this.unknownFile()
    return resolveRunInputs(experiment, {
      baseDir: grant === undefined ? null : dirname(grant.path),
      uploads: this.imports.files,
      bundledDir: this.options.examplesDir,
      ...(desktop ? { readable: this.grants.readable(grant ?? null) } : {}),
    })
  }

  async startSweep(document: ExperimentInput, grid: readonly string[], experimentFileId: string | null = null): Promise<Result<SweepStarted>> {
    return this.sweeps.start(document, grid, 'the experiment', (experiment) => this.resolveInputs(experiment, experimentFileId))
  }

  async sweepStatus(sweepId: string): Promise<Result<SweepStatus>> {
    return this.sweeps.status(sweepId)
  }

  async openSweepPoint(sweepId: string, k: number): Promise<Result<RunInfo>> {
    const point = await this.sweeps.point(sweepId, k)
    if (!point.ok) return point
    return this.withLibrary(async (library) => {
      const info = await library.keep(point.value)
      this.clients.forEach((c) => c.library(info, false))
      return info
    })
  }

  /** Ends a run and frees its worker and recorder (its UI is gone); unknown ids are ignored. */
  disposeRun(runId: string): void {
    const run = this.runs.get(runId)
    if (!run) return
    run.dispose()
    this.runs.delete(runId)
  }

  private activeRuns(): number {
    let going = 0
    for (const run of this.runs.values()) if (!run.isOver) going++
    return going
  }

  async control(runId: string, command: RunCommand): Promise<Result<RunStatus>> {
    const run = this.runs.get(runId)
    if (!run) return this.noRun(runId)
    await run.control(command)
    return ok(run.status())
  }

  async setSpeed(runId: string, speed: number | null): Promise<Result<RunStatus>> {
    const run = this.runs.get(runId)
    if (!run) return this.noRun(runId)
    run.setSpeed(speed)
    return ok(run.status())
  }

  async summary(runId: string): Promise<Result<RunSummary>> {
    const run = this.runs.get(runId)
    if (!run) return this.noRun(runId)
    const failed = run.failure()
    if (failed !== null) return fail(failed)
    const summary = run.summary()
    return summary ? ok(summary) : fail({ code: 'busy', message: 'the run has not ended yet' })
  }

  async exportRun(runId: string, kind: ExportKind, atMs: number | null): Promise<Result<ExportedFile> | null> {
    const run = this.runs.get(runId)
    if (!run) return this.noRun(runId)
    const fileName = `${safeStem(run.experiment.name)}-${EXPORT_NAMES[kind].suffix}`
    const dialogs = this.options.dialogs
    let path: string | null = null
    if (dialogs) {
      path = await dialogs.savePath(fileName, EXPORT_NAMES[kind].kind)
      if (path === null) return null
    }
    const task = this.startTask(`Export ${fileName}`)
    try {
      const meta = { name: run.experiment.name, seed: run.experiment.seed }
      const options = task.options
      if (kind === 'samples-csv') {
        if (path) await writeSamplesCsv(run.recorder, path, options)
        else return task.finish(ok({ fileName, text: await samplesCsv(run.recorder, options) }))
      } else if (kind === 'events-csv') {
        if (path) await writeEventsCsv(run.recorder, path, options)
        else return task.finish(ok({ fileName, text: await eventsCsv(run.recorder, options) }))
      } else if (kind === 'perfetto') {
        if (path) await writePerfettoTrace(run.recorder, path, meta, options)
        else return task.finish(ok({ fileName, text: await perfettoTrace(run.recorder, meta, options) }))
      } else {
        const text = await this.textExport(run, kind, atMs)
        if (!path) return task.finish(ok({ fileName, text }))
        await writeFileAtomic(path, text)
      }
      return task.finish(ok({ fileName: basename(path), path }))
    } catch (e) {
      if (task.options.signal.aborted) return task.finish(fail({ code: 'cancelled', message: `${fileName}: export cancelled; nothing was written`, file: path ?? fileName }))
      return task.finish(fail({ code: 'io', message: e instanceof Error ? e.message : String(e), file: path ?? fileName }))
    }
  }

  async cancelTask(taskId: string): Promise<boolean> {
    const task = this.tasks.get(taskId)
    if (!task) return false
    task.controller.abort(new Error('cancelled by the user'))
    return true
  }

  /** A cancellable task whose progress every UI sees (at most ~10 pushes a second). */
  private startTask(label: string): { id: string; options: { onProgress: (done: number, total: number) => void; signal: AbortSignal }; finish<T>(result: Result<T>): Result<T> } {
    const id = randomUUID()
    const controller = new AbortController()
    let settle: () => void = () => undefined
    this.tasks.set(id, { label, controller, settled: new Promise<void>((resolve) => (settle = resolve)) })
    let last = 0
    let done = 0
    let total = 0
    const push = (state: TaskStatus['state']): void => this.clients.forEach((c) => c.task({ id, label, done, total, state }))
    push('running')
    return {
      id,
      options: {
        signal: controller.signal,
        onProgress: (d, t) => {
          done = d
          total = t
          const now = Date.now()
          if (now - last >= 100) {
            last = now
            push('running')
          }
        },
      },
      finish: (result) => {
        this.tasks.delete(id)
        settle()
        push(result.ok ? 'done' : result.error.code === 'cancelled' ? 'cancelled' : 'error')
        return result
      },
    }
  }

  /** A task as sweeps and host experiments use it (lab_sweeps.ts, lab_hosts.ts). */
  private labTask(label: string): LabTask {
    const task = this.startTask(label)
    return {
      id: task.id,
      signal: task.options.signal,
      progress: task.options.onProgress,
      finish: (state) => void task.finish(state === 'done' ? ok(true) : fail({ code: state === 'cancelled' ? 'cancelled' : 'internal', message: `${label}: ${state}` })),
    }
  }

  openHostExample(name: string): Promise<Result<LoadedHostExperiment>> {
    return this.hosts.openExample(name)
  }

  parseHostExperiment(fileName: string, text: string): Promise<Result<LoadedHostExperiment>> {
    return this.hosts.parse(fileName, text)
  }

  openHostFiles(files: readonly UploadedFile[]): Promise<Result<LoadedHostExperiment>> {
    return this.hosts.openUploaded(files)
  }

  startHostRun(document: unknown, hostFileId: string | null, exampleName: string | null): Promise<Result<HostTaskStarted>> {
    return this.hosts.startRun(document, hostFileId, exampleName)
  }

  hostRun(id: string): Promise<Result<HostRunView>> {
    return this.hosts.result(id)
  }

  startFit(request: FitRequest, hostFileId: string | null, exampleName: string | null): Promise<Result<HostTaskStarted>> {
    return this.hosts.startFit(request, hostFileId, exampleName)
  }

  fitStatus(id: string): Promise<Result<FitStatus>> {
    return this.hosts.fitStatus(id)
  }

  async snapshot(runId: string, atMs: number | null): Promise<Result<Snapshot>> {
    const state = await this.stateAt(runId, atMs, { tables: true })
    if (!state.ok) return state
    const tables = state.value.tables
    if (!tables) return fail({ code: 'internal', message: 'the state came without its tables' })
    return ok({ sim_ms: state.value.t_ms, buddyinfo: tables.buddyinfo, pagetypeinfo: tables.pagetypeinfo })
  }

  async memoryMap(request: MemoryMapRequest): Promise<Result<MemoryMap>> {
    const run = this.runs.get(request.runId)
    if (!run) return this.noRun(request.runId)
    try {
      return ok((await run.query({ kind: 'memoryMap', startPfn: request.startPfn, endPfn: request.endPfn, cells: request.cells })) as MemoryMap)
    } catch (e) {
      return fail({ code: 'internal', message: e instanceof Error ? e.message : String(e) })
    }
  }

  async pageInfo(runId: string, pfn: number): Promise<Result<PageInfo>> {
    const run = this.runs.get(runId)
    if (!run) return this.noRun(runId)
    try {
      return ok((await run.query({ kind: 'pageInfo', pfn })) as PageInfo)
    } catch (e) {
      return fail({ code: 'invalid', message: e instanceof Error ? e.message : String(e) })
    }
  }

  async stateAt(runId: string, t_ms: number | null, parts: StateParts): Promise<Result<GuestState>> {
    try {
      const run = this.runs.get(runId)
      if (run) {
        const rows = run.recorder.rowCount
        const last_ms = rows > 0 ? run.recorder.timeOfRow(rows - 1) : 0
        // the latest state, and the end of a run whose engine still answers, come from the engine itself
        if (t_ms === null || t_ms >= last_ms) return ok((await run.query({ kind: 'state', parts })) as GuestState)
        const row = run.recorder.rowIndexAt(t_ms)
        if (row < 0) return fail({ code: 'invalid', message: `no sample at or before ${t_ms} ms` })
        const source = async (): Promise<StateSource> => ({ experiment: run.experiment, ...(run.inputs !== undefined ? { inputs: run.inputs } : {}) })
        return ok(await this.pastStates.request(runId, source, { t_ms: run.recorder.timeOfRow(row), end: false }, parts))
      }
      const library = this.options.library
      if (!library || !isRunId(runId)) return this.noRun(runId)
      await this.keeping.get(runId)
      const { info } = await library.open(runId)
      const experiment = await library.experiment(runId)
      if (experiment === null) return fail({ code: 'invalid', message: `${info.name} was opened from a folder without experiment.prlab.json: its past states cannot be recomputed (its samples are all there)` })
      const times = await library.times(runId)
      const t = t_ms ?? Number.POSITIVE_INFINITY
      let target: StateTarget
      if (info.state === 'finished' && t >= experiment.durationMs) target = { t_ms: experiment.durationMs, end: true }
      else {
        const row = lastIndexAtOrBefore(times, t)
        if (row < 0) return fail({ code: 'invalid', message: `no sample at or before ${t_ms} ms` })
        target = { t_ms: times[row], end: false }
      }
      return ok(await this.pastStates.request(runId, () => this.stateSource(experiment), target, parts))
    } catch (e) {
      if (e instanceof StateCancelled) return fail({ code: 'cancelled', message: e.message })
      return this.libraryFailure(e)
    }
  }

  /** A kept run's experiment with the files it names, resolved as a new run's would be. */
  private async stateSource(experiment: Experiment): Promise<StateSource> {
    const inputs = await this.resolveInputs(experiment, null)
    if (!inputs.ok) throw new RunLibraryError('invalid', `${inputs.error.message}: import it (Data view), then ask again`)
    return { experiment, ...(inputs.value !== undefined ? { inputs: inputs.value } : {}) }
  }

  async listRuns(): Promise<Result<RunLibraryListing>> {
    const library = this.options.library
    if (!library) return ok({ runs: [], usedBytes: 0, policy: { maxRuns: 0, maxBytes: 0 }, location: null })
    try {
      const listing = await library.list()
      return ok({ ...listing, location: this.options.showLibraryLocation ? library.dir : null })
    } catch (e) {
      return this.libraryFailure(e)
    }
  }

  async openRun(id: string): Promise<Result<StoredRun>> {
    return this.withLibrary(async (library) => {
      await this.keeping.get(id)
      return library.open(id)
    })
  }

  async runRows(id: string, firstRow: number, rows: number): Promise<Result<Float64Array>> {
    return this.withLibrary((library) => library.rows(id, firstRow, rows))
  }

  async renameRun(id: string, name: string): Promise<Result<RunInfo>> {
    return this.withLibrary(async (library) => {
      const info = await library.rename(id, name)
      this.clients.forEach((c) => c.library(info, false))
      return info
    })
  }

  async deleteRun(id: string): Promise<Result<true>> {
    return this.withLibrary(async (library) => {
      const { info } = await library.open(id).catch(() => ({ info: null }))
      await library.remove(id)
      this.pastStates.forget(id)
      if (info) this.clients.forEach((c) => c.library(info, true))
      return true as const
    })
  }

  async importRunFolder(files: readonly UploadedFile[] | null): Promise<Result<RunInfo> | null> {
    const library = this.options.library
    if (!library) return fail({ code: 'invalid', message: 'this lab keeps no runs (no data folder)' })
    let read
    if (files === null) {
      const dialogs = this.options.dialogs
      if (!dialogs) return fail({ code: 'invalid', message: 'browser mode: upload the files of the run folder (samples.csv, events.csv, summary.json, experiment.prlab.json)' })
      const dir = await dialogs.openPath('Open a run folder (prlab run --out)', true)
      if (dir === null) return null
      read = await runFromFolder(dir, 'folder')
    } else read = runFromUploads(files)
    if (!read.ok) return read
    return this.withLibrary(async (lib) => {
      const info = await lib.keep(read.value)
      this.clients.forEach((c) => c.library(info, false))
      return info
    })
  }

  private async withLibrary<T>(f: (library: RunLibrary) => Promise<T>): Promise<Result<T>> {
    const library = this.options.library
    if (!library) return fail({ code: 'not-found', message: 'this lab keeps no runs (no data folder)' })
    try {
      return ok(await f(library))
    } catch (e) {
      return this.libraryFailure(e)
    }
  }

  private libraryFailure(e: unknown): Result<never> {
    if (e instanceof RunLibraryError) return fail({ code: e.code, message: e.message })
    return fail({ code: 'internal', message: e instanceof Error ? e.message : String(e) })
  }

  /** A run that ended with rows goes into the library (every UI hears of it). */
  private keepRun(run: Run): Promise<void> {
    const library = this.options.library
    if (!library || run.recorder.rowCount === 0) return Promise.resolve()
    let data: Float64Array
    let events
    try {
      data = run.recorder.readRows(0, run.recorder.rowCount)
      events = [...run.recorder.events()]
    } catch {
      // discarded meanwhile (its page went away): nothing to keep
      return Promise.resolve()
    }
    const state = run.status().state
    const keeping = library
      .keep({
        id: run.id,
        name: run.experiment.name,
        state: state === 'finished' || state === 'stopped' ? state : 'error',
        source: 'lab',
        document: run.document ?? null,
        summary: run.summary(),
        end_ms: run.experiment.durationMs,
        columns: SAMPLE_COLUMNS,
        rows: data.length / SAMPLE_COLUMNS.length,
        data,
        events,
      })
      .then(
        (info) => this.clients.forEach((c) => c.library(info, false)),
        (e: unknown) => console.error(`run library: could not keep ${run.experiment.name}: ${e instanceof Error ? e.message : String(e)}`),
      )
      .finally(() => this.keeping.delete(run.id))
    this.keeping.set(run.id, keeping)
    return keeping
  }

  async importData(kind: ImportKind, fileName: string, text: string, options?: ImportOptions): Promise<Result<ImportedData>> {
    return this.keep(importText(kind, basename(fileName), text, options))
  }

  async openImportFile(kind: ImportKind, options?: ImportOptions): Promise<Result<ImportedData> | null> {
    const dialogs = this.options.dialogs
    if (!dialogs) return fail({ code: 'invalid', message: 'browser mode: import a file by uploading it' })
    const chosen = await dialogs.openPath(`Import ${kind}`, false)
    if (chosen === null) return null
    const imported = await importFile(kind, chosen, options)
    if (!imported.ok) return imported
    // the path the dialog gave, so an experiment can name the file and find it again
    this.grants.addInput(chosen)
    return this.keep(ok({ ...imported.value, path: chosen }))
  }

  private keep(result: Result<ImportedData>): Result<ImportedData> {
    if (result.ok) this.imports.add(result.value)
    return result
  }

  async parseSweep(fileName: string, text: string): Promise<Result<SweepTable>> {
    return parseSweepCsv(basename(fileName), text)
  }

  async openSweep(): Promise<Result<SweepTable> | null> {
    const dialogs = this.options.dialogs
    if (!dialogs) return fail({ code: 'invalid', message: 'browser mode: open a sweep by uploading its sweep.csv' })
    const chosen = await dialogs.openPath('Open sweep output folder', true)
    return chosen === null ? null : openSweep(chosen)
  }

  private async textExport(run: Run, kind: ExportKind, atMs: number | null): Promise<string> {
    if (kind === 'summary') {
      const summary = run.summary()
      const failed = run.failure()
      if (failed !== null) throw new Error(failed.message)
      if (!summary) throw new Error('the run has not ended yet')
      return JSON.stringify(summary, null, 2) + '\n'
    }
    const snap = await this.snapshot(run.id, atMs)
    if (!snap.ok) throw new Error(snap.error.message)
    return kind === 'buddyinfo' ? snap.value.buddyinfo : snap.value.pagetypeinfo
  }

  private async remember(path: string): Promise<void> {
    this.options.dialogs?.addRecentDocument?.(path)
    if (this.recent) this.recentChanged(await this.recent.add(path))
  }

  private recentChanged(files: string[]): void {
    for (const path of files) this.grants.experiment(path)
    this.options.onRecentFilesChanged?.()
  }

  private unknownFile(): Result<never> {
    return fail({ code: 'not-found', message: 'the lab does not know this file (it was not opened or saved in this session): open it again' })
  }

  private evict(): void {
    const keep = this.options.keepRuns ?? 8
    const ended = [...this.runs.values()].filter((r) => ['finished', 'stopped', 'error'].includes(r.status().state))
    while (this.runs.size > keep && ended.length > 0) {
      const old = ended.shift() as Run
      old.dispose()
      this.runs.delete(old.id)
    }
  }

  private noRun(runId: string): Result<never> {
    const error: LabError = { code: 'not-found', message: `no run ${runId} (it may have been discarded)` }
    return fail(error)
  }
}
