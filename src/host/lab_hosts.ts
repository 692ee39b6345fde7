// Host experiments in the lab (issue 15; the HostApi calls of src/common/host_api.ts): open one,
// run it in a worker thread as a task (src/host/host_run_worker.ts) and keep its result for the
// Host view, and run `prlab fit`'s search (src/host/fit.ts) on the sweep worker pool for the
// Sweep view. A host file's `file` entries resolve on the desktop next to the host file, only as
// host_guest_files.ts allows (in its folder, no link out, absolute only when the user chose the
// file); in browser mode among the files uploaded with the host file (host_upload_set.ts), then
// the shipped examples; for an example among the examples. The guests' data files (traces,
// buddyinfo snapshots) resolve as a single run's do (run_inputs.ts), with this session's imports;
// in browser mode first among the files uploaded with the host file. Everything is read here,
// once: a host run's worker and a fit's sweep workers read no file.
import { realpath } from 'node:fs/promises'
import { basename, dirname, resolve } from 'node:path'
import { randomUUID } from 'node:crypto'
import type { Worker } from 'node:worker_threads'
import { fail, ok, type LabError, type LoadedHostExperiment, type Result, type UploadedFile } from '../common/api'
import type { ImportedData } from '../common/imports'
import { checkGuestFiles, isInside } from './host_guest_files'
import { resolveUploadedHost, type HostUploadSet } from './host_upload_set'
import { bundledFile } from './run_inputs'
import { MAX_SESSION_IMPORT_BYTES } from './session_imports'
import type { FitPointView, FitRequest, FitStatus, HostRunView, HostTaskStarted } from '../common/host_api'
import { parseObjective, type FitObjective } from '../common/fit_objective'
import { MAX_HOST_GUESTS, type HostExperiment } from '../common/host_experiment'
import { examplePath, isExampleName } from './examples'
import { loadLabFile, parseLabText, validateDocument, validateHostDocument, type LoadedLabFile } from './experiment_io'
import { checkHostLimits, resolveHostExperiment, type HostSource } from './host_experiment_io'
import type { FromHostRunWorker, HostRunJob, ToHostRunWorker } from './host_run_worker'
import { fitAnswer, fitAnswerText, fitPointHost, inlineGuests, judge, searchFit, type FitPoint } from './fit'
import { spawnWorker } from './spawn_worker'
import { defaultWorkers, runSweepJobs, type HostSweepJob } from './sweep'

/**
 * Desktop, a host document without a file (dropped on the window, or new and not saved): its guest
 * files have no folder to be read from, so only the shipped examples resolve.
 */
export const DESKTOP_NO_FOLDER =
  'and this host file has no folder of its own (it was dropped on the window, or is not saved yet): open it with File > Open, and its guests are read next to it, or save it next to them first'

/** A task of the lab (LabHost): its progress shows in every UI, Cancel aborts its signal. */
export interface LabTask {
  readonly id: string
  readonly signal: AbortSignal
  progress(done: number, total: number): void
  finish(state: 'done' | 'cancelled' | 'error'): void
}

/** What host experiments need of the lab. */
export interface HostsEnv {
  readonly examplesDir: string
  /** Desktop: the path of a file the user chose, by its id; undefined for an unknown id. Browser mode: always undefined. */
  filePath(fileId: string): string | undefined
  /** Desktop: the user chose this file in this session (a dialog, the recent list, the command line). */
  granted?(path: string): boolean
  readonly desktop: boolean
  startTask(label: string): LabTask
  /** The host run worker module (host_run_worker.ts, or the bundled file). */
  readonly hostWorkerEntry: string | URL
  /** The sweep pool's worker module (sweep_worker.ts, or the bundled file). */
  readonly sweepWorkerEntry?: string | URL
  /** Worker threads of a fit; default cpus - 1. */
  readonly fitWorkers?: number
  /** The data files imported in this session (SessionImports.files), which the guests' experiments may name. */
  imports?(): ReadonlyMap<string, ImportedData>
}

interface HostRunState {
  view: HostRunView | null
  error: LabError | null
  done: boolean
}

interface FitState {
  readonly objective: FitObjective
  readonly guestName: string
  readonly max: number
  readonly points: Map<number, FitPoint>
  running: number[]
  state: FitStatus['state']
  error?: string
}

