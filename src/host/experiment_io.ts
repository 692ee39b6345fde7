// Loading and saving experiment files (`.prlab.json`). Every way a file can be wrong ends in a
// LabError naming the file, the field path (or line and column) and what was expected; nothing
// is written on a failed load, and a save never leaves a half-written file or replaces a file
// the user did not agree to replace.
import type { promises as fs, Stats } from 'node:fs'
import { basename } from 'node:path'
import { isUtf8 } from 'node:buffer'
import { writeThroughTemp } from './atomic_write'
import { errnoOf, ioReason } from './io_error'
import { NotRegularFileError, openRegularFile } from './regular_file'
import { fail, ok } from '../common/api'
import type { ExportedFile, Issue, LabError, LoadedExperiment, LoadedHostExperiment, Result } from '../common/api'
import { EXPERIMENT_FORMAT, EXPERIMENT_SCHEMA_URL, EXPERIMENT_VERSION, ExperimentSchema } from '../common/experiment'
import type { Experiment, ExperimentInput } from '../common/experiment'
import { migrateExperiment } from '../common/experiment_migrate'
import { HostExperimentSchema, experimentKind, type HostExperiment, type HostExperimentInput } from '../common/host_experiment'
import { experimentIssues } from '../common/experiment_issues'
import { FORBIDDEN_KEYS, joinPath, parseStrictJson } from './strict_json'
import type { SourcePosition } from './strict_json'

/** Largest experiment file accepted. 10000 phases with long labels stay well below it. */
export const MAX_EXPERIMENT_BYTES = 8 * 1024 * 1024
/** Deepest nesting accepted; the schema itself is 6 levels deep. */
export const MAX_JSON_DEPTH = 32

