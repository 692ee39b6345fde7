// Types a value written on the command line (`--set path=value`, `--grid path=v1,v2`) against
// the experiment schema: the JSON reading when the schema takes it at that path (5 -> number,
// null, true), else the bare string (kernel "6.6", backing "anon-4k").
import type { LabError, Result } from '../common/api'
import { fail, ok } from '../common/api'
import { parseValue, setPath } from './document_path'
import { validateLabDocument } from './experiment_io'

const issueAt = (issuePath: string, path: string): boolean => issuePath === path || issuePath.startsWith(`${path}.`) || issuePath.startsWith(`${path}[`)

/** The value `token` should have at `path`; the error names the path, the value and what the schema expected. */
export function typedValue(document: unknown, path: string, token: string, fileName: string): Result<unknown> {
  const json = parseValue(token)
  const candidates = typeof json === 'string' ? [json] : [json, token]
  // The first reading's complaint is the useful one: "-5" is a number below the minimum, not "a string".
  let firstError = ''
  for (const candidate of candidates) {
    let edited: unknown
    try {
      edited = setPath(document, path, candidate)
    } catch (e) {
      firstError ||= (e as Error).message
      continue
    }
    const result = validateLabDocument(edited, fileName)
    // Other fields' problems are not this value's: the caller validates the whole document.
    const here = result.ok ? [] : (result.error.issues ?? []).filter((i) => issueAt(i.path, path))
    if (here.length === 0) return ok(candidate)
    firstError ||= here.map((i) => `${i.path}: ${i.message}`).join('; ')
  }
  const error: LabError = { code: 'invalid', message: `${path}: value ${token} is not valid: ${firstError}`, file: fileName }
  return fail(error)
}
