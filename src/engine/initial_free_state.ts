// The guest's initial free state from a /proc/buddyinfo snapshot (experiment guest.initialFreeState):
// right after boot, before the driver registers, every zone is left with exactly the snapshot's
// free_area[order].nr_free, the rest of its memory taken off the buddy lists as in use.
//
// Plan: the freshly booted zone is a set of maximal free blocks (memblock_free_all() merged
// everything it could), so each boot block's buddy holds a page that is never free. In each boot
// block either the whole block stays free, or at most one half stays free as a block and the
// other half is split again, down to single pages, which are taken. A kept block's buddy thus
// always keeps a taken page and __free_one_page() could never have merged them: the counts are
// exactly the snapshot's. Boot blocks are visited largest first, each kept half being the largest
// order still needed (the placement src/common/initial_free_state.ts uses within one span).
// Apply: take_page_off_buddy() of every block the plan does not keep.
import type { InitialFreeInput } from './api'
import { SimulationInputError } from './api'
import { MIGRATE_TYPES, MIGRATE_UNMOVABLE, NR_PAGE_ORDERS, type PageAlloc } from './mm/page_alloc_api'

const FIELD = 'guest.initialFreeState'

export interface Block {
  readonly pfn: number
  readonly order: number
}

export interface ZonePlan {
  /** Blocks left free: exactly the wanted counts per order when `left` is all zero. */
  readonly keep: Block[]
  /** Aligned blocks to take off the free lists. */
  readonly take: Block[]
  /** Blocks per order the zone could not hold. */
  readonly left: number[]
}

/** Plans one zone from its boot free blocks (maximal: none can merge with its buddy) and the wanted nr_free per order. */
export function planZone(bootBlocks: readonly Block[], nr_free: readonly number[]): ZonePlan {
  const need = Array.from({ length: NR_PAGE_ORDERS }, (_, o) => nr_free[o] ?? 0)
  let remaining = need.reduce((a, b) => a + b, 0)
  const keep: Block[] = []
  const take: Block[] = []
  const emit = (pfn: number, order: number): void => {
    keep.push({ pfn, order })
    need[order]--
    remaining--
  }
  // an aligned region whose buddy is not entirely free: keep at most one half, split the other
  const fill = (pfn: number, order: number): void => {
    if (order === 0 || remaining === 0) {
      take.push({ pfn, order })
      return
    }
    const half = 2 ** (order - 1)
    if (need[order - 1] > 0) {
      emit(pfn, order - 1)
      fill(pfn + half, order - 1)
    } else {
      fill(pfn, order - 1)
      fill(pfn + half, order - 1)
    }
  }
  const sorted = [...bootBlocks].sort((a, b) => b.order - a.order || a.pfn - b.pfn)
  for (const b of sorted) {
    if (need[b.order] > 0) emit(b.pfn, b.order)
    else fill(b.pfn, b.order)
  }
  return { keep, take, left: need }
}

const mib = (pages: number): string => `${(pages / 256).toFixed(1)} MiB`
const pagesOf = (counts: readonly number[]): number => counts.reduce((s, n, o) => s + n * 2 ** o, 0)

/** The zone's free blocks, walking every free list (at boot nothing is on a per-CPU list or isolated). */
function freeBlocks(alloc: PageAlloc, zone: number): Block[] {
  const blocks: Block[] = []
  for (let order = 0; order < NR_PAGE_ORDERS; order++) {
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
      for (let pfn = alloc.listFirst(zone, order, mt); pfn >= 0; pfn = alloc.listNext(pfn)) blocks.push({ pfn, order })
    }
  }
  return blocks
}

/** Free pages on each CPU's per-CPU lists of a zone when the snapshot was taken (guest.initialFreeState.perCpuPages). */
export interface PerCpuPages {
  readonly zone: string
  readonly pages: readonly number[]
}

/**
 * Puts `pages[cpu]` order-0 pages of the memory in use on each CPU's per-CPU lists of zone `z`, on
 * the Unmovable list: a guest's lists at rest hold pages its kernel freed, which its processes'
 * movable allocations never take (the reference guests' counts barely move while a process touches
 * hundreds of MiB on that CPU), but which count towards the list's high. They are scattered, as
 * such pages are: every other page of the planned in-use blocks, largest blocks first, so that no
 * two are buddies and a drain gives back single pages. A count the list cannot hold (it drains at
 * its high) is refused.
 */
