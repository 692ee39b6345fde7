// The Linux virtio_balloon driver's free page reporting and the QEMU device behind it
// (kernel-spec §3.1, §3.3): feature negotiation at probe (F_REPORTING, F_PAGE_POISON, poison_val),
// one virtqueue chain per report with the guest waiting for the ack, and QEMU's decision to
// discard or just ack (inhibited discard, poison_val != 0, unaligned ranges).
import { deviceDiscardRefusal, probeVirtioBalloon, type VirtioProbe } from '../common/reporting_rules'
import type { SimEvent } from '../common/samples'
import { NS_PER_MS, NS_PER_US } from './event_queue'
import { type HostBacking, discardBatch } from './host_backing'
import { type PageReportingDevice, type ReportResult, type Scatterlist } from './page_reporting'

export { PAGE_POISON_VAL, probeVirtioBalloon, type VirtioProbe } from '../common/reporting_rules'

export interface VirtioBalloonConfig {
  readonly queueSize: number
  readonly offerPagePoison: boolean
  readonly initOnFree: boolean
  readonly pagePoisoning: boolean
  /** PAGE_REPORTING_CAPACITY of the modelled kernel. */
  readonly capacity: number
  /** false: ram_block_discard_is_disabled() (VFIO), postcopy or background snapshot. */
  readonly hostDiscard: boolean
  /** poison_val in the device config when the guest does not write it. */
  readonly hostPoisonVal: number
  readonly reportLatencyUs: number
  readonly host: HostBacking
  readonly now_ms: () => number
  readonly emit: ((event: SimEvent) => void) | null
}

export class VirtioBalloon implements PageReportingDevice {
  readonly name = 'virtio-balloon'
  /** x86_64 leaves pr_dev_info.order 0 (the default); only arm64 64K sets 5. */
  readonly order = 0
  readonly probe: VirtioProbe

  constructor(private readonly cfg: VirtioBalloonConfig) {
    this.probe = probeVirtioBalloon(cfg)
  }

  // models virtballoon_free_page_report() (one chain of nents in-buffers, wait for the ack)
  // and QEMU's virtio_balloon_handle_report()
  report(sgl: Scatterlist, start: number, nents: number): ReportResult {
    let dur_ns = Math.round(this.cfg.reportLatencyUs * NS_PER_US)
    let detail: string | undefined
    let freedPages = 0
    let ranges = 0
    const refusal = deviceDiscardRefusal({ discard: this.cfg.hostDiscard, poisonVal: this.probe.poisonVal })
    if (refusal === 'discard-inhibited') {
      detail = 'discard inhibited: acked, nothing freed'
    } else if (refusal === 'poison-val') {
      detail = `poison_val 0x${this.probe.poisonVal.toString(16)}: acked, nothing freed`
    } else {
      const d = discardBatch(this.cfg.host, sgl.pfn, sgl.order, start, nents)
      dur_ns += d.cost_ns
      freedPages = d.freedPages
      ranges = d.discardedRanges
      if (d.unalignedRanges > 0) detail = `${d.unalignedRanges} ranges not aligned to the backing page: skipped`
    }
    this.cfg.emit?.({ t_ms: this.cfg.now_ms(), kind: 'discard', count: ranges, kib: freedPages * 4, dur_ms: dur_ns / NS_PER_MS, detail })
    return { err: 0, dur_ns }
  }
}
