// The host's memory in a host experiment: one pool of RAM the guests' resident pages are charged
// to, swap, the host's LRU reclaim and its OOM killer. All counts in 4 KiB pages.
//
// - Free memory is RAM minus the host's own share (machine.reservedMiB) minus the guests' RSS.
//   Its watermarks are the host kernel's: min_free_kbytes and the min/low/high marks of
//   __setup_per_zone_wmarks(), summed over the host's zones (src/engine/mm/watermark.ts).
// - kswapd (mm/vmscan.c kswapd(), balance_pgdat()) wakes when free memory falls below the low
//   watermark and swaps out until it is above high, in batches that take host time.
// - Direct reclaim (__alloc_pages_direct_reclaim()): a fault that leaves free memory below min
//   reclaims synchronously; the faulting guest stalls for it.
// - What is reclaimed: the least recently touched memory over all guests. The LRU is kept per
//   2 MiB region of guest memory (the time the guest last wrote any page of it, HostBacking):
//   coarser than the kernel's per-folio lists, exact for THP-backed guests (a THP is one LRU
//   folio), and for 4 KiB backing every page of a chosen region was last written no later than
//   that time. Reclaim isolates the oldest regions in a batch (isolate_lru_folios()); a region
//   written since it was isolated counts as referenced and is skipped (folio_check_references()).
//   hugetlbfs-backed guests are never swapped.
// - OOM (out_of_memory()): when reclaim cannot bring free memory back above min (swap full, or no
//   swap), the guest with the highest oom_badness() (RSS + swap entries) is killed, the later
//   started one on a tie (oom_evaluate_task() takes an equal score, walking tasks in creation
//   order). A victim's memory returns at once (the OOM reaper); a victim that is the faulting
//   guest finishes its event on the memory reserves (TIF_MEMDIE) and dies right after.
import type { HostBacking, HostPager } from '../host_backing'
import { REGION_PAGES } from '../host_backing'
import { NS_PER_US } from '../event_queue'

/** SWAP_CLUSTER_MAX: pages one reclaim pass aims at beyond the shortfall. */
export const SWAP_CLUSTER_MAX = 32
/** Regions isolated per LRU scan (2 GiB of guest memory). */
const ISOLATE_BATCH = 1024
/** kswapd swaps out at most this much per batch before yielding (64 MiB). */
export const KSWAPD_BATCH_PAGES = 32 * REGION_PAGES

export interface HostMemoryConfig {
  /** RAM guests may use: machine RAM minus the host's share, in pages. */
  readonly availablePages: number
  readonly swapPages: number
  readonly swapOutUsPer4k: number
  /** Host watermarks over all zones, in pages. */
  readonly minPages: number
  readonly lowPages: number
  readonly highPages: number
}

/** One guest as the host's memory sees it. */
export interface HostSlot {
  /** Guest number, 1-based: the tie-break of OOM and LRU order. */
  readonly guest: number
  /** Its host backing while the VM runs; null before it starts and after it exits. */
  backing: HostBacking | null
  /** Host time (ns) of the guest's time 0: its stamps plus this are host times. */
  offset_ns: number
  /** The OOM killer chose it while it was faulting: it dies after its current event. */
  dying: boolean
  /** Direct reclaim this guest did and stalled for. */
  reclaimStall_ns: number
  directReclaimedPages: number
}

/** What the memory needs of the host simulation: its clock, kswapd's timer and the OOM killer's hands. */
export interface HostMemoryEnv {
  /** Host time now, ns. */
  now_ns(): number
  /** kswapd runs at the current time (a host event). */
  wakeKswapd(): void
  /**
   * The OOM killer chose `slot` with `points` (oom_badness). `now`: another guest than the
   * faulting one, its VM ends at once (the host memory calls release() next); else the faulting
   * guest, which dies after its current event.
   */
  kill(slot: HostSlot, points: number, now: boolean): void
}

