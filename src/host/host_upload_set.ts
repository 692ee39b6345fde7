// Browser mode (issue 15): a host experiment uploaded together with its guest files, chosen by
// multi-select or as a folder. The page never names a path the server reads: each `file` entry
// resolves among the uploaded files by its path relative to the host file's place in the upload
// (a folder upload keeps the files' relative paths; a flat multi-select has base names only, and
// then a name matches the one upload of that base name). Everything missing is listed at once.
import { posix } from 'node:path'
import { fail, ok, type Issue, type LoadedHostExperiment, type Result, type UploadedFile } from '../common/api'
import type { Experiment } from '../common/experiment'
import { MAX_EXPERIMENT_BYTES, parseLabText, type LoadedLabFile } from './experiment_io'

/** The text of one host upload together. */
export const MAX_HOST_UPLOAD_BYTES = 4 * MAX_EXPERIMENT_BYTES

export interface UploadedHost {
  readonly loaded: LoadedHostExperiment
  /** The guest experiments by the `file` name the host file gives them. */
  readonly guests: ReadonlyMap<string, Experiment>
}

/** An upload's name as a relative POSIX path: backslashes are separators, no leading './' or '/'. */
export const uploadPath = (name: string): string => posix.normalize(name.replace(/\\/g, '/')).replace(/^(\.\/|\/)+/, '')

const isAbsoluteName = (name: string): boolean => name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(name)

export function resolveUploadedHost(files: readonly UploadedFile[]): Result<UploadedHost> {
  const bytes = files.reduce((n, f) => n + f.text.length, 0)
  if (bytes > MAX_HOST_UPLOAD_BYTES) return fail({ code: 'limit', message: `the files chosen hold ${Math.round(bytes / 1048576)} MiB of text; a host file with its guest files is at most ${MAX_HOST_UPLOAD_BYTES / 1048576} MiB` })
  const parsed = files.map((f) => ({ path: uploadPath(f.name), file: f, result: null as Result<LoadedLabFile> | null }))
  const parse = (p: (typeof parsed)[number]): Result<LoadedLabFile> => (p.result ??= parseLabText(posix.basename(p.path), p.file.text))
  const hosts = parsed.filter((p) => p.path.endsWith('.json') && (() => {
    const r = parse(p)
    return r.ok && r.value.kind === 'host'
  })())
  if (hosts.length !== 1) {
    const message =
      hosts.length === 0
        ? `none of the ${files.length} file${files.length === 1 ? '' : 's'} chosen is a host experiment (a file with machine and guests): ${parsed.map((p) => p.path).slice(0, 8).join(', ')}`
        : `choose one host experiment with its guest files; these are all host experiments: ${hosts.map((h) => h.path).join(', ')}`
    const single = files.length === 1 ? parse(parsed[0]) : null
    // one file that does not parse: its own error (line and column) says more
    if (single !== null && !single.ok) return single
    if (single !== null) {
      const guest = 'this is a guest experiment (it has guest, no machine); open it with Open, or choose a host experiment here'
      return fail({ code: 'invalid', file: parsed[0].path, message: guest, issues: [{ path: '', message: guest }] })
    }
    return fail({ code: 'invalid', message, issues: [{ path: '', message }] })
  }
  const host = hosts[0]
  const hostResult = parse(host)
  if (!hostResult.ok || hostResult.value.kind !== 'host') return fail({ code: 'internal', message: `${host.path}: not a host experiment` })
  const { kind: _kind, ...loaded } = hostResult.value
  const hostDir = posix.dirname(host.path)
  const flat = parsed.every((p) => !p.path.includes('/'))
  const guests = new Map<string, Experiment>()
  const missing: Issue[] = []
  const bad: Issue[] = []
  for (const [i, g] of loaded.experiment.guests.entries()) {
    if (g.file === undefined || guests.has(g.file)) continue
    const where = `guests[${i}].file`
    if (isAbsoluteName(g.file)) {
      bad.push({ path: where, message: `${g.file}: an absolute path names no uploaded file; give it relative to the host file` })
      continue
    }
    const relativeName = posix.normalize(g.file.replace(/\\/g, '/'))
    const want = uploadPath(posix.join(hostDir, relativeName))
    // as on the desktop: a guest file lies in the host file's folder or below it
    if (relativeName === '..' || relativeName.startsWith('../')) {
      bad.push({ path: where, message: `${g.file}: leaves the host file's folder` })
      continue
    }
    const base = posix.basename(want)
    const byBase = flat ? parsed.filter((p) => p.path === base) : []
    const match = parsed.find((p) => p.path === want) ?? (byBase.length === 1 ? byBase[0] : undefined)
    if (match === undefined) {
      missing.push({ path: where, message: `${g.file} (looked for ${want})` })
      continue
    }
    const r = parse(match)
    if (!r.ok) bad.push({ path: where, message: `${g.file}: ${r.error.issues?.[0]?.line !== undefined ? `line ${r.error.issues[0].line}: ` : ''}${r.error.message}` })
    else if (r.value.kind !== 'guest') bad.push({ path: where, message: `${g.file}: is a host experiment, expected a guest experiment` })
    else guests.set(g.file, r.value.experiment)
  }
  if (missing.length > 0) {
    const message = `${missing.length} guest file${missing.length === 1 ? ' is' : 's are'} missing from the files chosen: ${missing.map((m) => `${m.path} ${m.message}`).join('; ')}. Choose the host file together with its guest files (select them all, or its folder).`
    return fail({ code: 'not-found', file: host.path, message, issues: [...missing, ...bad] })
  }
  if (bad.length > 0) return fail({ code: 'invalid', file: host.path, message: bad.map((b) => `${b.path}: ${b.message}`).join('; '), issues: bad })
  return ok({ loaded: { ...loaded, fileName: posix.basename(host.path) }, guests })
}
