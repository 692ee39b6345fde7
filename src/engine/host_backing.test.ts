import { describe, expect, it } from 'vitest'
import { type BackingKind, HostBacking } from './host_backing'

const GIB_PAGES = 1 << 18

function host(backing: BackingKind, prepopulate = false): HostBacking {
  return new HostBacking({
    backing,
    maxPfn: 2 * GIB_PAGES,
    ranges: [{ startPfn: 0, endPfn: 2 * GIB_PAGES }],
    prepopulate,
    discardUsPer4k: 2,
    discardUsPer2m: 10,
    refaultUsPer4k: 4,
    refaultUsPer2m: 300,
  })
}

describe('HostBacking', () => {
  it('anon-4k: touched pages become resident; an order-9 discard reclaims them; touching again refaults 4 KiB at a time', () => {
    const h = host('anon-4k')
    expect(h.touch(1024, 512)).toBe(0) // first touch: no refault cost
    expect(h.rssPages).toBe(512)
    const d = h.discard(1024, 512)
    expect(d).toEqual({ freedPages: 512, cost_ns: 512 * 2_000, unaligned: false })
    expect(h.rssPages).toBe(0)
    expect(h.reclaimedPages).toBe(512)
    expect(h.touch(1024 + 7, 1)).toBe(4_000)
    expect(h.refaultedPages).toBe(1)
    expect(h.rssPages).toBe(1)
    expect(h.peakRssPages).toBe(512)
    h.check()
  })

  it('§5.32 hugetlb-1g ignores order-9 and order-10 reports (unaligned: acked, RSS unchanged)', () => {
    const h = host('hugetlb-1g')
    h.touch(0, 1)
    expect(h.rssPages).toBe(GIB_PAGES) // one 1 GiB page faulted in
    expect(h.discard(0, 512)).toEqual({ freedPages: 0, cost_ns: 0, unaligned: true })
    expect(h.discard(1024, 1024).unaligned).toBe(true)
    expect(h.rssPages).toBe(GIB_PAGES)
    // a whole aligned 1 GiB range would be discarded
    expect(h.discard(0, GIB_PAGES).freedPages).toBe(GIB_PAGES)
    h.check()
  })

  it('hugetlb-2m: a fault maps 2 MiB; aligned order-9 discards free it, smaller ones are ignored', () => {
    const h = host('hugetlb-2m')
    h.touch(512 + 3, 1)
    expect(h.rssPages).toBe(512)
    expect(h.discard(512, 256).unaligned).toBe(true)
    expect(h.discard(512, 512)).toEqual({ freedPages: 512, cost_ns: 10_000, unaligned: false })
    expect(h.touch(512, 1)).toBe(300_000) // refault of a 2 MiB page
    expect(h.refaultedPages).toBe(512)
    h.check()
  })

  it('anon-thp: a first touch maps a THP; a 4 KiB-aligned partial discard splits it and frees only those pages', () => {
    const h = host('anon-thp')
    h.touch(2048, 1)
    expect(h.rssPages).toBe(512)
    const d = h.discard(2048 + 32, 32) // order 5 inside the THP
    expect(d).toEqual({ freedPages: 32, cost_ns: 32 * 2_000, unaligned: false })
    expect(h.rssPages).toBe(480)
    // the region is PTE-mapped now: a refault brings back one 4 KiB page
    expect(h.touch(2048 + 40, 1)).toBe(4_000)
    expect(h.rssPages).toBe(481)
    // a whole-THP discard of an unsplit region costs one 2 MiB discard and the next touch maps a THP again
    h.touch(4096, 1)
    expect(h.discard(4096, 512)).toEqual({ freedPages: 512, cost_ns: 10_000, unaligned: false })
    expect(h.touch(4096 + 100, 1)).toBe(300_000)
    expect(h.isResident(4096 + 511)).toBe(true)
    h.check()
  })

  it('discarding memory that was never touched frees nothing, and its first touch is not a refault', () => {
    const h = host('anon-4k')
    expect(h.discard(0, 1024).freedPages).toBe(0)
    expect(h.touch(0, 1024)).toBe(0)
    expect(h.refaultedPages).toBe(0)
  })

  it('prepopulate: all guest RAM resident from boot; check() catches a corrupted counter', () => {
    const h = host('anon-thp', true)
    expect(h.rssPages).toBe(2 * GIB_PAGES)
    h.check()
    h.rssPages += 1
    expect(() => h.check()).toThrow(/rss/)
  })
})
