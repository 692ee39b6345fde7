// The run library: finished runs kept on disk so they outlive the window that ran them (the
// desktop's data folder, browser mode's server data folder). One folder per run, named by its id:
//
//   run.json          what the run was: name, date, state, its experiment, summary, columns, sizes
//   samples.f64.gz    every recorded row, row-major float64 (little-endian) in run.json's columns
//   events.json.gz    the recorded events
//
// A run appears whole or not at all: its folder is written under a temporary name and renamed
// into place; run.json is replaced atomically on rename; a delete renames the folder away before
// removing it. The size is bounded: after each new run the oldest are deleted until at most
// `maxRuns` are kept and they take at most `maxBytes` (the newest is always kept). Everything read
// back is checked: a folder that does not parse is left out of the list, never trusted.
import { promises as fs } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gunzip, gzip, constants as zlib } from 'node:zlib'
import { z } from 'zod'
import type { RunFigures, RunInfo, RunLibraryListing, RunState, RunSummary, StoredRun } from '../common/api'
import type { Experiment, ExperimentInput } from '../common/experiment'
import { EVENT_KINDS, NR_SAMPLE_COLUMNS, SAMPLE_COLUMNS, ZONE_NAMES, type SimEvent } from '../common/samples'
import { makeDirs, writeFileAtomic } from './atomic_write'
import { validateDocument } from './experiment_io'
import { errnoOf } from './io_error'

const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)

export const RUN_FORMAT = 'page-reporting-lab/run'
export const DEFAULT_LIBRARY_MAX_RUNS = 100
export const DEFAULT_LIBRARY_MAX_BYTES = 1024 * 1024 * 1024
/** Longest run name kept. */
export const MAX_RUN_NAME = 200
const RUN_JSON = 'run.json'
const SAMPLES = 'samples.f64.gz'
const EVENTS = 'events.json.gz'
/** Decompressed sizes refused past these: a library file is ours, but a disk can lie. */
const MAX_SAMPLES_BYTES = 4 * 1024 * 1024 * 1024
const MAX_EVENTS = 2_000_000

const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
export const isRunId = (id: string): boolean => RUN_ID.test(id)

const SummarySchema = z.record(z.string().max(100), z.union([z.number(), z.string().max(10_000), z.null()]))

const RunFileSchema = z.strictObject({
  format: z.literal(RUN_FORMAT),
  version: z.literal(1),
  id: z.string().regex(RUN_ID),
  name: z.string().max(MAX_RUN_NAME),
  created_ms: z.number().finite().nonnegative(),
  state: z.enum(['finished', 'stopped', 'error']),
  source: z.enum(['lab', 'folder', 'sweep']),
  sim_ms: z.number().finite().nonnegative(),
  end_ms: z.number().finite().nonnegative(),
  rows: z.number().int().nonnegative(),
  events: z.number().int().nonnegative(),
  columns: z.array(z.string().max(100)).min(1).max(4096),
  samplesBytes: z.number().int().nonnegative(),
  eventsBytes: z.number().int().nonnegative(),
  summary: SummarySchema.nullable(),
  document: z.unknown().nullable(),
})
type RunFile = z.infer<typeof RunFileSchema>

/** A run to keep: its rows row-major in `columns` (the recorder's SAMPLE_COLUMNS, or a CSV's). */
export interface RunToKeep {
  readonly id: string
  readonly name: string
  readonly state: Exclude<RunState, 'starting' | 'running' | 'paused'>
  readonly source: RunInfo['source']
  readonly document: ExperimentInput | null
  readonly summary: RunSummary | null
  readonly end_ms: number
  readonly columns: readonly string[]
  readonly rows: number
  readonly data: Float64Array
  readonly events: readonly SimEvent[]
}

export interface LibraryPolicy {
  readonly maxRuns: number
  readonly maxBytes: number
}

const FIGURE_KEYS = ['freed_kib', 'returned_kib', 'returned_pct_of_freed', 'first_report_after_free_ms', 'passes', 'report_calls', 'peak_host_rss_kib', 'final_host_rss_kib'] as const

function figuresOf(summary: Record<string, number | string | null> | null): RunFigures | null {
  if (summary === null) return null
  const n = (k: string): number | null => (typeof summary[k] === 'number' && Number.isFinite(summary[k]) ? (summary[k] as number) : null)
  return Object.fromEntries(FIGURE_KEYS.map((k) => [k, n(k)])) as unknown as RunFigures
}

function infoOf(f: RunFile): RunInfo {
  return {
    id: f.id,
    name: f.name,
    created_ms: f.created_ms,
    state: f.state,
    source: f.source,
    sim_ms: f.sim_ms,
    end_ms: f.end_ms,
    rows: f.rows,
    events: f.events,
    bytes: f.samplesBytes + f.eventsBytes,
    figures: figuresOf(f.summary),
    hasExperiment: f.document !== null && validateDocument(f.document).ok,
  }
}

