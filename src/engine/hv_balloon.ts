// The Linux hv_balloon driver's "cold memory discard hint" (kernel-spec §3.2), by version
// (drivers/hv/hv_balloon.c hv_free_page_report(), read in 6.1 and 6.6): one
// HV_EXT_CALL_MEMORY_HEAT_HINT hypercall per report.
// 6.3+: ranges of order >= 9 as 2 MiB large pages and smaller ones as 4 KiB ranges;
// HV_STATUS_INVALID_PARAMETER forces page_reporting_order to pageblock_order; dm_thread_func
// (every 1 s) unregisters after HV_MAX_FAILURES counted failures.
// 5.13-6.2: every range as 2 MiB pages ("page reporting only reports 2MB pages or higher"):
// base_large_pfn = pfn >> 9, additional_pages = length / 2 MiB - 1 in an 11-bit field, so a block
// below 2 MiB (page_reporting_order lowered through sysfs) names 2048 2 MiB pages (4 GiB) from its
// 2 MiB frame, memory in use included; a failed hypercall returns -EINVAL and nothing else.
import { HV_LARGE_REPORTING_ORDER, hvRefusesOrder } from '../common/reporting_rules'
import type { SimEvent } from '../common/samples'
import { NS_PER_MS, NS_PER_US } from './event_queue'
import { type HostBacking, discardBatch } from './host_backing'
import type { HvReporting } from '../common/kernel_version'
import { EINVAL, type PageReportingDevice, type ReportResult, type Scatterlist } from './page_reporting'

export { HV_LARGE_REPORTING_ORDER }
export const HV_MAX_FAILURES = 2
/** dm_thread_func waits on config_event with a 1 s timeout. */
export const DM_THREAD_PERIOD_MS = 1000

export type HvStatus = 'HV_STATUS_SUCCESS' | 'HV_STATUS_INVALID_PARAMETER' | 'HV_STATUS_INSUFFICIENT_MEMORY'

/** union hv_gpa_page_range: additional_pages is 11 bits wide. */
const ADDITIONAL_PAGES_MASK = 0x7ff
const LARGE_PAGE_PAGES = 1 << HV_LARGE_REPORTING_ORDER

/**
 * The guest pages a 5.13-6.2 range names for a block of 2^order pages at `pfn`: 2 MiB pages from
 * pfn >> 9, (length / 2 MiB - 1) & 0x7ff + 1 of them.
 */
export function largePageRange(pfn: number, order: number): { startPfn: number; pages: number } {
  const additional = (Math.floor(2 ** order / LARGE_PAGE_PAGES) - 1) & ADDITIONAL_PAGES_MASK
  return { startPfn: Math.floor(pfn / LARGE_PAGE_PAGES) * LARGE_PAGE_PAGES, pages: (additional + 1) * LARGE_PAGE_PAGES }
}

export interface HvBalloonConfig {
  /** The driver generation of the guest kernel (kernel_version.ts hvReportingOf()). */
  readonly generation: Exclude<HvReporting, 'none'>
  /** The host accepts 4 KiB-granular ranges (orders below 9; only a 6.3+ driver sends them). */
  readonly acceptsSmallOrders: boolean
  /** Every hypercall after this many fails (fault injection); null: never. */
  readonly failAfterReports: number | null
  readonly hostDiscard: boolean
  readonly reportLatencyUs: number
  readonly pageblockOrder: number
  readonly host: HostBacking
  /** End of guest physical memory: a range the driver names is cut here. */
  readonly maxPfn: number
  /** page_reporting_order = pageblock_order, as the driver writes the global. */
  readonly forceReportingOrder: (order: number) => void
  /** disable_page_reporting(): page_reporting_unregister(). */
  readonly unregister: () => void
  readonly now_ms: () => number
  readonly emit: ((event: SimEvent) => void) | null
}

export class HvBalloon implements PageReportingDevice {
  readonly name = 'hv-balloon'
  /** prdev->order left 0: pageblock_order at registration (5.14-6.2), "the page_reporting_order parameter decide[s]" (6.3+). */
  readonly order = 0
  /** hv_hypercall_multi_failure */
  failures = 0
  hypercalls = 0
  /** dm_device.pr_dev_info.report is set: the driver registered with page_reporting. */
  registered = false

  constructor(private readonly cfg: HvBalloonConfig) {}

  // models hv_free_page_report()
  report(sgl: Scatterlist, start: number, nents: number): ReportResult {
    return this.cfg.generation === 'large-pages' ? this.reportLargePages(sgl, start, nents) : this.reportAnyOrder(sgl, start, nents)
  }

