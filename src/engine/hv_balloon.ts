// The Linux hv_balloon driver's "cold memory discard hint" (kernel-spec §3.2): one
// HV_EXT_CALL_MEMORY_HEAT_HINT hypercall per report, ranges of order >= 9 as 2 MiB large pages
// and smaller ones as 4 KiB ranges; HV_STATUS_INVALID_PARAMETER forces page_reporting_order to
// pageblock_order; dm_thread_func (every 1 s) unregisters after HV_MAX_FAILURES counted failures.
import { HV_LARGE_REPORTING_ORDER, hvRefusesOrder } from '../common/reporting_rules'
import type { SimEvent } from '../common/samples'
import { NS_PER_MS, NS_PER_US } from './event_queue'
import { type HostBacking, discardBatch } from './host_backing'
import { EINVAL, type PageReportingDevice, type ReportResult, type Scatterlist } from './page_reporting'

export { HV_LARGE_REPORTING_ORDER }
export const HV_MAX_FAILURES = 2
/** dm_thread_func waits on config_event with a 1 s timeout. */
export const DM_THREAD_PERIOD_MS = 1000

export type HvStatus = 'HV_STATUS_SUCCESS' | 'HV_STATUS_INVALID_PARAMETER' | 'HV_STATUS_INSUFFICIENT_MEMORY'

export interface HvBalloonConfig {
  /** The host accepts 4 KiB-granular ranges (orders below 9). */
  readonly acceptsSmallOrders: boolean
  /** Every hypercall after this many fails (fault injection); null: never. */
  readonly failAfterReports: number | null
  readonly hostDiscard: boolean
  readonly reportLatencyUs: number
  readonly pageblockOrder: number
  readonly host: HostBacking
  /** page_reporting_order = pageblock_order, as the driver writes the global. */
  readonly forceReportingOrder: (order: number) => void
  /** disable_page_reporting(): page_reporting_unregister(). */
  readonly unregister: () => void
  readonly now_ms: () => number
  readonly emit: ((event: SimEvent) => void) | null
}

export class HvBalloon implements PageReportingDevice {
  readonly name = 'hv-balloon'
  /** 6.3+: "We let the page_reporting_order parameter decide". */
  readonly order = 0
  /** hv_hypercall_multi_failure */
  failures = 0
  hypercalls = 0
  /** dm_device.pr_dev_info.report is set: the driver registered with page_reporting. */
  registered = false

  constructor(private readonly cfg: HvBalloonConfig) {}

  // models hv_free_page_report()
  report(sgl: Scatterlist, start: number, nents: number): ReportResult {
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
    else if (this.cfg.failAfterReports !== null && n >= this.cfg.failAfterReports) status = 'HV_STATUS_INSUFFICIENT_MEMORY'
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

  // models the page reporting check at the end of each dm_thread_func() iteration
  dmThreadTick(): void {
    if (this.failures < HV_MAX_FAILURES) return
    // "Multiple failures in cold memory discard hypercall, disabling page reporting"
    if (this.registered) {
      this.registered = false
      this.cfg.unregister()
    }
    this.failures = 0
  }
}
