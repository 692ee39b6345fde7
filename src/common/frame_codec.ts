// Binary WebSocket message carrying one sample frame (browser mode), so megabytes of samples
// never go through JSON:  "PRLF" | u32 runId length | runId (ASCII) | pad to 8 | u32 rows | u32 0 | f64 data.
import { NR_SAMPLE_COLUMNS } from './samples'

const MAGIC = 0x464c5250 // "PRLF" little-endian

export interface DecodedFrame {
  readonly runId: string
  readonly rows: number
  readonly data: Float64Array
}

const headerBytes = (idLength: number): number => Math.ceil((8 + idLength) / 8) * 8 + 8

export function encodeFrame(runId: string, rows: number, data: Float64Array): ArrayBuffer {
  if (!/^[\x20-\x7e]{1,64}$/.test(runId)) throw new Error('run id must be 1-64 printable ASCII characters')
  const head = headerBytes(runId.length)
  const buffer = new ArrayBuffer(head + rows * NR_SAMPLE_COLUMNS * 8)
  const view = new DataView(buffer)
  view.setUint32(0, MAGIC, true)
  view.setUint32(4, runId.length, true)
  for (let i = 0; i < runId.length; i++) view.setUint8(8 + i, runId.charCodeAt(i))
  view.setUint32(head - 8, rows, true)
  new Float64Array(buffer, head, rows * NR_SAMPLE_COLUMNS).set(data.subarray(0, rows * NR_SAMPLE_COLUMNS))
  return buffer
}

/** Returns null for anything that is not a well-formed frame message. */
export function decodeFrame(buffer: ArrayBuffer): DecodedFrame | null {
  if (buffer.byteLength < 16) return null
  const view = new DataView(buffer)
  if (view.getUint32(0, true) !== MAGIC) return null
  const idLength = view.getUint32(4, true)
  if (idLength < 1 || idLength > 64) return null
  const head = headerBytes(idLength)
  if (buffer.byteLength < head) return null
  let runId = ''
  for (let i = 0; i < idLength; i++) runId += String.fromCharCode(view.getUint8(8 + i))
  const rows = view.getUint32(head - 8, true)
  if (buffer.byteLength !== head + rows * NR_SAMPLE_COLUMNS * 8) return null
  return { runId, rows, data: new Float64Array(buffer, head, rows * NR_SAMPLE_COLUMNS) }
}