/** Finished host runs and fits kept for the UI to read; older ones are forgotten. */
const KEPT = 8

/** The data files imported from host uploads kept together: older uploads are forgotten first (never the newest). */
const MAX_UPLOAD_DATA_BYTES = MAX_SESSION_IMPORT_BYTES

const hostOnly = (loaded: Result<LoadedLabFile>, fileName: string): Result<LoadedHostExperiment> => {
  if (!loaded.ok) return loaded
  if (loaded.value.kind !== 'host') {
    const message = 'this is a guest experiment (it has guest, no machine); open it with Open, or run a host experiment here'
    return fail({ code: 'invalid', file: fileName, message, issues: [{ path: '', message }] })
  }
  const { kind: _kind, ...host } = loaded.value
  return ok(host)
}

function keep<T>(map: Map<string, T>, id: string, value: T, ended: (v: T) => boolean): void {
  map.set(id, value)
  for (const [old, v] of map) {
    if (map.size <= KEPT) break
    if (ended(v)) map.delete(old)
  }
}

export class LabHosts {
  private readonly runs = new Map<string, HostRunState>()
  private readonly fits = new Map<string, FitState>()
  /** Browser mode: the guest and data files uploaded with each host file, by the id handed out as its fileId. */
  private readonly uploads = new Map<string, HostUploadSet>()

  constructor(private readonly env: HostsEnv) {}

  async openExample(name: string): Promise<Result<LoadedHostExperiment>> {
    if (!isExampleName(name)) return fail({ code: 'not-found', message: `no example named ${JSON.stringify(name)}` })
    const result = hostOnly(await loadLabFile(examplePath(this.env.examplesDir, name)), `${name}.prlab.json`)
    // Examples are templates: never saved over.
    return result.ok ? ok({ ...result.value, path: undefined }) : result
  }

  async parse(fileName: string, text: string): Promise<Result<LoadedHostExperiment>> {
    return hostOnly(parseLabText(basename(fileName), text), basename(fileName))
  }

  /** Browser mode: a host file uploaded with its guest files; its fileId names that upload. */
  async openUploaded(files: readonly UploadedFile[]): Promise<Result<LoadedHostExperiment>> {
    // a data file not among those uploaded may still be one imported in this session, or shipped
    const elsewhere = async (name: string, kind: ImportedData['kind']): Promise<boolean> =>
      this.env.imports?.().get(basename(name))?.kind === kind || (await bundledFile(this.env.examplesDir, name)) !== null
    const r = await resolveUploadedHost(files, elsewhere)
    if (!r.ok) return r
    const id = randomUUID()
    keep(this.uploads, id, r.value.set, () => true)
    let bytes = 0
    for (const set of this.uploads.values()) bytes += set.bytes
    for (const [old, set] of this.uploads) {
      if (bytes <= MAX_UPLOAD_DATA_BYTES || old === id) break
      bytes -= set.bytes
      this.uploads.delete(old)
    }
    return ok({ ...r.value.loaded, fileId: id })
  }

  /** Desktop: a host file the shell handed out (dialog, recent list, command line), as `fileId`. */
  async openFile(path: string, fileId: string): Promise<Result<LoadedHostExperiment>> {
    const r = hostOnly(await loadLabFile(path), basename(path))
    return r.ok ? ok({ ...r.value, path, fileId }) : r
  }

