// One sample row per recorder.sampleIntervalMs: the columns of SAMPLE_COLUMNS (src/common/samples.ts)
// written into one reused Float64Array, totals over all zones in KiB, block counts as
// /proc/buddyinfo prints them.
import { zoneAboveReportingWatermark } from '../common/reporting_rules'
import { COL, NR_ORDERS, NR_SAMPLE_COLUMNS, ZONE_NAMES } from '../common/samples'
import { NS_PER_MS } from './event_queue'
import type { HostBacking } from './host_backing'
import { LRU_ACTIVE_ANON, LRU_ACTIVE_FILE, LRU_INACTIVE_ANON, LRU_INACTIVE_FILE } from './mm/alloc_set'
import { type Compaction, fragmentationScoreNode } from './mm/compaction'
import type { PageAlloc } from './mm/page_alloc_api'
import type { Vmscan } from './mm/vmscan'
import type { PageReporting } from './page_reporting'

const KIB_PER_PAGE = 4

export interface SampleSources {
  readonly alloc: PageAlloc
  readonly reporting: PageReporting
  readonly host: HostBacking
  /** Live workload memory, in pages. */
  readonly allocatedPages: () => number
  /** The most workload memory held so far, in pages. */
  readonly allocatedPeakPages: () => number
  /** PAGE_REPORTING_CAPACITY of the run (the watermark gate's capacity << order). */
  readonly capacity: number
  /** Reported blocks below this order stay resident on the host (discardRefusal()); NR_ORDERS when the host discards none. */
  readonly hostDiscardMinOrder: number
  /** Reclaim and compaction, when the engine runs them. */
  readonly vm?: { readonly vmscan: Vmscan; readonly compaction: Compaction; readonly allocStall_ns: () => number }
}

const perZoneBase = ZONE_NAMES.map((z) => COL[`${z.toLowerCase()}_nr_free_0` as keyof typeof COL])

export class Sampler {
  /** Reused for every row: the consumer copies it. */
  readonly row = new Float64Array(NR_SAMPLE_COLUMNS)

  constructor(private readonly src: SampleSources) {}

