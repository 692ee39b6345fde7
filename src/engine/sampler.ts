// One sample row per recorder.sampleIntervalMs: the columns of SAMPLE_COLUMNS (src/common/samples.ts)
// written into one reused Float64Array, totals over all zones in KiB, block counts as
// /proc/buddyinfo prints them.
import { COL, NR_ORDERS, NR_SAMPLE_COLUMNS, ZONE_NAMES } from '../common/samples'
import type { HostBacking } from './host_backing'
import type { PageAlloc } from './mm/page_alloc_api'
import type { PageReporting } from './page_reporting'

const KIB_PER_PAGE = 4

export interface SampleSources {
  readonly alloc: PageAlloc
  readonly reporting: PageReporting
  readonly host: HostBacking
  /** Live workload memory, in pages. */
  readonly allocatedPages: () => number
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
      for (let o = 0; o < NR_ORDERS; o++) {
        const nf = alloc.nrFree(z, o)
        const nr = alloc.nrReported(z, o)
        r[COL.nr_free_0 + o] += nf
        r[COL.nr_reported_0 + o] += nr
        reportedPages += nr * 2 ** o
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
    return r
  }
}
