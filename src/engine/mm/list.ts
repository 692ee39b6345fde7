// Intrusive doubly linked lists over pfns (include/linux/list.h), as used by the buddy free lists.
// A page's links sit side by side, next at link[2 * pfn] and prev at link[2 * pfn + 1], so a page
// costs 8 bytes here and list_del() of a random page touches one cache line of it, not two. An
// end of a list stores the list id as a negative sentinel (-2 - id), so list_del() needs no list
// argument and costs O(1), like the kernel's.

/** Sentinel stored in next/prev at the ends of list `id`. */
export const listSentinel = (id: number): number => -2 - id

export class PfnLists {
  /** next of pfn at 2 * pfn, prev at 2 * pfn + 1: a pfn, or the sentinel of the list at an end. */
  readonly link: Int32Array
  readonly head: Int32Array
  readonly tail: Int32Array

  constructor(nrPfns: number, nrLists: number) {
    this.link = new Int32Array(2 * nrPfns)
    this.head = new Int32Array(nrLists).fill(-1)
    this.tail = new Int32Array(nrLists).fill(-1)
  }

  /** list_add(): `pfn` becomes the first entry. */
  addHead(id: number, pfn: number): void {
    const link = this.link
    const h = this.head[id]
    const s = -2 - id
    link[2 * pfn + 1] = s
    if (h >= 0) {
      link[2 * pfn] = h
      link[2 * h + 1] = pfn
    } else {
      link[2 * pfn] = s
      this.tail[id] = pfn
    }
    this.head[id] = pfn
  }

  /** list_add_tail(): `pfn` becomes the last entry. */
  addTail(id: number, pfn: number): void {
    const link = this.link
    const t = this.tail[id]
    const s = -2 - id
    link[2 * pfn] = s
    if (t >= 0) {
      link[2 * pfn + 1] = t
      link[2 * t] = pfn
    } else {
      link[2 * pfn + 1] = s
      this.head[id] = pfn
    }
    this.tail[id] = pfn
  }

  /** list_del(): unlink `pfn` from whatever list holds it. */
  del(pfn: number): void {
    const link = this.link
    const n = link[2 * pfn]
    const p = link[2 * pfn + 1]
    if (p >= 0) link[2 * p] = n
    else this.head[-2 - p] = n >= 0 ? n : -1
    if (n >= 0) link[2 * n + 1] = p
    else this.tail[-2 - n] = p >= 0 ? p : -1
  }

  /** Entry after `pfn`, -1 at the end. */
  nextOf(pfn: number): number {
    const n = this.link[2 * pfn]
    return n >= 0 ? n : -1
  }

  /** Entry before `pfn`, -1 at the start. */
  prevOf(pfn: number): number {
    const p = this.link[2 * pfn + 1]
    return p >= 0 ? p : -1
  }

  /**
   * list_rotate_to_front(&entry, list): `pfn` becomes the first entry; the entries before it
   * move to the tail in their order (the cyclic order is kept).
   */
  rotateToFront(id: number, pfn: number): void {
    const h = this.head[id]
    if (h === pfn) return
    const link = this.link
    const t = this.tail[id]
    const s = -2 - id
    const before = link[2 * pfn + 1]
    link[2 * t] = h
    link[2 * h + 1] = t
    link[2 * before] = s
    this.tail[id] = before
    link[2 * pfn + 1] = s
    this.head[id] = pfn
  }
}
