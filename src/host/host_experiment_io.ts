// A host experiment's guests, resolved: inline guest experiments taken as they are, `file`
// entries loaded (any version, migrated) next to the host file, each guest's own data files
// (traces, buddyinfo snapshots) imported next to its experiment, then numbered and planned
// (src/common/host_plan.ts). Every failure names the entry: `guests[1].file: clang.prlab.json:
// guest.memoryMiB: expected ...`, `guests[1] -> workload.phases[0].file: cannot use trace.txt:
// ...` (every data file that fails, at once). Limits are checked over all guests together. A
// host experiment whose guests are all inline and whose data files are already resolved plans
// without reading anything (planInlineHost: a fit's points in the sweep workers).
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { stat } from 'node:fs/promises'
import { fail, ok, type Issue, type LabError, type Result } from '../common/api'
import { EXPERIMENT_FORMAT, EXPERIMENT_VERSION, type Experiment } from '../common/experiment'
import type { HostExperiment } from '../common/host_experiment'
import { planHost, type HostPlan, type ResolvedEntry } from '../common/host_plan'
import type { ImportedData } from '../common/imports'
import type { SimulationInputs } from '../engine/api'
import { hostMemoryConfig } from '../engine/machine/host_config'
import { loadExperimentFile } from './experiment_io'
import { DEFAULT_RECORDER_BUDGET_BYTES } from './recorder'
import { MAX_RUN_WALL_SECONDS, USABLE_MEMORY_FRACTION, checkLimits, defaultMachine, estimateRun, formatBytes, formatSeconds, type Machine } from './limits'
import { resolveRunInputs, type InputSource } from './run_inputs'
import type { HostUploadSet } from './host_upload_set'

/** Where a host experiment's names resolve (as run_inputs.ts InputSource). */
export interface HostSource {
  /** The host file's directory; null: no file system access beyond bundledDir (browser mode). */
  readonly baseDir: string | null
  /** The shipped examples' directory: without baseDir, `file` entries are looked up there, never outside it. */
  readonly bundledDir?: string
  /** Browser mode: the files chosen with the host file (host_upload_set.ts): its guest experiments, then their data files. */
  readonly uploadSet?: HostUploadSet
  /** Data files imported in this session (SessionImports), by file name: the guests' data files resolve among them too (run_inputs.ts uploads). */
  readonly imports?: ReadonlyMap<string, ImportedData>
  /**
   * Desktop: the guest files the lab checked (host_guest_files.ts), by the name the host file
   * gives, to their real path. When given, a `file` entry outside it is not read.
   */
  readonly files?: ReadonlyMap<string, string>
  /** Desktop: which data files the guests' experiments may name (run_inputs.ts readable). */
  readonly readable?: (file: string, name: string) => boolean
  /** Why a `file` entry that is no shipped example cannot be read, when not "not opened in this session" (browser mode). */
  readonly notFoundReason?: string
}

/** An entry's guest experiment and its data files (null: it names none). */
export interface ResolvedGuestEntry extends ResolvedEntry {
  readonly inputs: SimulationInputs | null
}

export interface ResolvedHost {
  readonly plan: HostPlan
  /** Each guest's data files, by guest number (guests whose experiments name none are absent). */
  readonly inputs: ReadonlyMap<number, SimulationInputs>
  /** Each entry, by index: its experiment and data files as resolved (planInlineHost takes them back). */
  readonly entries: readonly ResolvedGuestEntry[]
}

const entryError = (code: LabError['code'], path: string, message: string): Result<never> => fail({ code, message: `${path}: ${message}`, issues: [{ path, message }] })

/** The inline experiment of an entry as a full guest experiment. */
const inlineExperiment = (inline: object): Experiment => ({ format: EXPERIMENT_FORMAT, version: EXPERIMENT_VERSION, ...inline }) as Experiment

function insideDir(dir: string, name: string): string | null {
  const path = resolve(dir, name)
  const rel = relative(resolve(dir), path)
  return rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? null : path
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  )
}

/** An entry's experiment, and where the data files it names resolve. */
interface LoadedEntry {
  readonly experiment: Experiment
  readonly inputs: InputSource
}

/** Where the data files of an experiment read from disk in `dir` resolve (CLI, desktop). */
function onDisk(dir: string, source: HostSource): InputSource {
  return { baseDir: dir, ...(source.imports !== undefined ? { uploads: source.imports } : {}), ...(source.readable !== undefined ? { readable: source.readable } : {}) }
}

