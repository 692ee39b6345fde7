// The workload's allocation records and the reverse map from a page back to its record.
//
// A set holds the live blocks of one allocation tag (a process, or the page cache) in the order
// they were allocated, one Int32 per block: the block [pfn, pfn + 2^order) is stored as its first
// plus its last pfn, 2 * pfn + 2^order - 1, whose trailing one bits count the order. The records
// sit in entries[head, head + length); reclaim takes them from the front (the oldest, the tail of
// an LRU list in kernel terms), allocation appends at the back.
//
// Reclaim and compaction start from a page and must find its record, as the kernel's rmap finds
// the PTEs of a page through page->mapping. The head page of an allocated block stores its owner
// in the two Int32 words the buddy allocator links free pages through (PfnLists.link): the kernel
// keeps the same union in struct page, whose lru field links a free page on a buddy list and an
// allocated one on an LRU list. Word 2 * pfn holds the record's index in entries, word
// 2 * pfn + 1 the set's id and the page's LRU flags. Free pages overwrite both words, and a page
// freed to a per-CPU list keeps stale ones, so an owner is trusted only when the set's record at
// that index is this very block (ownerOf()): a pfn is in at most one live record. No byte per page
// is added for any of this.

/** Owner word: the set id in the low 24 bits, page flags above. */
export const RMAP_ID_MASK = 0xffffff
/** PageLRU: the block is on an LRU list (movable user memory or page cache). */
export const PG_LRU = 1 << 24
/** PG_referenced: set by the first folio_check_references() that found the PTE young. */
export const PG_REFERENCED = 1 << 25
/** The accessed bit of the PTE mapping the page: set by the fault that instantiated it. */
export const PTE_YOUNG = 1 << 26
const FLAGS_MASK = ~RMAP_ID_MASK

/** enum lru_list (include/linux/mmzone.h). */
export const LRU_INACTIVE_ANON = 0
export const LRU_ACTIVE_ANON = 1
export const LRU_INACTIVE_FILE = 2
export const LRU_ACTIVE_FILE = 3
export const NR_LRU_LISTS = 4
export const LRU_NAMES = ['inactive_anon', 'active_anon', 'inactive_file', 'active_file'] as const

/** The order of the block a record encodes. */
export const recordOrder = (e: number): number => 31 - Math.clz32((e + 1) & ~e)
export const recordPfn = (e: number): number => (e + 1 - (1 << recordOrder(e))) >> 1
/** pfns stay below 2^30 (MAX_MIB of guest RAM is 2^28 pages): the sum fits an Int32. */
export const encodeRecord = (pfn: number, order: number): number => 2 * pfn + (1 << order) - 1

/** Entries from which a set grows by a quarter rather than doubling. */
const GROW_QUARTER_FROM = 1 << 16

export class AllocSet {
  entries = new Int32Array(1024)
  /** Index in entries of the first (oldest) live record. */
  head = 0
  length = 0
  pages = 0
  /** Pages of records flagged PG_LRU (the set's share of its LRU list). */
  lruPages = 0
  /** Pages of this tag that reclaim wrote to swap (no longer in entries). */
  swappedPages = 0
  /** Entries per order. */
  readonly byOrder = new Int32Array(11)

  /**
   * `id` is the set's index in its Rmap; -1 for a set nobody looks up (a free phase's victims,
   * which are on their way out: reclaim and compaction leave them alone, as the kernel leaves a
   * page being unmapped). `lru` is the LRU list its PG_LRU records count on.
   */
  constructor(
    readonly id: number,
    private readonly rmap: Int32Array | null,
    readonly lru: number = LRU_INACTIVE_ANON,
  ) {}

  push(pfn: number, order: number, flags = 0): void {
    if (this.head + this.length === this.entries.length) this.makeRoom()
    const at = this.head + this.length++
    this.entries[at] = 2 * pfn + (1 << order) - 1
    this.pages += 1 << order
    this.byOrder[order]++
    if ((flags & PG_LRU) !== 0) this.lruPages += 1 << order
    const rmap = this.rmap
    if (rmap !== null) {
      rmap[2 * pfn] = at
      rmap[2 * pfn + 1] = this.id | flags
    }
  }

  /**
   * Room for `n` more entries without growing: a phase that knows how many blocks it will add
   * takes them in one exact allocation instead of a growth by a quarter every few hundred thousand.
   */
  reserve(n: number): void {
    const need = this.head + this.length + n
    if (need <= this.entries.length) return
    const grown = new Int32Array(need)
    grown.set(this.entries.subarray(0, this.head + this.length))
    this.entries = grown
  }

