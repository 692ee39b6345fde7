import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { PageAllocator } from './page_alloc'
import { guestConfig } from './guest_fixtures'
import { MIGRATE_TYPES, NR_ZONES, type PageAllocConfig } from './page_alloc_api'
import { PFN_STATES } from '../../common/api'

// Random sequences of allocator operations with check() after every step, plus the per-step
// rules of kernel-spec §5 that concern the allocator: 16/17 (an isolated block is out of the
// free lists and NR_FREE_PAGES by exactly its size until the put-back), 2 (put-backs never
// notify; frees that bypass the PCP notify once with at least their order), 14 (isolation
// refused exactly under min + 2^order), 22-24 through the counters check() recomputes;
// take_page_off_buddy() and split_page() as the trace replay uses them.
// Total per run: 150 + 120 + 80 + 80 runs x 250..300 steps, about 115,000 operations.

type Op =
  | { readonly k: 'alloc'; readonly order: number; readonly mt: number; readonly cpu: number }
  | { readonly k: 'free'; readonly pick: number; readonly cpu: number }
  | { readonly k: 'isolate'; readonly zone: number; readonly order: number; readonly mt: number; readonly skip: number }
  | { readonly k: 'putback'; readonly pick: number }
  | { readonly k: 'report'; readonly zone: number; readonly order: number; readonly mt: number; readonly skip: number }
  | { readonly k: 'rotate'; readonly zone: number; readonly order: number; readonly mt: number; readonly skip: number }
  | { readonly k: 'drain' }
  | { readonly k: 'highatomic'; readonly pick: number }
  | { readonly k: 'take'; readonly zone: number; readonly order: number; readonly mt: number; readonly skip: number; readonly sub: number; readonly at: number }
  | { readonly k: 'split'; readonly pick: number }

const orderArb = fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 2 }, { arbitrary: fc.integer({ min: 4, max: 10 }), weight: 2 })
const listArb = { zone: fc.integer({ min: 0, max: NR_ZONES - 1 }), order: fc.integer({ min: 0, max: 10 }), mt: fc.integer({ min: 0, max: MIGRATE_TYPES - 1 }), skip: fc.nat(40) }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant('alloc' as const), order: orderArb, mt: fc.integer({ min: 0, max: 2 }), cpu: fc.nat(1) }), weight: 30 },
  { arbitrary: fc.record({ k: fc.constant('free' as const), pick: fc.nat(), cpu: fc.nat(1) }), weight: 30 },
  { arbitrary: fc.record({ k: fc.constant('isolate' as const), ...listArb }), weight: 12 },
  { arbitrary: fc.record({ k: fc.constant('putback' as const), pick: fc.nat() }), weight: 10 },
  { arbitrary: fc.record({ k: fc.constant('report' as const), ...listArb }), weight: 8 },
  { arbitrary: fc.record({ k: fc.constant('rotate' as const), ...listArb }), weight: 4 },
  { arbitrary: fc.constant({ k: 'drain' as const }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('highatomic' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('take' as const), ...listArb, sub: fc.nat(10), at: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant('split' as const), pick: fc.nat() }), weight: 2 },
)

interface Block {
  readonly pfn: number
  readonly order: number
}

function nthOnList(pa: PageAllocator, zone: number, order: number, mt: number, skip: number): number {
  let pfn = pa.listFirst(zone, order, mt)
  for (let i = 0; i < skip && pfn >= 0; i++) {
    const next = pa.listNext(pfn)
    pfn = next >= 0 ? next : pa.listFirst(zone, order, mt)
  }
  return pfn
}

