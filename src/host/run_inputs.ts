// The real data an experiment names (replay phases' traces, guest.initialFreeState's buddyinfo),
// imported with the streaming importers into the SimulationInputs the engine takes. Every failure
// is a Result naming the field (`workload.phases[3].file: cannot read trace.txt: ...`): a missing
// or garbage file never throws.
//
// Where a name resolves: with a base directory (the experiment file's: CLI, sweeps, the desktop
// app), on disk relative to it (or absolute), else among the files imported in this session.
// Without one (browser mode, an unsaved experiment), among the files imported in this session,
// then among the files shipped beside the examples; never elsewhere on disk, so a browser cannot
// make the server read a path it names. The desktop app also limits what it reads from disk to
// the files the user chose (`readable`, from file_grants.ts). Browser mode's host upload set
// (host_upload_set.ts: a host file chosen with its guests' files) comes first when given
// (`uploadedWith`): the data files chosen with the host file, already imported.
import { stat } from 'node:fs/promises'
import { basename, isAbsolute, relative, resolve, sep } from 'node:path'
import { fail, ok, type LabError, type Result } from '../common/api'
import type { Experiment } from '../common/experiment'
import type { BuddyinfoSeries, FtraceReplay, ImportKind, ImportedData } from '../common/imports'
import { targetFromBuddyinfo } from '../common/initial_free_state'
import type { InitialFreeInput, SimulationInputs } from '../engine/api'
import { importFile } from './import/index'

export interface InputSource {
  /** Directory relative names resolve against (the experiment file's); null: no file system access. */
  readonly baseDir: string | null
  /** Files imported in this session, by file name (LabHost keeps them). */
  readonly uploads?: ReadonlyMap<string, ImportedData>
  /** The shipped examples' directory: without baseDir, a name not uploaded is looked up there, never outside it. */
  readonly bundledDir?: string
  /**
   * Desktop: whether a name's resolved file may be read from disk (file_grants.ts); also lets an
   * absolute name be read without baseDir. Absent: with baseDir every name (the CLI reads what
   * its user names), without it none (browser mode).
   */
  readonly readable?: (file: string, name: string) => boolean
  /**
   * Browser mode, a guest of a host upload set: the data files chosen with the host file, looked
   * up before this session's imports (without baseDir only).
   */
  readonly uploadedWith?: UploadedInputs
}

/** What a host upload set has for a name (host_upload_set.ts). */
export type UploadLookup =
  | { readonly kind: 'found'; readonly data: ImportedData }
  /** The uploaded file that name matches cannot be used (its importer refused it). */
  | { readonly kind: 'failed'; readonly code: LabError['code']; readonly message: string }
  /** No uploaded file: why, for the message when nothing else has the name either. */
  | { readonly kind: 'absent'; readonly why: string }

export interface UploadedInputs {
  find(name: string, kind: ImportKind): UploadLookup
}

/** A data file an experiment names: the field, the name, and the importer it needs. */
export interface NamedInput {
  readonly path: string
  readonly name: string
  readonly kind: ImportKind
}

/** Every data file `experiment` names, in field order (replay phases, then the initial free state). */
export function namedInputs(experiment: Experiment): NamedInput[] {
  const out: NamedInput[] = []
  for (const [i, p] of experiment.workload.phases.entries()) if (p.op === 'replay') out.push({ path: `workload.phases[${i}].file`, name: p.file, kind: 'ftrace' })
  const initial = experiment.guest.initialFreeState
  if (initial !== null) out.push({ path: 'guest.initialFreeState.file', name: initial.file, kind: 'buddyinfo' })
  return out
}

/** The importer's words for a kind: `a kmem ftrace`. */
export const kindWords = (kind: ImportKind): string => KIND_WORDS[kind]

const KIND_WORDS: Readonly<Record<ImportKind, string>> = {
  ftrace: 'a kmem ftrace',
  buddyinfo: 'a /proc/buddyinfo file',
  pagetypeinfo: 'a /proc/pagetypeinfo file',
  rss: 'an RSS CSV',
}

