import { describe, expect, it } from 'vitest'
import { CHART_CHROME } from './chart_theme'
import type { ChartContent, LineSpec } from './time_charts'
import { axesOption, axisExtents, axisScale, overlaySeries, plotWidth, timeAtX, xOfTime, GRID } from './time_option'
import { LOG_ZERO } from '../model/value_scale'

const line = (name: string, pairs: number[][], extra: Partial<LineSpec> = {}): LineSpec => ({ name, color: '#000', data: Float64Array.from(pairs.flat()), valueAt: () => 0, ...extra })
const GiB = 1024 * 1024

describe('time chart option', () => {
  it('fits each axis to the visible lines: stacked layers by their sum, the others by their extremes', () => {
    const content: ChartContent = {
      yAxes: [
        { name: 'free', quantity: 'kib' },
        { name: 'order', quantity: 'states', states: { min: -1, labels: ['unset', '0', '1'] } },
      ],
      lines: [line('a', [[0, 1 * GiB], [100, 0.5 * GiB]], { stack: 's' }), line('b', [[0, 0.25 * GiB], [100, 1.25 * GiB]], { stack: 's' }), line('o', [[0, 1], [100, 0]], { yAxisIndex: 1 })],
    }
    expect(axisExtents(content)).toEqual([
      { min: 1.25 * GiB, max: 1.75 * GiB },
      { min: 0, max: 1 },
    ])
    const axes = axesOption(content, { t0_ms: 0, t1_ms: 30_000 }, 1000, CHART_CHROME.light)
    expect(axes.scales[0].unit).toBe('GiB')
    expect(axes.scales[0].min).toBe(0)
    expect(axes.scales[0].max).toBe(2 * GiB)
    expect(axes.scales[1].ticks.map(axes.scales[1].label)).toEqual(['unset', '0', '1'])
  })

  it('a hidden line does not hold the axis up', () => {
    const big = line('big', [[0, 100 * GiB]])
    const small = line('small', [[0, 0.6 * GiB]])
    const axis = { name: 'host', quantity: 'kib' as const }
    expect(axisScale(axis, axisExtents({ yAxes: [axis], lines: [big, small] })[0]).unit).toBe('GiB')
    const only = axisScale(axis, axisExtents({ yAxes: [axis], lines: [small] })[0])
    expect(only.unit).toBe('MiB')
    expect(only.max).toBeLessThanOrEqual(1024 * 1024)
  })

  it('a log axis spans the decades of the data, zero at its floor; a fixed top is kept', () => {
    const s = axisScale({ name: 'free', quantity: 'count', countUnit: 'blocks', log: true }, { min: LOG_ZERO, max: Math.log10(490) })
    expect(s.ticks.map(s.label)).toEqual(['0', '1', '10', '100', '1000'])
    // the watermark view: the top follows the fixed maximum (48 MiB), not the GiB of free memory
    expect(axisScale({ name: 'near', quantity: 'kib', max: 48 * 1024 }, { min: 0, max: GiB }).max).toBe(60 * 1024)
  })

  it('puts elapsed-time ticks on the window and maps pixels to times both ways', () => {
    const w = { t0_ms: 0, t1_ms: 3_600_000 }
    const axes = axesOption({ yAxes: [{ name: 'x', quantity: 'count' }], lines: [] }, w, 1000, CHART_CHROME.dark)
    const x = axes.xAxis as { min: number; max: number; axisLabel: { customValues: number[]; formatter: (v: number) => string } }
    expect([x.min, x.max]).toEqual([0, 3_600_000])
    expect(x.axisLabel.customValues.map(x.axisLabel.formatter).slice(0, 2)).toEqual(['+0:00:00', '+0:10:00'])
    expect(timeAtX(GRID.left + plotWidth(1000) / 2, w, 1000)).toBe(1_800_000)
    expect(xOfTime(900_000, w, 1000)).toBeCloseTo(GRID.left + plotWidth(1000) / 4)
  })

  it('draws failed passes red, labels at most a readable number of bands, and phase marks dotted', () => {
    const band = (n: number, failed = false) => ({ t0_ms: n, t1_ms: n + 1, label: `#${n}`, detail: '', failed })
    const few = overlaySeries({ marks: [{ t_ms: 5, label: 'phase: idle', color: '#888', dotted: true }], bands: [band(1), band(2, true)] }, CHART_CHROME.light)
    const area = few.markArea as { label: { show: boolean }; data: [{ itemStyle: { color: string } }, unknown][] }
    expect(area.label.show).toBe(true)
    expect(area.data[1][0].itemStyle.color).toMatch(/224, 49, 49/)
    expect((few.markLine as { data: { lineStyle: { type: string } }[] }).data[0].lineStyle.type).toBe('dotted')
    const many = overlaySeries({ marks: [], bands: Array.from({ length: 41 }, (_, i) => band(i)) }, CHART_CHROME.light)
    expect((many.markArea as { label: { show: boolean } }).label.show).toBe(false)
  })
})
