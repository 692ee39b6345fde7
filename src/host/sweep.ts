// Parameter sweeps (prlab sweep): a grid of experiment edits, its points in a stable order,
// shards of it for batch schedulers, and a pool of worker threads running the points.
//
// Order: the cartesian product of the --grid axes in the order given, the last axis varying
// fastest (nested loops), point k = 0, 1, ... Shards: `--shard i/N` (0 <= i < N) runs the points
// with k % N == i. Modulo rather than contiguous blocks because cost grows along an axis (guest
// size, duration): striding spreads the expensive points over all shards. Point indices stay
// global, so the shards' point-<k> folders never collide and merge by copying.
import { availableParallelism } from 'node:os'
import type { Worker } from 'node:worker_threads'
import { stringify } from 'csv-stringify/sync'
import { fail, ok, type LabError, type Result, type RunSummary } from '../common/api'
import type { Experiment } from '../common/experiment'
import type { HostExperiment } from '../common/host_experiment'
import type { SimulationInputs } from '../engine/api'
import { parsePath, setPath } from './document_path'
import { typedValue } from './typed_value'
import { spawnWorker } from './spawn_worker'
import { gridTokens } from '../common/grid_syntax'

export { splitValues } from '../common/grid_syntax'

export interface GridAxis {
  /** Experiment field path, e.g. `reporting.order` or `workload.phases[0].mib`. */
  readonly path: string
  readonly values: readonly unknown[]
}

export interface GridPoint {
  /** Global index in the whole grid (not in the shard). */
  readonly k: number
  /** One value per axis, in axis order. */
  readonly values: readonly unknown[]
}

export interface Shard {
  readonly index: number
  readonly count: number
}

/** Largest grid accepted: a sweep beyond this is a mistake in a --grid argument. */
export const MAX_SWEEP_POINTS = 1_000_000

const invalid = (message: string, file?: string): LabError => ({ code: 'invalid', message, ...(file !== undefined ? { file } : {}) })

/** Syntax of one --grid argument: `path=v1,v2,...` (values JSON or bare strings; ranges a..b[:step]). */
export function parseGridArg(arg: string): { path: string; tokens: string[] } {
  const eq = arg.indexOf('=')
  if (eq <= 0) throw new Error(`--grid ${JSON.stringify(arg)}: expected path=v1,v2,... e.g. --grid 'reporting.order=5,7,9'`)
  const path = arg.slice(0, eq).trim()
  parsePath(path)
  try {
    return { path, tokens: gridTokens(arg.slice(eq + 1)) }
  } catch (e) {
    throw new Error(`--grid ${arg}: ${(e as Error).message}`, { cause: e })
  }
}

/**
 * Types each token against the experiment schema: the JSON reading when the schema takes it at
 * that path (5 -> number, null, true), else the bare string (kernel "6.6", backing "anon-4k").
 * Errors name the --grid argument, the value and what the schema expected.
 */
export function resolveGrid(document: unknown, fileName: string, args: readonly string[]): Result<GridAxis[]> {
  const axes: GridAxis[] = []
  for (const arg of args) {
    let parsed: { path: string; tokens: string[] }
    try {
      parsed = parseGridArg(arg)
    } catch (e) {
      return fail(invalid((e as Error).message, fileName))
    }
    if (axes.some((a) => a.path === parsed.path)) return fail(invalid(`--grid ${parsed.path} is given twice; list all its values in one --grid`, fileName))
    const values: unknown[] = []
    for (const token of parsed.tokens) {
      const typed = typedValue(document, parsed.path, token, fileName)
      if (!typed.ok) return fail(invalid(`--grid ${typed.error.message}`, fileName))
      values.push(typed.value)
    }
    axes.push({ path: parsed.path, values })
  }
  return ok(axes)
}

export function gridSize(axes: readonly GridAxis[]): number {
  return axes.reduce((n, a) => n * a.values.length, 1)
}

