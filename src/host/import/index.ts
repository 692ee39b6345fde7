// Host side of the import and sweep LabApi methods (src/common/api.ts): one entry per format, from
// a file path (streamed) or from text the renderer uploaded. The transports bind these.
import { stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { parse as parseCsv } from 'csv-parse/sync'
import { z } from 'zod'
import { fail, ok, type LabError, type Result } from '../../common/api'
import { IMPORT_KINDS, RSS_UNITS, type ImportApi, type ImportKind, type ImportOptions, type ImportedData, type RssSeries, type SweepTable } from '../../common/imports'
import { BuddyinfoParser } from './buddyinfo'
import { FtraceParser } from './ftrace'
import { readFileLines, readTextLines } from './lines'
import { readRegularFile } from '../regular_file'
import { PagetypeinfoParser } from './pagetypeinfo'
import { ImportError } from './problems'
import { RssCsvParser, type RssStats, type RssStreamOptions } from './rss_csv'

/** Largest text accepted from the renderer (browser uploads); files on disk are streamed at any size. */
export const MAX_IMPORT_TEXT_CHARS = 256 * 1024 * 1024

/** Longest time between snapshots without timestamps (--interval-ms, ImportOptions.intervalMs): one day. */
export const MAX_IMPORT_INTERVAL_MS = 86_400_000

const fileName = z.string().min(1).max(1024)
const importOptions = z
  .strictObject({
    intervalMs: z.number().positive().max(MAX_IMPORT_INTERVAL_MS).optional(),
    timeColumn: z.string().max(200).optional(),
    rssColumn: z.string().max(200).optional(),
    rssUnit: z.enum(RSS_UNITS).optional(),
    timeUnit: z.enum(['ms', 's']).optional(),
  })
  .optional()

/** Argument tuples of the ImportApi methods, in the shape of api_schema.ts's LAB_API_ARGS. */
export const IMPORT_API_ARGS = {
  importData: z.union([z.tuple([z.enum(IMPORT_KINDS), fileName, z.string().max(MAX_IMPORT_TEXT_CHARS)]), z.tuple([z.enum(IMPORT_KINDS), fileName, z.string().max(MAX_IMPORT_TEXT_CHARS), importOptions])]),
  openImportFile: z.union([z.tuple([z.enum(IMPORT_KINDS)]), z.tuple([z.enum(IMPORT_KINDS), importOptions])]),
  parseSweep: z.tuple([fileName, z.string().max(MAX_IMPORT_TEXT_CHARS)]),
  openSweep: z.tuple([]),
} satisfies Record<keyof ImportApi, z.ZodType>

export interface LineParser<T> {
  line(text: string, line: number): void
  result(lines: number): T
}

export function createParser(kind: ImportKind, fileName: string, options: ImportOptions = {}): LineParser<ImportedData> {
  switch (kind) {
    case 'buddyinfo':
      return new BuddyinfoParser(fileName, options)
    case 'pagetypeinfo':
      return new PagetypeinfoParser(fileName, options)
    case 'ftrace':
      return new FtraceParser(fileName)
    case 'rss':
      return new RssCsvParser(fileName, options)
  }
}

function toLabError(err: unknown, fileName: string): LabError {
  if (err instanceof ImportError) {
    return {
      code: 'invalid',
      file: err.fileName,
      message: err.message,
      issues: err.problems.map((p) => ({ path: '', line: p.line, message: p.message })),
    }
  }
  const e = err as NodeJS.ErrnoException
  if (typeof e?.code === 'string') return { code: e.code === 'ENOENT' ? 'not-found' : 'io', file: fileName, message: `${fileName}: ${e.message}` }
  return { code: 'internal', file: fileName, message: `${fileName}: ${err instanceof Error ? err.message : String(err)}` }
}

function checkKind(kind: unknown, fileName: string): LabError | null {
  if ((IMPORT_KINDS as readonly unknown[]).includes(kind)) return null
  return { code: 'invalid', file: fileName, message: `${fileName}: unknown import kind ${JSON.stringify(kind)} (expected one of ${IMPORT_KINDS.join(', ')})` }
}

/** Imports a file from disk, streaming it line by line. */
export async function importFile(kind: ImportKind, path: string, options: ImportOptions = {}): Promise<Result<ImportedData>> {
  const fileName = basename(path)
  const bad = checkKind(kind, fileName)
  if (bad !== null) return fail(bad)
  try {
    const parser = createParser(kind, fileName, options)
    const { lines } = await readFileLines(path, fileName, (text, line) => parser.line(text, line))
    return ok(parser.result(lines))
  } catch (err) {
    return fail(toLabError(err, fileName))
  }
}

/**
 * An RSS CSV streamed through `stream.onRow` without keeping its rows (keepRows false): what
 * `prlab import rss` uses, so a file of any length takes flat memory. `afterChunk` lets the
 * consumer wait for its output between chunks.
 */
export async function streamRssFile(path: string, options: ImportOptions, stream: RssStreamOptions, afterChunk?: () => Promise<void>): Promise<Result<{ data: RssSeries; stats: RssStats }>> {
  const fileName = basename(path)
  try {
    const parser = new RssCsvParser(fileName, options, stream)
    const { lines } = await readFileLines(path, fileName, (text, line) => parser.line(text, line), afterChunk)
    return ok({ data: parser.result(lines), stats: parser.stats })
  } catch (err) {
    return fail(toLabError(err, fileName))
  }
}

/** LabApi.importData: text the user uploaded or dropped. Nothing is written. */
export function importText(kind: ImportKind, fileName: string, text: string, options: ImportOptions = {}): Result<ImportedData> {
  const bad = checkKind(kind, fileName)
  if (bad !== null) return fail(bad)
  if (typeof text !== 'string') return fail({ code: 'invalid', file: fileName, message: `${fileName}: expected the file's text` })
  if (text.length > MAX_IMPORT_TEXT_CHARS) {
    return fail({ code: 'limit', file: fileName, message: `${fileName}: ${text.length} characters is more than the ${MAX_IMPORT_TEXT_CHARS} an upload may hold; import it with \`prlab import\` or in the desktop app` })
  }
  try {
    const parser = createParser(kind, fileName, options)
    const lines = readTextLines(text, fileName, (t, line) => parser.line(t, line))
    return ok(parser.result(lines))
  } catch (err) {
    return fail(toLabError(err, fileName))
  }
}

const cellValue = (cell: string): number | string | null => {
  if (cell === '') return null
  const n = Number(cell)
  return Number.isFinite(n) ? n : cell
}

/** A grid value stays as written when a number would change it: kernel "5.10" is not 5.1. */
const parameterValue = (cell: string): number | string | null => {
  const v = cellValue(cell)
  return typeof v === 'number' && String(v) !== cell ? cell : v
}

/** LabApi.parseSweep: a sweep.csv (or a shard's sweep.shard-i-of-N.csv) as a table. */
export function parseSweepCsv(fileName: string, text: string): Result<SweepTable> {
  let records: string[][]
  try {
    records = parseCsv(text, { relax_column_count: false, skip_empty_lines: true }) as string[][]
  } catch (err) {
    return fail({ code: 'invalid', file: fileName, message: `${fileName}: not a CSV file: ${(err as Error).message}` })
  }
  const header = records[0]
  const statusAt = header?.indexOf('status') ?? -1
  if (header === undefined || header[0] !== 'point' || statusAt < 1) {
    return fail({ code: 'invalid', file: fileName, message: `${fileName}: not a sweep.csv (expected a header "point,<parameters...>,status,...")`, issues: [{ path: '', line: 1, message: 'header' }] })
  }
  return ok({
    fileName,
    parameters: header.slice(1, statusAt),
    columns: header,
    rows: records.slice(1).map((r) => r.map((cell, c) => (c >= 1 && c < statusAt ? parameterValue(cell) : cellValue(cell)))),
  })
}

/** LabApi.openSweep (desktop): a sweep output folder, or its sweep.csv. */
export async function openSweep(path: string): Promise<Result<SweepTable>> {
  try {
    const file = (await stat(path)).isDirectory() ? join(path, 'sweep.csv') : path
    return parseSweepCsv(basename(file), await readRegularFile(file))
  } catch (err) {
    return fail(toLabError(err, basename(path)))
  }
}