/** Little-endian float64 bytes of an array (the platforms the lab runs on are little-endian; this says so in the format). */
function bytesOf(data: Float64Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}

/** A lightly checked event: the kinds and fields the recorder writes. */
const EventSchema = z.object({
  t_ms: z.number().finite(),
  kind: z.enum(EVENT_KINDS),
  zone: z.enum(ZONE_NAMES).optional(),
  order: z.number().finite().optional(),
  pfn: z.number().finite().optional(),
  count: z.number().finite().optional(),
  kib: z.number().finite().optional(),
  dur_ms: z.number().finite().optional(),
  detail: z.string().max(10_000).optional(),
})

export class RunLibraryError extends Error {
  constructor(
    readonly code: 'not-found' | 'invalid' | 'io',
    message: string,
  ) {
    super(message)
  }
}

export class RunLibrary {
  private readonly policy: LibraryPolicy
  /** The last runs whose rows were read, decompressed (the UI reads a run in slices). */
  private readonly rowCache = new Map<string, Promise<{ file: RunFile; data: Float64Array }>>()

  constructor(
    readonly dir: string,
    policy: Partial<LibraryPolicy> = {},
  ) {
    this.policy = { maxRuns: policy.maxRuns ?? DEFAULT_LIBRARY_MAX_RUNS, maxBytes: policy.maxBytes ?? DEFAULT_LIBRARY_MAX_BYTES }
  }

  async list(): Promise<RunLibraryListing> {
    const files = await this.readAll()
    return {
      runs: files.map(infoOf),
      usedBytes: files.reduce((n, f) => n + f.samplesBytes + f.eventsBytes, 0),
      policy: this.policy,
      location: null,
    }
  }

  /** Writes a run into the library, then deletes the oldest past the policy. */
  async keep(run: RunToKeep): Promise<RunInfo> {
    if (!isRunId(run.id)) throw new RunLibraryError('invalid', `not a run id: ${JSON.stringify(run.id)}`)
    if (run.data.length < run.rows * run.columns.length) throw new RunLibraryError('invalid', `${run.rows} rows of ${run.columns.length} columns need ${run.rows * run.columns.length} values, got ${run.data.length}`)
    await makeDirs(this.dir)
    const samples = await gzipAsync(bytesOf(run.data.subarray(0, run.rows * run.columns.length)), { level: zlib.Z_BEST_SPEED })
    const events = await gzipAsync(Buffer.from(JSON.stringify(run.events)), { level: zlib.Z_BEST_SPEED })
    const t = run.rows > 0 ? run.data[(run.rows - 1) * run.columns.length + run.columns.indexOf('t_ms')] : 0
    const file: RunFile = {
      format: RUN_FORMAT,
      version: 1,
      id: run.id,
      name: run.name.slice(0, MAX_RUN_NAME),
      created_ms: Date.now(),
      state: run.state,
      source: run.source,
      sim_ms: Number.isFinite(t) ? t : 0,
      end_ms: run.end_ms,
      rows: run.rows,
      events: run.events.length,
      columns: [...run.columns],
      samplesBytes: samples.length,
      eventsBytes: events.length,
      summary: run.summary === null ? null : SummarySchema.parse(run.summary),
      document: run.document ?? null,
    }
    const incoming = join(this.dir, `.incoming-${run.id}-${process.pid}`)
    await fs.rm(incoming, { recursive: true, force: true })
    await fs.mkdir(incoming)
    try {
      await writeFileAtomic(join(incoming, SAMPLES), samples)
      await writeFileAtomic(join(incoming, EVENTS), events)
      await writeFileAtomic(join(incoming, RUN_JSON), JSON.stringify(file, null, 1))
      const target = join(this.dir, run.id)
      await this.removeFolder(target)
      await fs.rename(incoming, target)
    } catch (e) {
      await fs.rm(incoming, { recursive: true, force: true }).catch(() => undefined)
      throw e
    }
    this.rowCache.delete(run.id)
    await this.enforce(run.id)
    return infoOf(file)
  }

  async open(id: string): Promise<StoredRun> {
    const file = await this.read(id)
    let events: SimEvent[]
    try {
      const raw: unknown = JSON.parse((await gunzipAsync(await fs.readFile(join(this.dir, id, EVENTS)), { maxOutputLength: 512 * 1024 * 1024 })).toString('utf8'))
      events = z.array(EventSchema).max(MAX_EVENTS).parse(raw) as SimEvent[]
    } catch (e) {
      throw new RunLibraryError('invalid', `run ${file.name}: its events do not read back (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`)
    }
    const valid = file.document === null ? null : validateDocument(file.document)
    return { info: infoOf(file), document: valid?.ok ? (file.document as ExperimentInput) : null, summary: file.summary as RunSummary | null, events }
  }

  /** The validated experiment of a kept run (for recomputing past states), or null when it has none. */
  async experiment(id: string): Promise<Experiment | null> {
    const file = await this.read(id)
    if (file.document === null) return null
    const valid = validateDocument(file.document)
    return valid.ok ? valid.value : null
  }

