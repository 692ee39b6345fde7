// The recorder keeps every sample row and event of a run, however long, in bounded memory.
// Rows live in fixed-size chunks; once the chunks and events in memory exceed the budget, the
// oldest sealed chunks are spilled to a temporary file (rows as raw float64, events as one JSON
// line per chunk) and read back on demand. Fixed-size chunks make row lookup O(1).
//
// When the spill fails (ENOSPC, EIO, ...), the chunk stays in memory, the recorder stops taking
// rows (RecorderSpillError: "the disk is full; N rows kept") and everything recorded so far stays
// readable; close() removes the spill folder.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { COL, NR_SAMPLE_COLUMNS } from '../common/samples'
import type { SimEvent } from '../common/samples'
import { errnoOf, ioReason } from './io_error'
import { runtimeDir } from './temp_files'

/** writeSync's shape: the seam through which tests inject ENOSPC and EIO. */
export type SpillWrite = (fd: number, bytes: Uint8Array, offset: number, length: number, position: number) => number

export interface RecorderOptions {
  /** Where the spill folder is created. Default: this process's runtime folder (temp_files.ts). */
  readonly spillDir?: string
  /** Rows and events kept in memory before spilling, in bytes. Default 64 MiB. */
  readonly memoryBudgetBytes?: number
  /** Writes to the spill files. Default fs.writeSync. */
  readonly spillWrite?: SpillWrite
}

/** The spill failed: the recorder keeps what it has and takes no more. */
export class RecorderSpillError extends Error {
  constructor(
    /** Why, in words ("the disk is full"). */
    readonly reason: string,
    readonly code: string | undefined,
    readonly rowsKept: number,
    readonly dir: string,
  ) {
    super(`${reason}; ${rowsKept} rows kept (the recorder could not spill to ${dir})`)
    this.name = 'RecorderSpillError'
  }
}

export const DEFAULT_RECORDER_BUDGET_BYTES = 64 * 1024 * 1024
/** Rows per chunk: 2048 rows of ~80 float64 columns is about 1.3 MB. */
export const CHUNK_ROWS = 2048
const EVENTS_PER_CHUNK = 4096
/** Rough heap cost of one SimEvent object with a few fields (for the budget only). */
const EVENT_BYTES_ESTIMATE = 160
const ROW_BYTES = NR_SAMPLE_COLUMNS * Float64Array.BYTES_PER_ELEMENT
const CHUNK_BYTES = CHUNK_ROWS * ROW_BYTES

interface RowChunk {
  /** null once spilled; the rows are then at `CHUNK_BYTES * index` in the rows file. */
  data: Float64Array | null
  rows: number
}

interface EventChunk {
  events: SimEvent[] | null
  count: number
  offset: number
  bytes: number
}

class SpillFiles {
  readonly dir: string
  readonly rowsFd: number
  readonly eventsFd: number
  eventsBytes = 0

  constructor(parent: string) {
    this.dir = mkdtempSync(join(parent, 'prlab-recorder-'))
    try {
      this.rowsFd = openSync(join(this.dir, 'rows.f64'), 'w+', 0o600)
      this.eventsFd = openSync(join(this.dir, 'events.jsonl'), 'w+', 0o600)
    } catch (e) {
      rmSync(this.dir, { recursive: true, force: true })
      throw e
    }
  }

  close(): void {
    closeSync(this.rowsFd)
    closeSync(this.eventsFd)
    rmSync(this.dir, { recursive: true, force: true })
  }
}

function writeAll(write: SpillWrite, fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length; ) done += write(fd, bytes, done, bytes.length - done, position + done)
}

function readAll(fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length; ) {
    const n = readSync(fd, bytes, done, bytes.length - done, position + done)
    if (n === 0) throw new Error(`recorder spill file is shorter than expected (read ${done} of ${bytes.length} bytes)`)
    done += n
  }
}

export class Recorder {
  private readonly spillDir: string | null
  private readonly budgetBytes: number
  private readonly rowChunks: RowChunk[] = []
  private readonly eventChunks: EventChunk[] = []
  private spill: SpillFiles | null = null
  private rows = 0
  private eventTotal = 0
  private rowChunksInMemory = 0
  private eventsInMemory = 0
  /** Oldest row chunk not yet spilled; every chunk before it is on disk. */
  private firstRowChunkInMemory = 0
  private firstEventChunkInMemory = 0
  private closed = false
  private readonly spillWrite: SpillWrite
  private failure: RecorderSpillError | null = null

  constructor(options: RecorderOptions = {}) {
    this.spillDir = options.spillDir ?? null
    this.budgetBytes = Math.max(options.memoryBudgetBytes ?? DEFAULT_RECORDER_BUDGET_BYTES, 2 * CHUNK_BYTES)
    this.spillWrite = options.spillWrite ?? writeSync
  }

