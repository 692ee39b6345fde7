import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator'
import { uniformIndex } from './uniform_index'

/** A generator that returns the raw draws given (v - 2^31, as pure-rand's next() range is signed). */
function scripted(draws: readonly number[]): RandomGenerator {
  let i = 0
  const rng: RandomGenerator = { next: () => draws[i++ % draws.length] - 2 ** 31, clone: () => rng, getState: () => [i] }
  return rng
}

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

  it('agrees next to multiples of n, where a quotient in doubles would first round the wrong way', () => {
    for (const n of [2 ** 31, 2 ** 31 - 1, 3 * 2 ** 29, 2 ** 21 + 1, 1000003, 7]) {
      const max = Math.floor(2 ** 32 / n) * n
      const draws: number[] = []
      for (let k = 1; k * n <= max; k = k < 8 ? k + 1 : k * 3) for (const d of [-2, -1, 0, 1]) if (k * n + d >= 0 && k * n + d < max) draws.push(k * n + d)
      for (let i = 0; i < draws.length; i++) {
        expect(uniformIndex(scripted(draws.slice(i)), n)).toBe(uniformInt(scripted(draws.slice(i)), 0, n - 1))
      }
    }
  })

  it('n = 1 and n = 2 never reject', () => {
    const rng = xoroshiro128plus(1)
    for (let i = 0; i < 100; i++) expect(uniformIndex(rng, 1)).toBe(0)
    for (let i = 0; i < 100; i++) expect([0, 1]).toContain(uniformIndex(rng, 2))
  })
})