  /** Rows [first, first + count) in SAMPLE_COLUMNS order: columns the run did not record are NaN. */
  async rows(id: string, first: number, count: number): Promise<Float64Array> {
    const { file, data } = await this.samples(id)
    if (!Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count < 0 || first + count > file.rows) {
      throw new RunLibraryError('invalid', `rows ${first}..${first + count} of run ${file.name}, which has ${file.rows}`)
    }
    const width = file.columns.length
    const map = SAMPLE_COLUMNS.map((c) => file.columns.indexOf(c))
    const out = new Float64Array(count * NR_SAMPLE_COLUMNS)
    for (let r = 0; r < count; r++) {
      const src = (first + r) * width
      const dst = r * NR_SAMPLE_COLUMNS
      for (let c = 0; c < NR_SAMPLE_COLUMNS; c++) out[dst + c] = map[c] < 0 ? Number.NaN : data[src + map[c]]
    }
    return out
  }

  /** The sample times of a kept run (to find the sample at or before a time). */
  async times(id: string): Promise<Float64Array> {
    const { file, data } = await this.samples(id)
    const c = file.columns.indexOf('t_ms')
    const out = new Float64Array(file.rows)
    for (let r = 0; r < file.rows; r++) out[r] = data[r * file.columns.length + c]
    return out
  }

  async rename(id: string, name: string): Promise<RunInfo> {
    const file = await this.read(id)
    const next: RunFile = { ...file, name: name.slice(0, MAX_RUN_NAME) }
    await writeFileAtomic(join(this.dir, id, RUN_JSON), JSON.stringify(next, null, 1))
    return infoOf(next)
  }

  async remove(id: string): Promise<void> {
    await this.read(id)
    this.rowCache.delete(id)
    await this.removeFolder(join(this.dir, id))
  }

  /** Renamed away first, so a crash mid-delete leaves no half run in the list. */
  private async removeFolder(target: string): Promise<void> {
    const trash = join(this.dir, `.trash-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`)
    try {
      await fs.rename(target, trash)
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return
      throw e
    }
    await fs.rm(trash, { recursive: true, force: true })
  }

  private async read(id: string): Promise<RunFile> {
    if (!isRunId(id)) throw new RunLibraryError('not-found', `no kept run ${JSON.stringify(id)}`)
    let text: string
    try {
      text = await fs.readFile(join(this.dir, id, RUN_JSON), 'utf8')
    } catch (e) {
      if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') throw new RunLibraryError('not-found', `no kept run ${id} (it may have been deleted)`)
      throw e
    }
    const parsed = RunFileSchema.safeParse(safeJson(text))
    if (!parsed.success || parsed.data.id !== id || !parsed.data.columns.includes('t_ms')) throw new RunLibraryError('invalid', `kept run ${id}: run.json does not read back`)
    return parsed.data
  }

  private samples(id: string): Promise<{ file: RunFile; data: Float64Array }> {
    const cached = this.rowCache.get(id)
    if (cached) return cached
    const loading = (async () => {
      const file = await this.read(id)
      const raw = await gunzipAsync(await fs.readFile(join(this.dir, id, SAMPLES)), { maxOutputLength: MAX_SAMPLES_BYTES })
      if (raw.length !== file.rows * file.columns.length * 8) throw new RunLibraryError('invalid', `kept run ${file.name}: ${SAMPLES} holds ${raw.length} bytes, run.json says ${file.rows} rows of ${file.columns.length} columns`)
      const data = new Float64Array(raw.length / 8)
      new Uint8Array(data.buffer).set(raw)
      return { file, data }
    })()
    this.rowCache.set(id, loading)
    loading.catch(() => this.rowCache.delete(id))
    // two runs at most: a 1-hour run is ~40 MB decompressed
    while (this.rowCache.size > 2) this.rowCache.delete(this.rowCache.keys().next().value as string)
    return loading
  }

  private async readAll(): Promise<RunFile[]> {
    let names: string[]
    try {
      names = await fs.readdir(this.dir)
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return []
      throw e
    }
    const files: RunFile[] = []
    for (const name of names) {
      if (!isRunId(name)) continue
      try {
        files.push(await this.read(name))
      } catch {
        // a broken or half-deleted folder is not listed
      }
    }
    return files.sort((a, b) => b.created_ms - a.created_ms)
  }

  /** The policy: newest first, keep while within maxRuns and maxBytes; the run just kept always stays. */
  private async enforce(keptId: string): Promise<void> {
    const files = await this.readAll()
    let bytes = 0
    let count = 0
    for (const f of files) {
      const size = f.samplesBytes + f.eventsBytes
      const fits = count < this.policy.maxRuns && bytes + size <= this.policy.maxBytes
      if (fits || f.id === keptId) {
        count++
        bytes += size
      } else {
        this.rowCache.delete(f.id)
        await this.removeFolder(join(this.dir, f.id)).catch(() => undefined)
      }
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}