  /** Set once a spill failed: the recorder keeps its rows and takes no more. */
  get spillFailure(): RecorderSpillError | null {
    return this.failure
  }

  /** The spill folder, once rows or events were spilled. */
  get spillPath(): string | null {
    return this.spill?.dir ?? null
  }

  get rowCount(): number {
    return this.rows
  }

  get eventCount(): number {
    return this.eventTotal
  }

  /** Bytes of rows and events held in memory (the budget bounds it). */
  get memoryBytes(): number {
    return this.rowChunksInMemory * CHUNK_BYTES + this.eventsInMemory * EVENT_BYTES_ESTIMATE
  }

  /** Bytes written to the spill file so far. */
  get spilledBytes(): number {
    return this.firstRowChunkInMemory * CHUNK_BYTES + (this.spill?.eventsBytes ?? 0)
  }

  /** Appends `rows` row-major rows of NR_SAMPLE_COLUMNS from `data` (copied). */
  appendRows(data: Float64Array, rows: number): void {
    this.assertWritable()
    if (!Number.isInteger(rows) || rows < 0 || rows * NR_SAMPLE_COLUMNS > data.length) {
      throw new RangeError(`appendRows: ${rows} rows need ${rows * NR_SAMPLE_COLUMNS} values, the frame has ${data.length}`)
    }
    let done = 0
    while (done < rows) {
      let chunk = this.rowChunks[this.rowChunks.length - 1]
      if (chunk === undefined || chunk.rows === CHUNK_ROWS) {
        chunk = { data: new Float64Array(CHUNK_ROWS * NR_SAMPLE_COLUMNS), rows: 0 }
        this.rowChunks.push(chunk)
        this.rowChunksInMemory++
        try {
          this.enforceBudget()
        } catch (e) {
          // the new chunk holds nothing yet: drop it, keep every row recorded before
          this.rowChunks.pop()
          this.rowChunksInMemory--
          throw e
        }
      }
      const take = Math.min(rows - done, CHUNK_ROWS - chunk.rows)
      ;(chunk.data as Float64Array).set(data.subarray(done * NR_SAMPLE_COLUMNS, (done + take) * NR_SAMPLE_COLUMNS), chunk.rows * NR_SAMPLE_COLUMNS)
      chunk.rows += take
      done += take
      this.rows += take
    }
  }

  appendEvents(events: readonly SimEvent[]): void {
    this.assertWritable()
    for (const event of events) {
      let chunk = this.eventChunks[this.eventChunks.length - 1]
      if (chunk === undefined || chunk.count === EVENTS_PER_CHUNK) {
        chunk = { events: [], count: 0, offset: 0, bytes: 0 }
        this.eventChunks.push(chunk)
      }
      ;(chunk.events as SimEvent[]).push(event)
      chunk.count++
      this.eventsInMemory++
      this.eventTotal++
      if (chunk.count === EVENTS_PER_CHUNK) this.enforceBudget()
    }
  }

  /** Copies rows [firstRow, firstRow + rows) into a new array. */
  readRows(firstRow: number, rows: number): Float64Array {
    this.assertOpen()
    if (!Number.isInteger(firstRow) || !Number.isInteger(rows) || firstRow < 0 || rows < 0 || firstRow + rows > this.rows) {
      throw new RangeError(`readRows(${firstRow}, ${rows}): the recorder has ${this.rows} rows`)
    }
    const out = new Float64Array(rows * NR_SAMPLE_COLUMNS)
    let done = 0
    while (done < rows) {
      const row = firstRow + done
      const index = Math.floor(row / CHUNK_ROWS)
      const within = row - index * CHUNK_ROWS
      const take = Math.min(rows - done, this.rowChunks[index].rows - within)
      this.copyRows(index, within, take, out, done)
      done += take
    }
    return out
  }