function runOps(config: PageAllocConfig, ops: readonly Op[]): void {
  let notes: number[] = []
  const pa = new PageAllocator({ ...config, notifyFree: (_zone, order) => notes.push(order) })
  const held: Block[] = []
  const isolated: Block[] = []
  const cpus = config.cpus
  for (const [step, op] of ops.entries()) {
    try {
      applyOp(op)
      pa.check()
    } catch (e) {
      throw new Error(`step ${step} ${JSON.stringify(op)}: ${(e as Error).message}`, { cause: e })
    }
  }
  // Everything back: all memory is free again, nothing on the per-CPU lists.
  for (const b of isolated) pa.putbackIsolatedPage(b.pfn, b.order)
  for (const b of held) pa.freePages(b.pfn, b.order, 0)
  pa.drainAllPages()
  pa.check()
  for (let z = 0; z < NR_ZONES; z++) expect(pa.nrFreePages(z)).toBe(pa.zoneManagedPages(z))

  function applyOp(op: Op): void {
    notes = []
    switch (op.k) {
      case 'alloc': {
        const pfn = pa.allocPages(op.order, op.mt, op.cpu % cpus)
        if (pfn >= 0) {
          expect(pfn % (1 << op.order)).toBe(0)
          expect(PFN_STATES[pa.pfnState(pfn + (1 << op.order) - 1)]).toBe('allocated')
          held.push({ pfn, order: op.order })
        }
        break
      }
      case 'free': {
        if (held.length === 0) break
        const i = op.pick % held.length
        const b = held[i]
        held[i] = held[held.length - 1]
        held.pop()
        pa.freePages(b.pfn, b.order, op.cpu % cpus)
        if (!config.pcpOrders.includes(b.order)) {
          expect(notes.length).toBe(1)
          expect(notes[0]).toBeGreaterThanOrEqual(b.order)
        }
        break
      }
      case 'isolate': {
        const pfn = nthOnList(pa, op.zone, op.order, op.mt, op.skip)
        if (pfn < 0) break
        const zone = pa.zoneOfPfn(pfn)
        const before = pa.nrFreePages(zone)
        const nrFree = pa.nrFree(zone, op.order)
        const allowed = before - pa.nrReservedHighatomic(zone) > pa.wmarkMin(zone) + (1 << op.order)
        expect(pa.isolateFreePage(pfn, op.order)).toBe(allowed)
        if (allowed) {
          expect(pa.nrFreePages(zone)).toBe(before - (1 << op.order))
          expect(pa.nrFree(zone, op.order)).toBe(nrFree - 1)
          expect(pa.pageReported(pfn)).toBe(false)
          expect(PFN_STATES[pa.pfnState(pfn)]).toBe('isolated')
          isolated.push({ pfn, order: op.order })
        } else {
          expect(pa.nrFreePages(zone)).toBe(before)
          expect(pa.isBuddyHead(pfn, op.order)).toBe(true)
        }
        break
      }
      case 'putback': {
        if (isolated.length === 0) break
        const i = op.pick % isolated.length
        const b = isolated[i]
        isolated[i] = isolated[isolated.length - 1]
        isolated.pop()
        const zone = pa.zoneOfPfn(b.pfn)
        const before = pa.nrFreePages(zone)
        pa.putbackIsolatedPage(b.pfn, b.order)
        expect(pa.nrFreePages(zone)).toBe(before + (1 << b.order))
        expect(notes).toEqual([])
        break
      }
      case 'report': {
        const pfn = nthOnList(pa, op.zone, op.order, op.mt, op.skip)
        if (pfn >= 0) pa.setPageReported(pfn)
        break
      }
      case 'rotate': {
        const pfn = nthOnList(pa, op.zone, op.order, op.mt, op.skip)
        if (pfn >= 0) {
          pa.rotateToFront(op.zone, op.order, op.mt, pfn)
          expect(pa.listFirst(op.zone, op.order, op.mt)).toBe(pfn)
        }
        break
      }
      case 'drain':
        pa.drainAllPages()
        for (let z = 0; z < NR_ZONES; z++) expect(pa.pcpCount(z)).toBe(0)
        break
      case 'take': {
        const head = nthOnList(pa, op.zone, op.order, op.mt, op.skip)
        if (head < 0) break
        const order = op.sub % (op.order + 1)
        const pfn = head + (op.at % (1 << (op.order - order))) * (1 << order)
        const zone = pa.zoneOfPfn(pfn)
        const before = pa.nrFreePages(zone)
        expect(pa.takePageOffBuddy(pfn, order)).toBe(true)
        expect(pa.nrFreePages(zone)).toBe(before - (1 << order))
        expect(pa.takePageOffBuddy(pfn, order)).toBe(false)
        held.push({ pfn, order })
        break
      }
      case 'split': {
        if (held.length === 0) break
        const i = op.pick % held.length
        const b = held[i]
        pa.splitPage(b.pfn, b.order)
        held[i] = { pfn: b.pfn, order: 0 }
        for (let p = 1; p < 1 << b.order; p++) held.push({ pfn: b.pfn + p, order: 0 })
        break
      }
      case 'highatomic':
        if (held.length > 0) pa.reserveHighatomicPageblock(held[op.pick % held.length].pfn)
        break
    }
  }
}

function property(config: PageAllocConfig, numRuns: number, steps: number): void {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: steps, maxLength: steps }), (ops) => runOps(config, ops)),
    // Shrinking re-runs whole sequences with check(): stop it in time to report within the test timeout.
    { numRuns, interruptAfterTimeLimit: 45_000 },
  )
}

// Two small zones: DMA (with the legacy hole) and 32 MiB of DMA32.
const small = [{ startPfn: 0, endPfn: 159 }, { startPfn: 256, endPfn: 4096 + 8192 }]

describe('buddy allocator under random operations, check() after every step', () => {
  it('6.6: PCP orders 0-3 and 9, two CPUs, THP on', () => {
    property(guestConfig({ ranges: small, cpus: 2, pcpOrders: [0, 1, 2, 3, 9], thpEnabled: true, reservedPages: 100 }), 150, 300)
  })

  it('5.10: order-0 PCP with high = 6 * batch, a 64 MiB zone', () => {
    property(guestConfig({ ranges: [{ startPfn: 4096, endPfn: 4096 + 16384 }], pcpOrders: [0], pcpHighMode: 'six-batch' }), 120, 250)
  })

  it('pageblock order 10 (no hugetlb), no PCP, shuffle on', () => {
    let bit = 0
    property(guestConfig({ ranges: small, pageblockOrder: 10, shuffle: true, randomBit: () => (bit ^= 1) }), 80, 250)
  })

  it('putback to the head (5.7-5.9), watermark boost off, tiny pcp high', () => {
    property(guestConfig({ ranges: small, putbackToTail: false, watermarkBoostFactor: 0, pcpOrders: [0, 1], cpus: 2, percpuPagelistHighFraction: 8 }), 80, 250)
  })
})
