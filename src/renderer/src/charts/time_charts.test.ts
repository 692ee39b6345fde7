import { describe, expect, it } from 'vitest'
import { COL, NR_SAMPLE_COLUMNS, type SampleColumn } from '../../../common/samples'
import { SampleSeries } from '../model/sample_series'
import { freeBlocksChart, hostMemoryChart, hostMemoryWithMeasured, overlayChart, reportingChart, whyNotReturnedChart } from './time_charts'

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
const line = (content: { lines: readonly { name: string; data: number[][] }[] }, name: string) => {
  const l = content.lines.find((x) => x.name === name)
  if (!l) throw new Error(`no line ${name}`)
  return l.data
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

  it('converts blocks to MiB (order 9 = 2 MiB) and filters one zone', () => {
    expect(line(freeBlocksChart(s, w, 'all', 'MiB'), 'order 9')).toEqual([
      [0, 6],
      [100, 2],
    ])
    expect(line(freeBlocksChart(s, w, 'normal', 'blocks'), 'order 9')).toEqual([
      [0, 2],
      [100, 1],
    ])
  })
})

describe('why not returned chart', () => {
  it('stacks returned, kept by host and each reason in MiB, with the reporting order on its own axis', () => {
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
    expect(line(c, 'returned (reported, discarded)')).toEqual([[0, 3]])
    expect(line(c, 'reported, kept by host')).toEqual([[0, 1]])
    expect(line(c, 'per-CPU lists')).toEqual([[0, 2]])
    expect(line(c, 'below reporting order')).toEqual([[0, 0.5]])
    expect(line(c, 'zone below watermark gate')).toEqual([[0, 3]])
    expect(line(c, 'isolated (in flight)')).toEqual([[0, 1]])
    expect(line(c, 'page_reporting_order')).toEqual([[0, 9]])
    expect(c.lines.find((l) => l.name === 'zone below watermark gate')?.hint).toContain('page_reporting_process_zone()')
  })
})

describe('host and reporting charts', () => {
  it('draws host memory in MiB', () => {
    const c = hostMemoryChart(series([{ t_ms: 0, host_rss_kib: 2048, reclaimed_kib: 1024 }]), w)
    expect(line(c, 'host RSS')).toEqual([[0, 2]])
    expect(line(c, 'reclaimed (cumulative)')).toEqual([[0, 1]])
  })

  it('puts the reporting state on its own labelled axis', () => {
    const c = reportingChart(series([{ t_ms: 0, reporting_state: 2, report_calls: 7 }]), w)
    expect(line(c, 'reporting state')).toEqual([[0, 2]])
    expect(c.yAxes[1].format(2)).toBe('ACTIVE')
    expect(c.yAxes[1].format(-1)).toBe('unregistered')
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
    expect(line(c, 'B')).toEqual([[0, 4]])
  })
})

describe('measured RSS on the host-memory chart', () => {
  it('adds the measured series in MiB, shifted by the offset, and keeps the run\'s lines', () => {
    const s = series([{ t_ms: 0, host_rss_kib: 1024 }, { t_ms: 1000, host_rss_kib: 2048 }])
    const measured = { label: 'measured: rss.csv', t_ms: [0, 400, 900], rss_kib: [512, 1536, 3072], offset_ms: 100 }
    const c = hostMemoryWithMeasured(s, w, measured)
    expect(line(c, 'host RSS')).toEqual(line(hostMemoryChart(s, w), 'host RSS'))
    expect(line(c, 'measured: rss.csv')).toEqual([
      [100, 0.5],
      [500, 1.5],
      [1000, 3],
    ])
  })
})
