import { afterEach, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NR_SAMPLE_COLUMNS } from '../common/samples'
import type { SimEvent } from '../common/samples'
import { CHUNK_ROWS, Recorder } from './recorder'

/** Rows whose every value encodes (row, column): value = row * 1000 + column; t_ms = row * 10. */
function syntheticRows(first: number, rows: number): Float64Array {
  const data = new Float64Array(rows * NR_SAMPLE_COLUMNS)
  for (let r = 0; r < rows; r++) {
    data[r * NR_SAMPLE_COLUMNS] = (first + r) * 10
    for (let c = 1; c < NR_SAMPLE_COLUMNS; c++) data[r * NR_SAMPLE_COLUMNS + c] = (first + r) * 1000 + c
  }
  return data
}

const ROW_BYTES = NR_SAMPLE_COLUMNS * 8
/** Byte equality: vitest's deep equality is slow on million-element typed arrays. */
const sameRows = (a: Float64Array, b: Float64Array): boolean => a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
const dirs: string[] = []
const spillDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'prlab-rec-test-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('Recorder', () => {
  it('keeps every row of a run much larger than its budget, in bounded memory', () => {
    const dir = spillDir()
    const budget = 3 * CHUNK_ROWS * ROW_BYTES
    const rec = new Recorder({ spillDir: dir, memoryBudgetBytes: budget })
    const total = 10 * CHUNK_ROWS + 123
    // Frames of odd sizes so chunk boundaries fall inside frames.
    for (let first = 0; first < total; ) {
      const rows = Math.min(777, total - first)
      const frame = syntheticRows(first, rows)
      rec.appendRows(frame, rows)
      frame.fill(-1) // the recorder copied what it keeps
      first += rows
      expect(rec.memoryBytes).toBeLessThanOrEqual(budget)
    }
    expect(rec.rowCount).toBe(total)
    expect(rec.spilledBytes).toBeGreaterThanOrEqual(7 * CHUNK_ROWS * ROW_BYTES)
    expect(sameRows(rec.readRows(0, total), syntheticRows(0, total))).toBe(true)
    expect(sameRows(rec.readRows(CHUNK_ROWS - 2, 5), syntheticRows(CHUNK_ROWS - 2, 5))).toBe(true)
    let next = 0
    for (const chunk of rec.chunks()) {
      expect(chunk.firstRow).toBe(next)
      expect(sameRows(chunk.data, syntheticRows(next, chunk.rows))).toBe(true)
      next += chunk.rows
    }
    expect(next).toBe(total)
    rec.close()
    expect(readdirSync(dir)).toEqual([])
  })

  it('finds the last row at or before a time, on disk and in memory', () => {
    const rec = new Recorder({ spillDir: spillDir(), memoryBudgetBytes: 0 })
    const total = 3 * CHUNK_ROWS
    rec.appendRows(syntheticRows(0, total), total)
    expect(rec.spilledBytes).toBeGreaterThan(0)
    expect(rec.rowIndexAt(-1)).toBe(-1)
    expect(rec.rowIndexAt(0)).toBe(0)
    expect(rec.rowIndexAt(15)).toBe(1)
    expect(rec.rowIndexAt(20)).toBe(2)
    expect(rec.rowIndexAt(CHUNK_ROWS * 10 + 5)).toBe(CHUNK_ROWS)
    expect(rec.rowIndexAt(1e12)).toBe(total - 1)
    rec.close()
  })

  it('keeps every event in order across spills', () => {
    const rec = new Recorder({ spillDir: spillDir(), memoryBudgetBytes: 0 })
    // enough events to pass the smallest budget (two row chunks, which grow with the sample columns)
    const events: SimEvent[] = Array.from({ length: 40000 }, (_, i) => ({ t_ms: i, kind: i % 2 ? 'report' : 'discard', order: i % 11, kib: i * 4, detail: i % 7 === 0 ? 'a,"b"' : undefined }))
    for (let i = 0; i < events.length; i += 999) rec.appendEvents(events.slice(i, i + 999))
    expect(rec.eventCount).toBe(40000)
    expect(rec.spilledBytes).toBeGreaterThan(0)
    expect([...rec.events()]).toEqual(events.map((e) => JSON.parse(JSON.stringify(e)) as SimEvent))
    rec.close()
  })

  it('iterates only what was recorded when iteration began', () => {
    const rec = new Recorder({ spillDir: spillDir() })
    rec.appendRows(syntheticRows(0, 10), 10)
    rec.appendEvents([{ t_ms: 0, kind: 'state', detail: 'REQUESTED' }])
    const rows = rec.chunks()[Symbol.iterator]()
    const events = rec.events()[Symbol.iterator]()
    rec.appendRows(syntheticRows(10, 5), 5)
    rec.appendEvents([{ t_ms: 1, kind: 'state', detail: 'ACTIVE' }])
    expect(rows.next().value?.rows).toBe(10)
    expect(rows.next().done).toBe(true)
    expect(events.next().value?.detail).toBe('REQUESTED')
    expect(events.next().done).toBe(true)
    rec.close()
  })

  it('rejects out-of-range reads and short frames; closed recorders throw', () => {
    const dir = spillDir()
    const rec = new Recorder({ spillDir: dir, memoryBudgetBytes: 0 })
    rec.appendRows(syntheticRows(0, 3 * CHUNK_ROWS), 3 * CHUNK_ROWS)
    expect(() => rec.readRows(3 * CHUNK_ROWS - 1, 2)).toThrow(RangeError)
    expect(() => rec.appendRows(new Float64Array(NR_SAMPLE_COLUMNS), 2)).toThrow(RangeError)
    expect(readdirSync(dir).length).toBe(1)
    rec.close()
    expect(existsSync(join(dir, readdirSync(dir)[0] ?? 'none'))).toBe(false)
    expect(() => rec.readRows(0, 1)).toThrow('closed')
  })
})
