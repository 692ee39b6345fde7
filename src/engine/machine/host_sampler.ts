// One host_samples.csv row per host sample interval (src/common/host_samples.ts): the host's
// memory, then each guest's. A guest's cumulative counters stay at their last value after its VM
// ends; its RSS and swap drop to 0 (the memory went back to the host).
import { GUEST_RUNNING, HCOL, NR_HOST_COLUMNS, NR_HOST_GUEST_COLUMNS, GCOL, hostRowWidth } from '../../common/host_samples'
import { HostRowSummarizer } from '../../common/host_summary'
import type { HostBacking } from '../host_backing'
import { NS_PER_MS } from '../event_queue'
import type { HostMemory, HostSlot } from './host_memory'

const KIB = 4

/** A guest as the sampler reads it (host_simulation.ts GuestRun). */
export interface SampledGuest {
  readonly slot: HostSlot
  readonly state: number
  readonly guestFree_kib: number
  readonly allocated_kib: number
  /** Counters frozen when its VM ended (null before). */
  readonly final: GuestCounters | null
}

/** The cumulative per-guest counters, in KiB and ms. */
export interface GuestCounters {
  readonly swappedOut_kib: number
  readonly swappedIn_kib: number
  readonly swapInStall_ms: number
  readonly returned_kib: number
  readonly swapFreedByReporting_kib: number
  readonly peakRss_kib: number
  readonly peakSwap_kib: number
}

export function countersOf(b: HostBacking): GuestCounters {
  return {
    swappedOut_kib: b.swappedOutPages * KIB,
    swappedIn_kib: b.swappedInPages * KIB,
    swapInStall_ms: b.swapInCost_ns / NS_PER_MS,
    returned_kib: b.reclaimedPages * KIB,
    swapFreedByReporting_kib: b.swapDiscardedPages * KIB,
    peakRss_kib: b.peakRssPages * KIB,
    peakSwap_kib: b.peakSwapPages * KIB,
  }
}

const ZERO: GuestCounters = { swappedOut_kib: 0, swappedIn_kib: 0, swapInStall_ms: 0, returned_kib: 0, swapFreedByReporting_kib: 0, peakRss_kib: 0, peakSwap_kib: 0 }

/** The guest's counters now: live while it runs, frozen after. */
export const guestCounters = (g: SampledGuest): GuestCounters => g.final ?? (g.slot.backing !== null ? countersOf(g.slot.backing) : ZERO)

export class HostSampler {
  readonly row: Float64Array
  readonly summarizer: HostRowSummarizer

  constructor(
    private readonly memory: HostMemory,
    guests: number,
  ) {
    this.row = new Float64Array(hostRowWidth(guests))
    this.summarizer = new HostRowSummarizer(guests)
  }

  fill(t_ms: number, guests: readonly SampledGuest[]): Float64Array {
    const m = this.memory
    const r = this.row
    r[HCOL.t_ms] = t_ms
    let running = 0
    let swappedIn = 0
    let stall = 0
    let returned = 0
    let swapFreed = 0
    for (let i = 0; i < guests.length; i++) {
      const g = guests[i]
      const c = guestCounters(g)
      const b = g.slot.backing
      const live = g.state === GUEST_RUNNING && b !== null
      if (live) running++
      swappedIn += c.swappedIn_kib
      stall += c.swapInStall_ms
      returned += c.returned_kib
      swapFreed += c.swapFreedByReporting_kib
      const base = NR_HOST_COLUMNS + i * NR_HOST_GUEST_COLUMNS
      r[base + GCOL.state] = g.state
      r[base + GCOL.rss_kib] = live ? b.rssPages * KIB : 0
      r[base + GCOL.swap_kib] = live ? b.swapPages * KIB : 0
      r[base + GCOL.swapped_out_kib] = c.swappedOut_kib
      r[base + GCOL.swapped_in_kib] = c.swappedIn_kib
      r[base + GCOL.swapin_stall_ms] = c.swapInStall_ms
      r[base + GCOL.reclaim_stall_ms] = g.slot.reclaimStall_ns / NS_PER_MS
      r[base + GCOL.returned_kib] = c.returned_kib
      r[base + GCOL.guest_free_kib] = live ? g.guestFree_kib : 0
      r[base + GCOL.allocated_kib] = live ? g.allocated_kib : 0
    }
    r[HCOL.guests_running] = running
    r[HCOL.guests_rss_kib] = m.rssPages * KIB
    r[HCOL.host_free_kib] = m.freePages * KIB
    r[HCOL.swap_used_kib] = m.swapUsedPages * KIB
    r[HCOL.swapped_out_kib] = (m.kswapdReclaimedPages + m.directReclaimedPages) * KIB
    r[HCOL.swapped_in_kib] = swappedIn
    r[HCOL.swapin_stall_ms] = stall
    r[HCOL.reclaim_stall_ms] = m.reclaimStall_ns / NS_PER_MS
    r[HCOL.kswapd_reclaimed_kib] = m.kswapdReclaimedPages * KIB
    r[HCOL.direct_reclaimed_kib] = m.directReclaimedPages * KIB
    r[HCOL.oom_kills] = m.oomKills
    r[HCOL.reporting_returned_kib] = returned
    r[HCOL.reporting_swap_freed_kib] = swapFreed
    this.summarizer.addRow(r)
    return r
  }
}
