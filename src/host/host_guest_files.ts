// Where the guests of a host experiment opened from disk may come from (issue 15, desktop): a
// guest entry's `file` resolves next to the host file, and the main process reads it only when
//   - it is an experiment file (.json),
//   - a relative name stays inside the host file's folder, and its real path too (no symbolic
//     link out of the folder),
//   - an absolute name is a file the user chose in this session (file_grants.ts),
//   - it is a regular file.
// The names come from the host document the renderer sends back, so nothing here trusts them:
// the rules are checked again on every run and fit. Errors name the host file, the guest index
// and the path.
import { realpath, stat } from 'node:fs/promises'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { fail, ok, type Result } from '../common/api'
import type { HostExperiment } from '../common/host_experiment'

/** `path` is `dir` or below it (both absolute and normalised). */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path)
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))
}

export type GuestFileRule = { readonly ok: true; readonly path: string; readonly absolute: boolean } | { readonly ok: false; readonly reason: string }

/**
 * The rule on the name alone (no file system): where `name` points from the folder `dir`, or why
 * it may not be read. An absolute name passes here; the caller asks whether the user granted it.
 */
export function guestFileRule(dir: string, name: string): GuestFileRule {
  if (name === '' || name.includes('\0')) return { ok: false, reason: 'expected the name of a guest experiment file' }
  if (!/\.json$/i.test(name)) return { ok: false, reason: 'a guest file is an experiment file (.json, e.g. guest.prlab.json)' }
  const path = resolve(dir, name)
  if (isAbsolute(name)) return { ok: true, path, absolute: true }
  if (!isInside(dir, path) || path === dir) return { ok: false, reason: `leaves the host file's folder (${dir})` }
  return { ok: true, path, absolute: false }
}

export interface GuestFileAccess {
  /** The host file, absolute. */
  readonly hostPath: string
  /** The user chose this file in this session (a dialog): an absolute name may point at it. */
  readonly granted: (path: string) => boolean
}

const refuse = (code: 'invalid' | 'not-found', access: GuestFileAccess, index: number, name: string, reason: string): Result<never> => {
  const where = `guests[${index}].file`
  return fail({ code, file: access.hostPath, message: `${access.hostPath}: ${where} ${JSON.stringify(name)}: ${reason}`, issues: [{ path: where, message: `${name}: ${reason}` }] })
}

/** The real path of guest `index`'s file `name`, when the rules allow reading it. */
export async function checkGuestFile(access: GuestFileAccess, index: number, name: string): Promise<Result<string>> {
  const dir = dirname(access.hostPath)
  const rule = guestFileRule(dir, name)
  if (!rule.ok) return refuse('invalid', access, index, name, rule.reason)
  if (rule.absolute && !access.granted(rule.path)) {
    return refuse('invalid', access, index, name, 'an absolute path is read only when you chose that file in this session; give it relative to the host file, or choose it with "Allow guest file…"')
  }
  let real: string
  try {
    real = await realpath(rule.path)
  } catch {
    return refuse('not-found', access, index, name, `no such file (looked for ${rule.path})`)
  }
  if (!rule.absolute && !isInside(await realpath(dir).catch(() => dir), real)) return refuse('invalid', access, index, name, `is a symbolic link out of the host file's folder (to ${real})`)
  if (rule.absolute && !access.granted(real) && !access.granted(rule.path)) return refuse('invalid', access, index, name, `is a symbolic link to a file you did not choose (${real})`)
  const s = await stat(real).catch(() => null)
  if (s === null || !s.isFile()) return refuse('invalid', access, index, name, 'not a regular file')
  return ok(real)
}

/** Every `file` entry of `host` checked: name -> real path. The first refusal is the answer. */
export async function checkGuestFiles(access: GuestFileAccess, host: HostExperiment): Promise<Result<ReadonlyMap<string, string>>> {
  const files = new Map<string, string>()
  for (const [i, g] of host.guests.entries()) {
    if (g.file === undefined) continue
    const checked = await checkGuestFile(access, i, g.file)
    if (!checked.ok) return checked
    files.set(g.file, checked.value)
  }
  return ok(files)
}
