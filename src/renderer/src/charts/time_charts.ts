// What each time chart plots, as plain line specs built from a run's samples for the visible
// window [t0, t1] at one min/max pair per pixel column (model/decimate.ts keeps every peak; each
// column's min/max pyramid, model/minmax_pyramid.ts, makes that cost the same at every zoom).
// Values stay in the recorder's units (KiB, counts): the option builder picks the display unit
// from what is visible (model/value_scale.ts). Each line also reads its exact value at any time,
// for the tooltip: the decimated points only shape what is drawn.
import { NR_ORDERS, REPORTING_STATES, type SampleColumn } from '../../../common/samples'
import { KEPT_BY_HOST, REASONS, RETURNED_COLOR } from '../../../common/why_not_returned'
import { decimateIndices, dropFlatRuns } from '../model/decimate'
import { MinMaxPyramid } from '../model/minmax_pyramid'
import type { SampleSeries } from '../model/sample_series'
import { lastIndexAtOrBefore } from '../model/sample_series'
import { formatCount, formatKiB } from '../model/units'
import { toLog, type Quantity } from '../model/value_scale'

export interface LineSpec {
  readonly name: string
  readonly color: string
  /** Decimated points, flat [t0, y0, t1, y1, …] (ECharts takes typed arrays without boxing a pair per point). */
  readonly data: Float64Array
  /** The exact value at `t_ms` (the last sample at or before it), in the axis's units; NaN before the first. */
  readonly valueAt: (t_ms: number) => number
  readonly yAxisIndex?: number
  readonly stack?: string
  readonly area?: boolean
  readonly step?: boolean
  readonly dashed?: boolean
  /** Written at the line's right end (watermark names). */
  readonly endLabel?: string
  /** Shown after the name in the tooltip: the kernel rule behind a layer. */
  readonly hint?: string
}

export interface YAxisSpec {
  /** What the axis measures ("free", "report calls"); the unit is added from the scale. */
  readonly name: string
  readonly quantity: Quantity | 'states'
  /** Unit of a count axis ("blocks", "calls"). */
  readonly countUnit?: string
  /** Plotted as log10 (counts only): model/value_scale.ts logScale. */
  readonly log?: boolean
  /** Category labels for a state axis (value i -> labels[i - min]). */
  readonly states?: { readonly min: number; readonly labels: readonly string[] }
  /** Fixed top of the axis in its units (the watermark view); else fitted to the visible lines. */
  readonly max?: number
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
export type CountScale = 'linear' | 'log'
export type WatermarkRange = 'auto' | 'all' | 'near'

/** One colour per order, cold (order 0) to warm (order 10), readable in both themes. */
export const ORDER_COLORS = ['#5470c6', '#3f8fd2', '#2aa6c9', '#25b5a3', '#48b86e', '#86bd45', '#c0b52e', '#e39a2b', '#ec7432', '#e04f44', '#c23a76'] as const

const KIB_PER_BLOCK = (order: number): number => 4 << order

const freeColumn = (zone: ZoneFilter, order: number): SampleColumn => (zone === 'all' ? `nr_free_${order}` : `${zone}_nr_free_${order}`) as SampleColumn

/** Flat [t, y] pairs of y(i) at the indices chosen for the window. */
function points(t: ArrayLike<number>, indices: Int32Array, y: (i: number) => number): Float64Array {
  const out = new Float64Array(indices.length * 2)
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]
    out[2 * k] = t[i]
    out[2 * k + 1] = y(i)
  }
  return out
}

/** Sample-and-hold lookup of y(i) at a time. */
function atTime(t: ArrayLike<number>, y: (i: number) => number): (t_ms: number) => number {
  return (t_ms) => {
    const i = lastIndexAtOrBefore(t, t_ms)
    return i < 0 ? Number.NaN : y(i)
  }
}

/** The indices to draw a line of y through: min/max per pixel column, flat runs cut to their ends. */
const lineIndices = (t: ArrayLike<number>, y: ArrayLike<number>, w: Window, pyramid?: MinMaxPyramid): Int32Array => dropFlatRuns(y, decimateIndices(t, y, w.t0, w.t1, w.columns, pyramid))

const pyramids = new WeakMap<SampleSeries, Map<string, MinMaxPyramid>>()

/** The min/max pyramid of a column of the series (or of a stack total), kept and grown with the series. */
function pyramidOf(s: SampleSeries, key: string, y: Float64Array): MinMaxPyramid {
  let byKey = pyramids.get(s)
  if (!byKey) {
    byKey = new Map()
    pyramids.set(s, byKey)
  }
  let p = byKey.get(key)
  if (!p || p.length > y.length) {
    p = new MinMaxPyramid(y)
    byKey.set(key, p)
  } else if (p.length < y.length) p.extend(y)
  return p
}

