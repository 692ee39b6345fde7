// A small, exact buddy allocator double for unit tests of page_reporting and the devices.
// It implements the PageAlloc surface with the 6.6 rules that reporting depends on (merge in
// __free_one_page, tail put-back, head allocation with unflagged expand() halves, min-watermark
// isolation with pageblock retyping) but no PCP lists and no fallbacks, and it lets a test place
// free blocks and watermarks by hand. Tests of the whole engine use the real allocator.
import {
  MAX_ORDER,
  MIGRATE_ISOLATE,
  MIGRATE_MOVABLE,
  MIGRATE_RECLAIMABLE,
  MIGRATE_TYPES,
  MIGRATE_UNMOVABLE,
  NR_PAGE_ORDERS,
  type NotifyFree,
  type PageAlloc,
} from '../mm/page_alloc_api'

export interface DoubleZone {
  readonly name: string
  readonly startPfn: number
  readonly endPfn: number
  wmMin: number
  wmLow: number
  wmHigh: number
  boost: number
  highatomic: number
}

const NONE = -1
const mergeable = (mt: number): boolean => mt === MIGRATE_UNMOVABLE || mt === MIGRATE_MOVABLE || mt === MIGRATE_RECLAIMABLE

export class PageAllocDouble implements PageAlloc {
  readonly pageblockOrder = 9
  readonly maxPfn: number
  readonly zones: DoubleZone[]
  notifyFree: NotifyFree = () => undefined
  /** Records every notify (zone, order) for assertions. */
  readonly notified: [number, number][] = []
  /** Records every splitPage (pfn, order): the double keeps no allocated blocks to split. */
  readonly splits: [number, number][] = []
  readonly rmap: Int32Array
  private readonly headOrder: Int8Array
  private readonly reported: Uint8Array
  private readonly isolated: Int8Array
  private readonly next: Int32Array
  private readonly prev: Int32Array
  private readonly listMt: Int8Array
  private readonly blockMt: Uint8Array
  private readonly first: Int32Array
  private readonly last: Int32Array
  private readonly freeCount: Int32Array
  private readonly reportedCount: Int32Array
  private readonly nrFreeArr: Float64Array

  constructor(zones: DoubleZone[]) {
    this.zones = zones
    this.maxPfn = Math.max(...zones.map((z) => z.endPfn))
    const n = this.maxPfn
    this.rmap = new Int32Array(2 * n)
    this.headOrder = new Int8Array(n).fill(NONE)
    this.reported = new Uint8Array(n)
    this.isolated = new Int8Array(n).fill(NONE)
    this.listMt = new Int8Array(n).fill(NONE)
    this.next = new Int32Array(n).fill(NONE)
    this.prev = new Int32Array(n).fill(NONE)
    this.blockMt = new Uint8Array(Math.ceil(n / 512)).fill(MIGRATE_MOVABLE)
    const lists = zones.length * NR_PAGE_ORDERS * MIGRATE_TYPES
    this.first = new Int32Array(lists).fill(NONE)
    this.last = new Int32Array(lists).fill(NONE)
    this.freeCount = new Int32Array(zones.length * NR_PAGE_ORDERS)
    this.reportedCount = new Int32Array(zones.length * NR_PAGE_ORDERS)
    this.nrFreeArr = new Float64Array(zones.length)
  }

  get nrZones(): number {
    return this.zones.length
  }

  /** Test setup: put a free block on a list without merging or notifying. */
  place(pfn: number, order: number, mt = MIGRATE_MOVABLE, opts: { reported?: boolean; tail?: boolean } = {}): void {
    this.setPageblockMigratetype(pfn, mt)
    this.link(pfn, order, mt, opts.tail ?? true)
    if (opts.reported) this.setPageReported(pfn)
  }

  setPageblockMigratetype(pfn: number, mt: number): void {
    this.blockMt[pfn >> 9] = mt
  }

  /** Walks one free list from the head: the pfns in list order. */
  list(zone: number, order: number, mt: number): number[] {
    const out: number[] = []
    for (let p = this.listFirst(zone, order, mt); p !== NONE; p = this.next[p]) out.push(p)
    return out
  }

  zoneName(zone: number): string {
    return this.zones[zone].name
  }
  zoneStartPfn(zone: number): number {
    return this.zones[zone].startPfn
  }
  zoneEndPfn(zone: number): number {
    return this.zones[zone].endPfn
  }
  zoneManagedPages(zone: number): number {
    return this.zones[zone].endPfn - this.zones[zone].startPfn
  }
  zoneOfPfn(pfn: number): number {
    return this.zones.findIndex((z) => pfn >= z.startPfn && pfn < z.endPfn)
  }
  /** Indexed by pfn: no hole left out. */
  physPfn(pfn: number): number {
    return pfn
  }
  nrFreePages(zone: number): number {
    return this.nrFreeArr[zone]
  }
  nrFree(zone: number, order: number): number {
    return this.freeCount[zone * NR_PAGE_ORDERS + order]
  }
  nrReported(zone: number, order: number): number {
    return this.reportedCount[zone * NR_PAGE_ORDERS + order]
  }

