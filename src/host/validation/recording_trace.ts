// The real side of a validation: a recording folder (src/host/guest/recording_import.ts) put on the
// mirroring experiment's time axis (recordingTimeZero()), and the frees its figures are taken around.
import { recordingTimeZero } from '../guest/experiment_from_recording'
import type { Recording } from '../guest/recording_import'
import { RELEASE_WINDOW_MS, type BuddySample, type Point, type Release, type Trace } from './figures'

const MIB = 1024 * 1024
const PAGE_MIB = 4096 / MIB

const field = (event: string, key: string): number | null => {
  const m = new RegExp(`\\b${key}=(\\d+)`).exec(event)
  return m ? Number(m[1]) : null
}

export interface RealSide {
  readonly trace: Trace
  readonly releases: readonly Release[]
  /** The guest's clock at the experiment's time 0, ms. */
  readonly t0_guest_ms: number
  readonly end_ms: number
}

export function realSide(rec: Recording): RealSide {
  const { t0, scriptDone } = recordingTimeZero(rec.events)
  const at = (guest_ms: number): number => guest_ms - t0
  const events = rec.events.map((e) => ({ t_ms: at(e.guest_ms), event: e.event }))
  const end_ms = at(scriptDone)

  const reports: Point[] = rec.reports.map((r) => ({ t_ms: at(r.guest_ms), v: (r.nents * r.len0_bytes) / MIB }))
  // host_rss.csv is on the host's clock: guest = host - clock offset
  const rss: Point[] = rec.hostRss.map((r) => ({ t_ms: at(r.t_ms - rec.clockOffsetMs), v: r.rss_kib / 1024 }))
  const pcp: Point[] = []
  for (const row of rec.pcp) {
    const pages = row.pcp.reduce<number>((s, c) => s + (c ?? 0), 0)
    const t_ms = at(row.guest_ms)
    const last = pcp[pcp.length - 1]
    // one row per zone at each sample time: add the zones up
    if (last !== undefined && last.t_ms === t_ms) pcp[pcp.length - 1] = { t_ms, v: last.v + pages * PAGE_MIB }
    else pcp.push({ t_ms, v: pages * PAGE_MIB })
  }

  const buddy: BuddySample[] = []
  for (const row of rec.buddy) {
    const t_ms = at(row.guest_ms)
    const last = buddy[buddy.length - 1]
    if (last !== undefined && last.t_ms === t_ms) buddy[buddy.length - 1] = { t_ms, nr_free: last.nr_free.map((n, o) => n + (row.nr_free[o] ?? 0)) }
    else buddy.push({ t_ms, nr_free: [...row.nr_free] })
  }

  const frees = events.filter((e) => e.event.startsWith('free_done'))
  const starts = events.filter((e) => /^cmd (free|freestripe)\b/.test(e.event))
  const releases: Release[] = frees.map((f) => {
    const start = starts.filter((s) => s.t_ms <= f.t_ms).pop()
    const next = starts.find((s) => s.t_ms > f.t_ms)
    const bytes = field(f.event, 'bytes') ?? 0
    const command = start?.event.slice('cmd '.length) ?? 'free'
    return {
      striped: starts.some((c) => c.t_ms <= f.t_ms && c.event.startsWith('cmd freestripe')),
      label: `${command}: ${Math.round(bytes / MIB)} MiB`,
      start_ms: start?.t_ms ?? f.t_ms,
      done_ms: f.t_ms,
      end_ms: Math.min(f.t_ms + RELEASE_WINDOW_MS, next?.t_ms ?? Infinity, end_ms),
      freedMiB: bytes / MIB,
    }
  })
  return { trace: { reports, rss, pcp, buddy }, releases, t0_guest_ms: t0, end_ms }
}