const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`

function invalid(file: string | undefined, issues: readonly Issue[]): LabError {
  const first = issues[0]
  const where = first.path === '' ? '' : `${first.path}: `
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''
  return { code: 'invalid', message: `not a valid experiment: ${where}${first.message}${more}`, ...(file !== undefined ? { file } : {}), issues }
}

/** The position of `path`, or of its nearest ancestor written in the file (for missing fields). */
function positionOf(positions: ReadonlyMap<string, SourcePosition>, path: string): SourcePosition | undefined {
  for (let p = path; ; ) {
    const at = positions.get(p)
    if (at !== undefined || p === '') return at
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['))
    p = cut <= 0 ? '' : p.slice(0, cut)
  }
}

/** Adds line and column to each issue and sorts them in file order, as people read the file. */
const withPositions = (issues: readonly Issue[], positions: ReadonlyMap<string, SourcePosition>): Issue[] =>
  issues
    .map((issue) => {
      const at = positionOf(positions, issue.path)
      return at ? { ...issue, line: at.line, column: at.column } : issue
    })
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))

/**
 * Checks a document that did not come from our JSON reader (IPC, WebSocket): plain data only,
 * bounded depth, no reserved keys, finite numbers. Structured clone can carry what JSON cannot.
 */
function plainDataIssues(value: unknown, path: string, depth: number, issues: Issue[]): void {
  if (issues.length >= 20) return
  if (depth > MAX_JSON_DEPTH) {
    issues.push({ path, message: `nesting deeper than ${MAX_JSON_DEPTH} levels; an experiment file is never that deep` })
    return
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) issues.push({ path, message: `expected a finite number, got ${value}` })
    return
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return
  if (Array.isArray(value)) {
    value.forEach((item, i) => plainDataIssues(item, joinPath(path, i), depth + 1, issues))
    return
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const key of Object.keys(value)) {
      const child = joinPath(path, key)
      if (FORBIDDEN_KEYS.has(key)) issues.push({ path: child, message: `the key "${key}" is not allowed (reserved JavaScript name)` })
      else plainDataIssues((value as Record<string, unknown>)[key], child, depth + 1, issues)
    }
    return
  }
  issues.push({ path, message: `expected JSON data (object, list, string, number, true/false or null), got ${value === undefined ? 'undefined' : typeof value}` })
}

interface Validated {
  readonly experiment: Experiment
  readonly document: ExperimentInput
  readonly migratedFrom?: number
}

interface ValidatedHost {
  readonly experiment: HostExperiment
  readonly document: HostExperimentInput
  readonly migratedFrom?: number
}

/** A parsed file of either kind (src/common/host_experiment.ts experimentKind()). */
export type ValidatedFile = ({ readonly kind: 'guest' } & Validated) | ({ readonly kind: 'host' } & ValidatedHost)

function migrateAndValidate(document: unknown, positions: ReadonlyMap<string, SourcePosition>): Result<ValidatedFile> | Issue[] {
  const migrated = migrateExperiment(document)
  if (!migrated.ok) return withPositions(migrated.issues, positions)
  const from = migrated.from !== EXPERIMENT_VERSION ? { migratedFrom: migrated.from } : {}
  if (experimentKind(migrated.document) === 'host') {
    const parsed = HostExperimentSchema.safeParse(migrated.document)
    if (!parsed.success) return withPositions(experimentIssues(parsed.error, migrated.document, HostExperimentSchema), positions)
    return ok({ kind: 'host', experiment: parsed.data, document: migrated.document as HostExperimentInput, ...from })
  }
  const parsed = ExperimentSchema.safeParse(migrated.document)
  if (!parsed.success) return withPositions(experimentIssues(parsed.error, migrated.document), positions)
  return ok({ kind: 'guest', experiment: parsed.data, document: migrated.document as ExperimentInput, ...from })
}

/** A file of either kind, parsed: what `prlab run` and `prlab validate` take. */
export type LoadedLabFile = ({ readonly kind: 'guest' } & LoadedExperiment) | ({ readonly kind: 'host' } & LoadedHostExperiment)

/**
 * Parses the text of an experiment file of either kind. `fileName` is what errors name (a path or
 * an upload's name). Refuses oversize text, JSON syntax errors (with line and column), duplicate
 * and reserved keys, NaN and Infinity, deep nesting, newer versions; migrates older ones.
 */
export function parseLabText(fileName: string, text: string): Result<LoadedLabFile> {
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > MAX_EXPERIMENT_BYTES) {
    return fail({ code: 'limit', file: fileName, message: `the file is ${mib(bytes)}; an experiment file is at most ${mib(MAX_EXPERIMENT_BYTES)}` })
  }
  // A UTF-8 byte order mark is harmless (Windows editors write one); we never write it back.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const nul = body.indexOf('\0')
  if (nul >= 0) {
    const line = body.slice(0, nul).split('\n').length
    return fail(invalid(fileName, [{ path: '', message: 'the file contains NUL characters; expected JSON text, not a binary file', line }]))
  }
  const json = parseStrictJson(body, MAX_JSON_DEPTH)
  if (!json.ok) return fail(invalid(fileName, [json.issue]))
  const result = migrateAndValidate(json.value, json.positions)
  if (Array.isArray(result)) return fail(invalid(fileName, result))
  if (!result.ok) return result
  return ok({ fileName: basename(fileName), ...result.value } as LoadedLabFile)
}

/** A host experiment where a guest experiment is wanted: say what it is and where it opens. */
export function hostFileRefused(fileName: string): LabError {
  return {
    code: 'invalid',
    file: fileName,
    message: 'this is a host experiment (it has machine and guests), not a guest experiment; run it with prlab run, or open it in the Host view',
    issues: [{ path: '', message: 'this is a host experiment (it has machine and guests), not a guest experiment; run it with prlab run, or open it in the Host view' }],
  }
}

/** Only a guest experiment. */
function guestOnly(loaded: Result<LoadedLabFile>, fileName: string): Result<LoadedExperiment> {
  if (!loaded.ok) return loaded
  if (loaded.value.kind === 'host') return fail(hostFileRefused(fileName))
  const { kind: _kind, ...guest } = loaded.value
  return ok(guest)
}

/** Parses the text of a guest experiment file (parseLabText, refusing a host experiment). */
export function parseExperimentText(fileName: string, text: string): Result<LoadedExperiment> {
  return guestOnly(parseLabText(fileName, text), fileName)
}

/** Explains bytes that are not UTF-8 text, or null when they are. */
function encodingProblem(bytes: Buffer): string | null {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return 'the file is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8'
  }
  const nul = bytes.indexOf(0)
  if (nul >= 0) return `the file contains a NUL byte at offset ${nul}; expected JSON text, not a binary file`
  if (!isUtf8(bytes)) return 'the file is not valid UTF-8 text; expected JSON text in UTF-8'
  return null
}

const ioError = (file: string, what: string, error: unknown): LabError => {
  const reason = error instanceof NotRegularFileError ? error.message : errnoOf(error) === 'ENOENT' ? 'no such file' : ioReason(error)
  return { code: errnoOf(error) === 'ENOENT' ? 'not-found' : 'io', file, message: `cannot ${what}: ${reason}` }
}

/** Reads and parses a guest experiment file (loadLabFile, refusing a host experiment). */
export async function loadExperimentFile(path: string): Promise<Result<LoadedExperiment>> {
  return guestOnly(await loadLabFile(path), path)
}

/** Reads and parses an experiment file of either kind. Checks the size before reading so a huge file costs nothing. */
export async function loadLabFile(path: string): Promise<Result<LoadedLabFile>> {
  let handle: fs.FileHandle
  let stat: Stats
  try {
    ;({ handle, stat } = await openRegularFile(path))
  } catch (error) {
    return fail(ioError(path, 'read the experiment file', error))
  }
  try {
    if (stat.size > MAX_EXPERIMENT_BYTES) {
      return fail({ code: 'limit', file: path, message: `the file is ${mib(stat.size)}; an experiment file is at most ${mib(MAX_EXPERIMENT_BYTES)}` })
    }
    // Read at most one byte past the limit: the file may grow between stat and read.
    const buffer = Buffer.alloc(Math.min(MAX_EXPERIMENT_BYTES + 1, stat.size + 1))
    let length = 0
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length)
      if (bytesRead === 0) break
      length += bytesRead
      if (length === buffer.length) break
    }
    if (length > MAX_EXPERIMENT_BYTES) {
      return fail({ code: 'limit', file: path, message: `the file is larger than ${mib(MAX_EXPERIMENT_BYTES)}, the most an experiment file may be` })
    }
    const bytes = buffer.subarray(0, length)
    const problem = encodingProblem(bytes)
    if (problem !== null) return fail(invalid(path, [{ path: '', message: problem }]))
    const parsed = parseLabText(path, bytes.toString('utf8'))
    return parsed.ok ? ok({ ...parsed.value, path }) : parsed
  } catch (error) {
    return fail(ioError(path, 'read the experiment file', error))
  } finally {
    await handle.close()
  }
}

/** Validates a document of either kind given as data (from the UI, --set): same checks as a file, without JSON syntax. */
export function validateLabDocument(document: unknown, fileName?: string): Result<ValidatedFile> {
  const issues: Issue[] = []
  plainDataIssues(document, '', 0, issues)
  if (issues.length > 0) return fail(invalid(fileName, issues))
  const result = migrateAndValidate(document, new Map())
  if (Array.isArray(result)) return fail(invalid(fileName, result))
  return result
}

/** Validates a guest experiment given as data (from the UI): same checks as a file, without JSON syntax. */
export function validateDocument(document: unknown, fileName?: string): Result<Experiment> {
  const result = validateLabDocument(document, fileName)
  if (!result.ok) return result
  if (result.value.kind === 'host') return fail(hostFileRefused(fileName ?? '<experiment>'))
  return ok(result.value.experiment)
}

/** Validates a host experiment given as data. */
export function validateHostDocument(document: unknown, fileName?: string): Result<HostExperiment> {
  const result = validateLabDocument(document, fileName)
  if (!result.ok) return result
  if (result.value.kind === 'guest') {
    const message = 'this is a guest experiment; a host experiment has machine and guests'
    return fail({ code: 'invalid', ...(fileName !== undefined ? { file: fileName } : {}), message, issues: [{ path: '', message }] })
  }
  return ok(result.value.experiment)
}

/**
 * The file text of a document: `$schema`, `format` and `version` first, then the fields in the
 * user's order, 2-space JSON with a final newline. Defaults are not filled in.
 */
export function experimentToText(document: ExperimentInput | HostExperimentInput): string {
  const { $schema, format: _format, version: _version, ...rest } = document
  const ordered = { $schema: $schema ?? EXPERIMENT_SCHEMA_URL, format: EXPERIMENT_FORMAT, version: EXPERIMENT_VERSION, ...rest }
  return `${JSON.stringify(ordered, null, 2)}\n`
}

/**
 * Saves a valid document atomically. Without `overwrite` an existing file is left alone and the
 * result says so; with it, the file is replaced by rename (atomic_write.ts), so a crash at any point
 * leaves either the old file or the new one, never a mix.
 */
export async function saveExperimentFile(path: string, document: ExperimentInput, options: { overwrite: boolean }): Promise<Result<ExportedFile>> {
  const valid = validateDocument(document, path)
  if (!valid.ok) return valid
  const text = experimentToText(document)
  try {
    if ((await writeThroughTemp(path, (write) => write(text), { exclusive: !options.overwrite })) === 'exists') {
      return fail({ code: 'io', file: path, message: 'the file already exists and was not replaced; save again and confirm to replace it' })
    }
  } catch (error) {
    return fail(ioError(path, 'save the experiment file', error))
  }
  return ok({ fileName: basename(path), path })
}

/**
 * A LabError for people, one problem per line:
 *   file: message
 *   file:4:17: guest.memoryMiB: expected an integer, got the string "lots"
 */
export function formatLabError(error: LabError): string {
  const file = error.file ?? '<experiment>'
  const issues = error.issues ?? []
  // Limits and I/O errors carry their one issue in the message already.
  if (issues.length === 0 || (error.code !== 'invalid' && issues.length === 1)) return `${file}: ${error.message}`
  const lines = [`${file}: ${issues.length === 1 ? 'not a valid experiment' : `not a valid experiment (${issues.length} problems)`}`]
  for (const issue of issues) {
    const where = issue.line !== undefined ? `${file}:${issue.line}${issue.column !== undefined ? `:${issue.column}` : ''}` : file
    lines.push(`  ${where}: ${issue.path === '' ? '' : `${issue.path}: `}${issue.message}`)
  }
  return lines.join('\n')
}
