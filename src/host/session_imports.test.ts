import { describe, expect, it } from 'vitest'
import type { BuddyinfoSeries, FtraceReplay, ImportedData } from '../common/imports'
import { importedBytes, SessionImports } from './session_imports'

const buddyinfo = (fileName: string, snapshots = 1): BuddyinfoSeries => ({
  kind: 'buddyinfo',
  fileName,
  lines: snapshots * 2,
  problems: [],
  problemCount: 0,
  zones: ['DMA', 'DMA32'],
  nodes: [0],
  orders: 11,
  t_ms: Array.from({ length: snapshots }, (_, i) => i * 1000),
  timestamped: false,
  start_unix_ms: null,
  nr_free: Array.from({ length: snapshots }, () => [new Array(11).fill(0), new Array(11).fill(1)]),
})

function ftrace(fileName: string, count: number): FtraceReplay {
  return {
    kind: 'ftrace',
    fileName,
    lines: count,
    problems: [],
    problemCount: 0,
    count,
    t_ns: new Float64Array(count),
    op: new Uint8Array(count),
    pfn: new Float64Array(count),
    order: new Uint8Array(count),
    migratetype: new Int8Array(count),
    cpu: new Uint16Array(count),
    ref: new Int32Array(count),
    offset: new Uint32Array(count),
    line: new Uint32Array(count),
    start_ts: '0.000000',
    stats: { events: {}, allocs: 0, frees: 0, failedAllocs: 0, freesOfUnknownPfn: 0, batchedDuplicates: 0, allocsOfLivePfn: 0, liveAtEnd: 0, internalEvents: 0, otherEvents: 0, cpus: 1, pfnFormat: 'none', traceCmdHeader: false },
  }
}

const names = (s: SessionImports): string[] => [...s.files.keys()]

describe('SessionImports', () => {
  it('sizes: typed arrays by their bytes (33 per trace operation), numbers at 8 bytes', () => {
    expect(importedBytes(ftrace('t', 1000))).toBe(33 * 1000)
    expect(importedBytes(buddyinfo('b', 3))).toBe(8 * 3 + 8 * 3 * 2 * 11)
  })

  it('keeps the newest imports by name: a new import of a name replaces it, the oldest go past the entry limit', () => {
    const s = new SessionImports(3, 1e9)
    for (const n of ['a', 'b', 'c']) s.add(buddyinfo(n))
    s.add(buddyinfo('a', 2))
    expect(names(s)).toEqual(['b', 'c', 'a'])
    expect((s.files.get('a') as BuddyinfoSeries).nr_free).toHaveLength(2)
    s.add(buddyinfo('d'))
    expect(names(s)).toEqual(['c', 'a', 'd'])
  })

  it('evicts the oldest past the byte budget, never the import just added', () => {
    const s = new SessionImports(8, 70_000)
    s.add(ftrace('one', 1000))
    s.add(ftrace('two', 1000))
    expect(names(s)).toEqual(['one', 'two'])
    s.add(ftrace('three', 1000))
    expect(names(s)).toEqual(['two', 'three'])
    const huge: ImportedData = ftrace('huge', 10_000)
    s.add(huge)
    expect(names(s)).toEqual(['huge'])
    expect(s.totalBytes).toBe(330_000)
  })
})
