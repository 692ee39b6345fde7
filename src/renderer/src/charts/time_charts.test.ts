import { describe, expect, it } from 'vitest'
import { COL, NR_SAMPLE_COLUMNS, type SampleColumn } from '../../../common/samples'
import { SampleSeries } from '../model/sample_series'
import { cumulativeChart, formatOnAxis, freeBlocksChart, hostMemoryChart, measuredBuddy, overlayChart, reportingChart, watermarkChart, whyNotReturnedChart } from './time_charts'
import { LOG_ZERO } from '../model/value_scale'

function series(rows: Partial<Record<SampleColumn, number>>[]): SampleSeries {
  const data = new Float64Array(rows.length * NR_SAMPLE_COLUMNS)
  rows.forEach((row, r) => {
    data[r * NR_SAMPLE_COLUMNS + COL.reporting_order] = -1
    for (const [k, v] of Object.entries(row)) data[r * NR_SAMPLE_COLUMNS + COL[k as SampleColumn]] = v
  })
  const s = new SampleSeries()
  s.append(rows.length, data)
  return s
}

const w = { t0: 0, t1: 1000, columns: 500 }
const spec = (content: { lines: readonly { name: string; data: Float64Array }[] }, name: string) => {
  const l = content.lines.find((x) => x.name === name)
  if (!l) throw new Error(`no line ${name}`)
  return l
}
/** The drawn points of a line as [t, y] pairs. */
const line = (content: { lines: readonly { name: string; data: Float64Array }[] }, name: string): number[][] => {
  const d = spec(content, name).data
  return Array.from({ length: d.length / 2 }, (_, k) => [d[2 * k], d[2 * k + 1]])
}

describe('free blocks chart', () => {
  const s = series([
    { t_ms: 0, nr_free_0: 10, nr_free_9: 3, normal_nr_free_9: 2 },
    { t_ms: 100, nr_free_0: 12, nr_free_9: 1, normal_nr_free_9: 1 },
  ])

  it('plots block counts per order as /proc/buddyinfo counts them', () => {
    const c = freeBlocksChart(s, w, 'all', 'blocks')
    expect(c.lines).toHaveLength(11)
    expect(line(c, 'order 9')).toEqual([
      [0, 3],
      [100, 1],
    ])
  })

  it('converts blocks to KiB (order 9 = 2 MiB), stacked, and filters one zone', () => {
    const c = freeBlocksChart(s, w, 'all', 'MiB')
    expect(line(c, 'order 9')).toEqual([
      [0, 6144],
      [100, 2048],
    ])
    expect(c.yAxes[0].quantity).toBe('kib')
    expect(c.lines.every((l) => l.stack !== undefined)).toBe(true)
    expect(line(freeBlocksChart(s, w, 'normal', 'blocks'), 'order 9')).toEqual([
      [0, 2],
      [100, 1],
    ])
  })

  it('draws log10 of the counts on a log scale, zero at the floor, and reads exact counts for the tooltip', () => {
    const c = freeBlocksChart(s, w, 'all', 'blocks', 'log')
    expect(line(c, 'order 0')).toEqual([
      [0, 1],
      [100, Math.log10(12)],
    ])
    expect(line(c, 'order 10')).toEqual([
      [0, LOG_ZERO],
      [100, LOG_ZERO],
    ])
    expect(c.yAxes[0].log).toBe(true)
    expect(spec(c, 'order 0').valueAt(150)).toBe(12)
    expect(Number.isNaN(spec(c, 'order 0').valueAt(-1))).toBe(true)
  })
})

