// A uniform index in [0, n): the draws and the result of pure-rand's uniformInt(rng, 0, n - 1)
// (pure-rand 8, distribution/uniformInt.ts, ranges up to 2^32), without its double modulo (an x87
// fprem loop on every call; the workload draws one per freed block). uniform_index.test.ts checks
// both agree draw for draw.
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator'

/** n: an integer in 1..2^31. */
export function uniformIndex(rng: RandomGenerator, n: number): number {
  // rejection above the largest multiple of n below 2^32, as uniformIntInternal() does
  const maxAllowed = n > 2 ? Math.floor(4294967296 / n) * n : 4294967296
  let v = (rng.next() ^ 0x80000000) >>> 0
  while (v >= maxAllowed) v = (rng.next() ^ 0x80000000) >>> 0
  // v % n without a float modulo: v / n is within v * 2^-53 < 1 / n of the true quotient, so its
  // floor is exact
  return v - Math.floor(v / n) * n
}