  /** The double never merges. */
  nrMergedReported(): number {
    return 0
  }
  nrReservedHighatomic(zone: number): number {
    return this.zones[zone].highatomic
  }
  wmarkMin(zone: number): number {
    return this.zones[zone].wmMin
  }
  wmarkLow(zone: number): number {
    return this.zones[zone].wmLow
  }
  wmarkHigh(zone: number): number {
    return this.zones[zone].wmHigh
  }
  watermarkBoost(zone: number): number {
    return this.zones[zone].boost
  }
  pcpCount(): number {
    return 0
  }

  listFirst(zone: number, order: number, mt: number): number {
    return this.first[this.listIndex(zone, order, mt)]
  }
  listNext(pfn: number): number {
    return this.next[pfn]
  }
  rotateToFront(zone: number, order: number, mt: number, pfn: number): void {
    const li = this.listIndex(zone, order, mt)
    const head = this.first[li]
    if (head === pfn) return
    // the list is cyclic in the kernel: make `pfn` the head, the blocks before it follow the old tail
    const before = this.prev[pfn]
    const oldLast = this.last[li]
    this.next[oldLast] = head
    this.prev[head] = oldLast
    this.next[before] = NONE
    this.prev[pfn] = NONE
    this.first[li] = pfn
    this.last[li] = before
  }
  isBuddyHead(pfn: number, order: number): boolean {
    return this.headOrder[pfn] === order
  }
  pageReported(pfn: number): boolean {
    return this.reported[pfn] === 1
  }
  setPageReported(pfn: number): void {
    if (this.reported[pfn] === 1) return
    this.reported[pfn] = 1
    this.reportedCount[this.zoneOfPfn(pfn) * NR_PAGE_ORDERS + this.headOrder[pfn]]++
  }
  getPageblockMigratetype(pfn: number): number {
    return this.blockMt[pfn >> 9]
  }

  // models __isolate_free_page()
  isolateFreePage(pfn: number, order: number): boolean {
    const zone = this.zoneOfPfn(pfn)
    const mt = this.getPageblockMigratetype(pfn)
    if (mt !== MIGRATE_ISOLATE) {
      const z = this.zones[zone]
      if (!(this.nrFreeArr[zone] - z.highatomic > z.wmMin + (1 << order))) return false
    }
    this.unlink(pfn)
    this.isolated[pfn] = order
    if (order >= this.pageblockOrder - 1) {
      const end = pfn + (1 << order)
      for (let b = pfn; b < end; b += 512) if (mergeable(this.getPageblockMigratetype(b))) this.setPageblockMigratetype(b, MIGRATE_MOVABLE)
    }
    return true
  }

  putbackIsolatedPage(pfn: number, order: number): void {
    this.isolated[pfn] = NONE
    this.freeOne(pfn, order, true, false)
  }

  allocPages(order: number, migratetype: number): number {
    for (const z of this.zones.keys()) {
      for (let o = order; o <= MAX_ORDER; o++) {
        const pfn = this.listFirst(z, o, migratetype)
        if (pfn === NONE) continue
        this.unlink(pfn)
        // models expand(): the upper halves go to the list heads, unflagged
        for (let high = o; high > order; high--) this.link(pfn + (1 << (high - 1)), high - 1, migratetype, false)
        return pfn
      }
    }
    return NONE
  }

  freePages(pfn: number, order: number): void {
    this.freeOne(pfn, order, false, true)
  }

  takeStall_ns(): number {
    return 0
  }

  // models take_page_off_buddy(): the free block holding the range is split around it (break_down_buddy_pages())
  takePageOffBuddy(pfn: number, order: number): boolean {
    for (let o = order; o <= MAX_ORDER; o++) {
      const head = pfn - (pfn % (1 << o))
      if (head >= this.maxPfn || this.headOrder[head] < o) continue
      const mt = this.listMt[head]
      let high = this.headOrder[head]
      let start = head
      this.unlink(head)
      while (high > order) {
        high--
        const size = 1 << high
        if (pfn >= start + size) {
          this.link(start, high, mt, false)
          start += size
        } else {
          this.link(start + size, high, mt, false)
        }
      }
      return true
    }
    return false
  }

  splitPage(pfn: number, order: number): void {
    this.splits.push([pfn, order])
  }

