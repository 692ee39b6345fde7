// Column store of one run's sample rows. Frames arrive row-major (SAMPLE_COLUMNS order); charts
// read whole columns, so rows are transposed on append into one growable Float64Array per column.
// Plain typed arrays: the stores hold this object with markRaw, never as deep-reactive state.
import { NR_SAMPLE_COLUMNS, COL, type SampleColumn } from '../../../common/samples'
import { lastIndexAtOrBefore } from '../../../common/sorted'

const MIN_CAPACITY = 1024

export class SampleSeries {
  private columns: Float64Array[]
  private length = 0

  constructor(expectedRows = MIN_CAPACITY) {
    const capacity = Math.max(MIN_CAPACITY, Math.ceil(expectedRows))
    this.columns = Array.from({ length: NR_SAMPLE_COLUMNS }, () => new Float64Array(capacity))
  }

  get rows(): number {
    return this.length
  }

  get capacity(): number {
    return this.columns[0].length
  }

  /** Append `rows` row-major rows of NR_SAMPLE_COLUMNS values each. */
  append(rows: number, data: Float64Array): void {
    if (data.length < rows * NR_SAMPLE_COLUMNS) {
      throw new Error(`frame of ${rows} rows needs ${rows * NR_SAMPLE_COLUMNS} values, got ${data.length}`)
    }
    this.reserve(this.length + rows)
    for (let c = 0; c < NR_SAMPLE_COLUMNS; c++) {
      const column = this.columns[c]
      for (let r = 0; r < rows; r++) column[this.length + r] = data[r * NR_SAMPLE_COLUMNS + c]
    }
    this.length += rows
  }

  /** The filled part of a column (a view, not a copy). */
  column(name: SampleColumn): Float64Array {
    return this.columns[COL[name]].subarray(0, this.length)
  }

  /** Index of the last row with t_ms <= t_ms, or -1 if every row is later. */
  indexAtOrBefore(t_ms: number): number {
    return lastIndexAtOrBefore(this.column('t_ms'), t_ms)
  }

  /** Value of a column at the last row not after t_ms (sample-and-hold); NaN before the first row. */
  valueAt(name: SampleColumn, t_ms: number): number {
    const i = this.indexAtOrBefore(t_ms)
    return i < 0 ? Number.NaN : this.columns[COL[name]][i]
  }

  last(name: SampleColumn): number {
    return this.length === 0 ? Number.NaN : this.columns[COL[name]][this.length - 1]
  }

  private reserve(rows: number): void {
    if (rows <= this.capacity) return
    let capacity = this.capacity
    while (capacity < rows) capacity *= 2
    this.columns = this.columns.map((old) => {
      const grown = new Float64Array(capacity)
      grown.set(old.subarray(0, this.length))
      return grown
    })
  }
}

export { lastIndexAtOrBefore }