  /** 6.3+ */
  private reportAnyOrder(sgl: Scatterlist, start: number, nents: number): ReportResult {
    const n = this.hypercalls++
    let dur_ns = Math.round(this.cfg.reportLatencyUs * NS_PER_US)
    // union hv_gpa_page_range: order >= 9 as 2 MiB large pages, smaller blocks as 4 KiB ranges
    let small = 0
    let refused = false
    for (let i = start; i < start + nents; i++) {
      if (sgl.order[i] < HV_LARGE_REPORTING_ORDER) small++
      if (hvRefusesOrder(this.cfg.acceptsSmallOrders, sgl.order[i])) refused = true
    }
    const encoding = `${nents - small} x 2M-page ranges, ${small} x 4K-page ranges`
    let status: HvStatus = 'HV_STATUS_SUCCESS'
    if (refused) status = 'HV_STATUS_INVALID_PARAMETER'
    else if (this.failsNow(n)) status = 'HV_STATUS_INSUFFICIENT_MEMORY'
    if (status !== 'HV_STATUS_SUCCESS') {
      // a failure is counted only once an INVALID_PARAMETER started the count
      if (this.failures > 0) this.failures++
      if (status === 'HV_STATUS_INVALID_PARAMETER') {
        this.cfg.forceReportingOrder(this.cfg.pageblockOrder)
        this.failures++
      }
      this.cfg.emit?.({ t_ms: this.cfg.now_ms(), kind: 'discard', count: 0, kib: 0, dur_ms: dur_ns / NS_PER_MS, detail: `hypercall failed: ${status} (${encoding}; failures ${this.failures})` })
      return { err: -EINVAL, dur_ns }
    }
    let detail: string | undefined
    let freedPages = 0
    let ranges = 0
    if (this.cfg.hostDiscard) {
      const d = discardBatch(this.cfg.host, sgl.pfn, sgl.order, start, nents)
      dur_ns += d.cost_ns
      freedPages = d.freedPages
      ranges = d.discardedRanges
      if (d.unalignedRanges > 0) detail = `${d.unalignedRanges} ranges not aligned to the backing page: skipped`
    } else {
      detail = 'discard inhibited: hint accepted, nothing freed'
    }
    this.cfg.emit?.({ t_ms: this.cfg.now_ms(), kind: 'discard', count: ranges, kib: freedPages * 4, dur_ms: dur_ns / NS_PER_MS, detail: detail === undefined ? encoding : `${encoding}; ${detail}` })
    return { err: 0, dur_ns }
  }

  /** 5.13-6.2: every range as 2 MiB pages; a failure is only -EINVAL. */
  private reportLargePages(sgl: Scatterlist, start: number, nents: number): ReportResult {
    const n = this.hypercalls++
    let dur_ns = Math.round(this.cfg.reportLatencyUs * NS_PER_US)
    let wrapped = 0
    for (let i = start; i < start + nents; i++) if (sgl.order[i] < HV_LARGE_REPORTING_ORDER) wrapped++
    const encoding = `${nents} x 2M-page ranges${wrapped > 0 ? `, ${wrapped} of them for blocks below 2 MiB: additional_pages wraps to 2047, each names 4 GiB from the block's 2 MiB frame` : ''}`
    if (this.failsNow(n)) {
      // pr_err("Cold memory discard hypercall failed ..."); return -EINVAL: no order reset, no count
      this.cfg.emit?.({ t_ms: this.cfg.now_ms(), kind: 'discard', count: 0, kib: 0, dur_ms: dur_ns / NS_PER_MS, detail: `hypercall failed: HV_STATUS_INSUFFICIENT_MEMORY (${encoding}); this driver (5.13-6.2) keeps reporting` })
      return { err: -EINVAL, dur_ns }
    }
    let detail: string | undefined
    let freedPages = 0
    let ranges = 0
    if (this.cfg.hostDiscard) {
      // the host drops what the hint names: a wrapped range takes guest memory in use with it
      let unaligned = 0
      for (let i = start; i < start + nents; i++) {
        const r = largePageRange(sgl.pfn[i], sgl.order[i])
        const end = Math.min(r.startPfn + r.pages, this.cfg.maxPfn)
        for (let p = r.startPfn; p < end; p += LARGE_PAGE_PAGES) {
          const d = this.cfg.host.discard(p, Math.min(LARGE_PAGE_PAGES, end - p))
          if (d.unaligned) {
            unaligned++
            continue
          }
          freedPages += d.freedPages
          dur_ns += d.cost_ns
        }
        ranges++
      }
      if (unaligned > 0) detail = `${unaligned} 2 MiB pages not aligned to the backing page: skipped`
    } else {
      detail = 'discard inhibited: hint accepted, nothing freed'
    }
    this.cfg.emit?.({ t_ms: this.cfg.now_ms(), kind: 'discard', count: ranges, kib: freedPages * 4, dur_ms: dur_ns / NS_PER_MS, detail: detail === undefined ? encoding : `${encoding}; ${detail}` })
    return { err: 0, dur_ns }
  }

  /** Fault injection: every hypercall from the failAfterReports-th on fails. */
  private failsNow(n: number): boolean {
    return this.cfg.failAfterReports !== null && n >= this.cfg.failAfterReports
  }

  // models the page reporting check at the end of each dm_thread_func() iteration
  dmThreadTick(): void {
    // 5.13-6.2 have no such check: failures are never counted
    if (this.failures < HV_MAX_FAILURES) return
    // "Multiple failures in cold memory discard hypercall, disabling page reporting"
    if (this.registered) {
      this.registered = false
      this.cfg.unregister()
    }
    this.failures = 0
  }
}