function columnLine(s: SampleSeries, w: Window, column: SampleColumn, name: string, color: string, extra: Partial<LineSpec> = {}): LineSpec {
  const t = s.column('t_ms')
  const y = s.column(column)
  const at = (i: number): number => y[i]
  return { name, color, data: points(t, lineIndices(t, y, w, pyramidOf(s, column, y)), at), valueAt: atTime(t, at), ...extra }
}

/**
 * Stacked layers: decimated on the stack total so every layer shares the x values and the
 * total's peaks survive. The total is summed once per series revision (the cache), not per frame.
 */
function stackedLines(s: SampleSeries, w: Window, key: string, layers: readonly { name: string; color: string; hint?: string; y: (i: number) => number }[]): LineSpec[] {
  const t = s.column('t_ms')
  const total = stackTotal(s, key, layers)
  const idx = decimateIndices(t, total, w.t0, w.t1, w.columns, pyramidOf(s, `stack:${key}`, total))
  // a layer that is zero across the window draws nothing (layers stack by index, so it may be empty)
  const zero = (y: (i: number) => number): boolean => idx.every((i) => y(i) === 0)
  return layers.map((l) => ({ name: l.name, color: l.color, hint: l.hint, data: zero(l.y) ? new Float64Array(0) : points(t, idx, l.y), valueAt: atTime(t, l.y), stack: 'stack', area: true }))
}

const totals = new WeakMap<SampleSeries, Map<string, { rows: number; total: Float64Array }>>()

function stackTotal(s: SampleSeries, key: string, layers: readonly { y: (i: number) => number }[]): Float64Array {
  let byKey = totals.get(s)
  if (!byKey) {
    byKey = new Map()
    totals.set(s, byKey)
  }
  const cached = byKey.get(key)
  const from = cached ? cached.rows : 0
  if (cached && from === s.rows) return cached.total
  const total = new Float64Array(s.rows)
  if (cached) total.set(cached.total.subarray(0, from))
  for (let i = from; i < s.rows; i++) {
    let sum = 0
    for (const layer of layers) sum += layer.y(i)
    total[i] = sum
  }
  byKey.set(key, { rows: s.rows, total })
  return total
}

/**
 * A real guest's /proc/buddyinfo over time (a validation recording) for the free-blocks chart: one
 * count array per order for the zone shown, at snapshot times on the run's axis.
 */
export interface MeasuredBuddy {
  readonly label: string
  readonly t_ms: Float64Array
  /** [order][snapshot] free blocks. */
  readonly nr_free: readonly Float64Array[]
}

export const ZONE_NAMES: Record<Exclude<ZoneFilter, 'all'>, string> = { dma: 'DMA', dma32: 'DMA32', normal: 'Normal' }

/** The measured series for a zone filter (all zones summed); null when the recording has no such zone. */
export function measuredBuddy(label: string, zones: readonly string[], t_ms: readonly number[], origin_ms: number, nr_free: readonly (readonly (readonly number[])[])[], zone: ZoneFilter): MeasuredBuddy | null {
  const zi = zone === 'all' ? zones.map((_, i) => i) : [zones.indexOf(ZONE_NAMES[zone])].filter((i) => i >= 0)
  if (zi.length === 0 || t_ms.length === 0) return null
  const orders = nr_free[0]?.[0]?.length ?? 0
  const counts = Array.from({ length: orders }, (_, o) => Float64Array.from(nr_free, (snap) => zi.reduce((sum, z) => sum + (snap[z]?.[o] ?? 0), 0)))
  return { label, t_ms: Float64Array.from(t_ms, (t) => t + origin_ms), nr_free: counts }
}

/** The measured lines: per order dashed in the order's colour (blocks), or the measured total (memory). */
function measuredBuddyLines(m: MeasuredBuddy, w: Window, unit: FreeUnit, log: boolean): LineSpec[] {
  const t = m.t_ms
  if (unit === 'MiB') {
    const total = new Float64Array(t.length)
    m.nr_free.forEach((c, o) => c.forEach((n, i) => (total[i] += n * KIB_PER_BLOCK(o))))
    const y = (i: number): number => total[i]
    return [{ name: `${m.label}: free`, color: '#0b7285', data: points(t, lineIndices(t, total, w), y), valueAt: atTime(t, y), dashed: true }]
  }
  return m.nr_free.map((c, o) => {
    const y = (i: number): number => c[i]
    return { name: `${m.label} order ${o}`, color: ORDER_COLORS[o] ?? '#868e96', data: points(t, lineIndices(t, c, w), log ? (i) => toLog(c[i]) : y), valueAt: atTime(t, y), dashed: true }
  })
}

