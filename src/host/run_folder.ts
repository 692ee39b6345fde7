// A `prlab run --out` folder (or a sweep's point folder) read back as a run: samples.csv, and
// when present events.csv, summary.json and experiment.prlab.json. These are untrusted input
// (any folder the user picks, any files a page uploads): every cell is checked, times must
// strictly increase, sizes are bounded, and each error names the file, the line and the column.
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { parse } from 'csv-parse/sync'
import { fail, ok, type LabError, type Result, type RunSummary, type UploadedFile } from '../common/api'
import { EVENT_COLUMNS, EVENT_KINDS, SAMPLE_COLUMNS, ZONE_NAMES, type EventKind, type SimEvent, type ZoneName } from '../common/samples'
import type { ExperimentInput } from '../common/experiment'
import { parseExperimentText } from './experiment_io'
import { errnoOf, ioReason } from './io_error'
import { openRegularFile } from './regular_file'
import type { RunToKeep } from './run_library'
import { parseStrictJson } from './strict_json'

export const RUN_FOLDER_FILES = ['samples.csv', 'events.csv', 'summary.json', 'experiment.prlab.json'] as const
/** Largest file of a run folder read (a 1-hour run sampled every 100 ms writes ~40 MB of samples.csv). */
export const MAX_RUN_FILE_BYTES = 512 * 1024 * 1024
const MAX_ROWS = 10_000_000
const MAX_EVENTS = 2_000_000

const invalid = (file: string, message: string, line?: number): LabError => ({ code: 'invalid', file, message, ...(line !== undefined ? { issues: [{ path: '', message, line }] } : {}) })

function csvRecords(file: string, text: string): Result<string[][]> {
  try {
    return ok(parse(text, { relax_column_count: false, skip_empty_lines: true, trim: true, max_record_size: 1 << 20 }) as string[][])
  } catch (e) {
    const line = (e as { lines?: number }).lines
    return fail(invalid(file, `not CSV: ${e instanceof Error ? e.message : String(e)}`, line))
  }
}

/** samples.csv: the known columns it has (others are ignored), every cell a number or empty, t_ms increasing. */
export function parseSamplesCsv(file: string, text: string): Result<{ columns: string[]; rows: number; data: Float64Array; ignored: string[] }> {
  const records = csvRecords(file, text)
  if (!records.ok) return records
  const [header, ...body] = records.value
  if (header === undefined) return fail(invalid(file, 'the file is empty; expected a header row naming t_ms and the sample columns'))
  if (new Set(header).size !== header.length) return fail(invalid(file, 'a column is named twice in the header', 1))
  const known = new Set<string>(SAMPLE_COLUMNS)
  const keep = header.map((c, i) => (known.has(c) ? i : -1)).filter((i) => i >= 0)
  const columns = keep.map((i) => header[i])
  const t = columns.indexOf('t_ms')
  if (t < 0) return fail(invalid(file, 'no t_ms column: this is not a samples.csv that prlab run writes', 1))
  if (body.length > MAX_ROWS) return fail(invalid(file, `${body.length} rows; at most ${MAX_ROWS} are read`))
  const data = new Float64Array(body.length * columns.length)
  let last = -Infinity
  for (let r = 0; r < body.length; r++) {
    const rec = body[r]
    for (let k = 0; k < keep.length; k++) {
      const cell = rec[keep[k]]
      const v = cell === '' ? Number.NaN : Number(cell)
      if (cell !== '' && !Number.isFinite(v)) return fail(invalid(file, `column ${columns[k]}: ${JSON.stringify(cell.slice(0, 40))} is not a number`, r + 2))
      data[r * columns.length + k] = v
    }
    const time = data[r * columns.length + t]
    if (!(time >= 0) || time <= last) return fail(invalid(file, `t_ms ${rec[keep[t]]} does not follow ${last === -Infinity ? 'the start' : last}: sample times must be >= 0 and strictly increase`, r + 2))
    last = time
  }
  if (body.length === 0) return fail(invalid(file, 'no sample rows after the header'))
  return ok({ columns, rows: body.length, data, ignored: header.filter((c) => !known.has(c)) })
}

const KINDS = new Set<string>(EVENT_KINDS)
const ZONES = new Set<string>(ZONE_NAMES)

