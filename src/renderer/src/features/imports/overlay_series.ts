// Chart points for overlays: (t, y) pairs in display units, thinned to at most ~2 points per
// bucket (the min and the max, in time order) so a long simulated run stays cheap to draw while
// its peaks stay visible.

export function xyPoints(t_ms: ArrayLike<number>, y: ArrayLike<number>, scaleY: number, maxPoints: number, offset_ms = 0): [number, number][] {
  const n = Math.min(t_ms.length, y.length)
  const out: [number, number][] = []
  const point = (i: number): [number, number] => [(t_ms[i] + offset_ms) / 1000, y[i] * scaleY]
  if (n <= maxPoints) {
    for (let i = 0; i < n; i++) out.push(point(i))
    return out
  }
  const buckets = Math.max(1, Math.floor(maxPoints / 2))
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * n) / buckets)
    const to = Math.floor(((b + 1) * n) / buckets)
    let lo = from
    let hi = from
    for (let i = from; i < to; i++) {
      if (y[i] < y[lo]) lo = i
      if (y[i] > y[hi]) hi = i
    }
    if (lo === hi) out.push(point(lo))
    else for (const i of lo < hi ? [lo, hi] : [hi, lo]) out.push(point(i))
  }
  return out
}
