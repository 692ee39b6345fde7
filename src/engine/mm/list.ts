// Intrusive doubly linked lists over pfns (include/linux/list.h), as used by the buddy free lists
// and the per-CPU page lists. `next`/`prev` are indexed by pfn, so a page costs 8 bytes here and
// nothing else. An end of a list stores the list id as a negative sentinel (-2 - id), so
// list_del() needs no list argument and costs O(1), like the kernel's.

/** Sentinel stored in next/prev at the ends of list `id`. */
export const listSentinel = (id: number): number => -2 - id

export class PfnLists {
  readonly next: Int32Array
  readonly prev: Int32Array
  readonly head: Int32Array
  readonly tail: Int32Array

  constructor(nrPfns: number, nrLists: number) {
    this.next = new Int32Array(nrPfns)
    this.prev = new Int32Array(nrPfns)
    this.head = new Int32Array(nrLists).fill(-1)
    this.tail = new Int32Array(nrLists).fill(-1)
  }

  /** list_add(): `pfn` becomes the first entry. */
  addHead(id: number, pfn: number): void {
    const h = this.head[id]
    const s = -2 - id
    this.prev[pfn] = s
    if (h >= 0) {
      this.next[pfn] = h
      this.prev[h] = pfn
    } else {
      this.next[pfn] = s
      this.tail[id] = pfn
    }
    this.head[id] = pfn
  }

  /** list_add_tail(): `pfn` becomes the last entry. */
  addTail(id: number, pfn: number): void {
    const t = this.tail[id]
    const s = -2 - id
    this.next[pfn] = s
    if (t >= 0) {
      this.prev[pfn] = t
      this.next[t] = pfn
    } else {
      this.prev[pfn] = s
      this.head[id] = pfn
    }
    this.tail[id] = pfn
  }

  /** list_del(): unlink `pfn` from whatever list holds it. */
  del(pfn: number): void {
    const n = this.next[pfn]
    const p = this.prev[pfn]
    if (p >= 0) this.next[p] = n
    else this.head[-2 - p] = n >= 0 ? n : -1
    if (n >= 0) this.prev[n] = p
    else this.tail[-2 - n] = p >= 0 ? p : -1
  }

  /** Entry after `pfn`, -1 at the end. */
  nextOf(pfn: number): number {
    const n = this.next[pfn]
    return n >= 0 ? n : -1
  }

  /**
   * list_rotate_to_front(&entry, list): `pfn` becomes the first entry; the entries before it
   * move to the tail in their order (the cyclic order is kept).
   */
  rotateToFront(id: number, pfn: number): void {
    const h = this.head[id]
    if (h === pfn) return
    const t = this.tail[id]
    const s = -2 - id
    const before = this.prev[pfn]
    this.next[t] = h
    this.prev[h] = t
    this.next[before] = s
    this.tail[id] = before
    this.prev[pfn] = s
    this.head[id] = pfn
  }
}
