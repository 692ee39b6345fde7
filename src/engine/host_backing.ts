// The host side of guest RAM (QEMU-like, kernel-spec §3.3 and §3.6): which guest frames are
// resident on the host, what a discard of a reported range frees, and what a later touch costs.
// Resident and discarded state are bitsets over guest pfns (the allocator's memmap indices, which
// leave out the PCI hole: src/engine/mm/sparse.ts); a per-2 MiB region count keeps RSS
// and THP decisions O(1). Backing page sizes: anon-4k 4 KiB; anon-thp 2 MiB THPs that a 4 KiB
// discard splits; hugetlb-2m and hugetlb-1g whole huge pages (QEMU ignores unaligned discards).
// In a host experiment (src/engine/host/) attachHost() adds the host's swap: a third bitset of
// swapped frames, the last write time of each 2 MiB region (the host's LRU order), and a pager
// told of every page that becomes resident so the host can reclaim.
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

/** The host's view of a guest in a host experiment (src/engine/host/host_memory.ts). */
export interface HostPager {
  /**
   * `pages` frames of this guest became resident. The host reclaims (swaps other memory out) when
   * its free memory falls below the min watermark; returns the direct-reclaim stall the faulting
   * guest pays, in ns.
   */
  charge(pages: number): number
  /** A fault may map a whole 2 MiB THP: the host has 512 pages above its min watermark (else the fault falls back to 4 KiB). */
  hugeFits(): boolean
  /** `residentPages` resident frames and `swapPages` swap entries of this guest are gone (a discard; a swap-in frees its slot). */
  released(residentPages: number, swapPages: number): void
}

/** The guest's clock, for the LRU stamps: its own event queue. */
export interface GuestClock {
  readonly now_ns: number
}

interface SwapState {
  readonly pager: HostPager
  readonly clock: GuestClock
  /** Frames whose content is in host swap (neither resident nor discarded). */
  readonly swapped: Uint32Array
  /** Swapped frames per 2 MiB region. */
  readonly regionSwapped: Uint16Array
  /** Guest time (ns) of the last write to any frame of the region: the host's LRU order. */
  readonly stamp: Float64Array
  readonly swapInUsPer4k: number
}