export class HostMemory {
  rssPages = 0
  swapUsedPages = 0
  /** Exact extremes between samples: the guests' summed RSS, swap use, and the lowest free memory. */
  peakRssPages = 0
  peakSwapPages = 0
  minFreePages: number
  kswapdReclaimedPages = 0
  directReclaimedPages = 0
  reclaimStall_ns = 0
  oomKills = 0
  /** kswapd is awake (a run is scheduled or running). */
  kswapdAwake = false
  /** Host time kswapd spent reclaiming, ns. */
  kswapdBusy_ns = 0
  /** THP faults that fell back to 4 KiB for lack of free memory. */
  thpFallbacks = 0
  private readonly slots: HostSlot[] = []
  // the isolated LRU batch: slot index, region, its stamp when isolated
  private batchSlot = new Int32Array(ISOLATE_BATCH)
  private batchRegion = new Int32Array(ISOLATE_BATCH)
  private batchStamp = new Float64Array(ISOLATE_BATCH)
  private batchLength = 0
  private batchNext = 0

  constructor(
    readonly cfg: HostMemoryConfig,
    private readonly env: HostMemoryEnv,
  ) {
    this.minFreePages = cfg.availablePages
  }

  get freePages(): number {
    return this.cfg.availablePages - this.rssPages
  }

  get swapFreePages(): number {
    return this.cfg.swapPages - this.swapUsedPages
  }

  addSlot(guest: number): HostSlot {
    const slot: HostSlot = { guest, backing: null, offset_ns: 0, dying: false, reclaimStall_ns: 0, directReclaimedPages: 0 }
    this.slots.push(slot)
    return slot
  }

  /** The pager of one guest's backing (HostBacking.attachHost()). */
  pagerFor(slot: HostSlot): HostPager {
    return {
      charge: (pages) => this.charge(slot, pages),
      hugeFits: () => this.hugeFits(),
      released: (resident, swap) => {
        this.rssPages -= resident
        this.swapUsedPages -= swap
      },
    }
  }

  // do_huge_pmd_anonymous_page(): a THP comes only from memory above min; else VM_FAULT_FALLBACK to 4 KiB (direct compaction is not modelled)
  private hugeFits(): boolean {
    if (this.freePages - REGION_PAGES >= this.cfg.minPages) return true
    this.thpFallbacks++
    return false
  }

  /** A VM ends (exit or OOM kill): its resident pages and swap entries return to the host. */
  release(slot: HostSlot): void {
    const b = slot.backing
    if (b === null) return
    this.rssPages -= b.rssPages
    this.swapUsedPages -= b.swapPages
    slot.backing = null
  }

  // a guest's fault made `pages` resident
  private charge(slot: HostSlot, pages: number): number {
    this.rssPages += pages
    if (this.rssPages > this.peakRssPages) this.peakRssPages = this.rssPages
    let stall_ns = 0
    if (this.freePages < this.cfg.minPages && !slot.dying) stall_ns = this.directReclaim(slot)
    if (this.freePages < this.minFreePages) this.minFreePages = this.freePages
    if (this.freePages < this.cfg.lowPages && !this.kswapdAwake) {
      this.kswapdAwake = true
      this.env.wakeKswapd()
    }
    return stall_ns
  }

  // __alloc_pages_slowpath(): reclaim the shortfall (plus SWAP_CLUSTER_MAX); if nothing can be reclaimed, OOM-kill until free memory is above min or the faulting guest is the victim
  private directReclaim(slot: HostSlot): number {
    const want = this.cfg.minPages - this.freePages + SWAP_CLUSTER_MAX
    const got = this.reclaim(want)
    const stall_ns = Math.round(got * this.cfg.swapOutUsPer4k * NS_PER_US)
    slot.reclaimStall_ns += stall_ns
    slot.directReclaimedPages += got
    this.directReclaimedPages += got
    this.reclaimStall_ns += stall_ns
    while (this.freePages < this.cfg.minPages && !slot.dying) {
      const victim = this.oomVictim()
      if (victim === null) break
      this.oomKills++
      const points = this.badness(victim)
      if (victim === slot) {
        slot.dying = true
        this.env.kill(victim, points, false)
      } else {
        this.env.kill(victim, points, true)
        this.release(victim)
      }
    }
    return stall_ns
  }

  /** kswapd's batch (balance_pgdat()): swaps out toward the high watermark; returns the host time it took, or -1 when it goes back to sleep. */
  kswapdRun(): number {
    if (this.freePages >= this.cfg.highPages) {
      this.kswapdAwake = false
      return -1
    }
    const want = Math.min(KSWAPD_BATCH_PAGES, this.cfg.highPages - this.freePages)
    const got = this.reclaim(want)
    if (got === 0) {
      // nothing reclaimable: kswapd sleeps; faults below min reclaim directly or OOM
      this.kswapdAwake = false
      return -1
    }
    this.kswapdReclaimedPages += got
    const busy_ns = Math.round(got * this.cfg.swapOutUsPer4k * NS_PER_US)
    this.kswapdBusy_ns += busy_ns
    return busy_ns
  }