export function freeBlocksChart(s: SampleSeries, w: Window, zone: ZoneFilter, unit: FreeUnit, scale: CountScale = 'linear', measured: MeasuredBuddy | null = null): ChartContent {
  const cols = Array.from({ length: NR_ORDERS }, (_, o) => s.column(freeColumn(zone, o)))
  const log = unit === 'blocks' && scale === 'log'
  const real = measured === null ? [] : measuredBuddyLines(measured, w, unit, log)
  if (unit === 'MiB') {
    const layers = cols.map((c, o) => ({ name: `order ${o}`, color: ORDER_COLORS[o], y: (i: number) => c[i] * KIB_PER_BLOCK(o) }))
    return { yAxes: [{ name: 'free', quantity: 'kib' }], lines: [...stackedLines(s, w, `free-${zone}`, layers), ...real] }
  }
  const t = s.column('t_ms')
  return {
    yAxes: [{ name: 'free', quantity: 'count', countUnit: 'blocks', log }],
    lines: [
      ...cols.map((c, o) => {
        const y = (i: number): number => c[i]
        return { name: `order ${o}`, color: ORDER_COLORS[o], data: points(t, lineIndices(t, c, w, pyramidOf(s, freeColumn(zone, o), c)), log ? (i: number) => toLog(c[i]) : y), valueAt: atTime(t, y) }
      }),
      ...real,
    ],
  }
}

/** Axis of page_reporting_order: -1 unset, then orders 0..11 (11: above every order). */
const ORDER_AXIS = { min: -1, labels: ['unset', ...Array.from({ length: NR_ORDERS + 1 }, (_, o) => String(o))] } as const

/**
 * All free guest memory stacked by what became of it: returned (reported and discarded), reported
 * but kept by the host, then each reason it was not reported (src/common/why_not_returned.ts),
 * with page_reporting_order as a step line on its own axis.
 */
