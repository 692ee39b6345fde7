// Reads a recording folder: what `prlab record-guest` writes and what shared/reference/real-guest
// holds (the same layout). Every file is checked against its header; errors name the file, the
// line and what was expected.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { BUDDY_ORDERS, type BuddyRow, type EventRow, type PcpRow, type ReportRow } from './guest_stream'

export class RecordingError extends Error {}

export interface HostRssRow { t_ms: number; rss_kib: number }

export interface Recording {
  dir: string
  /** meta.json as written (guest facts under `guest`, clock offset, ...) */
  meta: Record<string, unknown>
  params: Record<string, unknown>
  guest: Record<string, string>
  clockOffsetMs: number
  hostRss: HostRssRow[]
  buddy: BuddyRow[]
  pcp: PcpRow[]
  events: EventRow[]
  reports: ReportRow[]
}

function readCsv(dir: string, file: string, required: readonly string[]): { rows: Record<string, string>[]; columns: string[] } {
  const path = join(dir, file)
  if (!existsSync(path)) throw new RecordingError(`${path}: missing (a recording folder has ${RECORDING_FILES.join(', ')})`)
  let records: string[][]
  try {
    records = parse(readFileSync(path, 'utf8'), { relax_column_count: false, skip_empty_lines: true, bom: true }) as string[][]
  } catch (e) {
    throw new RecordingError(`${path}: ${e instanceof Error ? e.message : String(e)}`)
  }
  const [columns, ...body] = records
  const missing = required.filter((c) => !columns?.includes(c))
  if (!columns || missing.length > 0) throw new RecordingError(`${path}: header lacks ${missing.join(', ')} (expected ${required.join(',')})`)
  return { columns, rows: body.map((cells) => Object.fromEntries(columns.map((c, i) => [c, cells[i]]))) }
}

function number(row: Record<string, string>, column: string, path: string, line: number): number {
  const text = row[column]
  const v = Number(text)
  if (text === '' || !Number.isFinite(v)) throw new RecordingError(`${path}:${line}: ${column} must be a number, got "${text}"`)
  return v
}

/** An empty cell is null: pcp.csv leaves the per-CPU counts of a zone without pagesets empty. */
const optionalNumber = (row: Record<string, string>, column: string, path: string, line: number): number | null =>
  row[column] === '' ? null : number(row, column, path, line)

function readJson(dir: string, file: string): Record<string, unknown> {
  const path = join(dir, file)
  if (!existsSync(path)) throw new RecordingError(`${path}: missing`)
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'))
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('expected a JSON object')
    return v as Record<string, unknown>
  } catch (e) {
    throw new RecordingError(`${path}: ${e instanceof Error ? e.message : String(e)}`)
  }
}

export const RECORDING_FILES = ['meta.json', 'params.json', 'host_rss.csv', 'buddyinfo.csv', 'pcp.csv', 'events.csv', 'reports.csv', 'vmstat.csv'] as const

export function loadRecording(dir: string): Recording {
  const meta = readJson(dir, 'meta.json')
  const params = readJson(dir, 'params.json')
  const guestRaw = meta.guest
  if (typeof guestRaw !== 'object' || guestRaw === null) throw new RecordingError(`${join(dir, 'meta.json')}: no "guest" object`)
  const guest = Object.fromEntries(Object.entries(guestRaw).map(([k, v]) => [k, String(v)]))
  const clockOffsetMs = meta.clock_offset_ms
  if (typeof clockOffsetMs !== 'number') throw new RecordingError(`${join(dir, 'meta.json')}: clock_offset_ms must be a number`)

  const orders = Array.from({ length: BUDDY_ORDERS }, (_, o) => `order${o}`)
  const at = (file: string): string => join(dir, file)
  const rss = readCsv(dir, 'host_rss.csv', ['t_ms', 'rss_kib'])
  const buddy = readCsv(dir, 'buddyinfo.csv', ['t_ms', 'zone', ...orders, 'guest_ms'])
  const pcp = readCsv(dir, 'pcp.csv', ['t_ms', 'guest_ms', 'zone', 'free_pages'])
  const events = readCsv(dir, 'events.csv', ['t_ms', 'guest_ms', 'event'])
  const reports = readCsv(dir, 'reports.csv', ['t_ms', 'guest_ms', 'cpu', 'nents', 'len0_bytes'])
  readCsv(dir, 'vmstat.csv', ['t_ms', 'guest_ms', 'nr_free_pages'])
  const cpuColumns = pcp.columns.filter((c) => /^pcp_cpu\d+$/.test(c))
  return {
    dir,
    meta,
    params,
    guest,
    clockOffsetMs,
    hostRss: rss.rows.map((r, i) => ({ t_ms: number(r, 't_ms', at('host_rss.csv'), i + 2), rss_kib: number(r, 'rss_kib', at('host_rss.csv'), i + 2) })),
    buddy: buddy.rows.map((r, i) => ({
      guest_ms: number(r, 'guest_ms', at('buddyinfo.csv'), i + 2),
      zone: r.zone,
      nr_free: orders.map((o) => number(r, o, at('buddyinfo.csv'), i + 2)),
    })),
    pcp: pcp.rows.map((r, i) => ({
      guest_ms: number(r, 'guest_ms', at('pcp.csv'), i + 2),
      zone: r.zone,
      free_pages: number(r, 'free_pages', at('pcp.csv'), i + 2),
      pcp: cpuColumns.map((c) => optionalNumber(r, c, at('pcp.csv'), i + 2)),
    })),
    events: events.rows.map((r, i) => ({ guest_ms: number(r, 'guest_ms', at('events.csv'), i + 2), event: r.event })),
    reports: reports.rows.map((r, i) => ({
      guest_ms: number(r, 'guest_ms', at('reports.csv'), i + 2),
      cpu: number(r, 'cpu', at('reports.csv'), i + 2),
      nents: number(r, 'nents', at('reports.csv'), i + 2),
      len0_bytes: number(r, 'len0_bytes', at('reports.csv'), i + 2),
    })),
  }
}
