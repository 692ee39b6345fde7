import { describe, expect, it } from 'vitest'
import { decodeFrame, encodeFrame } from './frame_codec'
import { NR_SAMPLE_COLUMNS } from './samples'

describe('frame codec', () => {
  it('round-trips rows, values and the run id', () => {
    const rows = 3
    const data = Float64Array.from({ length: rows * NR_SAMPLE_COLUMNS }, (_, i) => i * 0.5 - 7)
    const decoded = decodeFrame(encodeFrame('3f2a-run', rows, data))
    expect(decoded?.runId).toBe('3f2a-run')
    expect(decoded?.rows).toBe(rows)
    expect(Array.from(decoded?.data ?? [])).toEqual(Array.from(data))
  })

  it('refuses truncated, foreign and inconsistent buffers', () => {
    const good = encodeFrame('r', 2, new Float64Array(2 * NR_SAMPLE_COLUMNS))
    expect(decodeFrame(good.slice(0, good.byteLength - 8))).toBeNull()
    expect(decodeFrame(new ArrayBuffer(64))).toBeNull()
    const wrongRows = good.slice(0)
    new DataView(wrongRows).setUint32(16, 5, true) // rows field of a 1-character id
    expect(decodeFrame(wrongRows)).toBeNull()
  })

  it('rejects run ids that are not printable ASCII', () => {
    expect(() => encodeFrame('é', 0, new Float64Array(0))).toThrow(/ASCII/)
  })
})
