// What each live chart plots, as plain line specs built from a run's samples for the visible
// window [t0, t1] at ~2 points per pixel column. Sizes are drawn in MiB; the recorder's columns
// are KiB and block counts (a block of order N is 4 KiB << N).
import { NR_ORDERS, REPORTING_STATES, type SampleColumn } from '../../../common/samples'
import { decimateIndices } from '../model/decimate'
import type { SampleSeries } from '../model/sample_series'
import { formatCount, formatKiB } from '../model/units'

export interface LineSpec {
  readonly name: string
  readonly color: string
  readonly data: number[][]
  readonly yAxisIndex?: number
  readonly stack?: string
  readonly area?: boolean
  readonly step?: boolean
  readonly dashed?: boolean
}

export interface YAxisSpec {
  readonly name: string
  /** Tooltip text of a plotted value. */
  readonly format: (v: number) => string
  /** Category labels for a state axis (value i -> labels[i - min]). */
  readonly states?: { readonly min: number; readonly labels: readonly string[] }
}

export interface ChartContent {
  readonly lines: readonly LineSpec[]
  readonly yAxes: readonly YAxisSpec[]
}

export interface Window {
  readonly t0: number
  readonly t1: number
  readonly columns: number
}

export type ZoneFilter = 'all' | 'dma' | 'dma32' | 'normal'
export type FreeUnit = 'blocks' | 'MiB'

/** One colour per order, cold (order 0) to warm (order 10), readable in both themes. */
export const ORDER_COLORS = ['#5470c6', '#3f8fd2', '#2aa6c9', '#25b5a3', '#48b86e', '#86bd45', '#c0b52e', '#e39a2b', '#ec7432', '#e04f44', '#c23a76'] as const

const MIB_PER_BLOCK = (order: number): number => (4 << order) / 1024
const MiB = (v: number): string => formatKiB(v * 1024)

const freeColumn = (zone: ZoneFilter, order: number): SampleColumn => (zone === 'all' ? `nr_free_${order}` : `${zone}_nr_free_${order}`) as SampleColumn

/** Draws y(i) at the indices chosen for the window. */
function points(t: Float64Array, indices: Int32Array, y: (i: number) => number): number[][] {
  const out: number[][] = new Array(indices.length)
  for (let k = 0; k < indices.length; k++) out[k] = [t[indices[k]], y(indices[k])]
  return out
}

/** Indices for a stacked chart: decimated on the stack total so every layer shares the x values. */
function stackIndices(s: SampleSeries, w: Window, layers: readonly ((i: number) => number)[]): Int32Array {
  const total = new Float64Array(s.rows)
  for (let i = 0; i < s.rows; i++) {
    let sum = 0
    for (const layer of layers) sum += layer(i)
    total[i] = sum
  }
  return decimateIndices(s.column('t_ms'), total, w.t0, w.t1, w.columns)
}

export function freeBlocksChart(s: SampleSeries, w: Window, zone: ZoneFilter, unit: FreeUnit): ChartContent {
  const t = s.column('t_ms')
  const cols = Array.from({ length: NR_ORDERS }, (_, o) => s.column(freeColumn(zone, o)))
  if (unit === 'MiB') {
    const layers = cols.map((c, o) => (i: number) => c[i] * MIB_PER_BLOCK(o))
    const idx = stackIndices(s, w, layers)
    return {
      yAxes: [{ name: 'MiB free', format: MiB }],
      lines: layers.map((y, o) => ({ name: `order ${o}`, color: ORDER_COLORS[o], data: points(t, idx, y), stack: 'free', area: true })),
    }
  }
  return {
    yAxes: [{ name: 'free blocks', format: (v) => `${formatCount(v)} blocks` }],
    lines: cols.map((c, o) => ({ name: `order ${o}`, color: ORDER_COLORS[o], data: points(t, decimateIndices(t, c, w.t0, w.t1, w.columns), (i) => c[i]) })),
  }
}

/** Lowest reporting order the run used (reporting_order column), or 9 (pageblock_order) if never set. */
export function lowestReportingOrder(s: SampleSeries): number {
  const orders = s.column('reporting_order')
  let lowest = Number.POSITIVE_INFINITY
  for (const o of orders) if (o >= 0 && o < lowest) lowest = o
  return Number.isFinite(lowest) ? Math.min(NR_ORDERS - 1, lowest) : 9
}

export function reportedChart(s: SampleSeries, w: Window): ChartContent {
  const t = s.column('t_ms')
  const from = lowestReportingOrder(s)
  const layers: { name: string; color: string; y: (i: number) => number }[] = []
  for (let o = NR_ORDERS - 1; o >= from; o--) {
    const free = s.column(`nr_free_${o}` as SampleColumn)
    const reported = s.column(`nr_reported_${o}` as SampleColumn)
    const size = MIB_PER_BLOCK(o)
    layers.push({ name: `reported o${o}`, color: ORDER_COLORS[o], y: (i) => reported[i] * size })
    layers.push({ name: `unreported o${o}`, color: `${ORDER_COLORS[o]}66`, y: (i) => (free[i] - reported[i]) * size })
  }
  const idx = stackIndices(
    s,
    w,
    layers.map((l) => l.y),
  )
  const isolated = s.column('isolated_kib')
  return {
    yAxes: [{ name: 'MiB', format: MiB }],
    lines: [
      ...layers.map((l) => ({ name: l.name, color: l.color, data: points(t, idx, l.y), stack: 'blocks', area: true })),
      { name: 'isolated (sgl)', color: '#f08c00', data: points(t, decimateIndices(t, isolated, w.t0, w.t1, w.columns), (i) => isolated[i] / 1024), dashed: true },
    ],
  }
}

