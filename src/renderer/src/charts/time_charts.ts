// What each live chart plots, as plain line specs built from a run's samples for the visible
// window [t0, t1] at ~2 points per pixel column. Sizes are drawn in MiB; the recorder's columns
// are KiB and block counts (a block of order N is 4 KiB << N).
import { NR_ORDERS, REPORTING_STATES, type SampleColumn } from '../../../common/samples'
import { KEPT_BY_HOST, REASONS, RETURNED_COLOR } from '../../../common/why_not_returned'
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
  /** Shown after the name in the tooltip: the kernel rule behind a layer. */
  readonly hint?: string
}

/** A shaded time range on every time chart (a reporting pass). */
export interface TimeBand {
  readonly t0_ms: number
  readonly t1_ms: number
  /** Drawn at the top of the band. */
  readonly label: string
  /** Tooltip line while the pointer is inside the band. */
  readonly detail: string
  readonly failed: boolean
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

/**
 * All free guest memory stacked by what became of it: returned (reported and discarded), reported
 * but kept by the host, then each reason it was not reported (src/common/why_not_returned.ts),
 * with page_reporting_order as a step line on its own axis.
 */
export function whyNotReturnedChart(s: SampleSeries, w: Window): ChartContent {
  const t = s.column('t_ms')
  const reported = s.column('reported_kib')
  const kept = s.column(KEPT_BY_HOST.column)
  const layers: { name: string; color: string; hint: string; y: (i: number) => number }[] = [
    { name: 'returned (reported, discarded)', color: RETURNED_COLOR, hint: 'page_reporting_drain() set PG_reported; the host discarded it', y: (i) => (reported[i] - kept[i]) / 1024 },
    { name: KEPT_BY_HOST.label, color: KEPT_BY_HOST.color, hint: `${KEPT_BY_HOST.fn}, kernel-spec ${KEPT_BY_HOST.spec}`, y: (i) => kept[i] / 1024 },
    ...REASONS.map((r) => {
      const c = s.column(r.column)
      return { name: r.label, color: r.color, hint: `${r.fn}, kernel-spec ${r.spec}`, y: (i: number) => c[i] / 1024 }
    }),
  ]
  const idx = stackIndices(
    s,
    w,
    layers.map((l) => l.y),
  )
  const order = s.column('reporting_order')
  return {
    yAxes: [
      { name: 'MiB free', format: MiB },
      { name: 'order', format: (v) => (v < 0 ? 'unset' : `order ${v}`), states: ORDER_AXIS },
    ],
    lines: [
      ...layers.map((l) => ({ name: l.name, color: l.color, hint: l.hint, data: points(t, idx, l.y), stack: 'free', area: true })),
      { name: 'page_reporting_order', color: '#495057', data: points(t, decimateIndices(t, order, w.t0, w.t1, w.columns), (i) => order[i]), yAxisIndex: 1, step: true, dashed: true },
    ],
  }
}

/** Axis of page_reporting_order: -1 unset, then orders 0..11 (11: above every order). */
const ORDER_AXIS = { min: -1, labels: ['unset', ...Array.from({ length: NR_ORDERS + 1 }, (_, o) => String(o))] } as const

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