/** events.csv as prlab writes it (EVENT_COLUMNS). */
export function parseEventsCsv(file: string, text: string): Result<SimEvent[]> {
  const records = csvRecords(file, text)
  if (!records.ok) return records
  const [header, ...body] = records.value
  if (header === undefined) return ok([])
  const index = (c: string): number => header.indexOf(c)
  if (index('t_ms') < 0 || index('kind') < 0) return fail(invalid(file, `expected the header ${EVENT_COLUMNS.join(',')}`, 1))
  if (body.length > MAX_EVENTS) return fail(invalid(file, `${body.length} events; at most ${MAX_EVENTS} are read`))
  const events: SimEvent[] = []
  for (let r = 0; r < body.length; r++) {
    const rec = body[r]
    const cell = (c: string): string => (index(c) >= 0 ? rec[index(c)] : '')
    const num = (c: string): number | undefined | null => {
      const s = cell(c)
      if (s === '') return undefined
      const v = Number(s)
      return Number.isFinite(v) ? v : null
    }
    const kind = cell('kind')
    if (!KINDS.has(kind)) return fail(invalid(file, `kind ${JSON.stringify(kind.slice(0, 40))} is not an event the lab records`, r + 2))
    const zone = cell('zone')
    if (zone !== '' && !ZONES.has(zone)) return fail(invalid(file, `zone ${JSON.stringify(zone.slice(0, 40))}: expected ${ZONE_NAMES.join(', ')}`, r + 2))
    const e: Record<string, unknown> = { kind: kind as EventKind }
    for (const c of ['t_ms', 'order', 'pfn', 'count', 'kib', 'dur_ms'] as const) {
      const v = num(c)
      if (v === null) return fail(invalid(file, `column ${c}: ${JSON.stringify(cell(c).slice(0, 40))} is not a number`, r + 2))
      if (v !== undefined) e[c] = v
    }
    if (typeof e.t_ms !== 'number') return fail(invalid(file, 'an event without t_ms', r + 2))
    if (zone !== '') e.zone = zone as ZoneName
    if (cell('detail') !== '') e.detail = cell('detail').slice(0, 10_000)
    events.push(e as unknown as SimEvent)
  }
  return ok(events)
}

export function parseSummaryJson(file: string, text: string): Result<RunSummary> {
  const json = parseStrictJson(text, 4)
  if (!json.ok) return fail(invalid(file, json.issue.message, json.issue.line))
  const v = json.value
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return fail(invalid(file, 'expected a JSON object of summary figures'))
  for (const [k, x] of Object.entries(v)) {
    if (!(x === null || typeof x === 'number' || typeof x === 'string')) return fail(invalid(file, `${k}: expected a number, a string or null`))
  }
  return ok(v as unknown as RunSummary)
}

/** A run folder's files (by name) as a run to keep. `label` names the folder in messages and, without an experiment, the run. */
export function runFromFiles(label: string, files: ReadonlyMap<string, string>, source: RunToKeep['source']): Result<RunToKeep> {
  const samplesText = files.get('samples.csv')
  if (samplesText === undefined) return fail({ code: 'invalid', file: label, message: `${label} has no samples.csv: pick the folder \`prlab run --out\` wrote (samples.csv, events.csv, summary.json, experiment.prlab.json)` })
  const samples = parseSamplesCsv('samples.csv', samplesText)
  if (!samples.ok) return samples
  let events: SimEvent[] = []
  const eventsText = files.get('events.csv')
  if (eventsText !== undefined) {
    const parsed = parseEventsCsv('events.csv', eventsText)
    if (!parsed.ok) return parsed
    events = parsed.value
  }
  let summary: RunSummary | null = null
  const summaryText = files.get('summary.json')
  if (summaryText !== undefined) {
    const parsed = parseSummaryJson('summary.json', summaryText)
    if (!parsed.ok) return parsed
    summary = parsed.value
  }
  let document: ExperimentInput | null = null
  let end_ms = samples.value.data[(samples.value.rows - 1) * samples.value.columns.length + samples.value.columns.indexOf('t_ms')]
  let name = label
  const experimentText = files.get('experiment.prlab.json')
  if (experimentText !== undefined) {
    const parsed = parseExperimentText('experiment.prlab.json', experimentText)
    if (!parsed.ok) return parsed
    document = parsed.value.document
    end_ms = parsed.value.experiment.durationMs
    name = parsed.value.experiment.name
  }
  const failed = summary !== null && summary.run_status === 'failed'
  return ok({ id: randomUUID(), name, state: failed ? 'error' : 'finished', source, document, summary, end_ms, columns: samples.value.columns, rows: samples.value.rows, data: samples.value.data, events })
}

/** Uploaded files (browser mode): only the run folder's own names count. */
export function runFromUploads(uploads: readonly UploadedFile[]): Result<RunToKeep> {
  const files = new Map<string, string>()
  for (const u of uploads) {
    const base = u.name.split(/[\\/]/).pop() ?? u.name
    if ((RUN_FOLDER_FILES as readonly string[]).includes(base)) files.set(base, u.text)
  }
  return runFromFiles('the uploaded folder', files, 'folder')
}

/** A folder on disk (desktop dialog, a sweep's point): regular files only, bounded in size. */
export async function runFromFolder(dir: string, source: RunToKeep['source']): Promise<Result<RunToKeep>> {
  const files = new Map<string, string>()
  for (const name of RUN_FOLDER_FILES) {
    const path = join(dir, name)
    try {
      const { handle, stat } = await openRegularFile(path)
      try {
        if (stat.size > MAX_RUN_FILE_BYTES) return fail({ code: 'limit', file: path, message: `${name} is ${(stat.size / 1024 / 1024).toFixed(0)} MiB; at most ${MAX_RUN_FILE_BYTES / 1024 / 1024} MiB are read` })
        files.set(name, await handle.readFile('utf8'))
      } finally {
        await handle.close()
      }
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') continue
      return fail({ code: 'io', file: path, message: `cannot read ${name}: ${e instanceof Error && !errnoOf(e) ? e.message : ioReason(e)}` })
    }
  }
  return runFromFiles(dir, files, source)
}
