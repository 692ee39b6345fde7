// A small guest with reclaim and compaction wired as the simulation wires them (allocator, rmap,
// kswapd, kcompactd, the slow path, a host), for the tests of vmscan.ts and compaction.ts.
import type { SimEvent } from '../../common/samples'
import { EventQueue } from '../event_queue'
import { HostBacking } from '../host_backing'
import { type AllocSet, LRU_INACTIVE_ANON, LRU_INACTIVE_FILE, PG_LRU, PTE_YOUNG, Rmap } from './alloc_set'
import { Compaction } from './compaction'
import { guestConfig } from './guest_fixtures'
import { PageAllocator } from './page_alloc'
import { MIGRATE_MOVABLE, type PageAllocConfig } from './page_alloc_api'
import { Slowpath } from './slowpath'
import { Vmscan } from './vmscan'

export interface VmRig {
  readonly q: EventQueue
  readonly alloc: PageAllocator
  readonly rmap: Rmap
  readonly vmscan: Vmscan
  readonly compaction: Compaction
  readonly host: HostBacking
  readonly events: SimEvent[]
  /** Pages reclaim took from the owners (the workload's released()). */
  released: number
  /** Every invariant: the allocator's, the rmap's, each record an allocated block, swap, compaction's held pages. */
  check(): void
  /** Runs every pending event up to `ms` of simulated time. */
  runFor(ms: number): void
}

export interface VmRigOptions {
  readonly config?: Partial<PageAllocConfig>
  readonly swapPages?: number
  readonly swappiness?: number
  readonly proactiveness?: number
}

/** Default: the 8192-page DMA32 zone of guestConfig() (min 181, low 226, high 271), no PCP, proactive compaction off. */
export function vmRig(opts: VmRigOptions = {}): VmRig {
  const q = new EventQueue()
  const alloc = new PageAllocator(guestConfig(opts.config ?? {}))
  const rmap = new Rmap(alloc.rmap)
  const events: SimEvent[] = []
  const emit = (e: SimEvent): void => {
    events.push(e)
  }
  const host = new HostBacking({ backing: 'anon-4k', maxPfn: alloc.maxPfn, ranges: alloc.layout.present, prepopulate: true, discardUsPer4k: 1, discardUsPer2m: 8, refaultUsPer4k: 4, refaultUsPer2m: 300 })
  const rig: VmRig = {
    q,
    alloc,
    rmap,
    vmscan: new Vmscan({ queue: q, alloc, rmap, swapPages: opts.swapPages ?? 0, swappiness: opts.swappiness ?? 60, emit, released: (pages) => (rig.released += pages) }),
    compaction: undefined as unknown as Compaction,
    host,
    events,
    released: 0,
    check(): void {
      alloc.check()
      rmap.check()
      let swapped = 0
      for (const s of rmap.sets) {
        swapped += s.swappedPages
        for (let i = 0; i < s.length; i++) if (!alloc.allocatedHead(s.pfnAt(i), s.orderAt(i))) throw new Error(`set ${s.id} record ${i}: pfn ${s.pfnAt(i)} is not an allocated block of order ${s.orderAt(i)}`)
      }
      if (swapped !== rig.vmscan.swapUsedPages) throw new Error(`swap: ${rig.vmscan.swapUsedPages} used, sets hold ${swapped}`)
      rig.compaction.check()
    },
    runFor(ms: number): void {
      q.runUntil(q.now_ns + ms * 1e6)
    },
  }
  const compaction = new Compaction({ queue: q, alloc, rmap, host, proactiveness: opts.proactiveness ?? 0, kswapdRunning: () => rig.vmscan.kswapdRunning, emit })
  ;(rig as { compaction: Compaction }).compaction = compaction
  rig.vmscan.kcompactd = compaction
  alloc.attachSlowpath(new Slowpath(alloc, rig.vmscan, compaction))
  return rig
}

/** Allocates `n` order-`order` movable pages into a new LRU set (page cache, or anonymous with young PTEs); stops at the first failure. */
export function fillLru(rig: VmRig, n: number, file: boolean, order = 0, set: AllocSet = rig.rmap.create(file ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON)): AllocSet {
  for (let i = 0; i < n; i++) {
    const pfn = rig.alloc.allocPages(order, MIGRATE_MOVABLE, 0)
    if (pfn < 0) break
    set.push(pfn, order, PG_LRU | (file ? 0 : PTE_YOUNG))
  }
  return set
}