  orderAt(i: number): number {
    const e = this.entries[this.head + i]
    return 31 - Math.clz32((e + 1) & ~e)
  }

  pfnAt(i: number): number {
    return (this.entries[this.head + i] + 1 - (1 << this.orderAt(i))) >> 1
  }

  /** The owner flags of record i (PG_LRU, PG_REFERENCED, PTE_YOUNG); 0 without an rmap. */
  flagsAt(i: number): number {
    return this.rmap === null ? 0 : this.rmap[2 * this.pfnAt(i) + 1] & FLAGS_MASK
  }

  /** Every entry is a block of `order`. */
  allOfOrder(order: number): boolean {
    return this.byOrder[order] === this.length
  }

  /** Removes entry i by moving the last entry into its place (read pfnAt(i)/orderAt(i) first). */
  swapRemove(i: number): void {
    const at = this.head + i
    const order = this.orderAt(i)
    this.forget(at, order)
    const last = this.head + --this.length
    if (at === last) return
    const moved = this.entries[last]
    this.entries[at] = moved
    if (this.rmap !== null) this.rmap[2 * recordPfn(moved)] = at
  }

  /** Removes the first (oldest) entry (read pfnAt(0)/orderAt(0) first). */
  shift(): void {
    this.forget(this.head, this.orderAt(0))
    this.head++
    this.length--
    if (this.length === 0) this.head = 0
  }

  /** Moves the first entry to the back (list_move() to the head of an LRU list), with new flags. */
  rotate(flags: number): void {
    const pfn = this.pfnAt(0)
    const order = this.orderAt(0)
    this.shift()
    this.push(pfn, order, flags)
  }

  /** Entry i now holds the block at `pfn` (a migration moved it there); the order is unchanged. */
  replacePfn(i: number, pfn: number): void {
    const at = this.head + i
    const order = this.orderAt(i)
    const flags = this.rmap === null ? 0 : this.rmap[2 * this.pfnAt(i) + 1] & FLAGS_MASK
    this.entries[at] = 2 * pfn + (1 << order) - 1
    if (this.rmap !== null) {
      this.rmap[2 * pfn] = at
      this.rmap[2 * pfn + 1] = this.id | flags
    }
  }

  /** New owner flags for record i. */
  setFlagsAt(i: number, flags: number): void {
    if (this.rmap === null) return
    const pfn = this.pfnAt(i)
    const old = this.rmap[2 * pfn + 1] & FLAGS_MASK
    if (((old ^ flags) & PG_LRU) !== 0) this.lruPages += (flags & PG_LRU) !== 0 ? 1 << this.orderAt(i) : -(1 << this.orderAt(i))
    this.rmap[2 * pfn + 1] = this.id | flags
  }

  /** Moves entry i of this set to the end of `to` (a victim list) and removes it here. */
  moveTo(i: number, to: AllocSet): number {
    const order = this.orderAt(i)
    to.push(this.pfnAt(i), order)
    this.swapRemove(i)
    return 1 << order
  }

  /** How many entries from the back hold at least `pages` pages (all of them if the set holds fewer). */
  lastCountFor(pages: number): number {
    let k = 0
    let taken = 0
    while (taken < pages && k < this.length) taken += 1 << this.orderAt(this.length - 1 - k++)
    return k
  }

  /** Moves the last k entries to the end of `to`, the last first (what k moveTo(length - 1) calls do). */
  moveLastTo(k: number, to: AllocSet): void {
    to.reserve(k)
    for (let i = this.length - 1; i >= this.length - k; i--) {
      to.push(this.pfnAt(i), this.orderAt(i))
      this.forget(this.head + i, this.orderAt(i))
    }
    this.length -= k
  }

  /** Moves the first k entries to the end of `to`, in their order. */
  moveFirstTo(k: number, to: AllocSet): void {
    for (let i = 0; i < k; i++) {
      to.push(this.pfnAt(i), this.orderAt(i))
      this.forget(this.head + i, this.orderAt(i))
    }
    this.head += k
    this.length -= k
    if (this.length === 0) this.head = 0
  }

