import { describe, expect, it } from 'vitest'
import { AllocSet, PG_LRU, Rmap } from './alloc_set'

describe('AllocSet', () => {
  it('reserve() makes room for exactly n more entries, keeping records and owner words', () => {
    const rmap = new Rmap(new Int32Array(2 * 4096))
    const set = rmap.create(0)
    for (let i = 0; i < 10; i++) set.push(8 * i, 0, PG_LRU)
    set.reserve(2000)
    const entries = set.entries
    expect(entries.length).toBe(2010)
    for (let i = 0; i < 2000; i++) set.push(100 + i, 0, PG_LRU)
    // no growth on the way: the same array holds all 2010 records
    expect(set.entries).toBe(entries)
    expect(set.pfnAt(3)).toBe(24)
    rmap.check()
    // a reserve already covered changes nothing
    set.reserve(0)
    expect(set.entries).toBe(entries)
  })

  it('counts LRU pages on removal in sets all on the LRU, none on it, and mixed', () => {
    const rmap = new Rmap(new Int32Array(2 * 4096))
    const all = rmap.create(0)
    const none = rmap.create(0)
    const mixed = rmap.create(0)
    for (let i = 0; i < 16; i++) {
      all.push(2 * i, 1, PG_LRU)
      none.push(64 + i, 0, 0)
      mixed.push(128 + 4 * i, 2, i % 3 === 0 ? PG_LRU : 0)
    }
    // records 0, 3, 6, 9, 12, 15 of mixed are on the LRU: 6 blocks of 4 pages
    expect([all.lruPages, none.lruPages, mixed.lruPages]).toEqual([32, 0, 24])
    for (const i of [5, 0, 7]) {
      all.swapRemove(i)
      none.swapRemove(i)
    }
    // mixed: record 3 (LRU), then 1 (not), then record 0 (LRU)
    mixed.swapRemove(3)
    mixed.swapRemove(1)
    mixed.swapRemove(0)
    expect([all.lruPages, none.lruPages, mixed.lruPages]).toEqual([26, 0, 16])
    rmap.check()
  })

  it('moveLastTo(lastCountFor(pages)) moves what moveTo(length - 1) does until `pages` are taken', () => {
    const build = () => {
      const rmap = new Rmap(new Int32Array(2 * 8192))
      const set = rmap.create(0)
      // orders 0, 1, 2, 0, 1, 2, ...: blocks at disjoint pfns
      for (let i = 0; i < 30; i++) set.push(16 * i, i % 3, i % 2 === 0 ? PG_LRU : 0)
      return { rmap, set }
    }
    for (const pages of [0, 1, 5, 6, 7, 40, 1000]) {
      const a = build()
      const b = build()
      const outA = new AllocSet(-1, null)
      const outB = new AllocSet(-1, null)
      let taken = 0
      while (taken < pages && a.set.length > 0) taken += a.set.moveTo(a.set.length - 1, outA)
      b.set.moveLastTo(b.set.lastCountFor(pages), outB)
      const records = (s: AllocSet): number[][] => Array.from({ length: s.length }, (_, i) => [s.pfnAt(i), s.orderAt(i)])
      expect(records(outB)).toEqual(records(outA))
      expect(records(b.set)).toEqual(records(a.set))
      expect([b.set.pages, b.set.lruPages, Array.from(b.set.byOrder)]).toEqual([a.set.pages, a.set.lruPages, Array.from(a.set.byOrder)])
      b.rmap.check()
    }
  })
})
