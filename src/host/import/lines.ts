// Line-by-line reading for the importers. Files are streamed (never loaded whole), split on \n
// with \r\n tolerated and a UTF-8 byte order mark dropped, and a line longer than the limit stops the import: a file with no line
// breaks is not text the importers understand, and buffering it whole is what streaming avoids.
import { openRegularFile } from '../regular_file'
import { StringDecoder } from 'node:string_decoder'
import { ImportError } from './problems'

/** Receives each line with its 1-based number; returning false stops reading. */
export type LineHandler = (text: string, line: number) => boolean | void

export const MAX_LINE_CHARS = 1 << 16

function tooLong(fileName: string, line: number): ImportError {
  return new ImportError(fileName, `line ${line} is longer than ${MAX_LINE_CHARS} characters: not a text file of this kind`, [])
}

/** Feeds text chunks and emits complete lines; the last line needs no trailing newline. */
export class LineSplitter {
  private pending = ''
  private lineNo = 0
  private stopped = false

  constructor(
    private readonly fileName: string,
    private readonly handler: LineHandler,
  ) {}

  get lines(): number {
    return this.lineNo
  }

  get done(): boolean {
    return this.stopped
  }

  push(chunk: string): void {
    let start = 0
    while (!this.stopped) {
      const nl = chunk.indexOf('\n', start)
      if (nl < 0) break
      const piece = this.pending + chunk.slice(start, nl)
      this.pending = ''
      start = nl + 1
      this.emit(piece)
    }
    if (this.stopped) return
    this.pending += chunk.slice(start)
    if (this.pending.length > MAX_LINE_CHARS) throw tooLong(this.fileName, this.lineNo + 1)
  }

  end(): void {
    if (!this.stopped && this.pending.length > 0) this.emit(this.pending)
    this.pending = ''
  }

  private emit(piece: string): void {
    if (piece.length > MAX_LINE_CHARS) throw tooLong(this.fileName, this.lineNo + 1)
    this.lineNo++
    const unmarked = this.lineNo === 1 && piece.startsWith('\uFEFF') ? piece.slice(1) : piece
    const text = unmarked.endsWith('\r') ? unmarked.slice(0, -1) : unmarked
    if (this.handler(text, this.lineNo) === false) this.stopped = true
  }
}

/**
 * Streams a regular file line by line, 64 KiB at a time (openRegularFile refuses FIFOs, devices,
 * /proc); `afterChunk` runs after each chunk's lines. Returns the lines and bytes read.
 */
export async function readFileLines(path: string, fileName: string, handler: LineHandler, afterChunk?: () => Promise<void>): Promise<{ lines: number; bytes: number }> {
  const splitter = new LineSplitter(fileName, handler)
  const decoder = new StringDecoder('utf8')
  const { handle } = await openRegularFile(path)
  const stream = handle.createReadStream({ highWaterMark: 1 << 16 })
  let bytes = 0
  try {
    for await (const chunk of stream) {
      bytes += (chunk as Buffer).length
      splitter.push(decoder.write(chunk as Buffer))
      if (splitter.done) break
      // lets a consumer that writes what it reads wait for its output (backpressure)
      if (afterChunk !== undefined) await afterChunk()
    }
    if (!splitter.done) {
      splitter.push(decoder.end())
      splitter.end()
    }
  } finally {
    stream.destroy()
  }
  return { lines: splitter.lines, bytes }
}

/** The same over text already in memory (an upload from the renderer). */
export function readTextLines(text: string, fileName: string, handler: LineHandler): number {
  const splitter = new LineSplitter(fileName, handler)
  splitter.push(text)
  splitter.end()
  return splitter.lines
}
