// The host's memory (issue 15): which pages it swaps out (least recently written 2 MiB regions
// over all guests, in host time), what a swap-in and a discard of swapped memory do, when kswapd
// and direct reclaim run, and whom the OOM killer chooses. Hand-built guests, hand-computed pages.
import { describe, expect, it } from 'vitest'
import { HostBacking, REGION_PAGES, type BackingKind } from '../host_backing'
import { NS_PER_MS } from '../event_queue'
import { HostMemory, SWAP_CLUSTER_MAX, type HostMemoryConfig, type HostSlot } from './host_memory'

interface Killed {
  guest: number
  points: number
  now: boolean
}

function host(cfg: Partial<HostMemoryConfig> = {}) {
  const killed: Killed[] = []
  let wakes = 0
  const clock = { now_ns: 0 }
  const memory = new HostMemory(
    { availablePages: 16 * REGION_PAGES, swapPages: 8 * REGION_PAGES, swapOutUsPer4k: 5, minPages: 256, lowPages: 512, highPages: 768, ...cfg },
    {
      now_ns: () => clock.now_ns,
      wakeKswapd: () => wakes++,
      kill: (slot, points, now) => killed.push({ guest: slot.guest, points, now }),
    },
  )
  const guest = (regions: number, backing: BackingKind = 'anon-4k', offset_ms = 0): { slot: HostSlot; b: HostBacking; clock: { now_ns: number } } => {
    const pages = regions * REGION_PAGES
    const b = new HostBacking({ backing, maxPfn: pages, ranges: [{ startPfn: 0, endPfn: pages }], prepopulate: false, discardUsPer4k: 1, discardUsPer2m: 8, refaultUsPer4k: 4, refaultUsPer2m: 300 })
    const slot = memory.addSlot(memory['slots'].length + 1)
    slot.backing = b
    slot.offset_ns = offset_ms * NS_PER_MS
    const own = { now_ns: 0 }
    b.attachHost(memory.pagerFor(slot), own, 100)
    return { slot, b, clock: own }
  }
  return { memory, killed, guest, wakes: () => wakes }
}

/** The guest writes every page of region r at its own time t_ms. */
function writeRegion(g: { b: HostBacking; clock: { now_ns: number } }, r: number, t_ms: number): number {
  g.clock.now_ns = t_ms * NS_PER_MS
  return g.b.touch(r * REGION_PAGES, REGION_PAGES)
}

describe('host LRU reclaim', () => {
  it('swaps out the least recently written regions first, over all guests, in host time', () => {
    const h = host()
    const a = h.guest(4)
    const b = h.guest(4, 'anon-4k', 1.5) // started 1.5 ms later: its time 0 is host time 1.5 ms
    writeRegion(a, 0, 1)
    writeRegion(a, 1, 3)
    writeRegion(b, 0, 0) // host time 1.5 ms
    writeRegion(b, 1, 4) // host time 5.5 ms
    expect(h.memory.rssPages).toBe(4 * REGION_PAGES)
    // two regions' worth: guest 1's region 0 (host 1 ms), then guest 2's region 0 (host 1.5 ms)
    expect(h.memory.reclaim(2 * REGION_PAGES)).toBe(2 * REGION_PAGES)
    expect(a.b.isSwapped(0)).toBe(true)
    expect(b.b.isSwapped(0)).toBe(true)
    expect(a.b.isSwapped(REGION_PAGES)).toBe(false)
    expect(h.memory.rssPages).toBe(2 * REGION_PAGES)
    expect(h.memory.swapUsedPages).toBe(2 * REGION_PAGES)
    // then guest 1's region 1 (host 3 ms) before guest 2's region 1 (host 5.5 ms)
    expect(h.memory.reclaim(1)).toBe(REGION_PAGES)
    expect(a.b.isSwapped(REGION_PAGES)).toBe(true)
    expect(b.b.isSwapped(REGION_PAGES)).toBe(false)
    h.memory.check()
  })

  it('breaks ties by guest number, then region', () => {
    const h = host()
    const a = h.guest(2)
    const b = h.guest(2)
    writeRegion(b, 0, 7)
    writeRegion(a, 1, 7)
    writeRegion(a, 0, 7)
    h.memory.reclaim(1)
    expect(a.b.isSwapped(0)).toBe(true)
    h.memory.reclaim(1)
    expect(a.b.isSwapped(REGION_PAGES)).toBe(true)
    h.memory.reclaim(1)
    expect(b.b.isSwapped(0)).toBe(true)
  })

  it('skips a region written after it was isolated (referenced), and takes it again once it is the oldest', () => {
    const h = host()
    const a = h.guest(3)
    writeRegion(a, 0, 1)
    writeRegion(a, 1, 2)
    writeRegion(a, 2, 3)
    h.memory.reclaim(1) // isolates all three, swaps region 0
    writeRegion(a, 1, 10) // region 1 is referenced again
    h.memory.reclaim(1)
    expect(a.b.isSwapped(REGION_PAGES)).toBe(false)
    expect(a.b.isSwapped(2 * REGION_PAGES)).toBe(true)
    h.memory.reclaim(1)
    expect(a.b.isSwapped(REGION_PAGES)).toBe(true)
  })

  it('never swaps hugetlbfs memory', () => {
    const h = host()
    const huge = h.guest(2, 'hugetlb-2m')
    const anon = h.guest(2)
    writeRegion(huge, 0, 1)
    writeRegion(anon, 0, 5)
    expect(h.memory.reclaim(4 * REGION_PAGES)).toBe(REGION_PAGES)
    expect(huge.b.swapPages).toBe(0)
    expect(anon.b.swapPages).toBe(REGION_PAGES)
  })

  it('stops when swap is full', () => {
    const h = host({ swapPages: 300 })
    const a = h.guest(2)
    writeRegion(a, 0, 1)
    writeRegion(a, 1, 2)
    expect(h.memory.reclaim(2 * REGION_PAGES)).toBe(300)
    expect(h.memory.swapFreePages).toBe(0)
    expect(a.b.regionResident(0)).toBe(REGION_PAGES - 300)
    h.memory.check()
  })
})