describe('a real guest\'s buddyinfo over the free blocks chart', () => {
  const s = series([{ t_ms: 0, nr_free_10: 5 }, { t_ms: 1000, nr_free_10: 4 }])
  // two snapshots of two zones, the first 200 ms into the run
  const zones = ['DMA', 'DMA32']
  const snap = (dma10: number, dma32_10: number, dma32_0: number): number[][] => [
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, dma10],
    [dma32_0, 0, 0, 0, 0, 0, 0, 0, 0, 1, dma32_10],
  ]
  const nr_free = [snap(3, 218, 7), snap(3, 100, 1000)]

  it('sums the zones for "all zones", takes one zone for a zone filter, and has nothing for a zone the guest lacks', () => {
    const all = measuredBuddy('real', zones, [0, 600], 200, nr_free, 'all')
    expect(Array.from(all?.t_ms ?? [])).toEqual([200, 800])
    expect(Array.from(all?.nr_free[10] ?? [])).toEqual([221, 103])
    expect(Array.from(all?.nr_free[0] ?? [])).toEqual([7, 1000])
    expect(Array.from(measuredBuddy('real', zones, [0, 600], 200, nr_free, 'dma32')?.nr_free[10] ?? [])).toEqual([218, 100])
    expect(measuredBuddy('real', zones, [0, 600], 200, nr_free, 'normal')).toBeNull()
  })

  it('draws each order dashed beside the simulated one, in blocks on the same (log) axis, or the measured total in memory', () => {
    const m = measuredBuddy('real', zones, [0, 600], 200, nr_free, 'all')
    const blocks = freeBlocksChart(s, w, 'all', 'blocks', 'linear', m)
    expect(blocks.lines.map((l) => l.name)).toEqual([...Array.from({ length: 11 }, (_, o) => `order ${o}`), ...Array.from({ length: 11 }, (_, o) => `real order ${o}`)])
    expect(line(blocks, 'real order 10')).toEqual([[200, 221], [800, 103]])
    expect(spec(blocks, 'real order 10')).toMatchObject({ dashed: true })
    // sample-and-hold for the tooltip: nothing before the first snapshot
    expect(blocks.lines[21].valueAt(100)).toBeNaN()
    expect(blocks.lines[21].valueAt(799)).toBe(221)
    const log = freeBlocksChart(s, w, 'all', 'blocks', 'log', m)
    expect(line(log, 'real order 10')[0][1]).toBeCloseTo(Math.log10(221), 10)
    expect(log.lines[21].valueAt(800)).toBe(103)
    const mib = freeBlocksChart(s, w, 'all', 'MiB', 'linear', m)
    // order 10 blocks are 4 MiB, order 9 2 MiB, order 0 4 KiB: KiB on the memory axis, not stacked
    expect(line(mib, 'real: free')).toEqual([[200, 221 * 4096 + 2048 + 7 * 4], [800, 103 * 4096 + 2048 + 1000 * 4]])
    expect(spec(mib, 'real: free')).not.toHaveProperty('stack')
  })
})

describe('why not returned chart', () => {
  it('stacks returned, kept by host and each reason in KiB, with the reporting order on its own axis', () => {
    const s = series([{ t_ms: 0, reporting_order: 9, reported_kib: 4096, reported_kept_by_host_kib: 1024, pcp_kib: 2048, unreported_below_order_kib: 512, unreported_zone_gate_kib: 3072, isolated_kib: 1024 }])
    const c = whyNotReturnedChart(s, w)
    expect(c.lines.map((l) => l.name)).toEqual([
      'returned (reported, discarded)',
      'reported, kept by host',
      'no reporting',
      'per-CPU lists',
      'below reporting order',
      'zone below watermark gate',
      'merged after reported',
      'awaiting a pass',
      'isolated (in flight)',
      'page_reporting_order',
    ])
    expect(line(c, 'returned (reported, discarded)')).toEqual([[0, 3072]])
    expect(line(c, 'reported, kept by host')).toEqual([[0, 1024]])
    expect(line(c, 'per-CPU lists')).toEqual([[0, 2048]])
    expect(line(c, 'below reporting order')).toEqual([[0, 512]])
    expect(line(c, 'zone below watermark gate')).toEqual([[0, 3072]])
    expect(line(c, 'isolated (in flight)')).toEqual([[0, 1024]])
    expect(line(c, 'page_reporting_order')).toEqual([[0, 9]])
    expect(c.lines.find((l) => l.name === 'zone below watermark gate')?.hint).toContain('page_reporting_process_zone()')
  })
})