  /** Swaps out up to `want` pages from the least recently touched regions; returns the pages swapped. */
  reclaim(want: number): number {
    let got = 0
    while (got < want && this.swapFreePages > 0) {
      if (this.batchNext >= this.batchLength && !this.isolate()) break
      const i = this.batchNext++
      const slot = this.slots[this.batchSlot[i]]
      const b = slot.backing
      const r = this.batchRegion[i]
      // gone, emptied by a discard, or written since it was isolated (referenced: kept)
      if (b === null || b.regionResident(r) === 0 || b.regionStamp(r) !== this.batchStamp[i]) continue
      const n = b.swapOutRegion(r, Math.min(b.regionResident(r), this.swapFreePages))
      this.rssPages -= n
      this.swapUsedPages += n
      if (this.swapUsedPages > this.peakSwapPages) this.peakSwapPages = this.swapUsedPages
      got += n
    }
    return got
  }

  // isolate_lru_folios(): the ISOLATE_BATCH least recently written regions with resident pages, oldest first (ties: lower guest, lower region)
  private isolate(): boolean {
    let n = 0
    for (const s of this.slots) if (s.backing !== null && s.backing.swappable) for (let r = 0; r < s.backing.regions; r++) if (s.backing.regionResident(r) > 0) n++
    this.batchLength = 0
    this.batchNext = 0
    if (n === 0) return false
    const slot = new Int32Array(n)
    const region = new Int32Array(n)
    const key = new Float64Array(n)
    let k = 0
    this.slots.forEach((s, si) => {
      const b = s.backing
      if (b === null || !b.swappable) return
      for (let r = 0; r < b.regions; r++) {
        if (b.regionResident(r) === 0) continue
        slot[k] = si
        region[k] = r
        key[k] = b.regionStamp(r) + s.offset_ns
        k++
      }
    })
    // a stable sort keeps guest and region order among equal times
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => key[a] - key[b])
    const take = Math.min(n, ISOLATE_BATCH)
    for (let i = 0; i < take; i++) {
      const j = order[i]
      this.batchSlot[i] = slot[j]
      this.batchRegion[i] = region[j]
      this.batchStamp[i] = key[j] - this.slots[slot[j]].offset_ns
    }
    this.batchLength = take
    return true
  }

  /** oom_badness(): resident pages plus swap entries (page tables are not modelled). */
  badness(slot: HostSlot): number {
    const b = slot.backing
    return b === null ? -1 : b.rssPages + b.swapPages
  }

  // select_bad_process(): the highest badness; on a tie the later guest (oom_evaluate_task() takes points == chosen_points)
  private oomVictim(): HostSlot | null {
    let victim: HostSlot | null = null
    let best = -1
    for (const s of this.slots) {
      if (s.backing === null || s.dying) continue
      const points = this.badness(s)
      if (points >= best) {
        best = points
        victim = s
      }
    }
    return victim
  }

  /** Recounts RSS and swap over the guests; throws on a mismatch or an overcommitted pool. */
  check(): void {
    let rss = 0
    let swap = 0
    let dying = 0
    for (const s of this.slots) {
      if (s.backing === null) continue
      s.backing.check()
      rss += s.backing.rssPages
      swap += s.backing.swapPages
      if (s.dying) dying++
    }
    if (rss !== this.rssPages) throw new Error(`host memory: ${this.rssPages} pages charged, guests hold ${rss}`)
    if (swap !== this.swapUsedPages) throw new Error(`host memory: ${this.swapUsedPages} swap pages used, guests hold ${swap}`)
    if (swap > this.cfg.swapPages) throw new Error(`host memory: ${swap} pages in swap, swap has ${this.cfg.swapPages}`)
    // only an OOM victim finishing its last event may dip below zero (memory reserves)
    if (this.freePages < 0 && dying === 0) throw new Error(`host memory: guests hold ${rss} pages, ${-this.freePages} more than the ${this.cfg.availablePages} available`)
  }
}
