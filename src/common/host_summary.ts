// summary.json of a host experiment: the host's headline figures and one entry per guest. The
// time-averaged figures come from the host sample rows (as HyperAlloc averages its RSS traces:
// the mean over equally spaced samples); peaks are exact (kept by the engine between samples).
import { GUEST_RUNNING, HCOL, guestCol } from './host_samples'

export interface HostGuestSummary {
  readonly guest: number
  readonly label: string
  readonly seed: number
  readonly memory_mib: number
  readonly start_ms: number
  /** Host time the VM ended; null if it never started. */
  readonly end_ms: number | null
  readonly status: 'not started' | 'exited' | 'killed' | 'stopped'
  readonly peak_rss_kib: number
  /** Mean RSS over the host samples while it ran. */
  readonly mean_rss_kib: number
  readonly peak_swap_kib: number
  readonly swapped_out_kib: number
  readonly swapped_in_kib: number
  readonly swapin_stall_ms: number
  /** Swap-in stall per second of its life. */
  readonly swapin_ms_per_s: number
  /** The largest swap-in stall per second over one host sample interval. */
  readonly swapin_ms_per_s_max: number
  readonly reclaim_stall_ms: number
  /** Host RSS its free page reporting gave back (cumulative discards). */
  readonly returned_kib: number
  readonly report_calls: number
  readonly refault_cost_ms: number
  readonly alloc_failures: number
  /** oom_badness() when the OOM killer chose it, in pages. */
  readonly oom_badness: number | null
}

export interface HostSummary {
  readonly name: string
  readonly guests: number
  readonly host_memory_kib: number
  /** RAM guests may use: host RAM minus the host's own share. */
  readonly available_kib: number
  readonly swap_kib: number
  readonly wmark_min_kib: number
  readonly wmark_low_kib: number
  readonly wmark_high_kib: number
  readonly peak_guests_rss_kib: number
  readonly mean_guests_rss_kib: number
  readonly min_host_free_kib: number
  readonly peak_swap_used_kib: number
  readonly swapped_out_kib: number
  readonly swapped_in_kib: number
  readonly swapin_stall_ms: number
  readonly reclaim_stall_ms: number
  readonly kswapd_reclaimed_kib: number
  readonly direct_reclaimed_kib: number
  readonly thp_fallbacks: number
  readonly oom_kills: number
  /** Failed guest allocations, all guests together. */
  readonly alloc_failures: number
  /** The worst guest's swap-in stall per second of its life. */
  readonly swapin_ms_per_s: number
  /** The worst guest's worst host sample interval. */
  readonly swapin_ms_per_s_max: number
  readonly reporting_returned_kib: number
  readonly sim_ms: number
  readonly wall_ms: number
  readonly events_processed: number
  readonly guest_summaries: readonly HostGuestSummary[]
}

/** Figures of a host summary that are numbers: what fit objectives and sweep tables use. */
export type HostFigure = { [K in keyof HostSummary]: HostSummary[K] extends number ? K : never }[keyof HostSummary]

/** Means and worst rates from the host rows, fed as they are recorded. */
export class HostRowSummarizer {
  private rows = 0
  private rssSum = 0
  private readonly guestRows: Float64Array
  private readonly guestRssSum: Float64Array
  private readonly lastStall: Float64Array
  private readonly lastT: Float64Array
  readonly worstRate: Float64Array

  constructor(readonly guests: number) {
    this.guestRows = new Float64Array(guests)
    this.guestRssSum = new Float64Array(guests)
    this.lastStall = new Float64Array(guests)
    this.lastT = new Float64Array(guests).fill(NaN)
    this.worstRate = new Float64Array(guests)
  }

  addRow(row: ArrayLike<number>): void {
    this.rows++
    this.rssSum += row[HCOL.guests_rss_kib]
    const t = row[HCOL.t_ms]
    for (let g = 1; g <= this.guests; g++) {
      const i = g - 1
      const stall = row[guestCol(g, 'swapin_stall_ms')]
      if (row[guestCol(g, 'state')] === GUEST_RUNNING) {
        this.guestRows[i]++
        this.guestRssSum[i] += row[guestCol(g, 'rss_kib')]
        if (!Number.isNaN(this.lastT[i]) && t > this.lastT[i]) {
          const rate = (stall - this.lastStall[i]) / ((t - this.lastT[i]) / 1000)
          if (rate > this.worstRate[i]) this.worstRate[i] = rate
        }
        this.lastT[i] = t
      }
      this.lastStall[i] = stall
    }
  }

  get meanGuestsRss_kib(): number {
    return this.rows === 0 ? 0 : this.rssSum / this.rows
  }

  meanRss_kib(guest: number): number {
    const i = guest - 1
    return this.guestRows[i] === 0 ? 0 : this.guestRssSum[i] / this.guestRows[i]
  }
}

/** One line per host figure a person reads first: what fit, what did not, and what it cost. */
export function hostHeadlineLines(s: HostSummary): string[] {
  const gib = (kib: number): string => `${(kib / 1048576).toFixed(2)} GiB`
  const lines = [
    `${s.guests} guest${s.guests === 1 ? '' : 's'} on ${gib(s.host_memory_kib)} (${gib(s.available_kib)} for guests${s.swap_kib > 0 ? `, ${gib(s.swap_kib)} swap` : ', no swap'})`,
    `guests' RSS: mean ${gib(s.mean_guests_rss_kib)}, peak ${gib(s.peak_guests_rss_kib)}; host free at least ${gib(s.min_host_free_kib)}`,
  ]
  if (s.swapped_out_kib > 0 || s.swap_kib > 0) {
    lines.push(
      `swap: peak ${gib(s.peak_swap_used_kib)} used; ${gib(s.swapped_out_kib)} swapped out (kswapd ${gib(s.kswapd_reclaimed_kib)}, direct reclaim ${gib(s.direct_reclaimed_kib)}), ${gib(s.swapped_in_kib)} swapped back in`,
      `swap-in stall: worst guest ${s.swapin_ms_per_s.toFixed(2)} ms/s over its life, ${s.swapin_ms_per_s_max.toFixed(2)} ms/s at worst; direct reclaim stalled guests ${s.reclaim_stall_ms.toFixed(1)} ms`,
    )
  }
  if (s.oom_kills > 0) {
    const killed = s.guest_summaries.filter((g) => g.status === 'killed')
    lines.push(`OOM: ${s.oom_kills} guest${s.oom_kills === 1 ? '' : 's'} killed: ${killed.map((g) => `guest ${g.guest} (${g.label}) at ${((g.end_ms ?? 0) / 1000).toFixed(1)} s`).join(', ')}`)
  } else lines.push('no OOM kill')
  lines.push(`free page reporting gave the host back ${gib(s.reporting_returned_kib)} over all guests`)
  return lines
}
