// The ECharts option of one time chart, as pure functions of what it shows (Grafana's
// UPlotConfigBuilder habit): the x axis is the window with elapsed-time ticks at nice steps, each
// y axis is fitted to the visible lines in the unit that reads best, and the overlays (event
// marks, reporting passes) ride one empty series of their own so data updates never rebuild them.
// Tooltips, the crosshair and the legend are the chart component's DOM, not ECharts'.
import type { ChartChrome } from './chart_theme'
import type { ChartOption, LineSeriesOption } from './echarts'
import type { ChartContent, LineSpec, YAxisSpec } from './time_charts'
import type { TimeBand } from '../model/band_lod'
import type { TimeWindow } from '../model/time_window'
import { timeTicks } from '../model/time_ticks'
import { linearScale, logScale, type ValueScale } from '../model/value_scale'

/** Plot margins inside the canvas, px. Every chart of a stack uses the same, so their x axes line up. */
export const GRID = { left: 60, right: 72, top: 26, bottom: 22 } as const

/** A vertical mark on the time axis (a failure, an order change). */
export interface TimeMark {
  readonly t_ms: number
  readonly label: string
  readonly color: string
  /** A phase boundary: a faint dotted line (its name is in the phase band). */
  readonly dotted?: boolean
}

export interface Overlay {
  readonly marks: readonly TimeMark[]
  /** Already at the window's resolution (model/band_lod.ts). */
  readonly bands: readonly TimeBand[]
}

export const OVERLAY_ID = 'overlay'
/** At most this many band labels: more would be a row of digits. */
export const MAX_BAND_LABELS = 40

/** Width of the plot area for a canvas `width` px wide. */
export const plotWidth = (width: number): number => Math.max(1, width - GRID.left - GRID.right)

/** The time at canvas x, and the canvas x of a time, for the window drawn `width` px wide. */
export function timeAtX(x: number, w: TimeWindow, width: number): number {
  return w.t0_ms + ((x - GRID.left) / plotWidth(width)) * (w.t1_ms - w.t0_ms)
}
export function xOfTime(t_ms: number, w: TimeWindow, width: number): number {
  return GRID.left + ((t_ms - w.t0_ms) / (w.t1_ms - w.t0_ms)) * plotWidth(width)
}

/** The visible extent of each y axis: stacked lines by their per-point sum (they share x values). */
export function axisExtents(content: ChartContent): { min: number; max: number }[] {
  return content.yAxes.map((_, a) => {
    let min = Number.POSITIVE_INFINITY
    let max = Number.NEGATIVE_INFINITY
    const on = content.lines.filter((l) => (l.yAxisIndex ?? 0) === a)
    const stacked = on.filter((l) => l.stack !== undefined)
    if (stacked.length > 0) {
      const n = stacked[0].data.length / 2
      for (let k = 0; k < n; k++) {
        let sum = 0
        for (const l of stacked) sum += l.data[2 * k + 1] || 0
        if (sum > max) max = sum
        if (sum < min) min = sum
      }
    }
    for (const l of on) {
      if (l.stack !== undefined) continue
      for (let k = 1; k < l.data.length; k += 2) {
        const v = l.data[k]
        if (v > max) max = v
        if (v < min) min = v
      }
    }
    return { min: Number.isFinite(min) ? min : 0, max: Number.isFinite(max) ? max : 0 }
  })
}

/** The scale of one y axis for its visible extent. */
export function axisScale(spec: YAxisSpec, extent: { min: number; max: number }): ValueScale {
  if (spec.quantity === 'states') {
    const s = spec.states ?? { min: 0, labels: [] }
    const ticks = s.labels.map((_, i) => s.min + i)
    return { min: s.min, max: s.min + s.labels.length - 1, ticks, unit: spec.name, label: (v) => s.labels[Math.round(v) - s.min] ?? '' }
  }
  if (spec.log) return logScale(10 ** extent.max, spec.countUnit ?? 'count')
  if (spec.max !== undefined) return linearScale(0, spec.max, spec.quantity)
  return linearScale(extent.min, extent.max, spec.quantity, spec.countUnit)
}

function yAxisOption(spec: YAxisSpec, scale: ValueScale, index: number, c: ChartChrome) {
  return {
    type: 'value' as const,
    name: scale.unit,
    nameTextStyle: { color: c.muted, fontSize: 10, align: index === 0 ? ('right' as const) : ('left' as const) },
    nameGap: 12,
    position: index === 0 ? ('left' as const) : ('right' as const),
    min: scale.min,
    max: scale.max,
    axisLine: { show: true, lineStyle: { color: c.axis } },
    axisTick: { customValues: [...scale.ticks] },
    axisLabel: { color: c.muted, fontSize: 10, customValues: [...scale.ticks], formatter: (v: number) => scale.label(v), hideOverlap: true },
    splitLine: { show: index === 0, lineStyle: { color: c.grid } },
  }
}

