// Search in ascending arrays (sample times).

/** Binary search in an ascending array: last index with a[i] <= x, or -1. */
export function lastIndexAtOrBefore(a: ArrayLike<number>, x: number): number {
  let lo = 0
  let hi = a.length - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    if (a[mid] <= x) {
      found = mid
      lo = mid + 1
    } else {
      hi = mid - 1
    }
  }
  return found
}