export function whyNotReturnedChart(s: SampleSeries, w: Window): ChartContent {
  const reported = s.column('reported_kib')
  const kept = s.column(KEPT_BY_HOST.column)
  const layers = [
    { name: 'returned (reported, discarded)', color: RETURNED_COLOR, hint: 'page_reporting_drain() set PG_reported; the host discarded it', y: (i: number) => reported[i] - kept[i] },
    { name: KEPT_BY_HOST.label, color: KEPT_BY_HOST.color, hint: `${KEPT_BY_HOST.fn}, kernel-spec ${KEPT_BY_HOST.spec}`, y: (i: number) => kept[i] },
    ...REASONS.map((r) => {
      const c = s.column(r.column)
      return { name: r.label, color: r.color, hint: `${r.fn}, kernel-spec ${r.spec}`, y: (i: number) => c[i] }
    }),
  ]
  return {
    yAxes: [
      { name: 'free', quantity: 'kib' },
      { name: 'order', quantity: 'states', states: ORDER_AXIS },
    ],
    lines: [...stackedLines(s, w, 'why-not-returned', layers), columnLine(s, w, 'reporting_order', 'page_reporting_order', '#748ffc', { yAxisIndex: 1, step: true, dashed: true })],
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

/** Host RSS and what the guest holds; a measured RSS series (an import) dashed over it, on the run's time axis. */
export function hostMemoryChart(s: SampleSeries, w: Window, measured: MeasuredRss | null = null): ChartContent {
  const lines = [columnLine(s, w, 'host_rss_kib', 'host RSS', '#e8590c', { area: true }), columnLine(s, w, 'allocated_kib', 'guest allocated', '#868e96', { dashed: true })]
  if (measured !== null) {
    const t = Float64Array.from(measured.t_ms, (x) => x + measured.offset_ms)
    const y = (i: number): number => measured.rss_kib[i]
    lines.push({ name: measured.label, color: '#0b7285', data: points(t, lineIndices(t, measured.rss_kib, w), y), valueAt: atTime(t, y), dashed: true })
  }
  return { yAxes: [{ name: 'host', quantity: 'kib' }], lines }
}

/** Cumulative figures on their own chart: they grow for the whole run and dwarf the resident set. */
export function cumulativeChart(s: SampleSeries, w: Window): ChartContent {
  return {
    yAxes: [{ name: 'cumulative', quantity: 'kib' }],
    lines: [columnLine(s, w, 'reclaimed_kib', 'reclaimed (cumulative)', '#2b8fe0'), columnLine(s, w, 'refaulted_kib', 'refaulted (cumulative)', '#c2255c')],
  }
}

/** State axis: -1 unregistered, then the kernel's IDLE/REQUESTED/ACTIVE. */
export const STATE_AXIS = { min: -1, labels: ['unregistered', ...REPORTING_STATES] } as const

export function reportingChart(s: SampleSeries, w: Window): ChartContent {
  return {
    yAxes: [
      { name: 'report()', quantity: 'count', countUnit: 'calls' },
      { name: 'state', quantity: 'states', states: STATE_AXIS },
    ],
    lines: [columnLine(s, w, 'report_calls', 'report() calls', '#2b8fe0'), columnLine(s, w, 'reporting_state', 'reporting state', '#f08c00', { yAxisIndex: 1, step: true, area: true })],
  }
}

/** Watermarks under this share of the axis are flat lines on the floor: 'auto' then shows the range near them. */
export const WATERMARK_READABLE_SHARE = 0.05

/**
 * Free memory against the zones' watermarks (totals over the zones), each watermark named at its
 * right end. 'near' sets the axis to three times the highest watermark plus boost, where the
 * reporting gate (free <= low + boost + capacity << order) and the allocator's decisions are read;
 * 'auto' picks 'near' when the watermarks would otherwise sit under WATERMARK_READABLE_SHARE of it.
 */
export function watermarkChart(s: SampleSeries, w: Window, range: WatermarkRange = 'auto'): ChartContent {
  const high = s.column('wmark_high_kib')
  const boost = s.column('boost_kib')
  const free = s.column('free_kib')
  const i0 = Math.max(0, lastIndexAtOrBefore(s.column('t_ms'), w.t0))
  const i1 = Math.min(s.rows - 1, lastIndexAtOrBefore(s.column('t_ms'), w.t1) + 1)
  let top = 0
  let freeMax = 0
  for (let i = i0; i <= i1; i++) {
    top = Math.max(top, high[i] + boost[i])
    freeMax = Math.max(freeMax, free[i])
  }
  const near = range === 'near' || (range === 'auto' && top > 0 && top < WATERMARK_READABLE_SHARE * freeMax)
  return {
    yAxes: [{ name: near ? 'near the watermarks' : 'free', quantity: 'kib', ...(near && top > 0 ? { max: 3 * top } : {}) }],
    lines: [
      columnLine(s, w, 'free_kib', 'free', '#2f9e44', { area: true }),
      columnLine(s, w, 'reported_kib', 'reported', '#2b8fe0'),
      columnLine(s, w, 'pcp_kib', 'per-CPU lists', '#ae3ec9'),
      columnLine(s, w, 'wmark_high_kib', 'high wmark', '#f59f00', { dashed: true, endLabel: 'high' }),
      columnLine(s, w, 'wmark_low_kib', 'low wmark', '#e8590c', { dashed: true, endLabel: 'low' }),
      columnLine(s, w, 'wmark_min_kib', 'min wmark', '#e03131', { dashed: true, endLabel: 'min' }),
      columnLine(s, w, 'boost_kib', 'boost', '#868e96', { dashed: true }),
    ],
  }
}

export interface OverlayRun {
  readonly label: string
  readonly color: string
  readonly series: SampleSeries
}

/** One column of several runs on one chart (A/B comparison), in KiB or as counts. */
export function overlayChart(runs: readonly OverlayRun[], w: Window, column: SampleColumn, kib: boolean): ChartContent {
  return {
    yAxes: [kib ? { name: column.replace(/_kib$/, '').replace(/_/g, ' '), quantity: 'kib' } : { name: column.replace(/_/g, ' '), quantity: 'count', countUnit: 'calls' }],
    lines: runs.map((run) => columnLine(run.series, w, column, run.label, run.color)),
  }
}

/** Tooltip text of a value on an axis. */
export function formatOnAxis(axis: YAxisSpec | undefined, v: number): string {
  if (!Number.isFinite(v)) return '–'
  if (axis === undefined) return String(v)
  if (axis.quantity === 'kib') return formatKiB(v)
  if (axis.quantity === 'states') return axis.states?.labels[Math.round(v) - axis.states.min] ?? String(v)
  return `${formatCount(v)} ${axis.countUnit ?? ''}`.trim()
}