/** Where the data files of an experiment with no folder on disk resolve: the files chosen with the host file (from `uploadDir` in that upload), this session's imports, then `bundledDir`. */
function offDisk(source: HostSource, uploadDir: string | null, bundledDir: string | undefined): InputSource {
  return {
    baseDir: null,
    ...(source.imports !== undefined ? { uploads: source.imports } : {}),
    ...(bundledDir !== undefined ? { bundledDir } : {}),
    ...(source.readable !== undefined ? { readable: source.readable } : {}),
    ...(uploadDir !== null && source.uploadSet !== undefined ? { uploadedWith: source.uploadSet.inputsFrom(uploadDir) } : {}),
  }
}

async function loadEntryFile(file: string, path: string, source: HostSource): Promise<Result<LoadedEntry>> {
  let full: string | null
  if (source.files !== undefined) {
    full = source.files.get(file) ?? null
    if (full === null) return entryError('invalid', path, `${file} was not checked as a guest file of this host file`)
  } else if (source.baseDir !== null) full = resolve(source.baseDir, file)
  else {
    const upload = source.uploadSet?.guests.get(file)
    if (upload !== undefined) return ok({ experiment: upload.experiment, inputs: offDisk(source, upload.dir, source.bundledDir) })
    full = source.bundledDir === undefined ? null : insideDir(source.bundledDir, file)
    if (full === null || !(await isFile(full))) return entryError('not-found', path, `${file} is not a shipped example ${source.notFoundReason ?? 'nor a guest experiment opened in this session'}`)
    const loaded = await loadGuestFile(full, file, path)
    // a shipped experiment's data files are shipped beside it: looked up there, never elsewhere
    return loaded.ok ? ok({ experiment: loaded.value, inputs: offDisk(source, null, dirname(full)) }) : loaded
  }
  const loaded = await loadGuestFile(full, file, path)
  return loaded.ok ? ok({ experiment: loaded.value, inputs: onDisk(dirname(full), source) }) : loaded
}

async function loadGuestFile(full: string, file: string, path: string): Promise<Result<Experiment>> {
  const loaded = await loadExperimentFile(full)
  if (!loaded.ok) {
    const e = loaded.error
    const issues: Issue[] = (e.issues ?? [{ path: '', message: e.message }]).map((i) => ({ ...i, path: i.path === '' ? path : `${path} -> ${i.path}`, message: `${file}${i.line !== undefined ? `:${i.line}${i.column !== undefined ? `:${i.column}` : ''}` : ''}: ${i.message}` }))
    return fail({ code: e.code, message: `${path}: ${file}: ${e.message}`, issues: issues.map(({ line: _l, column: _c, ...rest }) => rest) })
  }
  return ok(loaded.value.experiment)
}

/** The plan of resolved entries: the machine's share checked, a run that ends. */
function planEntries(host: HostExperiment, entries: readonly ResolvedEntry[]): Result<HostPlan> {
  const reserved = checkMachine(host)
  if (!reserved.ok) return reserved
  const plan = planHost(host, entries)
  if (plan.guests.length > 0 && plan.end_ms <= 0) return entryError('invalid', 'durationMs', 'the run would end at 0 ms; give durationMs or guests with a duration')
  return ok(plan)
}

function withInputs(plan: HostPlan, entries: readonly ResolvedGuestEntry[]): ResolvedHost {
  const inputs = new Map<number, SimulationInputs>()
  for (const g of plan.guests) {
    const v = entries[g.entry].inputs
    if (v !== null) inputs.set(g.guest, v)
  }
  return { plan, inputs, entries }
}

/**
 * Loads the guests' experiments and data files and plans the run. A host experiment with no
 * guests is valid (a host description for prlab fit) but has nothing to run: `requireGuests`
 * refuses it.
 */
export async function resolveHostExperiment(host: HostExperiment, source: HostSource, options: { requireGuests?: boolean } = {}): Promise<Result<ResolvedHost>> {
  if (options.requireGuests !== false && host.guests.length === 0) {
    return entryError('invalid', 'guests', 'no guests to run; list guest experiments here, or use this host description with prlab fit HOST --guest GUEST')
  }
  const loaded: LoadedEntry[] = []
  for (const [i, entry] of host.guests.entries()) {
    if (entry.experiment !== undefined) {
      const uploadDir = source.uploadSet?.hostDir ?? null
      loaded.push({ experiment: inlineExperiment(entry.experiment), inputs: source.baseDir !== null ? onDisk(source.baseDir, source) : offDisk(source, uploadDir, source.bundledDir) })
      continue
    }
    const r = await loadEntryFile(entry.file as string, `guests[${i}].file`, source)
    if (!r.ok) return r
    loaded.push(r.value)
  }
  const plan = planEntries(
    host,
    loaded.map((l, i) => ({ entry: host.guests[i], experiment: l.experiment })),
  )
  if (!plan.ok) return plan
  // every entry's data files, and every one that fails at once
  const entries: ResolvedGuestEntry[] = []
  const failed: LabError[] = []
  for (const [i, l] of loaded.entries()) {
    const r = await resolveRunInputs(l.experiment, l.inputs)
    if (!r.ok) {
      const path = `guests[${i}]`
      const issues = r.error.issues ?? [{ path: '', message: r.error.message }]
      failed.push({ ...r.error, message: issues.map((x) => `${path} -> ${x.path}: ${x.message}`).join('; '), issues: issues.map((x) => ({ ...x, path: `${path} -> ${x.path}` })) })
    }
    entries.push({ entry: host.guests[i], experiment: l.experiment, inputs: r.ok ? (r.value ?? null) : null })
  }
  if (failed.length > 0) return fail({ code: failed[0].code, message: failed.map((e) => e.message).join('; '), issues: failed.flatMap((e) => e.issues ?? []) })
  return ok(withInputs(plan.value, entries))
}

