import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { EVENT_COLUMNS, NR_SAMPLE_COLUMNS, SAMPLE_COLUMNS } from '../common/samples'
import type { SimEvent } from '../common/samples'
import { CHUNK_ROWS, Recorder } from './recorder'
import { eventsCsv, formatCsvNumber, samplesCsv, writeEventsCsv, writeSamplesCsv } from './export_csv'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'prlab-csv-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function recorderWith(rows: number): Recorder {
  const rec = new Recorder({ spillDir: dir, memoryBudgetBytes: 0 })
  const data = new Float64Array(rows * NR_SAMPLE_COLUMNS)
  for (let r = 0; r < rows; r++) {
    data[r * NR_SAMPLE_COLUMNS] = r * 0.1 // t_ms with binary-fraction noise: 0.30000000000000004
    for (let c = 1; c < NR_SAMPLE_COLUMNS; c++) data[r * NR_SAMPLE_COLUMNS + c] = c === 2 ? -0 : r * c
  }
  rec.appendRows(data, rows)
  return rec
}

describe('formatCsvNumber', () => {
  it('writes the shortest round-trip decimal, -0 as 0 and NaN as empty', () => {
    expect(formatCsvNumber(1048576)).toBe('1048576')
    expect(formatCsvNumber(0.1 + 0.2)).toBe('0.30000000000000004')
    expect(formatCsvNumber(-0)).toBe('0')
    expect(formatCsvNumber(Number.NaN)).toBe('')
    expect(formatCsvNumber(-1)).toBe('-1')
  })
})

describe('samples.csv', () => {
  it('has the contract header and every row, values reading back exactly', async () => {
    const rec = recorderWith(CHUNK_ROWS + 10)
    const text = await samplesCsv(rec)
    const lines = text.split('\n')
    expect(lines[0]).toBe(SAMPLE_COLUMNS.join(','))
    // DESIGN.md fixed contract: these columns, in this order, lead the file.
    expect(lines[0].startsWith('t_ms,free_kib,reported_kib,isolated_kib,pcp_kib,host_rss_kib,reclaimed_kib,refaulted_kib,report_calls,reporting_state,nr_free_0,')).toBe(true)
    expect(lines[0]).toContain('nr_free_10,nr_reported_0,')
    const records = parse(text, { columns: true }) as Record<string, string>[]
    expect(records.length).toBe(CHUNK_ROWS + 10)
    expect(records[3].t_ms).toBe('0.30000000000000004')
    expect(records[3].reported_kib).toBe('0')
    expect(Number(records[CHUNK_ROWS + 9].nr_free_0)).toBe((CHUNK_ROWS + 9) * SAMPLE_COLUMNS.indexOf('nr_free_0'))
    expect(text.endsWith('\n')).toBe(true)
    rec.close()
  })

  it('is byte-identical for the same data, string and file', async () => {
    const a = recorderWith(500)
    const b = recorderWith(500)
    const path = join(dir, 'samples.csv')
    await writeSamplesCsv(a, path)
    expect(readFileSync(path, 'utf8')).toBe(await samplesCsv(b))
    a.close()
    b.close()
  })

  it('reports progress and, when cancelled, leaves no file and no temp file', async () => {
    const rec = recorderWith(3 * CHUNK_ROWS)
    const controller = new AbortController()
    const progress: number[] = []
    const path = join(dir, 'cancelled.csv')
    await expect(
      writeSamplesCsv(rec, path, {
        signal: controller.signal,
        onProgress: (done, total) => {
          progress.push(done)
          expect(total).toBe(3 * CHUNK_ROWS)
          controller.abort()
        },
      }),
    ).rejects.toThrow()
    expect(progress).toEqual([CHUNK_ROWS])
    expect(existsSync(path)).toBe(false)
    expect(readdirSync(dir).filter((f) => f.includes('cancelled'))).toEqual([])
    const all: number[] = []
    await samplesCsv(rec, { onProgress: (done) => all.push(done) })
    expect(all).toEqual([CHUNK_ROWS, 2 * CHUNK_ROWS, 3 * CHUNK_ROWS])
    rec.close()
  })
})

describe('events.csv', () => {
  it('has the contract header, empty unused fields and quoted free text', async () => {
    const rec = new Recorder({ spillDir: dir })
    const events: SimEvent[] = [
      { t_ms: 2000, kind: 'state', detail: 'REQUESTED' },
      { t_ms: 2000.5, kind: 'report', zone: 'Normal', order: 9, pfn: 262144, count: 32, kib: 65536, dur_ms: 0.08 },
      { t_ms: 2001, kind: 'phase', detail: 'memhog, "big"\nphase' },
    ]
    rec.appendEvents(events)
    const text = await eventsCsv(rec)
    expect(text.split('\n')[0]).toBe(EVENT_COLUMNS.join(','))
    expect(text.split('\n')[1]).toBe('2000,state,,,,,,,REQUESTED')
    expect(text.split('\n')[2]).toBe('2000.5,report,Normal,9,262144,32,65536,0.08,')
    const records = parse(text, { columns: true }) as Record<string, string>[]
    expect(records[2].detail).toBe('memhog, "big"\nphase')
    const path = join(dir, 'events.csv')
    await writeEventsCsv(rec, path)
    expect(readFileSync(path, 'utf8')).toBe(text)
    rec.close()
  })
})