describe('host, cumulative and reporting charts', () => {
  it('draws host memory in KiB and keeps the cumulative figures off its axis', () => {
    const s = series([{ t_ms: 0, host_rss_kib: 2048, reclaimed_kib: 1024 }])
    const c = hostMemoryChart(s, w)
    expect(line(c, 'host RSS')).toEqual([[0, 2048]])
    expect(c.lines.map((l) => l.name)).not.toContain('reclaimed (cumulative)')
    expect(line(cumulativeChart(s, w), 'reclaimed (cumulative)')).toEqual([[0, 1024]])
    expect(formatOnAxis(c.yAxes[0], 2048)).toBe('2.0 MiB')
  })

  it('puts the reporting state on its own labelled axis', () => {
    const c = reportingChart(series([{ t_ms: 0, reporting_state: 2, report_calls: 7 }]), w)
    expect(line(c, 'reporting state')).toEqual([[0, 2]])
    expect(formatOnAxis(c.yAxes[1], 2)).toBe('ACTIVE')
    expect(formatOnAxis(c.yAxes[1], -1)).toBe('unregistered')
    expect(formatOnAxis(c.yAxes[0], 7)).toBe('7 calls')
  })

  it('overlays one column of several runs', () => {
    const a = series([{ t_ms: 0, host_rss_kib: 1024 }])
    const b = series([{ t_ms: 0, host_rss_kib: 4096 }])
    const c = overlayChart(
      [
        { label: 'A', color: '#000', series: a },
        { label: 'B', color: '#fff', series: b },
      ],
      w,
      'host_rss_kib',
      true,
    )
    expect(line(c, 'B')).toEqual([[0, 4096]])
  })
})

describe('watermarks where they are readable', () => {
  const GiB = 1024 * 1024
  const s = series([
    { t_ms: 0, free_kib: 1.5 * GiB, wmark_high_kib: 12 * 1024, wmark_low_kib: 10 * 1024, wmark_min_kib: 8 * 1024, boost_kib: 0 },
    { t_ms: 100, free_kib: 1.4 * GiB, wmark_high_kib: 12 * 1024, wmark_low_kib: 10 * 1024, wmark_min_kib: 8 * 1024, boost_kib: 4 * 1024 },
  ])

  it('auto: watermarks under 5% of the free memory get the range near them (3x high + boost)', () => {
    expect(watermarkChart(s, w, 'auto').yAxes[0].max).toBe(3 * 16 * 1024)
    expect(watermarkChart(s, w, 'all').yAxes[0].max).toBeUndefined()
    expect(watermarkChart(s, w, 'near').yAxes[0].max).toBe(3 * 16 * 1024)
  })

  it('names each watermark at its end', () => {
    expect(spec(watermarkChart(s, w), 'low wmark')).toMatchObject({ endLabel: 'low', dashed: true })
  })
})

describe('measured RSS on the host-memory chart', () => {
  it('adds the measured series in KiB, shifted by the offset, and keeps the run\'s lines', () => {
    const s = series([{ t_ms: 0, host_rss_kib: 1024 }, { t_ms: 1000, host_rss_kib: 2048 }])
    const measured = { label: 'measured: rss.csv', t_ms: [0, 400, 900], rss_kib: [512, 1536, 3072], offset_ms: 100 }
    const c = hostMemoryChart(s, w, measured)
    expect(line(c, 'host RSS')).toEqual(line(hostMemoryChart(s, w), 'host RSS'))
    expect(line(c, 'measured: rss.csv')).toEqual([
      [100, 512],
      [500, 1536],
      [1000, 3072],
    ])
    expect(spec(c, 'measured: rss.csv').valueAt(600)).toBe(1536)
  })
})
