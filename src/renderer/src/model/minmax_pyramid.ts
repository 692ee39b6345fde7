// A min/max pyramid over a sample column (Perfetto's and speedscope's habit for long traces):
// level k holds, for each aligned block of 2^k samples, the index of its first minimum and of its
// first maximum. The min and max of any index range then take O(log n) block lookups instead of
// a scan, so decimating an hour of samples to a chart's pixel columns costs the same at every
// zoom. NaN cells (columns a run folder lacked) are never a minimum or a maximum. The column may
// grow (a live run): extend() adds the new complete blocks.

export class MinMaxPyramid {
  /** levels[k - 1]: blocks of 2^k samples; -1 where a block holds only NaN. */
  private readonly mins: Int32Array[] = []
  private readonly maxs: Int32Array[] = []
  private y: ArrayLike<number> = []
  private n = 0

  constructor(y: ArrayLike<number>) {
    this.extend(y)
  }

  /** Samples covered. */
  get length(): number {
    return this.n
  }

  /** The column with more samples appended (the same values before the old end). */
  extend(y: ArrayLike<number>): void {
    const from = this.n
    this.y = y
    this.n = y.length
    for (let k = 1; 1 << k <= this.n; k++) {
      const blocks = this.n >> k
      const done = from >> k
      let min = this.mins[k - 1]
      let max = this.maxs[k - 1]
      if (!min || min.length < blocks) {
        const grownMin = new Int32Array(Math.max(blocks, min ? 2 * min.length : blocks))
        const grownMax = new Int32Array(grownMin.length)
        if (min) {
          grownMin.set(min.subarray(0, done))
          grownMax.set(max.subarray(0, done))
        }
        this.mins[k - 1] = min = grownMin
        this.maxs[k - 1] = max = grownMax
      }
      for (let j = done; j < blocks; j++) {
        if (k === 1) {
          const a = this.valid(2 * j)
          const b = this.valid(2 * j + 1)
          min[j] = this.lower(a, b)
          max[j] = this.higher(a, b)
        } else {
          const below = k - 2
          min[j] = this.lower(this.mins[below][2 * j], this.mins[below][2 * j + 1])
          max[j] = this.higher(this.maxs[below][2 * j], this.maxs[below][2 * j + 1])
        }
      }
    }
  }

  /** Index of the first minimum and of the first maximum in [a, b), -1 when none (empty, or all NaN). */
  range(a: number, end: number, out: Int32Array): void {
    let minI = -1
    let maxI = -1
    const b = Math.min(end, this.n)
    const top = this.mins.length
    while (a < b) {
      // the largest aligned block that starts at a and ends by b (complete: b <= n)
      let k = 0
      while (k < top && (a & ((2 << k) - 1)) === 0 && a + (2 << k) <= b) k++
      if (k === 0) {
        const i = this.valid(a)
        minI = this.lower(minI, i)
        maxI = this.higher(maxI, i)
        a++
      } else {
        const j = a >> k
        minI = this.lower(minI, this.mins[k - 1][j])
        maxI = this.higher(maxI, this.maxs[k - 1][j])
        a += 1 << k
      }
    }
    out[0] = minI
    out[1] = maxI
  }

  private valid(i: number): number {
    return Number.isNaN(this.y[i]) ? -1 : i
  }

  /** The index of the lower value; the earlier one (`a`) on a tie. */
  private lower(a: number, b: number): number {
    if (a < 0) return b
    if (b < 0) return a
    return this.y[b] < this.y[a] ? b : a
  }

  private higher(a: number, b: number): number {
    if (a < 0) return b
    if (b < 0) return a
    return this.y[b] > this.y[a] ? b : a
  }
}