/**
 * A host experiment whose guests are all inline, with each entry's data files already resolved
 * (`inputs`, by entry: a ResolvedHost's entries): planned without reading any file. A fit's points
 * run this way in the sweep workers, on what the lab checked and read once.
 */
export function planInlineHost(host: HostExperiment, inputs: readonly (SimulationInputs | null)[]): Result<ResolvedHost> {
  const entries: ResolvedGuestEntry[] = []
  for (const [i, entry] of host.guests.entries()) {
    if (entry.experiment === undefined) return entryError('internal', `guests[${i}].file`, 'a guest given by file; this host experiment was to have every guest inline')
    entries.push({ entry, experiment: inlineExperiment(entry.experiment), inputs: inputs[i] ?? null })
  }
  if (inputs.length !== entries.length) return entryError('internal', 'guests', `${entries.length} guests but data files for ${inputs.length}`)
  const plan = planEntries(host, entries)
  return plan.ok ? ok(withInputs(plan.value, entries)) : plan
}

/** The host's own share must leave the guests more than the min watermark. */
function checkMachine(host: HostExperiment): Result<void> {
  const cfg = hostMemoryConfig(host.machine)
  if (cfg.availablePages > cfg.minPages) return ok(undefined)
  const message = `the host keeps ${formatBytes((host.machine.memoryMiB * 256 - cfg.availablePages) * 4096)} of its ${host.machine.memoryMiB} MiB for itself, which leaves guests nothing above the min watermark (${formatBytes(cfg.minPages * 4096)}); lower machine.reservedMiB or raise machine.memoryMiB`
  return fail({ code: 'invalid', message: `machine.reservedMiB: ${message}`, issues: [{ path: 'machine.reservedMiB', message }] })
}

/** Per-guest recorder budget: the single-run budget shared by the guests that may run at once. */
export function guestRecorderBudget(guests: number): number {
  return Math.max(4 * 1024 * 1024, Math.floor(DEFAULT_RECORDER_BUDGET_BYTES / Math.max(1, guests)))
}

/**
 * Limits over the whole run: each guest's own (checkLimits), then their engine memory together
 * (every guest alive at once, the pessimistic case) and their summed wall time.
 */
export function checkHostLimits(plan: HostPlan, machine: Machine = defaultMachine()): Result<void> {
  let engineBytes = 0
  let wallSeconds = 0
  const seen = new Set<number>()
  for (const g of plan.guests) {
    if (!seen.has(g.entry)) {
      const one = checkLimits(g.experiment, machine)
      if (!one.ok) {
        const path = `guests[${g.entry}]`
        return fail({ ...one.error, message: `${path}: ${one.error.message}`, issues: (one.error.issues ?? []).map((i) => ({ ...i, path: `${path} -> ${i.path}` })) })
      }
      seen.add(g.entry)
    }
    const e = estimateRun(g.experiment)
    engineBytes += e.engineBytes
    wallSeconds += e.wallSeconds
  }
  const usable = machine.totalMemBytes * USABLE_MEMORY_FRACTION
  if (engineBytes > usable) {
    const message = `${plan.guests.length} guests need ${formatBytes(engineBytes)} of engine state if they all run at once; this machine has ${formatBytes(usable)} for runs; run fewer or smaller guests`
    return fail({ code: 'limit', message: `too big for this machine: guests: ${message}`, issues: [{ path: 'guests', message }] })
  }
  const maxWall = machine.maxWallSeconds ?? MAX_RUN_WALL_SECONDS
  if (wallSeconds > maxWall) {
    const message = `the guests' work is about ${formatSeconds(wallSeconds)} of simulation; runs are limited to ${formatSeconds(maxWall)}`
    return fail({ code: 'limit', message: `too big for this machine: guests: ${message}`, issues: [{ path: 'guests', message }] })
  }
  return ok(undefined)
}
