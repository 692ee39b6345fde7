import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ImportedData, RssSeries } from '../../common/imports'
import type { Result } from '../../common/api'
import { importFile, importText } from './index'

const FIXTURES = join(__dirname, '../../../test/fixtures/imports')

function value(r: Result<ImportedData>): RssSeries {
  if (!r.ok) throw new Error(r.error.message)
  if (r.value.kind !== 'rss') throw new Error(`kind ${r.value.kind}`)
  return r.value
}

describe('measured RSS CSV importer', () => {
  it('reads HyperAlloc time,rss,small,huge,cached,total: seconds and bytes', async () => {
    const s = value(await importFile('rss', join(FIXTURES, 'rss-hyperalloc.csv')))
    expect(s.timeColumn).toBe('time')
    expect(s.rssColumn).toBe('rss')
    expect(s.rssUnit).toBe('bytes')
    expect(s.t_ms.slice(0, 3)).toEqual([0, 1740, 3460])
    // 322121728 B = 314572 KiB (0.3 GiB rounded down to 4 KiB)
    expect(s.rss_kib[0]).toBe(314572)
    expect(s.t_ms).toHaveLength(40)
    expect(s.extra.map((e) => e.name)).toEqual(['small', 'huge', 'cached', 'total'])
    expect(s.extra[1].values.slice(0, 2)).toEqual([500, 501])
  })

  it('reads t_ms / rss_kib by name and honours explicit columns and units', () => {
    const a = value(importText('rss', 'a.csv', 't_ms,host_rss_kib\n100,2048\n200,4096\n'))
    expect(a.t_ms).toEqual([0, 100])
    expect(a.rss_kib).toEqual([2048, 4096])
    const b = value(importText('rss', 'b.tsv', 'when\tresident\n0\t1.5\n2\t0.5\n', { timeColumn: 'when', rssColumn: 'resident', rssUnit: 'gib', timeUnit: 's' }))
    expect(b.t_ms).toEqual([0, 2000])
    expect(b.rss_kib).toEqual([1.5 * 1024 * 1024, 0.5 * 1024 * 1024])
  })

  it('reports bad rows by line number and keeps the rest', () => {
    const rows = ['time,rss', ...Array.from({ length: 40 }, (_, i) => `${i},${(i + 1) * 4096}`)]
    rows[5] = '4,lots'
    rows[9] = '8'
    rows[12] = '5,4096'
    const s = value(importText('rss', 'r.csv', rows.join('\n')))
    expect(s.problems).toEqual([
      { line: 6, message: 'rss: "lots" is not a non-negative number' },
      { line: 10, message: 'expected 2 columns as in the header, found 1' },
      { line: 13, message: 'time 5 goes back (previous row 10)' },
    ])
    expect(s.t_ms).toHaveLength(37)
  })

  it('refuses a file without a usable header, an empty file and mostly-bad files', () => {
    const noRss = importText('rss', 'x.csv', 'time,foo\n1,2\n')
    expect(!noRss.ok && noRss.error.message).toMatch(/^x\.csv: the first line must be a CSV header with an RSS column \(rss, rss_bytes/)
    const empty = importText('rss', 'e.csv', '')
    expect(!empty.ok && empty.error.message).toBe('e.csv: empty: no CSV header found')
    const headerOnly = importText('rss', 'h.csv', 'time,rss\n')
    expect(!headerOnly.ok && headerOnly.error.message).toBe('h.csv: empty: no CSV row with a time and an RSS value found')
    const trace = importText('rss', 't.txt', readFileSync(join(FIXTURES, 'ftrace-6.6-trace.txt'), 'utf8'))
    expect(trace.ok).toBe(false)
    const bad = importText('rss', 'b.csv', 'time,rss\n1,2\nx,y\nz,w\n')
    expect(!bad.ok && bad.error.message).toMatch(/^b\.csv: 2 of 3 lines are not a valid CSV row/)
  })
})