export function lineSeries(line: LineSpec): LineSeriesOption {
  return {
    id: line.name,
    name: line.name,
    type: 'line',
    data: line.data as unknown as LineSeriesOption['data'],
    dimensions: ['t', 'v'],
    encode: { x: 0, y: 1 },
    yAxisIndex: line.yAxisIndex ?? 0,
    stack: line.stack,
    step: line.step ? 'end' : false,
    showSymbol: false,
    symbol: 'none',
    animation: false,
    silent: true,
    color: line.color,
    // a stacked layer is its fill: no outline to stroke
    lineStyle: { width: line.area && line.stack ? 0 : 1.4, type: line.dashed ? 'dashed' : 'solid' },
    areaStyle: line.area ? { opacity: line.stack ? 0.75 : 0.12 } : undefined,
    endLabel: line.endLabel ? { show: true, formatter: line.endLabel, color: line.color, fontSize: 10, distance: 4, valueAnimation: false } : { show: false },
    ...(line.endLabel ? { labelLayout: { moveOverlap: 'shiftY' as const } } : {}),
    emphasis: { disabled: true },
  }
}

/** The empty series that carries the event marks and the reporting-pass bands. */
export function overlaySeries(overlay: Overlay, c: ChartChrome): LineSeriesOption {
  return {
    id: OVERLAY_ID,
    type: 'line',
    data: [],
    silent: true,
    animation: false,
    markLine: {
      silent: true,
      symbol: 'none',
      animation: false,
      label: { show: false },
      data: overlay.marks.map((m) => ({ xAxis: m.t_ms, lineStyle: { color: m.color, type: m.dotted ? ('dotted' as const) : ('solid' as const), width: m.dotted ? 1 : 1.5 } })),
    },
    // reporting passes as numbered bands (page_reporting_process() from start to end)
    markArea: {
      silent: true,
      animation: false,
      label: { show: overlay.bands.length <= MAX_BAND_LABELS, position: 'insideTop' as const, color: c.muted, fontSize: 9, formatter: '{b}' },
      data: overlay.bands.map((b): [{ xAxis: number; name: string; itemStyle: { color: string } }, { xAxis: number }] => [
        { xAxis: b.t0_ms, name: b.label, itemStyle: { color: b.failed ? 'rgba(224, 49, 49, 0.16)' : c.band } },
        { xAxis: b.t1_ms },
      ]),
    },
  }
}

export interface Axes {
  readonly xAxis: NonNullable<ChartOption['xAxis']>
  readonly yAxis: NonNullable<ChartOption['yAxis']>
  readonly scales: readonly ValueScale[]
}

/** The x axis for the window and the y axes fitted to the content. */
export function axesOption(content: ChartContent, w: TimeWindow, width: number, c: ChartChrome): Axes {
  const ticks = timeTicks(w.t0_ms, w.t1_ms, plotWidth(width))
  const extents = axisExtents(content)
  const scales = content.yAxes.map((spec, i) => axisScale(spec, extents[i]))
  return {
    scales,
    xAxis: {
      type: 'value',
      min: w.t0_ms,
      max: w.t1_ms,
      axisLine: { lineStyle: { color: c.axis } },
      axisTick: { customValues: [...ticks.values] },
      axisLabel: { color: c.muted, fontSize: 10, customValues: [...ticks.values], formatter: (v: number) => ticks.format(v), hideOverlap: true },
      splitLine: { show: true, lineStyle: { color: c.grid } },
    },
    yAxis: content.yAxes.map((spec, i) => yAxisOption(spec, scales[i], i, c)),
  }
}

/** The whole option (first draw, theme change, a new set of lines), with the axes axesOption() made. */
export function timeOption(content: ChartContent, axes: Axes, overlay: Overlay, c: ChartChrome): ChartOption {
  return {
    animation: false,
    textStyle: { fontFamily: 'inherit' },
    grid: { left: GRID.left, right: GRID.right, top: GRID.top, bottom: GRID.bottom },
    xAxis: axes.xAxis,
    yAxis: axes.yAxis,
    series: [...content.lines.map(lineSeries), overlaySeries(overlay, c)],
  }
}