  fill(t_ms: number): Float64Array {
    const { alloc, reporting, host } = this.src
    const r = this.row
    r.fill(0)
    r[COL.t_ms] = t_ms
    let free = 0
    let reportedPages = 0
    // why not returned (src/common/why_not_returned.ts), from counters the allocator keeps
    let noReporting = 0
    let belowOrder = 0
    let zoneGate = 0
    let merged = 0
    let awaiting = 0
    let keptByHost = 0
    const registered = reporting.device !== null
    const rawOrder = reporting.order
    // unset (-1) or above MAX_ORDER (5.14-6.2 sysfs): no order reaches it
    const order = rawOrder < 0 || rawOrder > NR_ORDERS ? NR_ORDERS : rawOrder
    const { capacity, hostDiscardMinOrder } = this.src
    let isolated = 0
    let pcp = 0
    let wmin = 0
    let wlow = 0
    let whigh = 0
    let boost = 0
    for (let z = 0; z < alloc.nrZones; z++) {
      free += alloc.nrFreePages(z)
      isolated += alloc.isolatedPages(z)
      pcp += alloc.pcpCount(z)
      wmin += alloc.wmarkMin(z)
      wlow += alloc.wmarkLow(z)
      whigh += alloc.wmarkHigh(z)
      boost += alloc.watermarkBoost(z)
      const zoneCol = z < perZoneBase.length ? perZoneBase[z] : -1
      // page_reporting_process_zone()'s gate as the next pass would see it now
      const gated = order < NR_ORDERS && !zoneAboveReportingWatermark(alloc.nrFreePages(z) - alloc.nrReservedHighatomic(z), alloc.wmarkLow(z), alloc.watermarkBoost(z), capacity, order)
      for (let o = 0; o < NR_ORDERS; o++) {
        const nf = alloc.nrFree(z, o)
        const nr = alloc.nrReported(z, o)
        r[COL.nr_free_0 + o] += nf
        r[COL.nr_reported_0 + o] += nr
        const pages = 2 ** o
        reportedPages += nr * pages
        if (o < hostDiscardMinOrder) keptByHost += nr * pages
        const unreported = (nf - nr) * pages
        if (!registered) noReporting += unreported
        else if (o < order) belowOrder += unreported
        else if (gated) zoneGate += unreported
        else {
          const nm = alloc.nrMergedReported(z, o) * pages
          merged += nm
          awaiting += unreported - nm
        }
        if (zoneCol >= 0) r[zoneCol + o] = nf
      }
    }
    r[COL.free_kib] = free * KIB_PER_PAGE
    r[COL.reported_kib] = reportedPages * KIB_PER_PAGE
    r[COL.isolated_kib] = isolated * KIB_PER_PAGE
    r[COL.pcp_kib] = pcp * KIB_PER_PAGE
    r[COL.host_rss_kib] = host.rssPages * KIB_PER_PAGE
    r[COL.reclaimed_kib] = host.reclaimedPages * KIB_PER_PAGE
    r[COL.refaulted_kib] = host.refaultedPages * KIB_PER_PAGE
    r[COL.report_calls] = reporting.reportCalls
    r[COL.reporting_state] = reporting.stateColumn
    r[COL.wmark_min_kib] = wmin * KIB_PER_PAGE
    r[COL.wmark_low_kib] = wlow * KIB_PER_PAGE
    r[COL.wmark_high_kib] = whigh * KIB_PER_PAGE
    r[COL.boost_kib] = boost * KIB_PER_PAGE
    r[COL.allocated_kib] = this.src.allocatedPages() * KIB_PER_PAGE
    r[COL.reporting_order] = reporting.order
    r[COL.report_errors] = reporting.reportErrors
    r[COL.allocated_peak_kib] = this.src.allocatedPeakPages() * KIB_PER_PAGE
    r[COL.guest_free_kib] = (free + pcp + isolated) * KIB_PER_PAGE
    r[COL.unreported_no_reporting_kib] = noReporting * KIB_PER_PAGE
    r[COL.unreported_below_order_kib] = belowOrder * KIB_PER_PAGE
    r[COL.unreported_zone_gate_kib] = zoneGate * KIB_PER_PAGE
    r[COL.unreported_merged_kib] = merged * KIB_PER_PAGE
    r[COL.unreported_awaiting_pass_kib] = awaiting * KIB_PER_PAGE
    r[COL.reported_kept_by_host_kib] = keptByHost * KIB_PER_PAGE
    const vm = this.src.vm
    if (vm !== undefined) {
      const { vmscan, compaction } = vm
      r[COL.active_anon_kib] = vmscan.lruPages(LRU_ACTIVE_ANON) * KIB_PER_PAGE
      r[COL.inactive_anon_kib] = vmscan.lruPages(LRU_INACTIVE_ANON) * KIB_PER_PAGE
      r[COL.active_file_kib] = vmscan.lruPages(LRU_ACTIVE_FILE) * KIB_PER_PAGE
      r[COL.inactive_file_kib] = vmscan.lruPages(LRU_INACTIVE_FILE) * KIB_PER_PAGE
      r[COL.swap_used_kib] = vmscan.swapUsedPages * KIB_PER_PAGE
      r[COL.kswapd_reclaimed_kib] = vmscan.pgstealKswapd * KIB_PER_PAGE
      r[COL.direct_reclaimed_kib] = vmscan.pgstealDirect * KIB_PER_PAGE
      r[COL.alloc_stall_ms] = vm.allocStall_ns() / NS_PER_MS
      r[COL.compact_migrated_kib] = compaction.compactMigrated * KIB_PER_PAGE
      r[COL.compact_free_taken_kib] = compaction.compactIsolatedFree * KIB_PER_PAGE
      r[COL.compact_reported_taken_kib] = compaction.compactReportedTaken * KIB_PER_PAGE
      r[COL.fragmentation_score] = fragmentationScoreNode(compaction.alloc)
    }
    return r
  }
}
