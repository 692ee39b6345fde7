// What the Host view draws from a host run (src/common/host_api.ts HostRunView), as plain data:
// each guest's RSS stacked against the host's RAM, each guest's share of host swap stacked
// against the swap size, each guest's swap-in stall per second, and one table row per guest.
import type { HostRunView } from '../../../../common/host_api'
import { GUEST_RUNNING, guestCol, hostRowWidth, type HostGuestColumn } from '../../../../common/host_samples'
import type { HostGuestSummary } from '../../../../common/host_summary'
import { formatKiB, formatMs } from '../../../../common/units'

export interface HostLine {
  readonly name: string
  /** [time in s, value] */
  readonly data: readonly (readonly [number, number])[]
  /** Stacked lines share a stack and fill the area below them. */
  readonly stacked: boolean
  /** A limit (host RAM, swap size): dashed, never stacked. */
  readonly limit: boolean
}

export interface HostChartData {
  readonly title: string
  readonly unit: string
  readonly lines: readonly HostLine[]
}

const GIB = 1024 * 1024

/** "1 clang #2": the guest number, then its label. */
export const guestName = (g: Pick<HostGuestSummary, 'guest' | 'label'>): string => `${g.guest} ${g.label}`

function rowCount(view: HostRunView): number {
  return Math.floor(view.rows.length / hostRowWidth(view.summary.guests))
}

function column(view: HostRunView, guest: number, c: HostGuestColumn, scale: number): [number, number][] {
  const width = hostRowWidth(view.summary.guests)
  const out: [number, number][] = []
  const n = rowCount(view)
  for (let r = 0; r < n; r++) out.push([view.rows[r * width] / 1000, view.rows[r * width + guestCol(guest, c)] / scale])
  return out
}

function limitLine(view: HostRunView, name: string, value: number): HostLine {
  const n = rowCount(view)
  const width = hostRowWidth(view.summary.guests)
  const t1 = n > 0 ? view.rows[(n - 1) * width] / 1000 : 0
  return { name, data: [[0, value], [t1, value]], stacked: false, limit: true }
}

export function rssChart(view: HostRunView): HostChartData {
  const s = view.summary
  const lines: HostLine[] = s.guest_summaries.map((g) => ({ name: guestName(g), data: column(view, g.guest, 'rss_kib', GIB), stacked: true, limit: false }))
  lines.push(limitLine(view, 'host RAM for guests', s.available_kib / GIB))
  lines.push(limitLine(view, 'host RAM', s.host_memory_kib / GIB))
  return { title: "Guests' RSS on the host, stacked, against the host's RAM", unit: 'GiB', lines }
}

export function swapChart(view: HostRunView): HostChartData {
  const s = view.summary
  const lines: HostLine[] = s.guest_summaries.map((g) => ({ name: guestName(g), data: column(view, g.guest, 'swap_kib', GIB), stacked: true, limit: false }))
  if (s.swap_kib > 0) lines.push(limitLine(view, 'host swap', s.swap_kib / GIB))
  return { title: 'Host swap holding each guest’s memory, stacked', unit: 'GiB', lines }
}

/** Swap-in stall per second of each interval between the rows the view has, per guest (0 while it does not run). */
export function stallChart(view: HostRunView): HostChartData {
  const width = hostRowWidth(view.summary.guests)
  const n = rowCount(view)
  const lines: HostLine[] = view.summary.guest_summaries.map((g) => {
    const data: [number, number][] = []
    for (let r = 0; r < n; r++) {
      const t = view.rows[r * width]
      if (r === 0) {
        data.push([t / 1000, 0])
        continue
      }
      const dt = (t - view.rows[(r - 1) * width]) / 1000
      const running = view.rows[r * width + guestCol(g.guest, 'state')] === GUEST_RUNNING
      const d = view.rows[r * width + guestCol(g.guest, 'swapin_stall_ms')] - view.rows[(r - 1) * width + guestCol(g.guest, 'swapin_stall_ms')]
      data.push([t / 1000, running && dt > 0 ? Math.max(0, d) / dt : 0])
    }
    return { name: guestName(g), data, stacked: false, limit: false }
  })
  return { title: 'Swap-in stall of each guest', unit: 'ms of stall per s', lines }
}

/** One row of the guest table: what the guest's reporting returned and what the host's memory cost it. */
export interface GuestRow {
  readonly guest: number
  readonly name: string
  readonly status: string
  readonly life: string
  readonly rss: string
  readonly returned: string
  readonly reportCalls: number
  readonly swap: string
  readonly swapIn: string
  readonly stall: string
  readonly reclaimStall: string
  readonly allocFailures: number
  /** The row says something went wrong (killed, failures, stall). */
  readonly problem: boolean
}

export function guestRows(view: HostRunView): GuestRow[] {
  return view.summary.guest_summaries.map((g) => ({
    guest: g.guest,
    name: guestName(g),
    status: g.status === 'killed' ? `killed (OOM, badness ${formatKiB((g.oom_badness ?? 0) * 4)})` : g.status,
    life: g.end_ms === null ? `starts at ${formatMs(g.start_ms)}` : `${formatMs(g.start_ms)} – ${formatMs(g.end_ms)}`,
    rss: `${formatKiB(g.mean_rss_kib)} mean, ${formatKiB(g.peak_rss_kib)} peak`,
    returned: formatKiB(g.returned_kib),
    reportCalls: g.report_calls,
    swap: `${formatKiB(g.swapped_out_kib)} out, ${formatKiB(g.peak_swap_kib)} peak`,
    swapIn: formatKiB(g.swapped_in_kib),
    stall: `${formatMs(g.swapin_stall_ms)} (${g.swapin_ms_per_s.toFixed(2)} ms/s, ${g.swapin_ms_per_s_max.toFixed(1)} at worst)`,
    reclaimStall: formatMs(g.reclaim_stall_ms),
    allocFailures: g.alloc_failures,
    problem: g.status === 'killed' || g.alloc_failures > 0 || g.swapin_stall_ms > 0,
  }))
}

/** The host's headline figures as label/value pairs. */
export function hostFigures(view: HostRunView): { label: string; value: string }[] {
  const s = view.summary
  return [
    { label: 'host RAM', value: `${formatKiB(s.host_memory_kib)} (${formatKiB(s.available_kib)} for guests)` },
    { label: 'swap', value: s.swap_kib > 0 ? formatKiB(s.swap_kib) : 'none' },
    { label: "guests' RSS", value: `${formatKiB(s.mean_guests_rss_kib)} mean, ${formatKiB(s.peak_guests_rss_kib)} peak` },
    { label: 'lowest free', value: formatKiB(s.min_host_free_kib) },
    { label: 'swapped out / in', value: `${formatKiB(s.swapped_out_kib)} / ${formatKiB(s.swapped_in_kib)}` },
    { label: 'worst swap-in stall', value: `${s.swapin_ms_per_s.toFixed(2)} ms/s (${s.swapin_ms_per_s_max.toFixed(1)} at worst)` },
    { label: 'OOM kills', value: String(s.oom_kills) },
    { label: 'reporting returned', value: formatKiB(s.reporting_returned_kib) },
    { label: 'simulated', value: `${formatMs(s.sim_ms)} in ${formatMs(s.wall_ms)}` },
  ]
}
