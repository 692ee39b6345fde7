import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { uniformIndex } from './uniform_index'

describe('uniformIndex', () => {
  it("draws what pure-rand's uniformInt(rng, 0, n - 1) draws, and leaves the stream where it does", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.array(fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 2 ** 31 })), { minLength: 1, maxLength: 50 }), (seed, ns) => {
        const ours = xoroshiro128plus(seed)
        const theirs = xoroshiro128plus(seed)
        for (const n of ns) expect(uniformIndex(ours, n)).toBe(uniformInt(theirs, 0, n - 1))
        expect(ours.next()).toBe(theirs.next())
      }),
      { numRuns: 300 },
    )
  })

  it('rejects raw draws above the last whole multiple of n as pure-rand does (3 * 2^29 rejects a quarter)', () => {
    const ours = xoroshiro128plus(7)
    const theirs = xoroshiro128plus(7)
    for (let i = 0; i < 2000; i++) expect(uniformIndex(ours, 3 * 2 ** 29)).toBe(uniformInt(theirs, 0, 3 * 2 ** 29 - 1))
    expect(ours.next()).toBe(theirs.next())
  })

  it('n = 1 and n = 2 never reject', () => {
    const rng = xoroshiro128plus(1)
    for (let i = 0; i < 100; i++) expect(uniformIndex(rng, 1)).toBe(0)
    for (let i = 0; i < 100; i++) expect([0, 1]).toContain(uniformIndex(rng, 2))
  })
})
