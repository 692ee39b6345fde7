import { describe, it } from 'vitest'
import fc from 'fast-check'
import { type AllocSet, LRU_ACTIVE_FILE, LRU_INACTIVE_ANON, LRU_INACTIVE_FILE, PG_LRU, PTE_YOUNG } from './alloc_set'
import { COMPACT_PRIO_ASYNC, COMPACT_PRIO_SYNC_FULL } from './compaction'
import { GFP_KERNEL, type ThpDefrag, vmaThpGfpMask } from './gfp'
import { MIGRATE_MOVABLE, MIGRATE_UNMOVABLE, type PageAllocConfig } from './page_alloc_api'
import { vmRig, type VmRig } from './vm_fixtures'

// Random sequences of what the workload, kswapd, kcompactd and the allocator's slow path do to a
// small guest: allocations of every kind (anonymous and page cache on the LRU, kernel memory,
// THP faults under each defrag setting), frees, time passing (kswapd and kcompactd rounds),
// direct reclaim and compaction, compact_memory, reports. After every step the invariant checker
// of the allocator, the reverse map (each record found from its page, an allocated block of its
// order), the swap accounting and compaction's held pages.

type Op =
  | { readonly k: 'alloc'; readonly kind: number; readonly order: number; readonly n: number; readonly defrag: number }
  | { readonly k: 'free'; readonly set: number; readonly pick: number; readonly n: number }
  | { readonly k: 'run'; readonly us: number }
  | { readonly k: 'reclaim'; readonly order: number }
  | { readonly k: 'compact'; readonly order: number; readonly sync: boolean }
  | { readonly k: 'compact_memory' }
  | { readonly k: 'report'; readonly skip: number }
  | { readonly k: 'unswap'; readonly set: number }

const DEFRAG: readonly ThpDefrag[] = ['always', 'defer', 'defer+madvise', 'madvise', 'never']
const orderArb = fc.oneof({ arbitrary: fc.constant(0), weight: 6 }, { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 2 }, { arbitrary: fc.constant(9), weight: 1 })

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant('alloc' as const), kind: fc.nat(3), order: orderArb, n: fc.integer({ min: 1, max: 400 }), defrag: fc.nat(4) }), weight: 30 },
  { arbitrary: fc.record({ k: fc.constant('free' as const), set: fc.nat(), pick: fc.nat(), n: fc.integer({ min: 1, max: 300 }) }), weight: 25 },
  { arbitrary: fc.record({ k: fc.constant('run' as const), us: fc.integer({ min: 1, max: 20_000 }) }), weight: 20 },
  { arbitrary: fc.record({ k: fc.constant('reclaim' as const), order: orderArb }), weight: 6 },
  { arbitrary: fc.record({ k: fc.constant('compact' as const), order: fc.integer({ min: 1, max: 10 }), sync: fc.boolean() }), weight: 6 },
  { arbitrary: fc.constant({ k: 'compact_memory' as const }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('report' as const), skip: fc.nat(50) }), weight: 6 },
  { arbitrary: fc.record({ k: fc.constant('unswap' as const), set: fc.nat() }), weight: 2 },
)

/** A free block to mark Reported, as a reporting pass would: the skip-th head found from a random pfn. */
function reportSome(rig: VmRig, skip: number): void {
  const a = rig.alloc
  const start = a.zoneStartPfn(1) + ((skip * 997) % (a.zoneEndPfn(1) - a.zoneStartPfn(1)))
  for (let pfn = start; pfn < a.zoneEndPfn(1); pfn++) {
    for (let o = 10; o >= 0; o--) {
      if ((pfn & ((1 << o) - 1)) === 0 && a.isBuddyHead(pfn, o)) {
        a.setPageReported(pfn)
        return
      }
    }
  }
}

function runOps(rig: VmRig, ops: readonly Op[]): void {
  const sets: AllocSet[] = [rig.rmap.create(LRU_INACTIVE_ANON), rig.rmap.create(LRU_INACTIVE_FILE), rig.rmap.create(LRU_ACTIVE_FILE), rig.rmap.create(LRU_INACTIVE_ANON)]
  let cpu = 0
  for (const [step, op] of ops.entries()) {
    switch (op.k) {
      case 'alloc': {
        // 0: anonymous, 1: page cache read once, 2: page cache read twice, 3: kernel memory (no LRU)
        const set = sets[op.kind]
        const mt = op.kind === 3 ? MIGRATE_UNMOVABLE : MIGRATE_MOVABLE
        const gfp = op.order === 9 && mt === MIGRATE_MOVABLE ? vmaThpGfpMask(DEFRAG[op.defrag], op.defrag % 2 === 0) : GFP_KERNEL
        for (let i = 0; i < op.n; i++) {
          cpu = (cpu + 1) % 2
          const pfn = rig.alloc.allocPages(op.order, mt, cpu, gfp)
          if (pfn < 0) break
          set.push(pfn, op.order, op.kind === 3 ? 0 : PG_LRU | (op.kind === 0 ? PTE_YOUNG : 0))
        }
        break
      }
      case 'free': {
        const set = sets[op.set % sets.length]
        for (let i = 0; i < op.n && set.length > 0; i++) {
          const at = (op.pick + i * 7919) % set.length
          const pfn = set.pfnAt(at)
          const order = set.orderAt(at)
          set.swapRemove(at)
          rig.alloc.freePages(pfn, order, i % 2)
        }
        break
      }
      case 'run':
        rig.q.runUntil(rig.q.now_ns + op.us * 1000)
        break
      case 'reclaim':
        rig.vmscan.tryToFreePages(op.order, 0)
        break
      case 'compact':
        rig.compaction.tryToCompactPages(op.order, MIGRATE_MOVABLE, 0, op.sync ? COMPACT_PRIO_SYNC_FULL : COMPACT_PRIO_ASYNC, 1)
        break
      case 'compact_memory':
        rig.compaction.compactMemory(() => undefined)
        break
      case 'report':
        reportSome(rig, op.skip)
        break
      case 'unswap': {
        const set = sets[op.set % sets.length]
        rig.vmscan.releaseSwap(set.swappedPages)
        set.swappedPages = 0
        break
      }
    }
    rig.alloc.takeStall_ns()
    try {
      rig.check()
    } catch (e) {
      throw new Error(`step ${step} (${JSON.stringify(op)}): ${(e as Error).message}`, { cause: e })
    }
  }
}

function property(config: Partial<PageAllocConfig>, swapPages: number, runs: number, steps: number): void {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: steps, maxLength: steps }), (ops) => {
      runOps(vmRig({ config, swapPages, proactiveness: 20 }), ops)
    }),
    { numRuns: runs },
  )
}

describe('reclaim and compaction: invariants after every step (fast-check)', () => {
  it('two CPUs with per-CPU lists (orders 0-3 and 9), swap', () => {
    property({ cpus: 2, pcpOrders: [0, 1, 2, 3, 9], thpEnabled: true }, 2048, 40, 120)
  })

  it('no per-CPU lists, no swap, watermark boost off', () => {
    property({ cpus: 2, pcpOrders: [], watermarkBoostFactor: 0 }, 0, 40, 120)
  })
})
