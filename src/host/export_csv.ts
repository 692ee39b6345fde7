// samples.csv and events.csv (DESIGN.md fixed contract; columns in docs/csv-columns.md).
// Written chunk by chunk with csv-stringify, so a run of any length exports in bounded memory,
// reports progress and can be cancelled. Numbers are formatted by one deterministic rule, so the
// same run gives a byte-identical file.
import { stringify } from 'csv-stringify/sync'
import { EVENT_COLUMNS, NR_SAMPLE_COLUMNS, SAMPLE_COLUMNS } from '../common/samples'
import type { SimEvent } from '../common/samples'
import type { Recorder } from './recorder'
import { exportToFile, exportToString, yieldToEventLoop } from './export_sink'
import type { ExportOptions, TextWriter } from './export_sink'

export type { ExportOptions } from './export_sink'

/** Events written per csv-stringify call (and between progress reports). */
const EVENT_BATCH = 4096

/**
 * The shortest decimal that reads back as the same double (ECMAScript Number::toString), with
 * -0 written as 0 and NaN (no value) as an empty field.
 */
export function formatCsvNumber(value: number): string {
  if (Number.isNaN(value)) return ''
  if (value === 0) return '0'
  return String(value)
}

async function writeSamples(recorder: Recorder, write: TextWriter, options: ExportOptions): Promise<void> {
  options.signal?.throwIfAborted()
  const total = recorder.rowCount
  await write(stringify([SAMPLE_COLUMNS as readonly string[] as string[]], { record_delimiter: 'unix' }))
  let done = 0
  for (const chunk of recorder.chunks()) {
    if (done >= total) break
    const records: string[][] = []
    for (let r = 0; r < chunk.rows && done + r < total; r++) {
      const record = new Array<string>(NR_SAMPLE_COLUMNS)
      const base = r * NR_SAMPLE_COLUMNS
      for (let c = 0; c < NR_SAMPLE_COLUMNS; c++) record[c] = formatCsvNumber(chunk.data[base + c])
      records.push(record)
    }
    await write(stringify(records, { record_delimiter: 'unix' }))
    done += records.length
    options.onProgress?.(done, total)
    await yieldToEventLoop()
    options.signal?.throwIfAborted()
  }
}

function eventRecord(event: SimEvent): string[] {
  return EVENT_COLUMNS.map((column) => {
    const value = event[column]
    if (value === undefined) return ''
    return typeof value === 'number' ? formatCsvNumber(value) : value
  })
}

async function writeEvents(recorder: Recorder, write: TextWriter, options: ExportOptions): Promise<void> {
  options.signal?.throwIfAborted()
  const total = recorder.eventCount
  const csvOptions = { record_delimiter: 'unix' } as const
  await write(stringify([EVENT_COLUMNS as readonly string[] as string[]], csvOptions))
  let batch: string[][] = []
  let done = 0
  const flush = async (): Promise<void> => {
    await write(stringify(batch, csvOptions))
    done += batch.length
    batch = []
    options.onProgress?.(done, total)
    await yieldToEventLoop()
    options.signal?.throwIfAborted()
  }
  for (const event of recorder.events()) {
    batch.push(eventRecord(event))
    if (batch.length === EVENT_BATCH) await flush()
  }
  if (batch.length > 0) await flush()
}

export function samplesCsv(recorder: Recorder, options: ExportOptions = {}): Promise<string> {
  return exportToString((write) => writeSamples(recorder, write, options))
}

export function writeSamplesCsv(recorder: Recorder, path: string, options: ExportOptions = {}): Promise<void> {
  return exportToFile(path, (write) => writeSamples(recorder, write, options))
}

export function eventsCsv(recorder: Recorder, options: ExportOptions = {}): Promise<string> {
  return exportToString((write) => writeEvents(recorder, write, options))
}

export function writeEventsCsv(recorder: Recorder, path: string, options: ExportOptions = {}): Promise<void> {
  return exportToFile(path, (write) => writeEvents(recorder, write, options))
}
