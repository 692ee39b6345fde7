// Browser mode (issue 15): a host experiment uploaded together with its guest files and their
// data files (replay traces, buddyinfo snapshots), chosen by multi-select or as a folder. The page
// never names a path the server reads: each `file` entry resolves among the uploaded files by its
// path relative to the host file's place in the upload, and each data file a guest names by its
// path relative to that guest's file (an inline guest's: the host file's). A folder upload keeps
// the files' relative paths; a flat multi-select has base names only, and then a name matches the
// one upload of that base name (a guest file standing where the host file's name for it says). No name may be absolute or leave the host file's folder. Data
// files are imported here, once, with the importers (src/host/import), as the fields naming them
// need; their text is not kept. Everything missing or refused is listed at once.
import { posix } from 'node:path'
import { fail, ok, type Issue, type LoadedHostExperiment, type Result, type UploadedFile } from '../common/api'
import { EXPERIMENT_FORMAT, EXPERIMENT_VERSION, type Experiment } from '../common/experiment'
import type { ImportKind, ImportedData } from '../common/imports'
import { MAX_CLIENT_MESSAGE_BYTES } from '../common/websocket_limits'
import { MAX_EXPERIMENT_BYTES, parseLabText, type LoadedLabFile } from './experiment_io'
import { importText } from './import/index'
import { kindWords, namedInputs, type UploadLookup, type UploadedInputs } from './run_inputs'
import { importedBytes } from './session_imports'

/** The text of the experiment files (.json) of one host upload together. */
export const MAX_HOST_UPLOAD_BYTES = 4 * MAX_EXPERIMENT_BYTES

/**
 * The text of the data files of one host upload together: what one browser-mode message carries
 * (the whole upload is one WebSocket message, refused by the page before sending when larger);
 * checked again here for the desktop's IPC. Larger traces: the desktop app, or `prlab`.
 */
export const MAX_HOST_UPLOAD_DATA_CHARS = MAX_CLIENT_MESSAGE_BYTES

/** A guest experiment chosen with the host file, and its folder in the upload. */
export interface UploadedGuest {
  readonly experiment: Experiment
  readonly dir: string
}

/** What a host upload resolves its guests from, after the upload (no text kept). */
export interface HostUploadSet {
  /** The guest experiments by the `file` name the host file gives them. */
  readonly guests: ReadonlyMap<string, UploadedGuest>
  /** The host file's folder in the upload ('.' at the top). */
  readonly hostDir: string
  /** The data files chosen, for a guest whose experiment lies in `dir` of the upload. */
  inputsFrom(dir: string): UploadedInputs
  /** Heap the imported data files take (session_imports.ts importedBytes). */
  readonly bytes: number
}

export interface UploadedHost {
  readonly loaded: LoadedHostExperiment
  readonly set: HostUploadSet
}

/**
 * Whether a data name a guest gives, found in no uploaded file, resolves anyway: a file imported
 * in this session (of that kind), or a shipped one. Such a name is not missing.
 */
export type ResolvesElsewhere = (name: string, kind: ImportKind) => Promise<boolean>

/** An upload's name as a relative POSIX path: backslashes are separators, no leading './' or '/'. */
export const uploadPath = (name: string): string => posix.normalize(name.replace(/\\/g, '/')).replace(/^(\.\/|\/)+/, '')

const isAbsoluteName = (name: string): boolean => name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(name)

type UploadMatch = { readonly kind: 'found'; readonly path: string; readonly wanted: string } | { readonly kind: 'refused'; readonly why: string } | { readonly kind: 'absent'; readonly wanted: string }

/** The uploaded files by path, and how names find them. */
class UploadIndex {
  private readonly paths: ReadonlySet<string>
  private readonly flat: boolean

  constructor(
    paths: readonly string[],
    private readonly hostDir: string,
  ) {
    this.paths = new Set(paths)
    this.flat = paths.every((p) => !p.includes('/'))
  }