describe('swap-in and discards of swapped memory', () => {
  it('a write to a swapped page reads that one 4 KiB page back, charged to the writer, and splits the THP', () => {
    const h = host()
    const a = h.guest(2, 'anon-thp')
    writeRegion(a, 0, 1)
    h.memory.reclaim(1)
    expect(a.b.swapPages).toBe(REGION_PAGES)
    a.clock.now_ns = 20 * NS_PER_MS
    const cost = a.b.touch(5, 1)
    expect(cost).toBe(100_000) // swapInUsPer4k = 100 µs, no reclaim needed
    expect(a.b.swapPages).toBe(REGION_PAGES - 1)
    expect(a.b.rssPages).toBe(1)
    expect(a.b.swappedInPages).toBe(1)
    expect(a.b.faultedBackPages).toBe(1)
    expect(h.memory.swapUsedPages).toBe(REGION_PAGES - 1)
    // the region is PTE-mapped now: a neighbour faults 4 KiB (another swap-in), not a THP
    a.b.touch(6, 1)
    expect(a.b.rssPages).toBe(2)
    h.memory.check()
  })

  it('a discard of swapped pages frees their swap entries; the next write is a zero-page refault, not a swap-in', () => {
    const h = host()
    const a = h.guest(2)
    writeRegion(a, 0, 1)
    h.memory.reclaim(1)
    const d = a.b.discard(0, REGION_PAGES)
    expect(d.freedPages).toBe(0) // nothing resident was freed
    expect(a.b.swapPages).toBe(0)
    expect(a.b.swapDiscardedPages).toBe(REGION_PAGES)
    expect(h.memory.swapUsedPages).toBe(0)
    expect(a.b.touch(0, 1)).toBe(4000) // refaultUsPer4k = 4 µs
    expect(a.b.swappedInPages).toBe(0)
    h.memory.check()
  })
})

