// The kernel's and the hosts' rules that decide whether free guest memory gets back to the host,
// written once: the engine applies them (page_reporting, the drivers, the host model), the sampler
// names the reason memory stayed resident, and the editor warns before a run (experiment_warnings).
import type { Experiment } from './experiment'

/** PAGE_REPORTING_CAPACITY (mm/page_reporting.h): scatterlist entries per report(). */
export const PAGE_REPORTING_CAPACITY = 32
/** hv_balloon: orders below this go to the host as 4 KiB ranges (HV_HYPERCALL_MAX_RANGE_PAGES rule). */
export const HV_LARGE_REPORTING_ORDER = 9
/** PAGE_POISON (0xaa) in every byte of the le32 virtio-balloon config field. */
export const PAGE_POISON_VAL = 0xaaaaaaaa

/**
 * page_reporting_process_zone(): a pass reports from a zone only while
 * NR_FREE_PAGES - nr_reserved_highatomic > low_wmark_pages + watermark_boost + (capacity << order)
 * (kernel-spec §1.5). All figures in pages.
 */
export function zoneAboveReportingWatermark(usablePages: number, lowPages: number, boostPages: number, capacity: number, order: number): boolean {
  return usablePages > reportingWatermarkPages(lowPages, boostPages, capacity, order)
}

/** The right-hand side of the page_reporting_process_zone() check, in pages. */
export function reportingWatermarkPages(lowPages: number, boostPages: number, capacity: number, order: number): number {
  return lowPages + boostPages + capacity * 2 ** order
}

/** page_reporting_cycle(): report() calls one visit of a free list may make, over nr_free of its order. */
export function reportingBudget(nrFreeBlocks: number, capacity: number, budgetDivisor: number): number {
  return Math.ceil(nrFreeBlocks / (capacity * budgetDivisor))
}

export interface VirtioProbe {
  /** The driver registers with page_reporting. */
  readonly reporting: boolean
  readonly pagePoisonNegotiated: boolean
  readonly poisonVal: number
  readonly reason: string
}

export interface VirtioProbeInput {
  readonly queueSize: number
  readonly offerPagePoison: boolean
  readonly initOnFree: boolean
  readonly pagePoisoning: boolean
  readonly capacity: number
  readonly hostPoisonVal: number
}

// models virtballoon_validate() (F_REPORTING cleared without F_PAGE_POISON when the guest poisons
// or zeroes freed pages) and virtballoon_probe() (-ENOSPC when the reporting virtqueue is shorter
// than PAGE_REPORTING_CAPACITY), kernel-spec §3.1
export function probeVirtioBalloon(cfg: VirtioProbeInput): VirtioProbe {
  const wantsPoison = cfg.initOnFree || cfg.pagePoisoning
  if (wantsPoison && !cfg.offerPagePoison) {
    return { reporting: false, pagePoisonNegotiated: false, poisonVal: cfg.hostPoisonVal, reason: 'F_REPORTING cleared: init_on_free/page poisoning without F_PAGE_POISON' }
  }
  if (cfg.queueSize < cfg.capacity) {
    return { reporting: false, pagePoisonNegotiated: false, poisonVal: cfg.hostPoisonVal, reason: `probe failed: -ENOSPC (reporting_vq size ${cfg.queueSize} < ${cfg.capacity})` }
  }
  if (!wantsPoison) return { reporting: true, pagePoisonNegotiated: false, poisonVal: cfg.hostPoisonVal, reason: 'F_REPORTING' }
  // F_PAGE_POISON negotiated: the guest writes poison_val (0 for init_on_free)
  const poisonVal = cfg.initOnFree ? 0 : PAGE_POISON_VAL
  return { reporting: true, pagePoisonNegotiated: true, poisonVal, reason: `F_REPORTING, F_PAGE_POISON (poison_val 0x${poisonVal.toString(16)})` }
}

export type BackingKind = Experiment['host']['backing']

/** log2 of the host backing page size in guest pages (qemu_ram_pagesize()). */
export function backingOrder(kind: BackingKind): number {
  switch (kind) {
    case 'anon-4k':
      return 0
    case 'anon-thp':
      // QEMU's RAMBlock page size for anonymous THP memory is the host base page: 4 KiB discards pass
      return 0
    case 'hugetlb-2m':
      return 9
    case 'hugetlb-1g':
      return 18
  }
}

/** Why the host keeps a reported block resident, or null when it discards it. */
export type DiscardRefusal = 'discard-inhibited' | 'poison-val' | 'backing-page'

/**
 * QEMU virtio_balloon_handle_report() / the hv host: acks a report but frees nothing when
 * discards are inhibited (VFIO, postcopy, background snapshot) or poison_val != 0, and skips a
 * range not aligned to the backing page size (ram_block_discard_range()), kernel-spec §3.3.
 * A reported block of `order` is aligned to its size, so only its order matters.
 */
export function discardRefusal(host: HostDiscardRules, order: number): DiscardRefusal | null {
  return deviceDiscardRefusal(host) ?? (order < backingOrder(host.backing) ? 'backing-page' : null)
}

export interface HostDiscardRules {
  /** false: ram_block_discard_is_disabled() or migration in progress. */
  readonly discard: boolean
  /** poison_val the guest negotiated (virtio-balloon); 0 for hv_balloon. */
  readonly poisonVal: number
  readonly backing: BackingKind
}

/** The part of discardRefusal() that refuses every range of a report, whatever its size. */
export function deviceDiscardRefusal(host: Pick<HostDiscardRules, 'discard' | 'poisonVal'>): 'discard-inhibited' | 'poison-val' | null {
  if (!host.discard) return 'discard-inhibited'
  if (host.poisonVal !== 0) return 'poison-val'
  return null
}

/** hv_balloon: a report holding a range below order 9 fails with HV_STATUS_INVALID_PARAMETER on a host that refuses small ranges. */
export function hvRefusesOrder(acceptsSmallOrders: boolean, order: number): boolean {
  return !acceptsSmallOrders && order < HV_LARGE_REPORTING_ORDER
}
