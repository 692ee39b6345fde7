// The host side of guest RAM (QEMU-like, kernel-spec §3.3 and §3.6): which guest frames are
// resident on the host, what a discard of a reported range frees, and what a later touch costs.
// Resident and discarded state are bitsets over guest pfns; a per-2 MiB region count keeps RSS
// and THP decisions O(1). Backing page sizes: anon-4k 4 KiB; anon-thp 2 MiB THPs that a 4 KiB
// discard splits; hugetlb-2m and hugetlb-1g whole huge pages (QEMU ignores unaligned discards).
import { backingOrder, type BackingKind } from '../common/reporting_rules'
import { NS_PER_US } from './event_queue'

export { backingOrder, type BackingKind }

export interface HostBackingConfig {
  readonly backing: BackingKind
  readonly maxPfn: number
  /** Present guest RAM in pfns, [start, end). */
  readonly ranges: readonly { readonly startPfn: number; readonly endPfn: number }[]
  readonly prepopulate: boolean
  readonly discardUsPer4k: number
  readonly discardUsPer2m: number
  readonly refaultUsPer4k: number
  readonly refaultUsPer2m: number
}

export interface DiscardOutcome {
  /** Resident 4 KiB pages freed on the host. */
  readonly freedPages: number
  readonly cost_ns: number
  /** The range was not aligned to the backing page size: QEMU skipped it (acked, nothing freed). */
  readonly unaligned: boolean
}

const REGION_ORDER = 9
const REGION_PAGES = 1 << REGION_ORDER
/** anon-thp region state: no page table yet / mapped by one PMD / PTE-mapped (split or 4 KiB faults). */
const THP_NONE = 0
const THP_HUGE = 1
const THP_SPLIT = 2

export class HostBacking {
  readonly unitOrder: number
  readonly guestPages: number
  rssPages = 0
  peakRssPages = 0
  /** Cumulative resident pages freed by discards. */
  reclaimedPages = 0
  /** Cumulative pages faulted back in after a discard. */
  refaultedPages = 0
  refaultCost_ns = 0
  private readonly resident: Uint32Array
  private readonly discarded: Uint32Array
  private readonly regionCount: Uint16Array
  private readonly thpState: Uint8Array

  constructor(private readonly cfg: HostBackingConfig) {
    this.unitOrder = backingOrder(cfg.backing)
    const words = Math.ceil(cfg.maxPfn / 32) + 1
    this.resident = new Uint32Array(words)
    this.discarded = new Uint32Array(words)
    const regions = Math.ceil(cfg.maxPfn / REGION_PAGES)
    this.regionCount = new Uint16Array(regions)
    this.thpState = new Uint8Array(cfg.backing === 'anon-thp' ? regions : 0)
    this.guestPages = cfg.ranges.reduce((n, r) => n + r.endPfn - r.startPfn, 0)
    if (cfg.prepopulate) {
      for (const r of cfg.ranges) this.makeResident(r.startPfn, r.endPfn - r.startPfn)
      if (cfg.backing === 'anon-thp') this.thpState.fill(THP_HUGE)
    }
  }

  isResident(pfn: number): boolean {
    return ((this.resident[pfn >>> 5] >>> (pfn & 31)) & 1) === 1
  }

  isDiscarded(pfn: number): boolean {
    return ((this.discarded[pfn >>> 5] >>> (pfn & 31)) & 1) === 1
  }

  /**
   * The guest writes [pfn, pfn + nrPages): every frame not resident faults in its backing page.
   * Returns the refault cost in ns (first touches of never-used memory cost nothing here).
   */
  touch(pfn: number, nrPages: number): number {
    if (nrPages === 1) {
      // a fully resident 2 MiB region answers from a small array, without the bitset's cache line
      if (this.regionCount[pfn >>> REGION_ORDER] === REGION_PAGES || this.isResident(pfn)) return 0
      return this.fault(pfn)
    }
    let cost_ns = 0
    const end = pfn + nrPages
    let p = pfn
    while (p < end) {
      // skip resident words quickly
      if ((p & 31) === 0 && end - p >= 32 && this.resident[p >>> 5] === 0xffffffff) {
        p += 32
        continue
      }
      if (this.isResident(p)) {
        p++
        continue
      }
      cost_ns += this.fault(p)
      p++
    }
    return cost_ns
  }

  // one host page fault on guest frame `pfn`
  private fault(pfn: number): number {
    const kind = this.cfg.backing
    let start = pfn
    let pages = 1
    let huge = false
    if (kind === 'hugetlb-2m' || kind === 'hugetlb-1g') {
      pages = 1 << this.unitOrder
      start = pfn - (pfn & (pages - 1))
      huge = true
    } else if (kind === 'anon-thp') {
      const r = pfn >>> REGION_ORDER
      if (this.thpState[r] !== THP_SPLIT && this.regionCount[r] === 0) {
        // an empty PMD: the fault allocates a whole THP
        start = r << REGION_ORDER
        pages = REGION_PAGES
        huge = true
        this.thpState[r] = THP_HUGE
      } else {
        this.thpState[r] = THP_SPLIT
      }
    }
    const wasDiscarded = this.isDiscarded(pfn)
    const added = this.makeResident(start, pages)
    this.clearRange(this.discarded, start, pages)
    if (!wasDiscarded) return 0
    this.refaultedPages += added
    const cost_us = huge ? (pages / REGION_PAGES) * this.cfg.refaultUsPer2m : this.cfg.refaultUsPer4k
    const cost_ns = Math.round(cost_us * NS_PER_US)
    this.refaultCost_ns += cost_ns
    return cost_ns
  }