describe('kswapd and direct reclaim', () => {
  it('kswapd wakes below the low watermark and swaps out until free memory is above high, taking host time', () => {
    const h = host({ availablePages: 8 * REGION_PAGES, lowPages: 400, highPages: 800, minPages: 100 })
    const a = h.guest(8)
    for (let r = 0; r < 7; r++) writeRegion(a, r, r + 1)
    expect(h.wakes()).toBe(0) // free 512 >= low
    a.clock.now_ns = 20 * NS_PER_MS
    a.b.touch(7 * REGION_PAGES, 200) // free 312 < low 400
    expect(h.wakes()).toBe(1)
    const busy = h.memory.kswapdRun()
    // the oldest region goes: 512 pages, free 824 >= high
    expect(h.memory.kswapdReclaimedPages).toBe(REGION_PAGES)
    expect(busy).toBe(REGION_PAGES * 5 * 1000)
    expect(h.memory.kswapdRun()).toBe(-1)
    expect(h.memory.kswapdAwake).toBe(false)
  })

  it('a fault below the min watermark reclaims directly and the faulting guest stalls for it', () => {
    const h = host({ availablePages: 4 * REGION_PAGES, minPages: 200, lowPages: 300, highPages: 400 })
    const a = h.guest(8)
    for (let r = 0; r < 3; r++) writeRegion(a, r, r + 1)
    a.clock.now_ns = 10 * NS_PER_MS
    let stall = 0
    for (let p = 3 * REGION_PAGES; p < 3 * REGION_PAGES + 400; p++) stall += a.b.touch(p, 1)
    // free went below 200 at the 313th page: one region (512 pages) was swapped out for it
    expect(h.memory.directReclaimedPages).toBe(REGION_PAGES)
    expect(stall).toBe(REGION_PAGES * 5 * 1000)
    expect(a.slot.reclaimStall_ns).toBe(stall)
    expect(h.memory.freePages).toBeGreaterThanOrEqual(200)
    expect(SWAP_CLUSTER_MAX).toBe(32)
    h.memory.check()
  })

  it('a THP fault takes 512 pages only above the min watermark; below it falls back to 4 KiB', () => {
    const h = host({ availablePages: 3 * REGION_PAGES, minPages: 200, lowPages: 250, highPages: 300, swapPages: 0 })
    const a = h.guest(4, 'anon-thp')
    writeRegion(a, 0, 1)
    writeRegion(a, 1, 2)
    a.b.touch(2 * REGION_PAGES, 1) // 512 free - 512 < 200: a 4 KiB page
    expect(a.b.rssPages).toBe(2 * REGION_PAGES + 1)
    expect(h.memory.thpFallbacks).toBe(1)
  })
})

describe('the OOM killer', () => {
  it('kills the guest with the most RSS + swap when nothing can be reclaimed; its memory returns at once', () => {
    const h = host({ availablePages: 4 * REGION_PAGES, swapPages: 0, minPages: 100, lowPages: 150, highPages: 200 })
    const big = h.guest(4)
    const small = h.guest(4)
    writeRegion(big, 0, 1)
    writeRegion(big, 1, 1)
    writeRegion(small, 0, 1)
    small.b.touch(REGION_PAGES, 500) // free 12 < 100, no swap: OOM
    expect(h.killed).toEqual([{ guest: 1, points: 2 * REGION_PAGES, now: true }])
    expect(big.slot.backing).toBeNull()
    expect(h.memory.rssPages).toBe(REGION_PAGES + 500)
    expect(h.memory.oomKills).toBe(1)
    h.memory.check()
  })

  it('on a tie takes the later guest; a faulting victim dies after its event (memory reserves meanwhile)', () => {
    // free falls below min (100) exactly when b's 1024th page faults in: both hold 1024 pages
    const h = host({ availablePages: 4 * REGION_PAGES + 99, swapPages: 0, minPages: 100, lowPages: 150, highPages: 200 })
    const a = h.guest(4)
    const b = h.guest(4)
    writeRegion(a, 0, 1)
    writeRegion(b, 0, 1)
    writeRegion(a, 1, 2)
    b.b.touch(REGION_PAGES, REGION_PAGES) // b, the later guest and the faulting one, is chosen
    expect(h.killed[0]).toEqual({ guest: 2, points: 2 * REGION_PAGES, now: false })
    expect(b.slot.dying).toBe(true)
    expect(b.slot.backing).not.toBeNull()
    h.memory.release(b.slot)
    expect(h.memory.rssPages).toBe(2 * REGION_PAGES)
  })

  it('counts swap entries in oom_badness', () => {
    const h = host({ availablePages: 4 * REGION_PAGES, swapPages: REGION_PAGES, minPages: 100, lowPages: 150, highPages: 200 })
    const a = h.guest(4)
    const b = h.guest(4)
    writeRegion(a, 0, 1)
    h.memory.reclaim(1) // a: 0 resident, 512 swapped
    writeRegion(b, 0, 2)
    writeRegion(a, 1, 3)
    expect(h.memory.badness(a.slot)).toBe(2 * REGION_PAGES)
    expect(h.memory.badness(b.slot)).toBe(REGION_PAGES)
  })
})