function fillPerCpuLists(alloc: PageAlloc, z: number, taken: readonly Block[], want: PerCpuPages, fail: (message: string) => never): void {
  const total = want.pages.reduce((a, b) => a + b, 0)
  if (total === 0) return
  const blocks = [...taken].sort((a, b) => b.order - a.order || a.pfn - b.pfn)
  const pages: number[] = []
  for (const b of blocks) {
    if (pages.length >= total) break
    if (b.order === 0) continue
    alloc.splitPage(b.pfn, b.order)
    for (let i = 0; i < 2 ** b.order; i += 2) pages.push(b.pfn + i)
  }
  if (pages.length < total) fail(`perCpuPages: zone ${want.zone} holds ${total} pages on its per-CPU lists in the experiment, but only ${pages.length} of its pages are in use`)
  let next = 0
  const before = alloc.pcpCount(z)
  want.pages.forEach((n, cpu) => {
    for (let i = next + n - 1; i >= next; i--) alloc.freePageToPcpList(pages[i], cpu, MIGRATE_UNMOVABLE)
    next += n
  })
  if (alloc.pcpCount(z) !== before + total) {
    fail(`perCpuPages: zone ${want.zone}: ${want.pages.join(', ')} pages do not stay on the per-CPU lists (a list drains when it reaches its high: see the zone's pagesets in /proc/zoneinfo)`)
  }
}

/**
 * Leaves every zone of a freshly booted allocator with the snapshot's nr_free per order, and the
 * per-CPU lists with the given pages. Throws SimulationInputError naming the zone when the snapshot
 * does not fit the simulated guest.
 */
export function applyInitialFreeState(alloc: PageAlloc, input: InitialFreeInput, perCpu: readonly PerCpuPages[] = []): void {
  const zones = Array.from({ length: alloc.nrZones }, (_, z) => z)
  const populated = zones.filter((z) => alloc.zoneManagedPages(z) > 0)
  const guestZones = populated.map((z) => `${alloc.zoneName(z)} (${mib(alloc.zoneManagedPages(z))})`).join(', ')
  const fail = (message: string): never => {
    throw new SimulationInputError(FIELD, `${input.source}: ${message}`)
  }
  for (const t of input.zones) {
    const z = zones.find((i) => alloc.zoneName(i) === t.zone)
    if (z === undefined || (alloc.zoneManagedPages(z) === 0 && pagesOf(t.nr_free) > 0)) {
      const multiNode = /^\d+:/.test(t.zone) ? ' (the snapshot has several NUMA nodes; the simulated guest has one)' : ''
      fail(`zone ${t.zone} is not in the simulated guest${multiNode}; it has ${guestZones}`)
    }
    if (t.nr_free.length > NR_PAGE_ORDERS) fail(`zone ${t.zone} has ${t.nr_free.length} orders; the simulated guest has ${NR_PAGE_ORDERS} (x86_64, MAX_ORDER 10)`)
  }
  for (const z of populated) {
    if (!input.zones.some((t) => t.zone === alloc.zoneName(z))) {
      fail(`the simulated guest has zone ${alloc.zoneName(z)} (${mib(alloc.zoneManagedPages(z))}), which the snapshot lacks; size guest.memoryMiB like the machine the snapshot comes from (zones ${input.zones.map((t) => t.zone).join(', ')})`)
    }
  }
  for (const t of input.zones) {
    const z = zones.find((i) => alloc.zoneName(i) === t.zone) as number
    const boot = freeBlocks(alloc, z)
    const free = boot.reduce((s, b) => s + 2 ** b.order, 0)
    const wanted = pagesOf(t.nr_free)
    if (wanted > free) {
      fail(`zone ${t.zone} of the snapshot has ${wanted} free pages (${mib(wanted)}); the simulated zone has ${free} free pages (${mib(free)}) after boot. Give the guest more memory (guest.memoryMiB) or less reserved (guest.reservedMiB)`)
    }
    const plan = planZone(boot, t.nr_free)
    const left = plan.left.map((n, o) => (n > 0 ? `${n} of order ${o}` : '')).filter((s) => s !== '')
    if (left.length > 0) {
      fail(
        `zone ${t.zone}: the snapshot's free blocks (${wanted} pages, ${mib(wanted)}) cannot be laid out in the simulated zone's ${free} free pages (${mib(free)}): ` +
          `${left.join(', ')} left over. A free block below order 10 needs an allocated page in its buddy, so such blocks fit in about half of the zone's free memory; ` +
          `${boot.filter((b) => b.order === NR_PAGE_ORDERS - 1).length} order-10 blocks are free after boot`,
      )
    }
    for (const b of plan.take) {
      if (!alloc.takePageOffBuddy(b.pfn, b.order)) throw new Error(`initial free state: pfn ${b.pfn} order ${b.order} of zone ${t.zone} is not free`)
    }
    for (let o = 0; o < NR_PAGE_ORDERS; o++) {
      const want = t.nr_free[o] ?? 0
      if (alloc.nrFree(z, o) !== want) throw new Error(`initial free state: zone ${t.zone} order ${o} has ${alloc.nrFree(z, o)} free blocks, planned ${want}`)
    }
    const lists = perCpu.find((p) => p.zone === t.zone)
    if (lists !== undefined) fillPerCpuLists(alloc, z, plan.take, lists, fail)
  }
  for (const p of perCpu) {
    if (!input.zones.some((t) => t.zone === p.zone)) fail(`perCpuPages: zone ${p.zone} is not in the snapshot (${input.zones.map((t) => t.zone).join(', ')})`)
  }
}