  /** Index of the last row with t_ms <= t_ms (rows are in time order), or -1 if none. */
  rowIndexAt(t_ms: number): number {
    this.assertOpen()
    let lo = 0
    let hi = this.rows - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (this.timeOfRow(mid) <= t_ms) {
        found = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    return found
  }

  /**
   * The rows recorded when iteration starts, in order, one chunk at a time (spilled chunks are
   * read back one by one). Rows appended meanwhile (a live run) are not included.
   */
  chunks(): Iterable<{ firstRow: number; rows: number; data: Float64Array }> {
    this.assertOpen()
    return this.chunksUpTo(this.rows)
  }

  private *chunksUpTo(end: number): Iterable<{ firstRow: number; rows: number; data: Float64Array }> {
    for (let firstRow = 0; firstRow < end; firstRow += CHUNK_ROWS) {
      this.assertOpen()
      const index = firstRow / CHUNK_ROWS
      const rows = Math.min(CHUNK_ROWS, end - firstRow)
      const data = new Float64Array(rows * NR_SAMPLE_COLUMNS)
      this.copyRows(index, 0, rows, data, 0)
      yield { firstRow, rows, data }
    }
  }

  /** The events recorded when iteration starts, in order. */
  events(): Iterable<SimEvent> {
    this.assertOpen()
    return this.eventsUpTo(this.eventTotal)
  }

  private *eventsUpTo(count: number): Iterable<SimEvent> {
    let left = count
    for (let index = 0; left > 0; index++) {
      this.assertOpen()
      const chunk = this.eventChunks[index]
      const take = Math.min(left, chunk.count)
      left -= take
      if (chunk.events !== null) yield* chunk.events.slice(0, take)
      else {
        const bytes = new Uint8Array(chunk.bytes)
        readAll((this.spill as SpillFiles).eventsFd, bytes, chunk.offset)
        yield* (JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8')) as SimEvent[]).slice(0, take)
      }
    }
  }

  /** Frees memory and removes the spill files. Further calls throw. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.spill?.close()
    this.spill = null
    this.rowChunks.length = 0
    this.eventChunks.length = 0
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the recorder is closed')
  }

  private assertWritable(): void {
    this.assertOpen()
    if (this.failure !== null) throw this.failure
  }

  private spillFiles(): SpillFiles {
    this.spill ??= new SpillFiles(this.spillDir ?? runtimeDir())
    return this.spill
  }

  /** Runs a spill step; a failure of the disk seals the recorder instead of losing anything. */
  private spillSafely(step: () => void): void {
    try {
      step()
    } catch (e) {
      if (errnoOf(e) === undefined) throw e
      const reason = errnoOf(e) === 'EIO' ? 'the disk failed (input/output error)' : ioReason(e)
      this.failure = new RecorderSpillError(reason, errnoOf(e), this.rows, this.spill?.dir ?? this.spillDir ?? 'the temp folder')
      throw this.failure
    }
  }

  /** t_ms of a recorded row. */
  timeOfRow(row: number): number {
    const index = Math.floor(row / CHUNK_ROWS)
    const offset = (row - index * CHUNK_ROWS) * NR_SAMPLE_COLUMNS + COL.t_ms
    const data = this.rowChunks[index].data
    if (data !== null) return data[offset]
    const value = new Float64Array(1)
    readAll((this.spill as SpillFiles).rowsFd, new Uint8Array(value.buffer), index * CHUNK_BYTES + offset * 8)
    return value[0]
  }

  private copyRows(index: number, within: number, rows: number, out: Float64Array, outRow: number): void {
    const chunk = this.rowChunks[index]
    const from = within * NR_SAMPLE_COLUMNS
    const count = rows * NR_SAMPLE_COLUMNS
    if (chunk.data !== null) out.set(chunk.data.subarray(from, from + count), outRow * NR_SAMPLE_COLUMNS)
    else {
      const target = new Uint8Array(out.buffer, out.byteOffset + outRow * ROW_BYTES, rows * ROW_BYTES)
      readAll((this.spill as SpillFiles).rowsFd, target, index * CHUNK_BYTES + within * ROW_BYTES)
    }
  }

  /** Spills the oldest sealed chunks (never the open ones) until memory fits the budget. */
  private enforceBudget(): void {
    while (this.memoryBytes > this.budgetBytes) {
      const rowSealed = this.firstRowChunkInMemory < this.rowChunks.length - 1
      const eventSealed = this.firstEventChunkInMemory < this.eventChunks.length - 1 || this.eventChunks[this.eventChunks.length - 1]?.count === EVENTS_PER_CHUNK
      const rowBytes = this.rowChunksInMemory * CHUNK_BYTES
      const eventBytes = this.eventsInMemory * EVENT_BYTES_ESTIMATE
      if (rowSealed && (rowBytes >= eventBytes || !eventSealed)) this.spillSafely(() => this.spillRowChunk())
      else if (eventSealed) this.spillSafely(() => this.spillEventChunk())
      else return
    }
  }

  private spillRowChunk(): void {
    const index = this.firstRowChunkInMemory
    const chunk = this.rowChunks[index]
    const data = chunk.data as Float64Array
    writeAll(this.spillWrite, this.spillFiles().rowsFd, new Uint8Array(data.buffer, data.byteOffset, CHUNK_BYTES), index * CHUNK_BYTES)
    chunk.data = null
    this.rowChunksInMemory--
    this.firstRowChunkInMemory++
  }

  private spillEventChunk(): void {
    const chunk = this.eventChunks[this.firstEventChunkInMemory]
    const spill = this.spillFiles()
    const bytes = Buffer.from(JSON.stringify(chunk.events), 'utf8')
    writeAll(this.spillWrite, spill.eventsFd, bytes, spill.eventsBytes)
    chunk.offset = spill.eventsBytes
    chunk.bytes = bytes.length
    spill.eventsBytes += bytes.length
    chunk.events = null
    this.eventsInMemory -= chunk.count
    this.firstEventChunkInMemory++
  }
}