/** Point k of the grid: mixed-radix digits of k, the last axis least significant. */
export function gridPoint(axes: readonly GridAxis[], k: number): GridPoint {
  const values: unknown[] = new Array(axes.length)
  let rest = k
  for (let a = axes.length - 1; a >= 0; a--) {
    const n = axes[a].values.length
    values[a] = axes[a].values[rest % n]
    rest = Math.floor(rest / n)
  }
  return { k, values }
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim())
  if (m === null) throw new Error(`--shard ${JSON.stringify(text)}: expected i/N, e.g. --shard 0/4 (i counts from 0)`)
  const [index, count] = [Number(m[1]), Number(m[2])]
  if (count < 1 || index >= count) throw new Error(`--shard ${text}: need 0 <= i < N`)
  return { index, count }
}

/** The indices of the points a shard runs (all of them without a shard). */
export function shardIndices(total: number, shard: Shard | null): number[] {
  if (shard === null) return Array.from({ length: total }, (_, k) => k)
  const out: number[] = []
  for (let k = shard.index; k < total; k += shard.count) out.push(k)
  return out
}

/** The experiment document of one point: the base document with each axis value set. */
export function pointDocument(document: unknown, axes: readonly GridAxis[], point: GridPoint): unknown {
  return axes.reduce((doc, axis, a) => setPath(doc, axis.path, point.values[a]), document)
}

/** A grid value as a CSV cell and folder label: strings bare, everything else JSON. */
export const formatGridValue = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v))

// ---- worker pool ----

export interface SweepJob {
  readonly k: number
  readonly experiment: Experiment
  readonly outDir: string
  readonly check: boolean
  /** Where the files the experiment names resolve (the experiment file's directory), as for `prlab run`. */
  readonly baseDir?: string
  /** The files the experiment names, already resolved (a sweep the lab runs resolves them as startRun does). */
  readonly inputs?: SimulationInputs
}

/** A point that is a host experiment (prlab fit): its host files only, no guest folders. */
export interface HostSweepJob {
  readonly k: number
  readonly host: HostExperiment
  readonly outDir: string | null
  readonly check: boolean
  /** Where the host's names resolve, as for `prlab run` (prlab fit). */
  readonly baseDir?: string
  /**
   * Every guest inline, with each entry's data files already resolved, by entry index (the lab's
   * fits: lab_hosts.ts checked and read them once): the worker reads no file.
   */
  readonly inputs?: readonly (SimulationInputs | null)[]
}

export type PoolJob = SweepJob | HostSweepJob

/** What a point's run reports: a guest run's summary.json, or a host run's figures (host_summary_figures.ts). */
export type PointFigures = RunSummary | { readonly [figure: string]: number | string | null }

/** Messages between the pool and src/host/sweep_worker.ts. */
export type ToSweepWorker = { readonly type: 'run'; readonly job: PoolJob }
export type FromSweepWorker =
  | { readonly type: 'progress'; readonly k: number; readonly fraction: number }
  | { readonly type: 'done'; readonly k: number; readonly summary: PointFigures }
  | { readonly type: 'failed'; readonly k: number; readonly error: string }

export type SweepOutcome =
  | { readonly k: number; readonly ok: true; readonly summary: PointFigures }
  | { readonly k: number; readonly ok: false; readonly error: string }

export interface PoolOptions {
  /** Worker threads; default cpus - 1 (at least 1). */
  readonly workers?: number
  /** Worker module; default sweep_worker.ts next to this file. Tests pass a stand-in. */
  readonly entry?: string | URL
  readonly onProgress?: (k: number, fraction: number) => void
  readonly onOutcome?: (outcome: SweepOutcome) => void
  /** Aborting ends the workers at once; the points that had not ended are left out of the outcomes. */
  readonly signal?: AbortSignal
}

export const defaultWorkers = (): number => Math.max(1, availableParallelism() - 1)

/**
 * Runs the jobs on a pool of worker threads, each point in one worker. A point that throws or
 * kills its worker fails alone: the worker is replaced and the sweep goes on.
 */