  /** Where the host file's names resolve, each `file` entry checked first on the desktop (host_guest_files.ts). */
  private async source(host: HostExperiment, hostFileId: string | null, exampleName: string | null): Promise<Result<HostSource>> {
    const imports = this.env.imports?.()
    const withImports = (source: HostSource): Result<HostSource> => ok(imports !== undefined ? { ...source, imports } : source)
    if (exampleName !== null) {
      if (!isExampleName(exampleName)) return fail({ code: 'not-found', message: `no example named ${JSON.stringify(exampleName)}` })
      // the page sends the document back: its names resolve among the examples, never elsewhere on disk
      return withImports({ baseDir: null, bundledDir: this.env.examplesDir })
    }
    if (this.env.desktop && hostFileId !== null) {
      const path = this.env.filePath(hostFileId)
      if (path === undefined) return fail({ code: 'not-found', message: 'that file is no longer known to the lab; open it again' })
      const granted = (p: string): boolean => this.env.granted?.(p) === true
      const files = await checkGuestFiles({ hostPath: path, granted }, host)
      if (!files.ok) return files
      const dir = dirname(path)
      const realDir = await realpath(dir).catch(() => dir)
      // the guests' own data files (traces, buddyinfo): in the host file's folder, or chosen by the user
      const readable = (file: string): boolean => isInside(dir, resolve(file)) || isInside(realDir, resolve(file)) || granted(resolve(file))
      return withImports({ baseDir: dir, files: files.value, readable })
    }
    if (!this.env.desktop && hostFileId !== null) {
      const uploads = this.uploads.get(hostFileId)
      if (uploads === undefined) return fail({ code: 'not-found', message: 'the files uploaded with this host file are no longer known to the lab; choose them again' })
      return withImports({ baseDir: null, uploadSet: uploads, bundledDir: this.env.examplesDir })
    }
    // a host document with no file behind it: dropped on the window, or not saved yet
    if (this.env.desktop) return withImports({ baseDir: null, bundledDir: this.env.examplesDir, notFoundReason: DESKTOP_NO_FOLDER })
    return withImports({ baseDir: null, bundledDir: this.env.examplesDir })
  }

  async startRun(document: unknown, hostFileId: string | null, exampleName: string | null): Promise<Result<HostTaskStarted>> {
    const valid = validateHostDocument(document)
    if (!valid.ok) return valid
    const host = valid.value
    const source = await this.source(host, hostFileId, exampleName)
    if (!source.ok) return source
    // resolved here, so a bad guest file or a run too large fails the call, not the task; the worker reads no file
    const resolved = await resolveHostExperiment(host, source.value)
    if (!resolved.ok) return resolved
    const limits = checkHostLimits(resolved.value.plan)
    if (!limits.ok) return limits
    const id = randomUUID()
    const state: HostRunState = { view: null, error: null, done: false }
    keep(this.runs, id, state, (s) => s.done)
    const task = this.env.startTask(`Host run: ${host.name}`)
    const worker: Worker = spawnWorker(this.env.hostWorkerEntry, { host, resolved: resolved.value } satisfies HostRunJob)
    const end = (error: LabError | null, view: HostRunView | null): void => {
      if (state.done) return
      state.done = true
      state.error = error
      state.view = view
      task.finish(view !== null ? 'done' : error?.code === 'cancelled' ? 'cancelled' : 'error')
      void worker.terminate()
    }
    const onAbort = (): void => worker.postMessage({ type: 'cancel' } satisfies ToHostRunWorker)
    task.signal.addEventListener('abort', onAbort, { once: true })
    worker.on('message', (m: FromHostRunWorker) => {
      if (m.type === 'progress') task.progress(m.fraction, 1)
      else if (m.type === 'done') end(null, m.view)
      else end(task.signal.aborted ? { code: 'cancelled', message: `${host.name}: the run was cancelled` } : { code: 'internal', message: `${host.name}: ${m.error}` }, null)
    })
    worker.on('error', (e) => end({ code: 'internal', message: `${host.name}: the run's worker failed: ${e.message}` }, null))
    worker.on('exit', (code) => end({ code: 'internal', message: `${host.name}: the run's worker exited with code ${code}` }, null))
    return ok({ id, taskId: task.id })
  }

  async result(id: string): Promise<Result<HostRunView>> {
    const state = this.runs.get(id)
    if (state === undefined) return fail({ code: 'not-found', message: `no host run ${id} in this session` })
    if (!state.done) return fail({ code: 'busy', message: 'the host run has not ended yet' })
    if (state.view === null) return fail(state.error ?? { code: 'internal', message: 'the host run failed' })
    return ok(state.view)
  }

