import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { BuddyinfoSeries, ImportedData } from '../../common/imports'
import type { Result } from '../../common/api'
import { importFile, importText } from './index'

const FIXTURES = join(__dirname, '../../../test/fixtures/imports')
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8')

function value(r: Result<ImportedData>): BuddyinfoSeries {
  if (!r.ok) throw new Error(r.error.message)
  if (r.value.kind !== 'buddyinfo') throw new Error(`kind ${r.value.kind}`)
  return r.value
}

describe('buddyinfo importer', () => {
  it('reads one snapshot in the exact frag_show_print() layout', async () => {
    const s = value(await importFile('buddyinfo', join(FIXTURES, 'buddyinfo-6.6.txt')))
    expect(s.zones).toEqual(['DMA', 'DMA32', 'Normal'])
    expect(s.orders).toBe(11)
    expect(s.t_ms).toEqual([0])
    expect(s.timestamped).toBe(false)
    expect(s.nr_free[0][1]).toEqual([1203, 842, 510, 301, 122, 61, 25, 12, 5, 3, 402])
    expect(s.nr_free[0][2][10]).toBe(1380)
    expect(s.problemCount).toBe(0)
  })

  it('reads a `date +%s.%N` series with times relative to the first snapshot', () => {
    const s = value(importText('buddyinfo', 'series.txt', fixture('buddyinfo-series.txt')))
    expect(s.timestamped).toBe(true)
    expect(s.start_unix_ms).toBeCloseTo(1714060800123.4568, 2)
    // 1714060801.125001234 - 1714060800.123456789 s = 1001.544445 ms
    expect(s.t_ms[1]).toBeCloseTo(1001.544445, 3)
    expect(s.t_ms).toHaveLength(5)
    expect(s.zones).toEqual(['DMA', 'DMA32'])
    expect(s.nr_free.map((snap) => snap[1][10])).toEqual([20, 80, 270, 370, 382])
  })

  it('splits untimestamped snapshots where a zone repeats, labels nodes, spaces them intervalMs apart', () => {
    const s = value(importText('buddyinfo', 'numa.txt', fixture('buddyinfo-numa-2snap.txt'), { intervalMs: 250 }))
    expect(s.zones).toEqual(['0:DMA32', '0:Normal', '1:Normal'])
    expect(s.nodes).toEqual([0, 0, 1])
    expect(s.t_ms).toEqual([0, 250])
    expect(s.nr_free[0][1][0]).toBe(5120)
    expect(s.nr_free[1][1][0]).toBe(5000)
  })

  it('reports bad lines by number and drops incomplete snapshots', () => {
    const s = value(importText('buddyinfo', 'mal.txt', fixture('buddyinfo-malformed.txt')))
    // 8 timestamped snapshots; the second lacks a valid DMA32 line (line 7 has 3 orders)
    expect(s.t_ms).toEqual([0, 2000, 3000, 4000, 5000, 6000, 7000])
    expect(s.problems).toEqual([
      { line: 7, message: 'expected 11 counts (orders 0..10) as on the first line, found 3' },
      { line: 6, message: 'snapshot lacks zone(s) 0:DMA32; dropped' },
      { line: 13, message: 'expected "Node <n>, zone <name>" followed by one free-block count per order' },
    ])
  })

  it('gives the same result streamed from disk and from text', async () => {
    const a = value(await importFile('buddyinfo', join(FIXTURES, 'buddyinfo-malformed.txt')))
    const b = value(importText('buddyinfo', 'buddyinfo-malformed.txt', fixture('buddyinfo-malformed.txt')))
    expect(a).toEqual(b)
  })

  it('refuses an empty file, garbage and other formats with the file name and first bad lines', () => {
    const empty = importText('buddyinfo', 'empty.txt', '')
    expect(empty.ok).toBe(false)
    if (!empty.ok) expect(empty.error.message).toBe('empty.txt: empty: no /proc/buddyinfo line found')
    const csv = importText('buddyinfo', 'rss.csv', fixture('rss-hyperalloc.csv'))
    expect(csv.ok).toBe(false)
    if (!csv.ok) {
      expect(csv.error.code).toBe('invalid')
      expect(csv.error.message).toMatch(/^rss\.csv: no \/proc\/buddyinfo line found; first bad lines: line 1: /)
      expect(csv.error.issues?.[0].line).toBe(1)
    }
    const binary = importText('buddyinfo', 'x.bin', 'Node 0, zone DMA 1 2 3\n\u0000\u0001\u0002\n'.repeat(3))
    expect(binary.ok).toBe(false)
  })

  it('refuses a file with more than 10% bad lines even if some are good', () => {
    const good = fixture('buddyinfo-6.6.txt')
    const r = importText('buddyinfo', 'mixed.txt', `${good}junk\n`)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toMatch(/1 of 4 lines are not a valid \/proc\/buddyinfo line/)
  })

  it('drops a snapshot whose timestamp goes back and one without a timestamp', () => {
    const line = 'Node 0, zone      DMA      0      0      0      0      0      0      0      0      0      1      3 \n'
    const text = `100.5\n${line}99.0\n${line}${line}101.5\n${line}`
    const r = importText('buddyinfo', 't.txt', text.replace(/^(\d+\.\d)$/gm, '17140608$1'))
    const s = value(r)
    expect(s.t_ms).toEqual([0, 1000])
    expect(s.problems.map((p) => p.line)).toEqual([4, 5])
  })
})