export function runSweepJobs(jobs: readonly PoolJob[], options: PoolOptions = {}): Promise<SweepOutcome[]> {
  const entry = options.entry ?? new URL('./sweep_worker.ts', import.meta.url)
  const outcomes = new Map<number, SweepOutcome>()
  const workers = new Set<Worker>()
  let next = 0
  let live = 0
  return new Promise((resolve) => {
    if (jobs.length === 0) return resolve([])
    const outcomesSoFar = (): SweepOutcome[] => jobs.map((j) => outcomes.get(j.k)).filter((o): o is SweepOutcome => o !== undefined)
    if (options.signal?.aborted) return resolve([])
    options.signal?.addEventListener(
      'abort',
      () => {
        next = jobs.length
        for (const w of workers) void w.terminate()
        resolve(outcomesSoFar())
      },
      { once: true },
    )
    const finish = (outcome: SweepOutcome): void => {
      if (outcomes.has(outcome.k)) return
      outcomes.set(outcome.k, outcome)
      options.onOutcome?.(outcome)
    }
    const start = (): void => {
      const worker: Worker = spawnWorker(entry)
      workers.add(worker)
      live++
      let current: PoolJob | null = null
      let ended = false
      const feed = (): void => {
        if (next >= jobs.length) {
          current = null
          void worker.terminate()
          return
        }
        current = jobs[next++]
        worker.postMessage({ type: 'run', job: current } satisfies ToSweepWorker)
      }
      const end = (error: string): void => {
        if (ended) return
        ended = true
        workers.delete(worker)
        live--
        if (options.signal?.aborted) return
        if (current !== null) finish({ k: current.k, ok: false, error })
        if (next < jobs.length) start()
        else if (live === 0) resolve(jobs.map((j) => outcomes.get(j.k) as SweepOutcome))
      }
      worker.on('message', (m: FromSweepWorker) => {
        if (m.type === 'progress') return options.onProgress?.(m.k, m.fraction)
        finish(m.type === 'done' ? { k: m.k, ok: true, summary: m.summary } : { k: m.k, ok: false, error: m.error })
        feed()
      })
      worker.on('error', (e) => end(`worker error: ${e.message}`))
      worker.on('exit', (code) => end(`worker exited with code ${code}`))
      feed()
    }
    const n = Math.min(jobs.length, Math.max(1, options.workers ?? defaultWorkers()))
    for (let i = 0; i < n; i++) start()
  })
}

// ---- sweep.csv ----

/** summary.json fields in the order DESIGN.md lists them; other summary fields follow, sorted. */
export const SUMMARY_COLUMNS = ['first_report_ms', 'report_calls', 'reported_kib_total', 'peak_host_rss_kib', 'final_host_rss_kib', 'sim_ms', 'wall_ms', 'events_processed'] as const

export interface SweepRow {
  readonly point: GridPoint
  readonly outcome: SweepOutcome
}

/** sweep.csv: point, one column per axis, status, the summary figures, error. Rows by point index. */
export function sweepCsv(axes: readonly GridAxis[], rows: readonly SweepRow[]): string {
  const extra = new Set<string>()
  for (const r of rows) if (r.outcome.ok) for (const key of Object.keys(r.outcome.summary)) if (!(SUMMARY_COLUMNS as readonly string[]).includes(key)) extra.add(key)
  const figures = [...SUMMARY_COLUMNS, ...[...extra].sort()]
  const header = ['point', ...axes.map((a) => a.path), 'status', ...figures, 'error']
  const body = [...rows]
    .sort((a, b) => a.point.k - b.point.k)
    .map((r) => {
      const summary = r.outcome.ok ? r.outcome.summary : null
      const cell = (key: string): string => {
        const v = summary?.[key]
        return v === undefined || v === null ? '' : String(v)
      }
      return [String(r.point.k), ...r.point.values.map(formatGridValue), r.outcome.ok ? 'ok' : 'failed', ...figures.map(cell), r.outcome.ok ? '' : r.outcome.error]
    })
  return stringify([header, ...body])
}