export const REGION_ORDER = 9
export const REGION_PAGES = 1 << REGION_ORDER
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
  /** Host experiments: frames in host swap now, swapped in and out so far, and what swap-ins cost. */
  swapPages = 0
  peakSwapPages = 0
  swappedOutPages = 0
  swappedInPages = 0
  swapInCost_ns = 0
  /** Swap entries a discard dropped (reporting freed host swap). */
  swapDiscardedPages = 0
  private swap: SwapState | null = null
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

  /** Pages faulted back after a discard or swapped in: what the workload's refault events count. */
  get faultedBackPages(): number {
    return this.refaultedPages + this.swappedInPages
  }

  /**
   * Joins a host experiment: frames may now be swapped out by the host (swapOutRegion), a touch
   * stamps its region, and every fault is charged to the host. Called before the guest boots.
   */
  attachHost(pager: HostPager, clock: GuestClock, swapInUsPer4k: number): void {
    const regions = this.regionCount.length
    this.swap = { pager, clock, swapped: new Uint32Array(this.resident.length), regionSwapped: new Uint16Array(regions), stamp: new Float64Array(regions), swapInUsPer4k }
  }

  get regions(): number {
    return this.regionCount.length
  }

  /** Resident frames of 2 MiB region r. */
  regionResident(r: number): number {
    return this.regionCount[r]
  }

  /** Guest time (ns) of the last write to region r; 0 before attachHost(). */
  regionStamp(r: number): number {
    return this.swap === null ? 0 : this.swap.stamp[r]
  }

  /** hugetlbfs pages are never swapped (unevictable): the host's reclaim skips this guest. */
  get swappable(): boolean {
    return this.cfg.backing !== 'hugetlb-2m' && this.cfg.backing !== 'hugetlb-1g'
  }

  isSwapped(pfn: number): boolean {
    return this.swap !== null && ((this.swap.swapped[pfn >>> 5] >>> (pfn & 31)) & 1) === 1
  }

  /**
   * Host reclaim (shrink_folio_list() -> add_to_swap() -> try_to_unmap()): up to `maxPages` resident
   * frames of region r go to swap, from the region's start. A mapped THP is swapped whole
   * (THP_SWAP) and its PMD split into swap PTEs, so it comes back 4 KiB at a time. Returns the
   * frames swapped out.
   */
  swapOutRegion(r: number, maxPages: number): number {
    const sw = this.swap
    if (sw === null || !this.swappable || maxPages <= 0) return 0
    const start = r << REGION_ORDER
    let moved = 0
    for (let p = start; p < start + REGION_PAGES && moved < maxPages; ) {
      const w = p >>> 5
      if ((p & 31) === 0 && maxPages - moved >= 32 && this.resident[w] === 0xffffffff) {
        sw.swapped[w] = 0xffffffff
        this.resident[w] = 0
        moved += 32
        p += 32
        continue
      }
      const bit = 1 << (p & 31)
      if ((this.resident[w] & bit) !== 0) {
        this.resident[w] &= ~bit
        sw.swapped[w] |= bit
        moved++
      }
      p++
    }
    this.regionCount[r] -= moved
    sw.regionSwapped[r] += moved
    if (this.cfg.backing === 'anon-thp' && moved > 0) this.thpState[r] = THP_SPLIT
    this.rssPages -= moved
    this.swapPages += moved
    if (this.swapPages > this.peakSwapPages) this.peakSwapPages = this.swapPages
    this.swappedOutPages += moved
    return moved
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
    if (this.swap !== null) this.stampRange(this.swap, pfn, nrPages)
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

  private stampRange(sw: SwapState, pfn: number, nrPages: number): void {
    const now = sw.clock.now_ns
    const last = (pfn + nrPages - 1) >>> REGION_ORDER
    for (let r = pfn >>> REGION_ORDER; r <= last; r++) sw.stamp[r] = now
  }

  // do_swap_page(): the one frame is read back (4 KiB, also for a swapped THP) and its slot freed (a write fault)
  private swapIn(sw: SwapState, pfn: number): number {
    const r = pfn >>> REGION_ORDER
    sw.swapped[pfn >>> 5] &= ~(1 << (pfn & 31))
    sw.regionSwapped[r]--
    this.swapPages--
    this.swappedInPages++
    if (this.cfg.backing === 'anon-thp') this.thpState[r] = THP_SPLIT
    sw.pager.released(0, 1)
    const added = this.makeResident(pfn, 1)
    const cost_ns = Math.round(sw.swapInUsPer4k * NS_PER_US)
    this.swapInCost_ns += cost_ns
    return cost_ns + sw.pager.charge(added)
  }

  // one host page fault on guest frame `pfn`
  private fault(pfn: number): number {
    const sw = this.swap
    if (sw !== null && ((sw.swapped[pfn >>> 5] >>> (pfn & 31)) & 1) === 1) return this.swapIn(sw, pfn)
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
      if (this.thpState[r] !== THP_SPLIT && this.regionCount[r] === 0 && (sw === null || sw.pager.hugeFits())) {
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
    const stall_ns = sw === null ? 0 : sw.pager.charge(added)
    if (!wasDiscarded) return stall_ns
    this.refaultedPages += added
    const cost_us = huge ? (pages / REGION_PAGES) * this.cfg.refaultUsPer2m : this.cfg.refaultUsPer4k
    const cost_ns = Math.round(cost_us * NS_PER_US)
    this.refaultCost_ns += cost_ns
    return cost_ns + stall_ns
  }

  // models ram_block_discard_range() after QEMU's alignment check in virtio_balloon_handle_report()
  discard(pfn: number, nrPages: number): DiscardOutcome {
    const unit = 1 << this.unitOrder
    if ((pfn & (unit - 1)) !== 0 || (nrPages & (unit - 1)) !== 0) return { freedPages: 0, cost_ns: 0, unaligned: true }
    let cost_us = 0
    let freed = 0
    let swapFreed = 0
    const sw = this.swap
    const end = pfn + nrPages
    for (let r = pfn >>> REGION_ORDER; r << REGION_ORDER < end; r++) {
      const rs = Math.max(pfn, r << REGION_ORDER)
      const re = Math.min(end, (r + 1) << REGION_ORDER)
      const whole = re - rs === REGION_PAGES
      if (sw !== null && sw.regionSwapped[r] > 0) {
        // zap_pte_range() -> free_swap_and_cache(): the swap entries go, the frames will fault in as zero pages
        const k = this.dropSwapped(sw, r, rs, re - rs)
        cost_us += k * this.cfg.discardUsPer4k
        swapFreed += k
      }
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
    if (sw !== null && freed + swapFreed > 0) sw.pager.released(freed, swapFreed)
    return { freedPages: freed, cost_ns: Math.round(cost_us * NS_PER_US), unaligned: false }
  }

  /** Swapped frames of [start, start + n) in region r become discarded; returns how many. */
  private dropSwapped(sw: SwapState, r: number, start: number, n: number): number {
    let k = 0
    for (let p = start; p < start + n; p++) {
      const w = p >>> 5
      const bit = 1 << (p & 31)
      if ((sw.swapped[w] & bit) === 0) continue
      sw.swapped[w] &= ~bit
      this.discarded[w] |= bit
      k++
    }
    sw.regionSwapped[r] -= k
    this.swapPages -= k
    this.swapDiscardedPages += k
    return k
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
    const sw = this.swap
    if (sw === null) return
    let swapped = 0
    for (let r = 0; r < sw.regionSwapped.length; r++) {
      let n = 0
      for (let w = (r << REGION_ORDER) >>> 5; w < ((r + 1) << REGION_ORDER) >>> 5 && w < sw.swapped.length; w++) n += popcount(sw.swapped[w])
      if (n !== sw.regionSwapped[r]) throw new Error(`host: region ${r} counts ${sw.regionSwapped[r]} swapped pages, bitset has ${n}`)
      swapped += n
    }
    if (swapped !== this.swapPages) throw new Error(`host: ${this.swapPages} pages in swap, bitset has ${swapped}`)
    if (this.rssPages + this.swapPages > this.guestPages) throw new Error(`host: rss ${this.rssPages} + swap ${this.swapPages} pages exceed guest RAM ${this.guestPages}`)
    if (!this.swappable && this.swapPages > 0) throw new Error(`host: ${this.swapPages} pages of ${this.cfg.backing} memory in swap; hugetlbfs is never swapped`)
    for (let w = 0; w < this.resident.length; w++) {
      if ((sw.swapped[w] & (this.resident[w] | this.discarded[w])) !== 0) throw new Error(`host: pfns ${w * 32}..${w * 32 + 31}: a frame is swapped and also resident or discarded`)
    }
    if (this.swappedOutPages - this.swappedInPages - this.swapDiscardedPages !== this.swapPages) {
      throw new Error(`host: swapped out ${this.swappedOutPages} - in ${this.swappedInPages} - discarded ${this.swapDiscardedPages} != ${this.swapPages} in swap`)
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