  /** `name` given in a file in `dir` of the upload: the upload it names, or why none. `whose`: the file the name is relative to. */
  match(dir: string, name: string, whose: string): UploadMatch {
    if (isAbsoluteName(name)) return { kind: 'refused', why: `an absolute path names no uploaded file; give it relative to the ${whose}` }
    const wanted = posix.normalize(posix.join(dir, name.replace(/\\/g, '/')))
    // as on the desktop: a file lies in the host file's folder or below it
    const inside = this.hostDir === '.' ? wanted !== '.' && wanted !== '..' && !wanted.startsWith('../') : wanted.startsWith(`${this.hostDir}/`)
    if (!inside) return { kind: 'refused', why: "leaves the host file's folder" }
    if (this.paths.has(wanted)) return { kind: 'found', path: wanted, wanted }
    const base = posix.basename(wanted)
    // a flat multi-select has no folders: the one file of that base name
    if (this.flat && this.paths.has(base)) return { kind: 'found', path: base, wanted }
    return { kind: 'absent', wanted }
  }
}

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many)

/** The issue's message without its leading `<file name>: ` (the importers start with it). */
const withoutFileName = (message: string, fileName: string): string => (message.startsWith(`${fileName}: `) ? message.slice(fileName.length + 2) : message)

/** The one host experiment among the files, or why not. */
function findHost(parsed: readonly { path: string; result: () => Result<LoadedLabFile> }[], count: number): Result<{ path: string; host: LoadedLabFile & { kind: 'host' } }> {
  const hosts = parsed.filter((p) => {
    if (!p.path.endsWith('.json')) return false
    const r = p.result()
    return r.ok && r.value.kind === 'host'
  })
  if (hosts.length === 1) {
    const r = hosts[0].result()
    if (r.ok && r.value.kind === 'host') return ok({ path: hosts[0].path, host: r.value })
  }
  const message =
    hosts.length === 0
      ? `none of the ${count} file${count === 1 ? '' : 's'} chosen is a host experiment (a file with machine and guests): ${parsed.map((p) => p.path).slice(0, 8).join(', ')}`
      : `choose one host experiment with its guest files; these are all host experiments: ${hosts.map((h) => h.path).join(', ')}`
  const single = count === 1 ? parsed[0].result() : null
  // one file that does not parse: its own error (line and column) says more
  if (single !== null && !single.ok) return single
  if (single !== null) {
    const guest = 'this is a guest experiment (it has guest, no machine); open it with Open, or choose a host experiment here'
    return fail({ code: 'invalid', file: parsed[0].path, message: guest, issues: [{ path: '', message: guest }] })
  }
  return fail({ code: 'invalid', message, issues: [{ path: '', message }] })
}

