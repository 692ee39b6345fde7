// A host experiment's guests, resolved: inline guest experiments taken as they are, `file`
// entries loaded (any version, migrated) next to the host file, each guest's own data files
// (traces, buddyinfo snapshots) imported next to its experiment, then numbered and planned
// (src/common/host_plan.ts). Every failure names the entry: `guests[1].file: clang.prlab.json:
// guest.memoryMiB: expected ...`. Limits are checked over all guests together.
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { stat } from 'node:fs/promises'
import { fail, ok, type Issue, type LabError, type Result } from '../common/api'
import { EXPERIMENT_FORMAT, EXPERIMENT_VERSION, type Experiment } from '../common/experiment'
import type { HostExperiment } from '../common/host_experiment'
import { planHost, type HostPlan, type ResolvedEntry } from '../common/host_plan'
import type { SimulationInputs } from '../engine/api'
import { hostMemoryConfig } from '../engine/machine/host_config'
import { loadExperimentFile } from './experiment_io'
import { DEFAULT_RECORDER_BUDGET_BYTES } from './recorder'
import { MAX_RUN_WALL_SECONDS, USABLE_MEMORY_FRACTION, checkLimits, defaultMachine, estimateRun, formatBytes, formatSeconds, type Machine } from './limits'
import { resolveRunInputs } from './run_inputs'

/** Where a host experiment's names resolve (as run_inputs.ts InputSource). */
export interface HostSource {
  /** The host file's directory; null: no file system access beyond bundledDir (browser mode). */
  readonly baseDir: string | null
  /** The shipped examples' directory: without baseDir, `file` entries are looked up there, never outside it. */
  readonly bundledDir?: string
  /** Guest experiments opened in this session, by file name (browser mode). */
  readonly uploads?: ReadonlyMap<string, Experiment>
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

export interface ResolvedHost {
  readonly plan: HostPlan
  /** Each guest's data files, by guest number (guests whose experiments name none are absent). */
  readonly inputs: ReadonlyMap<number, SimulationInputs>
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

async function loadEntryFile(file: string, path: string, source: HostSource): Promise<Result<{ experiment: Experiment; dir: string | null }>> {
  let full: string | null
  if (source.files !== undefined) {
    full = source.files.get(file) ?? null
    if (full === null) return entryError('invalid', path, `${file} was not checked as a guest file of this host file`)
  } else if (source.baseDir !== null) full = resolve(source.baseDir, file)
  else {
    const upload = source.uploads?.get(file)
    if (upload !== undefined) return ok({ experiment: upload, dir: null })
    full = source.bundledDir === undefined ? null : insideDir(source.bundledDir, file)
    if (full === null || !(await isFile(full))) return entryError('not-found', path, `${file} is not a shipped example ${source.notFoundReason ?? 'nor a guest experiment opened in this session'}`)
  }
  const loaded = await loadExperimentFile(full)
  if (!loaded.ok) {
    const e = loaded.error
    const issues: Issue[] = (e.issues ?? [{ path: '', message: e.message }]).map((i) => ({ ...i, path: i.path === '' ? path : `${path} -> ${i.path}`, message: `${file}${i.line !== undefined ? `:${i.line}${i.column !== undefined ? `:${i.column}` : ''}` : ''}: ${i.message}` }))
    return fail({ code: e.code, message: `${path}: ${file}: ${e.message}`, issues: issues.map(({ line: _l, column: _c, ...rest }) => rest) })
  }
  return ok({ experiment: loaded.value.experiment, dir: dirname(full) })
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
  const resolved: ResolvedEntry[] = []
  const dirs: (string | null)[] = []
  for (const [i, entry] of host.guests.entries()) {
    const path = `guests[${i}]`
    if (entry.experiment !== undefined) {
      resolved.push({ entry, experiment: inlineExperiment(entry.experiment) })
      dirs.push(source.baseDir)
      continue
    }
    const loaded = await loadEntryFile(entry.file as string, `${path}.file`, source)
    if (!loaded.ok) return loaded
    resolved.push({ entry, experiment: loaded.value.experiment })
    dirs.push(loaded.value.dir)
  }
  const reserved = checkMachine(host)
  if (!reserved.ok) return reserved
  const plan = planHost(host, resolved)
  if (plan.guests.length > 0 && plan.end_ms <= 0) return entryError('invalid', 'durationMs', 'the run would end at 0 ms; give durationMs or guests with a duration')
  const inputs = new Map<number, SimulationInputs>()
  const byEntry = new Map<number, SimulationInputs | undefined>()
  for (const g of plan.guests) {
    if (!byEntry.has(g.entry)) {
      const r = await resolveRunInputs(resolved[g.entry].experiment, { baseDir: dirs[g.entry], ...(source.bundledDir !== undefined ? { bundledDir: source.bundledDir } : {}), ...(source.readable !== undefined ? { readable: source.readable } : {}) })
      if (!r.ok) {
        const path = `guests[${g.entry}]`
        return fail({ ...r.error, message: `${path}: ${r.error.message}`, issues: (r.error.issues ?? []).map((i) => ({ ...i, path: `${path} -> ${i.path}` })) })
      }
      byEntry.set(g.entry, r.value)
    }
    const v = byEntry.get(g.entry)
    if (v !== undefined) inputs.set(g.guest, v)
  }
  return ok({ plan, inputs })
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