class InputError extends Error {
  constructor(
    readonly code: LabError['code'],
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`)
  }
}

/** `name` inside `dir`, or null when it would leave it (`..`, an absolute path elsewhere). */
function inside(dir: string, name: string): string | null {
  const path = resolve(dir, name)
  const rel = relative(resolve(dir), path)
  return rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel) ? null : path
}

// Only the bundled directory is probed: a name missing there is "not imported", not an I/O error.
async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

/** The shipped file `name` names inside `bundledDir`, or null (never a path outside it). */
export async function bundledFile(bundledDir: string, name: string): Promise<string | null> {
  const path = inside(bundledDir, name)
  return path !== null && (await isFile(path)) ? path : null
}

const notChosen = (name: string, kind: ImportKind): string =>
  `${name} was not imported in this session and is not in the experiment file's folder; import it (${KIND_WORDS[kind]}) in the Data view first (the desktop app reads only files you chose)`

/** The importer's message without its leading `<file>: `. */
const reason = (message: string, fileName: string): string => (message.startsWith(`${fileName}: `) ? message.slice(fileName.length + 2) : message)

class Resolver {
  private readonly cache = new Map<string, ImportedData>()

  constructor(private readonly source: InputSource) {}

  async load(kind: ImportKind, name: string, path: string): Promise<ImportedData> {
    const { baseDir, uploads, bundledDir } = this.source
    const upload = uploads?.get(basename(name))
    const readable = this.source.readable
    if (baseDir !== null) {
      const file = resolve(baseDir, name)
      const allowed = readable === undefined || readable(file, name)
      // a file imported in this session (desktop: opened or dropped) stands in for one not next to the experiment
      if (upload !== undefined && (!allowed || !(await isFile(file)))) return this.checkKind(upload, kind, name, path)
      if (!allowed) throw new InputError('not-found', path, notChosen(name, kind))
      return this.importFrom(kind, name, file, path)
    }
    const chosen = this.source.uploadedWith?.find(name, kind)
    if (chosen?.kind === 'found') return chosen.data
    if (chosen?.kind === 'failed') throw new InputError(chosen.code, path, chosen.message)
    if (upload !== undefined) return this.checkKind(upload, kind, name, path)
    if (readable !== undefined && isAbsolute(name)) {
      if (!readable(name, name)) throw new InputError('not-found', path, notChosen(name, kind))
      return this.importFrom(kind, name, name, path)
    }
    const bundled = bundledDir === undefined ? null : await bundledFile(bundledDir, name)
    if (bundled === null) {
      const message =
        chosen === undefined
          ? `${name} is not among the files imported in this session; import it (${KIND_WORDS[kind]}) first, or open the experiment from its file so names resolve next to it`
          : `${name} ${chosen.why}, nor among the files imported in this session; choose it together with the host file, or import it (${KIND_WORDS[kind]}) in the Data view first`
      throw new InputError('not-found', path, message)
    }
    return this.importFrom(kind, name, bundled, path)
  }

  private async importFrom(kind: ImportKind, name: string, file: string, path: string): Promise<ImportedData> {
    const key = `${kind}\0${file}`
    const cached = this.cache.get(key)
    if (cached !== undefined) return cached
    const result = await importFile(kind, file)
    if (!result.ok) {
      const e = result.error
      const verb = e.code === 'invalid' ? 'cannot use' : 'cannot read'
      throw new InputError(e.code === 'invalid' ? 'invalid' : e.code === 'not-found' ? 'not-found' : 'io', path, `${verb} ${name}: ${reason(e.message, basename(file))}`)
    }
    this.cache.set(key, result.value)
    return result.value
  }

  private checkKind(data: ImportedData, kind: ImportKind, name: string, path: string): ImportedData {
    if (data.kind !== kind) throw new InputError('invalid', path, `${name} was imported as ${KIND_WORDS[data.kind]}; expected ${KIND_WORDS[kind]}`)
    return data
  }
}

function initialFreeOf(series: BuddyinfoSeries, snapshot: number | null, file: string): InitialFreeInput {
  const count = series.nr_free.length
  const index = snapshot ?? count - 1
  if (index >= count) {
    throw new InputError('invalid', 'guest.initialFreeState.snapshot', `${file} has ${count === 1 ? 'one snapshot (0)' : `snapshots 0..${count - 1}`}, not ${index}`)
  }
  const at = count > 1 ? `, snapshot ${index} of 0..${count - 1} (t = ${(series.t_ms[index] / 1000).toFixed(3)} s)` : ''
  return { source: `${file}${at}`, zones: targetFromBuddyinfo(series, index) }
}

/**
 * Imports the files `experiment` names. undefined when it names none; a failed Result naming the
 * field when a file is missing, unreadable, of another kind or refused by its importer: every
 * such field at once (the first one's code).
 */
export async function resolveRunInputs(experiment: Experiment, source: InputSource): Promise<Result<SimulationInputs | undefined>> {
  const named = namedInputs(experiment)
  if (named.length === 0) return ok(undefined)
  const resolver = new Resolver(source)
  const failures: InputError[] = []
  const loaded = new Map<string, ImportedData>()
  for (const n of named) {
    try {
      loaded.set(n.path, await resolver.load(n.kind, n.name, n.path))
    } catch (e) {
      if (!(e instanceof InputError)) throw e
      failures.push(e)
    }
  }
  let initialFree: InitialFreeInput | null = null
  const initial = experiment.guest.initialFreeState
  const series = loaded.get('guest.initialFreeState.file') as BuddyinfoSeries | undefined
  if (initial !== null && series !== undefined) {
    try {
      initialFree = initialFreeOf(series, initial.snapshot, initial.file)
    } catch (e) {
      if (!(e instanceof InputError)) throw e
      failures.push(e)
    }
  }
  if (failures.length > 0) {
    return fail({ code: failures[0].code, message: failures.map((e) => e.message).join('; '), issues: failures.map((e) => ({ path: e.path, message: e.message.slice(e.path.length + 2) })) })
  }
  const replays = experiment.workload.phases.map((_, i) => (loaded.get(`workload.phases[${i}].file`) as FtraceReplay | undefined) ?? null)
  return ok({ replays, initialFree })
}
