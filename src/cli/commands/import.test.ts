import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { main } from './import'

const FIXTURES = join(__dirname, '../../../test/fixtures/imports')
let out: string[] = []
let err: string[] = []
beforeEach(() => {
  out = []
  err = []
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true))
  vi.spyOn(console, 'error').mockImplementation((s) => void err.push(String(s)))
})
afterEach(() => vi.restoreAllMocks())

describe('prlab import', () => {
  it('converts a buddyinfo series to CSV, one row per snapshot and zone', async () => {
    expect(await main(['buddyinfo', join(FIXTURES, 'buddyinfo-series.txt'), '--csv'])).toBe(0)
    const rows = out.join('').trim().split('\n')
    expect(rows[0]).toBe('t_ms,zone,nr_free_0,nr_free_1,nr_free_2,nr_free_3,nr_free_4,nr_free_5,nr_free_6,nr_free_7,nr_free_8,nr_free_9,nr_free_10')
    expect(rows).toHaveLength(1 + 5 * 2)
    expect(rows[2]).toBe('0,DMA32,310,190,88,41,20,9,4,2,1,1,20')
  })

  it('prints the replay as JSON with typed arrays as arrays, and problems on stderr', async () => {
    expect(await main(['ftrace', join(FIXTURES, 'ftrace-5.10-trace.txt'), '--json'])).toBe(0)
    const d = JSON.parse(out.join(''))
    expect(d.kind).toBe('ftrace')
    expect(d.order).toEqual([0, 2, 0, 0, 0, 0])
    expect(err[0]).toMatch(/^ftrace-5\.10-trace\.txt:15: free of pfn 1801728 the trace never allocated/)
  })

  it('summarises an RSS CSV', async () => {
    expect(await main(['rss', join(FIXTURES, 'rss-hyperalloc.csv')])).toBe(0)
    expect(out.join('')).toBe('rss-hyperalloc.csv: 40 samples, time / rss (bytes), 67.20 s, RSS 307..1843 MiB\n')
  })

  it('exits 2 on a refused file or bad arguments', async () => {
    expect(await main(['rss', join(FIXTURES, 'buddyinfo-6.6.txt')])).toBe(2)
    expect(err.join('\n')).toMatch(/buddyinfo-6\.6\.txt: the first line must be a CSV header/)
    expect(await main(['meminfo', 'x'])).toBe(2)
    expect(await main(['rss', join(FIXTURES, 'rss-hyperalloc.csv'), '--rss-unit', 'furlongs'])).toBe(2)
    expect(await main(['rss', join(FIXTURES, 'nope.csv')])).toBe(2)
  })
})
