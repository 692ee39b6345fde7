import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { e820UsableRanges, guestRamRanges } from '../e820'
import { computeZoneLayout, zoneIdx } from './mmzone'
import { PageAllocator } from './page_alloc'
import { guestConfig } from './guest_fixtures'
import { MAX_ORDER, NR_PAGE_ORDERS, NR_ZONES } from './page_alloc_api'
import { checkMemmapHole, findMemmapHole, inMemmapHole, MEMMAP_HOLE_ALIGN_PAGES, memmapIdx, NO_MEMMAP_HOLE, physPfn } from './sparse'

const GIB = 262144

describe('memmap index (SPARSEMEM: no memmap for the PCI hole)', () => {
  it('leaves out q35 32-bit PCI hole: RAM above 2 GiB sits at 4 GiB', () => {
    const present = e820UsableRanges(guestRamRanges(16384, null))
    expect(findMemmapHole(present, zoneIdx)).toEqual({ startPfn: 2 * GIB, pages: 2 * GIB })
    // lowmem 3 GiB: a 1 GiB hole; lowmem 2500 MiB: the hole is not 1 GiB-aligned and stays in the index
    expect(findMemmapHole(e820UsableRanges(guestRamRanges(8192, 3072)), zoneIdx)).toEqual({ startPfn: 3 * GIB, pages: GIB })
    expect(findMemmapHole(e820UsableRanges(guestRamRanges(8192, 2500)), zoneIdx)).toEqual(NO_MEMMAP_HOLE)
    // all RAM below 2816 MiB: no hole at all
    expect(findMemmapHole(e820UsableRanges(guestRamRanges(2048, null)), zoneIdx)).toEqual(NO_MEMMAP_HOLE)
    // a gap inside one zone is left alone (it would change the zone's span)
    expect(findMemmapHole([{ startPfn: 4 * GIB, endPfn: 5 * GIB }, { startPfn: 6 * GIB, endPfn: 7 * GIB }], zoneIdx)).toEqual(NO_MEMMAP_HOLE)
  })

  it('refuses a hole that would change buddy or pageblock arithmetic', () => {
    expect(() => checkMemmapHole({ startPfn: 3 * 512, pages: 1024 }, 9)).toThrow(/multiples of 1024 pages/)
    expect(() => checkMemmapHole({ startPfn: 2 * GIB, pages: 512 }, 9)).toThrow(/buddy and pageblock/)
    expect(() => checkMemmapHole({ startPfn: 2 * GIB, pages: 2 * GIB }, 10)).not.toThrow()
    expect(() => checkMemmapHole(NO_MEMMAP_HOLE, 9)).not.toThrow()
  })

  it('keeps buddies, pageblocks and aligned blocks: index and pfn differ by a multiple of every block size', () => {
    const holeArb = fc.record({ startPfn: fc.integer({ min: 1, max: 64 }).map((n) => n * MEMMAP_HOLE_ALIGN_PAGES), pages: fc.integer({ min: 1, max: 64 }).map((n) => n * MEMMAP_HOLE_ALIGN_PAGES) })
    fc.assert(
      fc.property(holeArb, fc.nat(2 ** 25), fc.integer({ min: 0, max: MAX_ORDER }), fc.integer({ min: 9, max: 10 }), (hole, p, order, pbo) => {
        checkMemmapHole(hole, pbo)
        const pfn = inMemmapHole(hole, p) ? p + hole.pages : p
        const idx = memmapIdx(hole, pfn)
        expect(physPfn(hole, idx)).toBe(pfn)
        // a buddy pair is an aligned 2^(order+1) block: both halves on the same side of the hole
        const buddy = pfn ^ (1 << order)
        expect(inMemmapHole(hole, buddy)).toBe(false)
        expect(memmapIdx(hole, buddy)).toBe(idx ^ (1 << order))
        expect(idx & ((1 << order) - 1)).toBe(pfn & ((1 << order) - 1))
        expect((pfn >> pbo) - (idx >> pbo)).toBe((pfn - idx) >> pbo)
        // order is kept: a monotone map
        expect(memmapIdx(hole, pfn + 1) >= idx).toBe(true)
      }),
      { numRuns: 2000 },
    )
  })

  it('a sparse zone layout has the same zones, in indices', () => {
    const present = e820UsableRanges(guestRamRanges(16384, null))
    const flat = computeZoneLayout(present, 25000, 256)
    const sparse = computeZoneLayout(present, 25000, 256, true)
    expect(sparse.hole).toEqual({ startPfn: 2 * GIB, pages: 2 * GIB })
    expect(flat.nrPfns).toBe(18 * GIB)
    expect(sparse.nrPfns).toBe(16 * GIB)
    expect(Array.from(sparse.zoneStartPfn)).toEqual([1, 4096, 2 * GIB])
    expect(Array.from(sparse.zoneEndPfn)).toEqual([4096, 2 * GIB, 16 * GIB])
    expect(sparse.dma32EndPfn).toBe(2 * GIB)
    for (const k of ['presentPages', 'reservedPages', 'managedPages'] as const) expect(Array.from(sparse[k])).toEqual(Array.from(flat[k]))
    const back = (rs: readonly { startPfn: number; endPfn: number }[]): { startPfn: number; endPfn: number }[] => rs.map((r) => ({ startPfn: physPfn(sparse.hole, r.startPfn), endPfn: physPfn(sparse.hole, r.endPfn - 1) + 1 }))
    expect(back(sparse.free)).toEqual(flat.free)
    expect(back(sparse.reserved)).toEqual(flat.reserved)
  })

  // The same operations on an allocator indexed by pfn and one indexed by memmap index give the
  // same blocks (translated), the same counters and the same /proc files.
  it('an allocator without the hole behaves exactly as one spanning it', () => {
    // 1 GiB below a 3 GiB hole, 64 MiB from 4 GiB: allocations start in Normal and fall back to DMA32
    const ranges = [{ startPfn: 1, endPfn: 0x9f }, { startPfn: 0x100, endPfn: GIB }, { startPfn: 4 * GIB, endPfn: 4 * GIB + 16384 }]
    const config = guestConfig({ ranges, reservedPages: 2048, lowReserveEndPfn: 256, cpus: 2, pcpOrders: [0, 1, 2, 3, 9], thpEnabled: true })
    const opArb = fc.oneof(
      { arbitrary: fc.record({ k: fc.constant('alloc' as const), order: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: MAX_ORDER })), mt: fc.integer({ min: 0, max: 2 }), cpu: fc.nat(1) }), weight: 3 },
      { arbitrary: fc.record({ k: fc.constant('free' as const), pick: fc.nat(), cpu: fc.nat(1) }), weight: 2 },
      { arbitrary: fc.record({ k: fc.constant('isolate' as const), order: fc.integer({ min: 5, max: MAX_ORDER }) }), weight: 1 },
    )
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 50, maxLength: 400 }), (ops) => {
        const flat = new PageAllocator(config)
        const sparse = new PageAllocator({ ...config, sparseMemmap: true })
        expect(sparse.layout.hole).toEqual({ startPfn: GIB, pages: 3 * GIB })
        expect(sparse.memmap.page.length).toBe(GIB + 16384)
        const live: { pfn: number; order: number }[] = []
        const isolated: { pfn: number; order: number }[] = []
        for (const op of ops) {
          if (op.k === 'alloc') {
            const a = flat.allocPages(op.order, op.mt, op.cpu)
            const b = sparse.allocPages(op.order, op.mt, op.cpu)
            expect(b < 0 ? b : sparse.physPfn(b)).toBe(a)
            if (a >= 0) live.push({ pfn: a, order: op.order })
          } else if (op.k === 'free' && live.length > 0) {
            const [blk] = live.splice(op.pick % live.length, 1)
            flat.freePages(blk.pfn, blk.order, op.cpu)
            sparse.freePages(sparse.memmapIdx(blk.pfn), blk.order, op.cpu)
          } else if (op.k === 'isolate') {
            // page reporting's step: the first Movable block of the order in Normal, else DMA32
            for (const z of [2, 1]) {
              const a = flat.listFirst(z, op.order, 1)
              const b = sparse.listFirst(z, op.order, 1)
              expect(b < 0 ? b : sparse.physPfn(b)).toBe(a)
              if (a < 0) continue
              const ok = flat.isolateFreePage(a, op.order)
              expect(sparse.isolateFreePage(b, op.order)).toBe(ok)
              if (ok) isolated.push({ pfn: a, order: op.order })
              break
            }
          }
          for (let z = 0; z < NR_ZONES; z++) {
            expect(sparse.nrFreePages(z)).toBe(flat.nrFreePages(z))
            for (let o = 0; o < NR_PAGE_ORDERS; o++) expect(sparse.nrFree(z, o)).toBe(flat.nrFree(z, o))
          }
        }
        flat.check()
        sparse.check()
        for (const blk of isolated) {
          flat.putbackIsolatedPage(blk.pfn, blk.order)
          sparse.putbackIsolatedPage(sparse.memmapIdx(blk.pfn), blk.order)
        }
        flat.check()
        sparse.check()
        expect(sparse.buddyinfo()).toBe(flat.buddyinfo())
        expect(sparse.pagetypeinfo()).toBe(flat.pagetypeinfo())
        expect(sparse.zoneinfo()).toBe(flat.zoneinfo())
      }),
      { numRuns: 25 },
    )
  })
})