  async startFit(request: FitRequest, hostFileId: string | null, exampleName: string | null): Promise<Result<HostTaskStarted>> {
    const hostValid = validateHostDocument(request.host, 'the host')
    if (!hostValid.ok) return hostValid
    const guestValid = validateDocument(request.guest, 'the guest')
    if (!guestValid.ok) return guestValid
    let objective: FitObjective
    try {
      objective = parseObjective(request.slo)
    } catch (e) {
      const message = e instanceof Error ? e.message.replace(/^--slo /, 'objective ') : String(e)
      return fail({ code: 'invalid', message, issues: [{ path: 'slo', message }] })
    }
    const host = hostValid.value
    const guest = guestValid.value
    const source = await this.source(host, hostFileId, exampleName)
    if (!source.ok) return source
    const background = host.guests.reduce((n, g) => n + g.count, 0)
    const max = Math.max(1, Math.min(request.max, MAX_HOST_GUESTS - background))
    const copies = { startMs: request.startMs, staggerMs: request.staggerMs }
    // the host's guests and the copied guest resolved now, with their data files: the points run
    // every guest inline on these inputs (structured-cloned to the workers), so no worker reads a file
    const probe = await resolveHostExperiment(fitPointHost(host, guest, 1, copies), source.value)
    if (!probe.ok) return probe
    const inlineHost = inlineGuests(host, probe.value.entries)
    const inputs = probe.value.entries.map((e) => e.inputs)
    const id = randomUUID()
    const fit: FitState = { objective, guestName: guest.name, max, points: new Map(), running: [], state: 'running' }
    keep(this.fits, id, fit, (f) => f.state !== 'running')
    const task = this.env.startTask(`Fit: how many × ${guest.name} (${objective.text})`)
    const workers = Math.max(1, this.env.fitWorkers ?? defaultWorkers())
    const evaluate = async (round: readonly number[]): Promise<FitPoint[]> => {
      task.signal.throwIfAborted()
      fit.running = [...round]
      const jobs: HostSweepJob[] = round.map((n) => ({ k: n, host: fitPointHost(inlineHost, guest, n, copies), outDir: null, check: false, inputs }))
      const fractions = new Map<number, number>()
      const outcomes = await runSweepJobs(jobs, {
        workers,
        signal: task.signal,
        ...(this.env.sweepWorkerEntry !== undefined ? { entry: this.env.sweepWorkerEntry } : {}),
        onProgress: (k, f) => {
          fractions.set(k, f)
          let sum = 0
          for (const v of fractions.values()) sum += v
          task.progress(fit.points.size + sum, fit.points.size + round.length)
        },
      })
      task.signal.throwIfAborted()
      const points = outcomes.map((r): FitPoint => (r.ok ? judge(objective, r.k, r.summary) : { count: r.k, ok: false, why: `the run failed: ${r.error}`, figures: null, error: r.error }))
      for (const p of points) fit.points.set(p.count, p)
      fit.running = []
      return points
    }
    searchFit(evaluate, workers, max).then(
      () => {
        fit.state = 'done'
        task.finish('done')
      },
      (e: unknown) => {
        fit.running = []
        fit.state = task.signal.aborted ? 'cancelled' : 'error'
        if (fit.state === 'error') fit.error = e instanceof Error ? e.message : String(e)
        task.finish(fit.state)
      },
    )
    return ok({ id, taskId: task.id })
  }

  async fitStatus(id: string): Promise<Result<FitStatus>> {
    const fit = this.fits.get(id)
    if (fit === undefined) return fail({ code: 'not-found', message: `no fit ${id} in this session` })
    const points = [...fit.points.values()].sort((a, b) => a.count - b.count)
    const view: FitPointView[] = points.map((p) => ({ count: p.count, verdict: p.error !== undefined ? 'failed' : p.ok ? 'meets' : 'fails', why: p.why, figures: p.figures === null ? null : { ...p.figures } }))
    const ended = fit.state === 'done'
    const answer = ended ? fitAnswer(points, fit.max) : null
    return ok({
      state: fit.state,
      objective: fit.objective.text,
      guestName: fit.guestName,
      max: fit.max,
      points: view,
      running: fit.running,
      largest: answer?.largest ?? null,
      firstFailing: answer?.firstFailing ?? null,
      nonMonotonic: answer?.nonMonotonic ?? [],
      answerText: answer !== null ? fitAnswerText(answer, fit.objective, points, fit.guestName, fit.max) : '',
      ...(fit.error !== undefined ? { error: fit.error } : {}),
    })
  }
}