  // models ram_block_discard_range() after QEMU's alignment check in virtio_balloon_handle_report()
  discard(pfn: number, nrPages: number): DiscardOutcome {
    const unit = 1 << this.unitOrder
    if ((pfn & (unit - 1)) !== 0 || (nrPages & (unit - 1)) !== 0) return { freedPages: 0, cost_ns: 0, unaligned: true }
    let cost_us = 0
    let freed = 0
    const end = pfn + nrPages
    for (let r = pfn >>> REGION_ORDER; r << REGION_ORDER < end; r++) {
      const rs = Math.max(pfn, r << REGION_ORDER)
      const re = Math.min(end, (r + 1) << REGION_ORDER)
      const whole = re - rs === REGION_PAGES
      if (this.regionCount[r] === 0) continue
      const n = this.countResident(rs, re - rs)
      const kind = this.cfg.backing
      if (kind === 'hugetlb-2m' || kind === 'hugetlb-1g') {
        cost_us += (n / REGION_PAGES) * this.cfg.discardUsPer2m
      } else if (kind === 'anon-thp' && this.thpState[r] === THP_HUGE) {
        if (whole) {
          cost_us += this.cfg.discardUsPer2m
          // zap_huge_pmd(): the PMD is cleared, the next fault maps a THP again
          this.thpState[r] = THP_NONE
        } else {
          // a partial discard splits the THP; RSS drops by the discarded 4 KiB pages only
          cost_us += n * this.cfg.discardUsPer4k
          this.thpState[r] = THP_SPLIT
        }
      } else {
        cost_us += n * this.cfg.discardUsPer4k
      }
      this.evict(rs, re - rs)
      freed += n
    }
    this.reclaimedPages += freed
    return { freedPages: freed, cost_ns: Math.round(cost_us * NS_PER_US), unaligned: false }
  }

  /** Recounts the bitsets; throws on a mismatch or when RSS exceeds guest RAM. */
  check(): void {
    let total = 0
    for (let r = 0; r < this.regionCount.length; r++) {
      const n = this.countResident(r << REGION_ORDER, REGION_PAGES)
      if (n !== this.regionCount[r]) throw new Error(`host: region ${r} counts ${this.regionCount[r]} resident pages, bitset has ${n}`)
      total += n
    }
    if (total !== this.rssPages) throw new Error(`host: rss ${this.rssPages} pages, bitset has ${total}`)
    if (this.rssPages > this.guestPages) throw new Error(`host: rss ${this.rssPages} pages exceeds guest RAM ${this.guestPages}`)
    for (let w = 0; w < this.resident.length; w++) {
      if ((this.resident[w] & this.discarded[w]) !== 0) throw new Error(`host: pfns ${w * 32}..${w * 32 + 31}: a frame is both resident and discarded`)
    }
  }

  private makeResident(start: number, n: number): number {
    let added = 0
    const end = start + n
    let p = start
    while (p < end) {
      const w = p >>> 5
      if ((p & 31) === 0 && end - p >= 32) {
        const k = 32 - popcount(this.resident[w])
        this.resident[w] = 0xffffffff
        this.regionCount[p >>> REGION_ORDER] += k
        added += k
        p += 32
        continue
      }
      const bit = 1 << (p & 31)
      if ((this.resident[w] & bit) === 0) {
        this.resident[w] |= bit
        this.regionCount[p >>> REGION_ORDER]++
        added++
      }
      p++
    }
    this.rssPages += added
    if (this.rssPages > this.peakRssPages) this.peakRssPages = this.rssPages
    return added
  }

  /** Resident frames of [start, start + n) become non-resident and discarded (they will refault). */
  private evict(start: number, n: number): void {
    const end = start + n
    let removed = 0
    let p = start
    while (p < end) {
      const w = p >>> 5
      const mask = (p & 31) === 0 && end - p >= 32 ? 0xffffffff : 1 << (p & 31)
      const hit = this.resident[w] & mask
      if (hit !== 0) {
        const k = popcount(hit)
        this.resident[w] &= ~mask
        this.discarded[w] |= hit
        this.regionCount[p >>> REGION_ORDER] -= k
        removed += k
      }
      p += mask === 0xffffffff ? 32 : 1
    }
    this.rssPages -= removed
  }

  private countResident(start: number, n: number): number {
    let c = 0
    const end = start + n
    let p = start
    while (p < end) {
      if ((p & 31) === 0 && end - p >= 32) {
        c += popcount(this.resident[p >>> 5])
        p += 32
      } else {
        c += (this.resident[p >>> 5] >>> (p & 31)) & 1
        p++
      }
    }
    return c
  }

  private clearRange(bits: Uint32Array, start: number, n: number): void {
    const end = start + n
    let p = start
    while (p < end) {
      if ((p & 31) === 0 && end - p >= 32) {
        bits[p >>> 5] = 0
        p += 32
      } else {
        bits[p >>> 5] &= ~(1 << (p & 31))
        p++
      }
    }
  }
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555)
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24
}

export interface BatchDiscard {
  readonly freedPages: number
  readonly cost_ns: number
  readonly discardedRanges: number
  readonly unalignedRanges: number
}

/** The host handles every range of one report in turn (QEMU: one ram_block_discard_range() per in_sg). */
export function discardBatch(host: HostBacking, pfns: Int32Array, orders: Int8Array, start: number, nents: number): BatchDiscard {
  let freedPages = 0
  let cost_ns = 0
  let discardedRanges = 0
  let unalignedRanges = 0
  for (let i = start; i < start + nents; i++) {
    const d = host.discard(pfns[i], 2 ** orders[i])
    if (d.unaligned) {
      unalignedRanges++
      continue
    }
    discardedRanges++
    freedPages += d.freedPages
    cost_ns += d.cost_ns
  }
  return { freedPages, cost_ns, discardedRanges, unalignedRanges }
}
