// The headline figures of a run, computed from its sample rows alone, so that summary.json, the
// CLI, the Charts view and a script reading samples.csv all get the same numbers
// (docs/run-summary.md defines each one). The engine feeds every row as it samples; the renderer
// feeds the rows it holds.
import { COL, type SampleColumn } from './samples'
import { KEPT_BY_HOST, REASONS } from './why_not_returned'

/** Final values of these columns go into the summary as final_<column>. */
export const FINAL_COLUMNS: readonly SampleColumn[] = ['guest_free_kib', 'reported_kib', KEPT_BY_HOST.column, ...REASONS.map((r) => r.column)]

export interface SampleFigures {
  /** The last allocated_peak_kib: the most the workload held, exact to the allocation. */
  readonly peak_allocated_kib: number
  /** peak_allocated_kib minus the final allocated_kib: what the workload gave back after its peak. */
  readonly freed_kib: number
  /** First sample whose allocated_peak_kib is the final peak and whose allocated_kib is below it; null when nothing was freed. */
  readonly free_start_ms: number | null
  /** Final reclaimed_kib - refaulted_kib: memory the host dropped after reports and did not fault back in. */
  readonly returned_kib: number
  /** returned_kib as a percentage of freed_kib; null when nothing was freed. */
  readonly returned_pct_of_freed: number | null
  /** From free_start_ms to the first sample with more successful report() calls (report_calls - report_errors) than the sample before the free. */
  readonly first_report_after_free_ms: number | null
  /** From free_start_ms (0 without a free) to the first sample where reclaimed - refaulted reaches 50% of returned_kib. */
  readonly return_50pct_ms: number | null
  readonly return_90pct_ms: number | null
  readonly [final: `final_${string}`]: number
}

const INITIAL_ROWS = 1024
/** The columns the summary reads. */
const READ: readonly SampleColumn[] = ['t_ms', 'allocated_kib', 'allocated_peak_kib', 'reclaimed_kib', 'refaulted_kib', 'report_calls', 'report_errors', ...FINAL_COLUMNS]
const COLUMNS_READ = Math.max(...READ.map((c) => COL[c])) + 1
const FINAL_INDEX = Int32Array.from(FINAL_COLUMNS, (c) => COL[c])
const T = COL.t_ms
const ALLOCATED = COL.allocated_kib
const ALLOCATED_PEAK = COL.allocated_peak_kib
const RECLAIMED = COL.reclaimed_kib
const REFAULTED = COL.refaulted_kib
const CALLS = COL.report_calls
const ERRORS = COL.report_errors

/** Accumulates sample rows (a few numbers each) and computes SampleFigures at any time. */
export class SampleSummarizer {
  private n = 0
  private t = new Float64Array(INITIAL_ROWS)
  private allocated = new Float64Array(INITIAL_ROWS)
  private allocatedPeak = new Float64Array(INITIAL_ROWS)
  private returned = new Float64Array(INITIAL_ROWS)
  private calls = new Float64Array(INITIAL_ROWS)
  private readonly final = new Float64Array(FINAL_COLUMNS.length)
  private scratch: Float64Array | null = null

  get rows(): number {
    return this.n
  }

  /** One sample row as the engine writes it (SAMPLE_COLUMNS order). */
  addRow(row: ArrayLike<number>): void {
    if (this.n === this.t.length) this.grow()
    const i = this.n++
    this.t[i] = row[T]
    this.allocated[i] = row[ALLOCATED]
    this.allocatedPeak[i] = row[ALLOCATED_PEAK]
    this.returned[i] = row[RECLAIMED] - row[REFAULTED]
    // successful report() calls: a failed one returns nothing
    this.calls[i] = row[CALLS] - row[ERRORS]
    for (let c = 0; c < FINAL_INDEX.length; c++) this.final[c] = row[FINAL_INDEX[c]]
  }

  /** One sample row read column by column (a column store). */
  add(value: (column: SampleColumn) => number): void {
    const row = (this.scratch ??= new Float64Array(COLUMNS_READ))
    for (const c of READ) row[COL[c]] = value(c)
    this.addRow(row)
  }

  figures(): SampleFigures {
    const n = this.n
    const finals = Object.fromEntries(FINAL_COLUMNS.map((c, k) => [`final_${c}`, n > 0 ? this.final[k] : 0]))
    if (n === 0) {
      return { peak_allocated_kib: 0, freed_kib: 0, free_start_ms: null, returned_kib: 0, returned_pct_of_freed: null, first_report_after_free_ms: null, return_50pct_ms: null, return_90pct_ms: null, ...finals }
    }
    const { t, allocated, allocatedPeak, returned, calls } = this
    const peak = allocatedPeak[n - 1]
    const freed = peak - allocated[n - 1]
    let freeAt = -1
    if (freed > 0) {
      for (let i = 0; i < n; i++) {
        if (allocatedPeak[i] === peak && allocated[i] < peak) {
          freeAt = i
          break
        }
      }
    }
    const from = freeAt >= 0 ? freeAt : 0
    const t0 = t[from]
    let firstReport: number | null = null
    if (freeAt >= 0) {
      const before = freeAt > 0 ? calls[freeAt - 1] : 0
      for (let i = freeAt; i < n; i++) {
        if (calls[i] > before) {
          firstReport = t[i] - t0
          break
        }
      }
    }
    const total = returned[n - 1]
    const reach = (fraction: number): number | null => {
      if (!(total > 0)) return null
      for (let i = from; i < n; i++) if (returned[i] >= fraction * total) return t[i] - t0
      return null
    }
    return {
      peak_allocated_kib: peak,
      freed_kib: freed,
      free_start_ms: freeAt >= 0 ? t0 : null,
      returned_kib: total,
      returned_pct_of_freed: freed > 0 ? (100 * total) / freed : null,
      first_report_after_free_ms: firstReport,
      return_50pct_ms: reach(0.5),
      return_90pct_ms: reach(0.9),
      ...finals,
    }
  }

  private grow(): void {
    const size = this.t.length * 2
    const grown = (a: Float64Array): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(size)
      b.set(a)
      return b
    }
    this.t = grown(this.t)
    this.allocated = grown(this.allocated)
    this.allocatedPeak = grown(this.allocatedPeak)
    this.returned = grown(this.returned)
    this.calls = grown(this.calls)
  }
}
