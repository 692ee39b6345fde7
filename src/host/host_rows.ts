// The host rows and events of a host experiment, kept in memory (one row per host sample
// interval: a 1-hour run at 1 s is 3,600 rows), and written as host_samples.csv and
// host_events.csv with the same number rule as samples.csv.
import { stringify } from 'csv-stringify/sync'
import { HOST_EVENT_COLUMNS, hostSampleHeader, hostRowWidth, type HostEvent } from '../common/host_samples'
import { formatCsvNumber } from './export_csv'
import type { TextWriter } from './export_sink'

const CHUNK_ROWS = 1024
const csv = { record_delimiter: 'unix' } as const

export class HostRows {
  readonly width: number
  private readonly chunks: Float64Array[] = []
  private rows = 0
  readonly events: HostEvent[] = []

  constructor(readonly guests: number) {
    this.width = hostRowWidth(guests)
  }

  get rowCount(): number {
    return this.rows
  }

  /** Copies one row (the engine reuses its buffer). */
  push(row: Float64Array): void {
    const c = Math.floor(this.rows / CHUNK_ROWS)
    if (c === this.chunks.length) this.chunks.push(new Float64Array(CHUNK_ROWS * this.width))
    this.chunks[c].set(row.subarray(0, this.width), (this.rows % CHUNK_ROWS) * this.width)
    this.rows++
  }

  /** Rows [from, to) as one array, row-major. */
  slice(from: number, to: number): Float64Array {
    const out = new Float64Array(Math.max(0, to - from) * this.width)
    for (let r = from; r < to; r++) {
      const c = this.chunks[Math.floor(r / CHUNK_ROWS)]
      const at = (r % CHUNK_ROWS) * this.width
      out.set(c.subarray(at, at + this.width), (r - from) * this.width)
    }
    return out
  }

  async writeSamples(write: TextWriter): Promise<void> {
    await write(stringify([hostSampleHeader(this.guests)], csv))
    for (let from = 0; from < this.rows; from += CHUNK_ROWS) {
      const to = Math.min(this.rows, from + CHUNK_ROWS)
      const data = this.slice(from, to)
      const records: string[][] = []
      for (let r = 0; r < to - from; r++) {
        const rec = new Array<string>(this.width)
        for (let k = 0; k < this.width; k++) rec[k] = formatCsvNumber(data[r * this.width + k])
        records.push(rec)
      }
      await write(stringify(records, csv))
    }
  }

  async writeEvents(write: TextWriter): Promise<void> {
    await write(stringify([[...HOST_EVENT_COLUMNS]], csv))
    const records = this.events.map((e) =>
      HOST_EVENT_COLUMNS.map((c) => {
        const v = e[c]
        return v === undefined ? '' : typeof v === 'number' ? formatCsvNumber(v) : v
      }),
    )
    if (records.length > 0) await write(stringify(records, csv))
  }
}
