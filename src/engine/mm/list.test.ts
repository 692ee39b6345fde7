import { describe, expect, it } from 'vitest'
import { PfnLists, listSentinel } from './list'

function entries(l: PfnLists, id: number): number[] {
  const out: number[] = []
  for (let pfn = l.head[id]; pfn >= 0; pfn = l.nextOf(pfn)) out.push(pfn)
  return out
}

function backwards(l: PfnLists, id: number): number[] {
  const out: number[] = []
  for (let pfn = l.tail[id]; pfn >= 0; pfn = l.prevOf(pfn)) out.push(pfn)
  return out
}

describe('PfnLists (list.h over pfns)', () => {
  it('list_add puts at the head, list_add_tail at the tail', () => {
    const l = new PfnLists(16, 2)
    l.addHead(0, 3)
    l.addHead(0, 5)
    l.addTail(0, 7)
    expect(entries(l, 0)).toEqual([5, 3, 7])
    expect(backwards(l, 0)).toEqual([7, 3, 5])
    expect(l.link[2 * 5 + 1]).toBe(listSentinel(0))
    expect(l.link[2 * 7]).toBe(listSentinel(0))
    expect(entries(l, 1)).toEqual([])
  })

  it('list_del unlinks the head, the middle, the tail and the last entry', () => {
    const l = new PfnLists(16, 2)
    for (const pfn of [1, 2, 3, 4]) l.addTail(1, pfn)
    l.del(2)
    expect(entries(l, 1)).toEqual([1, 3, 4])
    l.del(1)
    expect(entries(l, 1)).toEqual([3, 4])
    l.del(4)
    expect(entries(l, 1)).toEqual([3])
    expect(l.tail[1]).toBe(3)
    l.del(3)
    expect(l.head[1]).toBe(-1)
    expect(l.tail[1]).toBe(-1)
  })

  it('list_rotate_to_front keeps the cyclic order', () => {
    const l = new PfnLists(16, 1)
    for (const pfn of [1, 2, 3, 4, 5]) l.addTail(0, pfn)
    l.rotateToFront(0, 4)
    expect(entries(l, 0)).toEqual([4, 5, 1, 2, 3])
    expect(backwards(l, 0)).toEqual([3, 2, 1, 5, 4])
    l.rotateToFront(0, 4)
    expect(entries(l, 0)).toEqual([4, 5, 1, 2, 3])
    l.rotateToFront(0, 3)
    expect(entries(l, 0)).toEqual([3, 4, 5, 1, 2])
  })
})