export async function resolveUploadedHost(files: readonly UploadedFile[], elsewhere: ResolvesElsewhere = async () => false): Promise<Result<UploadedHost>> {
  const experimentChars = files.reduce((n, f) => n + (/\.json$/i.test(f.name) ? f.text.length : 0), 0)
  if (experimentChars > MAX_HOST_UPLOAD_BYTES) return fail({ code: 'limit', message: `the experiment files chosen hold ${Math.round(experimentChars / 1048576)} MiB of text; a host file with its guest files is at most ${MAX_HOST_UPLOAD_BYTES / 1048576} MiB` })
  const dataChars = files.reduce((n, f) => n + (/\.json$/i.test(f.name) ? 0 : f.text.length), 0)
  if (dataChars > MAX_HOST_UPLOAD_DATA_CHARS) return fail({ code: 'limit', message: `the data files chosen hold ${Math.round(dataChars / 1048576)} MiB of text; browser mode takes at most ${MAX_HOST_UPLOAD_DATA_CHARS / 1048576} MiB with a host file: run larger traces in the desktop app, or with prlab run` })
  const parsed = files.map((f) => {
    const path = uploadPath(f.name)
    let result: Result<LoadedLabFile> | null = null
    return { path, text: f.text, result: (): Result<LoadedLabFile> => (result ??= parseLabText(posix.basename(path), f.text)) }
  })
  const found = findHost(parsed, files.length)
  if (!found.ok) return found
  const { kind: _kind, ...loaded } = found.value.host
  const hostPath = found.value.path
  const hostDir = posix.dirname(hostPath)
  const index = new UploadIndex(
    parsed.map((p) => p.path),
    hostDir,
  )
  const byPath = new Map(parsed.map((p) => [p.path, p]))
  const guests = new Map<string, UploadedGuest>()
  const missing: Issue[] = []
  const bad: Issue[] = []
  // the experiments chosen, each with the entry that names it first and its folder: their data files are looked up below
  const experiments: { where: string; experiment: Experiment; dir: string; whose: string }[] = []
  for (const [i, g] of loaded.experiment.guests.entries()) {
    if (g.experiment !== undefined) {
      experiments.push({ where: `guests[${i}]`, experiment: { format: EXPERIMENT_FORMAT, version: EXPERIMENT_VERSION, ...g.experiment } as Experiment, dir: hostDir, whose: 'host file' })
      continue
    }
    if (g.file === undefined || guests.has(g.file)) continue
    const where = `guests[${i}].file`
    const m = index.match(hostDir, g.file, 'host file')
    if (m.kind === 'refused') {
      bad.push({ path: where, message: `${g.file}: ${m.why}` })
      continue
    }
    if (m.kind === 'absent') {
      missing.push({ path: where, message: `${g.file} (looked for ${m.wanted})` })
      continue
    }
    const r = (byPath.get(m.path) as (typeof parsed)[number]).result()
    if (!r.ok) bad.push({ path: where, message: `${g.file}: ${r.error.issues?.[0]?.line !== undefined ? `line ${r.error.issues[0].line}: ` : ''}${r.error.message}` })
    else if (r.value.kind !== 'guest') bad.push({ path: where, message: `${g.file}: is a host experiment, expected a guest experiment` })
    else {
      // where the host file says it is: a flat multi-select's guest file stands for the folder its name gives
      const dir = posix.dirname(m.wanted)
      guests.set(g.file, { experiment: r.value.experiment, dir })
      experiments.push({ where: `guests[${i}]`, experiment: r.value.experiment, dir, whose: 'guest file' })
    }
  }
  const missingGuests = missing.length
  const imported = new Map<string, ImportedData>()
  for (const e of experiments) {
    for (const n of namedInputs(e.experiment)) {
      const where = `${e.where} -> ${n.path}`
      const m = index.match(e.dir, n.name, e.whose)
      if (m.kind === 'found') {
        const key = `${n.kind}\0${m.path}`
        if (imported.has(key)) continue
        const fileName = posix.basename(m.path)
        const r = importText(n.kind, fileName, (byPath.get(m.path) as (typeof parsed)[number]).text)
        if (r.ok) imported.set(key, r.value)
        else bad.push({ path: where, message: `${n.name}: ${withoutFileName(r.error.message, fileName)}` })
      } else if (!(await elsewhere(n.name, n.kind))) {
        if (m.kind === 'refused') bad.push({ path: where, message: `${n.name}: ${m.why}` })
        else missing.push({ path: where, message: `${n.name} (looked for ${m.wanted})` })
      }
    }
  }
  if (missing.length > 0) {
    const data = missing.length - missingGuests
    const what = data === 0 ? plural(missing.length, 'guest file is', 'guest files are') : missingGuests === 0 ? plural(missing.length, 'data file is', 'data files are') : 'files are'
    const choose = data === 0 ? 'Choose the host file together with its guest files (select them all, or its folder).' : "Choose the host file together with its guest files and the data files they name (select them all, or its folder), or import the data files in the Data view first."
    const message = `${missing.length} ${what} missing from the files chosen: ${missing.map((m) => `${m.path} ${m.message}`).join('; ')}. ${choose}`
    return fail({ code: 'not-found', file: hostPath, message, issues: [...missing, ...bad] })
  }
  if (bad.length > 0) return fail({ code: 'invalid', file: hostPath, message: bad.map((b) => `${b.path}: ${b.message}`).join('; '), issues: bad })
  let bytes = 0
  for (const d of imported.values()) bytes += importedBytes(d)
  const set: HostUploadSet = {
    guests,
    hostDir,
    bytes,
    inputsFrom: (dir) => ({
      find: (name, kind): UploadLookup => {
        const m = index.match(dir, name, dir === hostDir ? 'host file' : 'guest file')
        if (m.kind === 'refused') return { kind: 'absent', why: `names no file chosen with the host file (${m.why})` }
        if (m.kind === 'absent') return { kind: 'absent', why: `is not among the files chosen with the host file (looked for ${m.wanted})` }
        const data = imported.get(`${kind}\0${m.path}`)
        if (data !== undefined) return { kind: 'found', data }
        return { kind: 'failed', code: 'invalid', message: `${name}: ${m.path} was chosen with the host file, but no guest named it as ${kindWords(kind)} when the host file was opened; choose the files again` }
      },
    }),
  }
  return ok({ loaded: { ...loaded, fileName: posix.basename(hostPath) }, set })
}