  /** This set's entries become those of `other` (built without an rmap), which is not used afterwards; flags are kept. */
  replaceWith(other: AllocSet): void {
    const keep = new Int32Array(Math.max(1024, other.length * 2))
    keep.set(other.entries.subarray(other.head, other.head + other.length))
    this.entries = keep
    this.head = 0
    this.length = other.length
    this.pages = other.pages
    this.byOrder.set(other.byOrder)
    const rmap = this.rmap
    if (rmap === null) return
    this.lruPages = 0
    for (let i = 0; i < this.length; i++) {
      const pfn = this.pfnAt(i)
      // the page's owner word still holds this set's id and the page's flags: only the index moves
      if ((rmap[2 * pfn + 1] & PG_LRU) !== 0) this.lruPages += 1 << this.orderAt(i)
      rmap[2 * pfn] = i
    }
  }

  private forget(at: number, order: number): void {
    // Every record or none on the LRU (a churn set, a kernel set): the page's owner word, a cache
    // miss on a random victim, says nothing the counters do not.
    const lru = this.lruPages === this.pages ? true : this.lruPages === 0 ? false : this.rmap !== null && (this.rmap[2 * recordPfn(this.entries[at]) + 1] & PG_LRU) !== 0
    this.pages -= 1 << order
    this.byOrder[order]--
    if (lru) this.lruPages -= 1 << order
  }

  /**
   * Room for one more entry at the back: reuse the space before head when it is most of the array,
   * else grow: double up to 64 Ki entries, then by a quarter (a live set of 2^19 pages then keeps
   * at most 25% spare slots, not 100%: engine state per guest page, issue 15).
   */
  private makeRoom(): void {
    if (this.head >= this.length) {
      this.entries.copyWithin(0, this.head, this.head + this.length)
      this.head = 0
      if (this.rmap !== null) for (let i = 0; i < this.length; i++) this.rmap[2 * recordPfn(this.entries[i])] = i
      return
    }
    const n = this.entries.length
    const grown = new Int32Array(n < GROW_QUARTER_FROM ? 2 * n : n + (n >> 2))
    grown.set(this.entries)
    this.entries = grown
  }
}

/** The sets reclaim and compaction can find pages in, by id. */
export class Rmap {
  readonly sets: AllocSet[] = []

  /** `link` is the allocator's PfnLists.link: the owner words of allocated block heads. */
  constructor(readonly link: Int32Array) {}

  create(lru: number): AllocSet {
    const s = new AllocSet(this.sets.length, this.link, lru)
    this.sets.push(s)
    return s
  }

  /**
   * The set whose live record is the block of `order` at `pfn` (its index: ownerIndex), or null:
   * the page belongs to nobody reclaim or compaction may touch (kernel memory, a replayed trace,
   * a free phase's victims).
   */
  ownerOf(pfn: number, order: number): AllocSet | null {
    const id = this.link[2 * pfn + 1] & RMAP_ID_MASK
    if (id >= this.sets.length) return null
    const s = this.sets[id]
    const at = this.link[2 * pfn]
    if (at < s.head || at >= s.head + s.length || s.entries[at] !== 2 * pfn + (1 << order) - 1) return null
    return s
  }

  /** Index (relative to head) of the record of `pfn` in its owner; call after ownerOf(). */
  ownerIndex(pfn: number, owner: AllocSet): number {
    return this.link[2 * pfn] - owner.head
  }

  flags(pfn: number): number {
    return this.link[2 * pfn + 1] & FLAGS_MASK
  }

  /** Recomputes every set's counters and owner words; throws naming the first mismatch. */
  check(): void {
    for (const s of this.sets) {
      let pages = 0
      let lru = 0
      for (let i = 0; i < s.length; i++) {
        const pfn = s.pfnAt(i)
        const order = s.orderAt(i)
        pages += 1 << order
        if (this.ownerOf(pfn, order) !== s || this.ownerIndex(pfn, s) !== i) {
          throw new Error(`rmap: set ${s.id} record ${i} (pfn ${pfn}, order ${order}) is not found from its page (owner word ${this.link[2 * pfn + 1] & RMAP_ID_MASK}, index ${this.link[2 * pfn]})`)
        }
        if ((this.flags(pfn) & PG_LRU) !== 0) lru += 1 << order
      }
      if (pages !== s.pages) throw new Error(`rmap: set ${s.id} counts ${s.pages} pages, its records hold ${pages}`)
      if (lru !== s.lruPages) throw new Error(`rmap: set ${s.id} counts ${s.lruPages} LRU pages, its records hold ${lru}`)
      if (s.swappedPages < 0) throw new Error(`rmap: set ${s.id} has ${s.swappedPages} swapped pages`)
    }
  }
}
