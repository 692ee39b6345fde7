// Collects sample rows into a Float64Array frame that can be transferred (then a new one starts).
import { NR_SAMPLE_COLUMNS } from '../common/samples'

export class SampleBatch {
  private data: Float64Array
  private filled = 0

  constructor(private readonly capacityRows = 256) {
    this.data = new Float64Array(capacityRows * NR_SAMPLE_COLUMNS)
  }

  get rows(): number {
    return this.filled
  }

  /** Copies one row (the engine reuses its row buffer). */
  push(row: Float64Array): void {
    if ((this.filled + 1) * NR_SAMPLE_COLUMNS > this.data.length) {
      const grown = new Float64Array(this.data.length * 2)
      grown.set(this.data)
      this.data = grown
    }
    this.data.set(row.subarray(0, NR_SAMPLE_COLUMNS), this.filled * NR_SAMPLE_COLUMNS)
    this.filled++
  }

  /** The filled rows as a compact array the caller owns; the batch starts empty. */
  take(): { rows: number; data: Float64Array } {
    const rows = this.filled
    const data = this.data.slice(0, rows * NR_SAMPLE_COLUMNS)
    this.filled = 0
    if (this.data.length > this.capacityRows * NR_SAMPLE_COLUMNS * 4) this.data = new Float64Array(this.capacityRows * NR_SAMPLE_COLUMNS)
    return { rows, data }
  }
}