function kibLine(s: SampleSeries, w: Window, column: SampleColumn, name: string, color: string, extra: Partial<LineSpec> = {}): LineSpec {
  const t = s.column('t_ms')
  const y = s.column(column)
  return { name, color, data: points(t, decimateIndices(t, y, w.t0, w.t1, w.columns), (i) => y[i] / 1024), ...extra }
}

export function hostMemoryChart(s: SampleSeries, w: Window): ChartContent {
  return {
    yAxes: [{ name: 'MiB', format: MiB }],
    lines: [
      kibLine(s, w, 'host_rss_kib', 'host RSS', '#e8590c', { area: true }),
      kibLine(s, w, 'reclaimed_kib', 'reclaimed (cumulative)', '#2b8fe0'),
      kibLine(s, w, 'refaulted_kib', 'refaulted (cumulative)', '#c2255c'),
      kibLine(s, w, 'allocated_kib', 'guest allocated', '#868e96', { dashed: true }),
    ],
  }
}

export interface MeasuredRss {
  readonly label: string
  /** Relative to the measurement's first sample, ms. */
  readonly t_ms: readonly number[]
  readonly rss_kib: readonly number[]
  /** Where the measurement's t = 0 lies on the run's time axis, ms. */
  readonly offset_ms: number
}

/** The host-memory chart with a measured RSS series (an import) dashed over it, on the run's time axis. */
export function hostMemoryWithMeasured(s: SampleSeries, w: Window, measured: MeasuredRss): ChartContent {
  const base = hostMemoryChart(s, w)
  const t = Float64Array.from(measured.t_ms, (x) => x + measured.offset_ms)
  const y = measured.rss_kib
  const line: LineSpec = { name: measured.label, color: '#0b7285', data: points(t, decimateIndices(t, y, w.t0, w.t1, w.columns), (i) => y[i] / 1024), dashed: true }
  return { yAxes: base.yAxes, lines: [...base.lines, line] }
}

/** State axis: -1 unregistered, then the kernel's IDLE/REQUESTED/ACTIVE. */
export const STATE_AXIS = { min: -1, labels: ['unregistered', ...REPORTING_STATES] } as const

export function reportingChart(s: SampleSeries, w: Window): ChartContent {
  const t = s.column('t_ms')
  const calls = s.column('report_calls')
  const state = s.column('reporting_state')
  return {
    yAxes: [
      { name: 'report calls', format: (v) => `${formatCount(v)} calls` },
      { name: 'state', format: (v) => STATE_AXIS.labels[Math.round(v) - STATE_AXIS.min] ?? String(v), states: STATE_AXIS },
    ],
    lines: [
      { name: 'report() calls', color: '#2b8fe0', data: points(t, decimateIndices(t, calls, w.t0, w.t1, w.columns), (i) => calls[i]) },
      { name: 'reporting state', color: '#f08c00', data: points(t, decimateIndices(t, state, w.t0, w.t1, w.columns), (i) => state[i]), yAxisIndex: 1, step: true, area: true },
    ],
  }
}

export function watermarkChart(s: SampleSeries, w: Window): ChartContent {
  return {
    yAxes: [{ name: 'MiB', format: MiB }],
    lines: [
      kibLine(s, w, 'free_kib', 'free', '#2f9e44', { area: true }),
      kibLine(s, w, 'reported_kib', 'reported', '#2b8fe0'),
      kibLine(s, w, 'pcp_kib', 'per-CPU lists', '#ae3ec9'),
      kibLine(s, w, 'wmark_high_kib', 'high wmark', '#f59f00', { dashed: true }),
      kibLine(s, w, 'wmark_low_kib', 'low wmark', '#e8590c', { dashed: true }),
      kibLine(s, w, 'wmark_min_kib', 'min wmark', '#e03131', { dashed: true }),
      kibLine(s, w, 'boost_kib', 'boost', '#868e96', { dashed: true }),
    ],
  }
}

export interface OverlayRun {
  readonly label: string
  readonly color: string
  readonly series: SampleSeries
}

/** One column of several runs on one chart (A/B comparison), in MiB or as counts. */
export function overlayChart(runs: readonly OverlayRun[], w: Window, column: SampleColumn, kib: boolean): ChartContent {
  return {
    yAxes: [kib ? { name: 'MiB', format: MiB } : { name: 'count', format: formatCount }],
    lines: runs.map((run) => {
      const t = run.series.column('t_ms')
      const y = run.series.column(column)
      const scale = kib ? 1 / 1024 : 1
      return { name: run.label, color: run.color, data: points(t, decimateIndices(t, y, w.t0, w.t1, w.columns), (i) => y[i] * scale) }
    }),
  }
}
