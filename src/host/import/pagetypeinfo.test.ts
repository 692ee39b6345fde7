import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ImportedData, PagetypeinfoSeries } from '../../common/imports'
import type { Result } from '../../common/api'
import { importFile, importText } from './index'

const FIXTURES = join(__dirname, '../../../test/fixtures/imports')
const sample = readFileSync(join(FIXTURES, 'pagetypeinfo-6.6.txt'), 'utf8')

function value(r: Result<ImportedData>): PagetypeinfoSeries {
  if (!r.ok) throw new Error(r.error.message)
  if (r.value.kind !== 'pagetypeinfo') throw new Error(`kind ${r.value.kind}`)
  return r.value
}

describe('pagetypeinfo importer', () => {
  it('reads the header, free counts per migratetype and block counts of pagetypeinfo_show()', async () => {
    const s = value(await importFile('pagetypeinfo', join(FIXTURES, 'pagetypeinfo-6.6.txt')))
    expect(s.pageblockOrder).toBe(9)
    expect(s.pagesPerBlock).toBe(512)
    expect(s.orders).toBe(11)
    expect(s.blockTypes).toEqual(['Unmovable', 'Movable', 'Reclaimable', 'HighAtomic', 'CMA', 'Isolate'])
    expect(s.snapshots).toHaveLength(1)
    const snap = s.snapshots[0]
    expect(snap.free).toHaveLength(18)
    const dma32Reclaimable = snap.free.find((r) => r.zone === 'DMA32' && r.type === 'Reclaimable')
    expect(dma32Reclaimable?.nr_free).toEqual([91, 37, 17, 10, 2, 1, 0, 0, 0, 0, 0])
    expect(snap.blocks.map((b) => [b.zone, b.blocks[1]])).toEqual([['DMA', 7], ['DMA32', 950], ['Normal', 3970]])
    expect(snap.mixedBlocks).toEqual([])
    expect(s.problemCount).toBe(0)
  })

  it('marks counts the kernel capped at 100000 (printed ">100000")', () => {
    const s = value(importText('pagetypeinfo', 'p.txt', sample))
    const movable = s.snapshots[0].free.find((r) => r.zone === 'Normal' && r.type === 'Movable')
    expect(movable?.nr_free[0]).toBe(100000)
    expect(movable?.capped).toEqual([true, false, false, false, false, false, false, false, false, false, false])
  })

  it('reads a timestamped series and the CONFIG_PAGE_OWNER mixed-blocks section', () => {
    const mixed = '\nNumber of mixed blocks    Unmovable      Movable  Reclaimable   HighAtomic          CMA      Isolate \nNode 0, zone    DMA32            2            5            1            0            0            0 \n'
    const text = `1714060800.5\n${sample}${mixed}1714060801.0\n${sample}`
    const s = value(importText('pagetypeinfo', 'series.txt', text))
    expect(s.t_ms).toEqual([0, 500])
    expect(s.snapshots[0].mixedBlocks).toEqual([{ node: 0, zone: 'DMA32', blocks: [2, 5, 1, 0, 0, 0] }])
    expect(s.snapshots[1].blocks).toHaveLength(3)
  })

  it('reports a row with the wrong number of orders and a row outside its section', () => {
    const lines = sample.split('\n')
    lines[5] = 'Node    0, zone      DMA, type      Movable      0      0      0'
    lines.splice(1, 0, 'Node 0, zone      DMA            1            7            0            0            0            0 ')
    const s = value(importText('pagetypeinfo', 'bad.txt', lines.join('\n')))
    expect(s.problems).toEqual([
      { line: 2, message: 'block-count row outside a "Number of blocks type" section' },
      { line: 7, message: 'expected 11 counts (orders 0..10), found 3' },
    ])
    expect(s.snapshots[0].free).toHaveLength(17)
  })

  it('refuses empty files and buddyinfo given as pagetypeinfo', () => {
    const empty = importText('pagetypeinfo', 'e.txt', '\n\n')
    expect(!empty.ok && empty.error.message).toBe('e.txt: empty: no /proc/pagetypeinfo line found')
    const other = importText('pagetypeinfo', 'buddyinfo.txt', readFileSync(join(FIXTURES, 'buddyinfo-6.6.txt'), 'utf8'))
    expect(!other.ok && other.error.message).toMatch(/^buddyinfo\.txt: no \/proc\/pagetypeinfo line found; first bad lines: line 1: block-count row outside/)
  })
})