  drainAllPages(): void {}

  prefetchPage(): void {}

  isolatedPages(zone: number): number {
    let n = 0
    const z = this.zones[zone]
    for (let p = z.startPfn; p < z.endPfn; p++) if (this.isolated[p] !== NONE) n += 1 << this.isolated[p]
    return n
  }
  pfnState(pfn: number): number {
    return this.headOrder[pfn] !== NONE ? (this.reported[pfn] ? 3 : 2) : this.isolated[pfn] !== NONE ? 4 : 1
  }
  buddyinfo(): string {
    return ''
  }
  pagetypeinfo(): string {
    return ''
  }
  zoneinfo(): string {
    return ''
  }
  freePageToPcpList(): void {
    throw new Error('PageAllocDouble: no per-CPU lists')
  }
  check(): void {
    for (let z = 0; z < this.zones.length; z++) {
      let pages = 0
      for (let o = 0; o < NR_PAGE_ORDERS; o++) {
        let blocks = 0
        let rep = 0
        for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
          for (const p of this.list(z, o, mt)) {
            if (this.headOrder[p] !== o) throw new Error(`double: pfn ${p} on order-${o} list has order ${this.headOrder[p]}`)
            blocks++
            rep += this.reported[p]
            if (mt !== MIGRATE_ISOLATE) pages += 1 << o
          }
        }
        if (blocks !== this.nrFree(z, o)) throw new Error(`double: nr_free[${o}] ${this.nrFree(z, o)} != ${blocks}`)
        if (rep !== this.nrReported(z, o)) throw new Error(`double: nr_reported[${o}] ${this.nrReported(z, o)} != ${rep}`)
      }
      if (pages !== this.nrFreeArr[z]) throw new Error(`double: NR_FREE_PAGES ${this.nrFreeArr[z]} != ${pages}`)
    }
  }

  // models __free_one_page(): merge, then head (or tail for put-backs), then notify
  private freeOne(pfn: number, order: number, toTail: boolean, notify: boolean): void {
    const mt = this.getPageblockMigratetype(pfn)
    const zone = this.zoneOfPfn(pfn)
    while (order < MAX_ORDER) {
      const buddy = pfn ^ (1 << order)
      if (buddy >= this.maxPfn || this.zoneOfPfn(buddy) !== zone || this.headOrder[buddy] !== order) break
      this.unlink(buddy)
      pfn = pfn & buddy
      order++
    }
    this.link(pfn, order, mt, toTail)
    if (notify) {
      this.notified.push([zone, order])
      this.notifyFree(zone, order)
    }
  }

  private listIndex(zone: number, order: number, mt: number): number {
    return (zone * NR_PAGE_ORDERS + order) * MIGRATE_TYPES + mt
  }

  private link(pfn: number, order: number, mt: number, tail: boolean): void {
    const zone = this.zoneOfPfn(pfn)
    const li = this.listIndex(zone, order, mt)
    this.headOrder[pfn] = order
    this.listMt[pfn] = mt
    this.reported[pfn] = 0
    if (this.first[li] === NONE) {
      this.first[li] = this.last[li] = pfn
      this.next[pfn] = this.prev[pfn] = NONE
    } else if (tail) {
      this.prev[pfn] = this.last[li]
      this.next[pfn] = NONE
      this.next[this.last[li]] = pfn
      this.last[li] = pfn
    } else {
      this.next[pfn] = this.first[li]
      this.prev[pfn] = NONE
      this.prev[this.first[li]] = pfn
      this.first[li] = pfn
    }
    this.freeCount[zone * NR_PAGE_ORDERS + order]++
    if (mt !== MIGRATE_ISOLATE) this.nrFreeArr[zone] += 1 << order
  }

  // models del_page_from_free_list(): clears PG_reported
  private unlink(pfn: number): void {
    const zone = this.zoneOfPfn(pfn)
    const order = this.headOrder[pfn]
    const mt = this.listMt[pfn]
    const li = this.listIndex(zone, order, mt)
    const p = this.prev[pfn]
    const n = this.next[pfn]
    if (p === NONE) this.first[li] = n
    else this.next[p] = n
    if (n === NONE) this.last[li] = p
    else this.prev[n] = p
    this.next[pfn] = this.prev[pfn] = NONE
    this.headOrder[pfn] = NONE
    this.freeCount[zone * NR_PAGE_ORDERS + order]--
    if (this.reported[pfn]) this.reportedCount[zone * NR_PAGE_ORDERS + order]--
    this.reported[pfn] = 0
    if (mt !== MIGRATE_ISOLATE) this.nrFreeArr[zone] -= 1 << order
  }
}
