// The lists of struct per_cpu_pages (pcp->lists[pindex] of every CPU and zone), each a ring buffer
// of block heads. The kernel links these pages through page->pcp_list; only four operations ever
// touch such a list: list_add() at the head (free_unref_page_commit()), list_add_tail()
// (rmqueue_bulk()), taking the head (__rmqueue_pcplist()) and taking the tail
// (free_pcppages_bulk()). A ring gives exactly that order without writing list links into the
// memmap: a page freed to a pcp list costs one memmap write (its flags), and the drain, which takes
// pages freed thousands of frees earlier, reads no cold links. Rings grow by doubling and never
// shrink, so the steady state allocates nothing.

const EMPTY = new Int32Array(0)

export class PcpLists {
  /** The ring of each list; its length is a power of two (or 0 before the first page). */
  private readonly ring: Int32Array[]
  /** Index in the ring of the head entry. */
  private readonly first: Int32Array
  /** Entries on the list. */
  readonly length: Int32Array

  constructor(nrLists: number) {
    this.ring = new Array<Int32Array>(nrLists).fill(EMPTY)
    this.first = new Int32Array(nrLists)
    this.length = new Int32Array(nrLists)
  }

  /** list_add(): `pfn` becomes the head. */
  addHead(id: number, pfn: number): void {
    if (this.length[id] === this.ring[id].length) this.grow(id)
    const r = this.ring[id]
    const f = (this.first[id] - 1) & (r.length - 1)
    r[f] = pfn
    this.first[id] = f
    this.length[id]++
  }

  /** list_add_tail(): `pfn` becomes the tail. */
  addTail(id: number, pfn: number): void {
    if (this.length[id] === this.ring[id].length) this.grow(id)
    const r = this.ring[id]
    r[(this.first[id] + this.length[id]++) & (r.length - 1)] = pfn
  }

  /** The entry `k` places before the tail (0: the tail); k must be below the length. */
  fromTail(id: number, k: number): number {
    const r = this.ring[id]
    return r[(this.first[id] + this.length[id] - 1 - k) & (r.length - 1)]
  }

  /** Removes the head entry and returns it (the list must not be empty). */
  popHead(id: number): number {
    const r = this.ring[id]
    const f = this.first[id]
    this.first[id] = (f + 1) & (r.length - 1)
    this.length[id]--
    return r[f]
  }

  /** Removes the tail entry and returns it (the list must not be empty). */
  popTail(id: number): number {
    const r = this.ring[id]
    return r[(this.first[id] + --this.length[id]) & (r.length - 1)]
  }

  /** The entries from head to tail (for the checker and tests; allocates). */
  entries(id: number): number[] {
    const r = this.ring[id]
    const out: number[] = []
    for (let i = 0; i < this.length[id]; i++) out.push(r[(this.first[id] + i) & (r.length - 1)])
    return out
  }

  /** Twice the capacity, the entries moved to the start in list order. */
  private grow(id: number): void {
    const old = this.ring[id]
    const r = new Int32Array(Math.max(16, old.length * 2))
    for (let i = 0; i < this.length[id]; i++) r[i] = old[(this.first[id] + i) & (old.length - 1)]
    this.ring[id] = r
    this.first[id] = 0
  }
}
