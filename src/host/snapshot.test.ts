import { describe, expect, it } from 'vitest'
import { COL, NR_SAMPLE_COLUMNS } from '../common/samples'
import type { SampleColumn } from '../common/samples'
import { Recorder } from './recorder'
import { buddyinfoAt, buddyinfoLine } from './snapshot'

describe('buddyinfo', () => {
  it('formats a line exactly as frag_show_print() does (kernel-spec §4.1 example)', () => {
    expect(buddyinfoLine(0, 'DMA32', [1203, 842, 510, 301, 122, 61, 25, 12, 5, 3, 402])).toBe(
      'Node 0, zone    DMA32   1203    842    510    301    122     61     25     12      5      3    402 \n',
    )
    expect(buddyinfoLine(0, 'DMA', [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3])).toBe('Node 0, zone      DMA      0      0      0      0      0      0      0      0      0      1      3 \n')
  })

  it('rebuilds /proc/buddyinfo at a recorded time from the per-zone columns, populated zones only', () => {
    const rec = new Recorder()
    const rows = 3
    const data = new Float64Array(rows * NR_SAMPLE_COLUMNS)
    for (let r = 0; r < rows; r++) {
      data[r * NR_SAMPLE_COLUMNS + COL.t_ms] = r * 100
      for (let o = 0; o <= 10; o++) {
        data[r * NR_SAMPLE_COLUMNS + COL[`dma_nr_free_${o}` as SampleColumn]] = o === 10 ? 3 : 0
        data[r * NR_SAMPLE_COLUMNS + COL[`dma32_nr_free_${o}` as SampleColumn]] = r * 100 + o
        data[r * NR_SAMPLE_COLUMNS + COL[`normal_nr_free_${o}` as SampleColumn]] = 7
      }
    }
    rec.appendRows(data, rows)
    expect(buddyinfoAt(rec, 150, ['DMA', 'DMA32'])).toBe(
      'Node 0, zone      DMA      0      0      0      0      0      0      0      0      0      0      3 \n' +
        'Node 0, zone    DMA32    100    101    102    103    104    105    106    107    108    109    110 \n',
    )
    expect(() => buddyinfoAt(rec, -5, ['DMA'])).toThrow('no sample recorded at or before -5 ms')
    expect(() => buddyinfoAt(rec, 0, ['HighMem'])).toThrow('unknown zone HighMem')
    rec.close()
  })
})
