// The figures the validation compares between a real guest and the lab (issue 13 part 1), computed
// the same way from either side: report calls grouped into passes, what was reported, how host RSS
// fell and how far the two RSS curves are apart, and what the per-CPU lists kept. Times are ms on
// the experiment's axis (0 = the guest's time 0 in the mirroring experiment).

/** One free of the workload (a `free_done` of the recording): the window its figures cover. */
export interface Release {
  readonly label: string
  /** The free began (its `cmd` event): host RSS "before" is read here. */
  readonly start_ms: number
  /** The free returned (`free_done`): pass times count from here, as the recordings' summary.json does. */
  readonly done_ms: number
  /** The window ends a minute after the free, or earlier where the next free or the script's end comes. */
  readonly end_ms: number
  readonly freedMiB: number
  /** An every-other free came before or is this one: freed memory lies in holes between kept chunks. */
  readonly striped: boolean
}

export interface Point {
  readonly t_ms: number
  readonly v: number
}

/** What one side (real or simulated) did, on the experiment's time axis. */
export interface Trace {
  /** One per report() call: when it was made and how much it carried, MiB. */
  readonly reports: readonly Point[]
  /** Host RSS of guest memory, MiB (absolute values differ: only drops are compared). */
  readonly rss: readonly Point[]
  /** Pages on the per-CPU lists of every zone and CPU, MiB. */
  readonly pcp: readonly Point[]
  /** /proc/buddyinfo summed over the zones: free blocks per order. */
  readonly buddy: readonly BuddySample[]
}

export interface BuddySample {
  readonly t_ms: number
  readonly nr_free: readonly number[]
}

/** Free memory in blocks of at least `minOrder` at `t_ms` (the last sample at or before it), MiB. */
export function freeAtOrderMiB(buddy: readonly BuddySample[], t_ms: number, minOrder: number): number {
  let at: BuddySample | undefined
  for (const b of buddy) {
    if (b.t_ms > t_ms) break
    at = b
  }
  if (at === undefined) return Number.NaN
  let pages = 0
  for (let o = minOrder; o < at.nr_free.length; o++) pages += at.nr_free[o] * 2 ** o
  return pages / 256
}

export interface Pass {
  /** Seconds from the free's return to the pass's first report() call. */
  readonly t_s: number
  readonly calls: number
  readonly mib: number
}

export interface ReleaseFigures {
  readonly passes: readonly Pass[]
  /** As the kprobe estimates it: nents x sg[0]'s length per call. */
  readonly reportedMiB: number
  readonly rssDropMiB: number
  /** Per-CPU list contents at the end of the window, MiB. */
  readonly residueMiB: number
  /** How much the per-CPU lists grew over the window (end minus before the free), MiB: freed, kept there, never reported. */
  readonly pcpGrowthMiB: number
}

/** Report calls closer than this belong to one pass: passes are at least 2 s apart (PAGE_REPORTING_DELAY). */
export const PASS_GAP_MS = 1000
/** The RSS curves are compared over the minute after each free. */
export const RELEASE_WINDOW_MS = 60_000

/** The value of a step series at `t_ms`: the last point at or before it (the first point before the series starts). */
export function valueAt(series: readonly Point[], t_ms: number): number {
  if (series.length === 0) return Number.NaN
  let lo = 0
  let hi = series.length - 1
  if (series[0].t_ms > t_ms) return series[0].v
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (series[mid].t_ms <= t_ms) lo = mid
    else hi = mid - 1
  }
  return series[lo].v
}

/** The report() calls of a window, grouped into passes (calls less than PASS_GAP_MS apart). */
export function passesOf(reports: readonly Point[], release: Release): Pass[] {
  const passes: { t_ms: number; last_ms: number; calls: number; mib: number }[] = []
  for (const r of reports) {
    if (r.t_ms < release.start_ms || r.t_ms > release.end_ms) continue
    const last = passes[passes.length - 1]
    if (last !== undefined && r.t_ms - last.last_ms < PASS_GAP_MS) {
      last.calls++
      last.mib += r.v
      last.last_ms = r.t_ms
    } else {
      passes.push({ t_ms: r.t_ms, last_ms: r.t_ms, calls: 1, mib: r.v })
    }
  }
  return passes.map((p) => ({ t_s: (p.t_ms - release.done_ms) / 1000, calls: p.calls, mib: p.mib }))
}

export function releaseFigures(trace: Trace, release: Release): ReleaseFigures {
  const passes = passesOf(trace.reports, release)
  return {
    passes,
    reportedMiB: passes.reduce((s, p) => s + p.mib, 0),
    rssDropMiB: valueAt(trace.rss, release.start_ms) - valueAt(trace.rss, release.end_ms),
    residueMiB: valueAt(trace.pcp, release.end_ms),
    pcpGrowthMiB: valueAt(trace.pcp, release.end_ms) - valueAt(trace.pcp, release.start_ms),
  }
}

export interface CurveError {
  readonly rmseMiB: number
  readonly maxMiB: number
  /** Where the largest difference is, ms on the experiment's axis. */
  readonly maxAt_ms: number
  readonly samples: number
}

/**
 * How far the simulated RSS drop is from the real one over a window, at the real samples' times:
 * drop(t) = RSS(start) - RSS(t) on each side (absolute RSS includes QEMU itself on the real side).
 */
export function curveError(real: Trace, sim: Trace, release: Release): CurveError {
  const realBefore = valueAt(real.rss, release.start_ms)
  const simBefore = valueAt(sim.rss, release.start_ms)
  let sum = 0
  let n = 0
  let max = 0
  let maxAt = release.start_ms
  for (const p of real.rss) {
    if (p.t_ms <= release.start_ms || p.t_ms > release.end_ms) continue
    const e = simBefore - valueAt(sim.rss, p.t_ms) - (realBefore - p.v)
    sum += e * e
    n++
    if (Math.abs(e) > max) {
      max = Math.abs(e)
      maxAt = p.t_ms
    }
  }
  return { rmseMiB: n > 0 ? Math.sqrt(sum / n) : 0, maxMiB: max, maxAt_ms: maxAt, samples: n }
}
