// Display decimation: min/max per pixel column. A line drawn through the first, the min, the
// max and the last point of every column looks the same as the full line at that width (every
// spike survives), so each series costs at most ~2 points per pixel column whatever the run
// length. The recorder keeps every sample; this only shapes what ECharts draws.
import type { MinMaxPyramid } from './minmax_pyramid'
import { lastIndexAtOrBefore } from './sample_series'

/**
 * Indices of the points to draw for the window [t0, t1] across `columns` pixel columns: for each
 * column the min and the max of y (in time order), plus one point on each side of the window so
 * the line runs to the edges. All points are returned when they already fit. With the column's
 * min/max `pyramid`, each pixel column costs O(log n) instead of a scan of its samples (the same
 * indices either way).
 */
export function decimateIndices(t: ArrayLike<number>, y: ArrayLike<number>, t0: number, t1: number, columns: number, pyramid?: MinMaxPyramid): Int32Array {
  const n = Math.min(t.length, y.length)
  if (n === 0 || !(t1 >= t0)) return new Int32Array(0)
  const first = Math.max(0, lastIndexAtOrBefore(t, t0))
  const afterEnd = lastIndexAtOrBefore(t, t1) + 1
  const last = Math.min(n - 1, afterEnd)
  const count = last - first + 1
  const cols = Math.max(1, Math.floor(columns))
  if (count <= 2 * cols + 2) {
    const all = new Int32Array(count)
    for (let i = 0; i < count; i++) all[i] = first + i
    return all
  }
  const out = new Int32Array(2 * cols + 2)
  let k = 0
  out[k++] = first
  const span = t1 - t0 || 1
  let bucket = -1
  let minI = -1
  let maxI = -1
  const flush = (): void => {
    if (minI < 0) return
    if (minI === maxI) {
      out[k++] = minI
    } else if (minI < maxI) {
      out[k++] = minI
      out[k++] = maxI
    } else {
      out[k++] = maxI
      out[k++] = minI
    }
  }
  const bucketOf = (i: number): number => Math.min(cols - 1, Math.max(0, Math.floor(((t[i] - t0) / span) * cols)))
  if (pyramid !== undefined && pyramid.length >= last) {
    const mm = new Int32Array(2)
    for (let a = first + 1; a < last; ) {
      // the column's samples: [a, end), end the first index of a later column (time is sorted)
      const c = bucketOf(a)
      let end = a + 1
      let hi = last
      while (end < hi) {
        const mid = (end + hi) >>> 1
        if (bucketOf(mid) > c) hi = mid
        else end = mid + 1
      }
      pyramid.range(a, end, mm)
      minI = mm[0]
      maxI = mm[1]
      flush()
      a = end
    }
    out[k++] = last
    return out.subarray(0, k)
  }
  for (let i = first + 1; i < last; i++) {
    const b = bucketOf(i)
    if (b !== bucket) {
      flush()
      bucket = b
      minI = -1
      maxI = -1
    }
    const v = y[i]
    if (Number.isNaN(v)) continue
    if (minI < 0 || v < y[minI]) minI = i
    if (maxI < 0 || v > y[maxI]) maxI = i
  }
  flush()
  out[k++] = last
  return out.subarray(0, k)
}

/** The [t, y * scale] points at the given indices, as ECharts line data. */
export function gatherPoints(t: ArrayLike<number>, y: ArrayLike<number>, indices: Int32Array, scale = 1): number[][] {
  const points: number[][] = new Array(indices.length)
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]
    points[k] = [t[i], y[i] * scale]
  }
  return points
}

/**
 * Drops the inner points of flat runs (a point whose neighbours hold the same value): the line
 * is drawn the same, with two points per run. Stepped and idle series (state, counters at rest,
 * empty orders) shrink to a handful of points. Not for stacked layers, which must share x values.
 */
export function dropFlatRuns(y: ArrayLike<number>, indices: Int32Array): Int32Array {
  if (indices.length <= 2) return indices
  const out = new Int32Array(indices.length)
  let k = 0
  out[k++] = indices[0]
  for (let j = 1; j < indices.length - 1; j++) {
    const v = y[indices[j]]
    if (v === y[indices[j - 1]] && v === y[indices[j + 1]]) continue
    out[k++] = indices[j]
  }
  out[k++] = indices[indices.length - 1]
  return out.subarray(0, k)
}
