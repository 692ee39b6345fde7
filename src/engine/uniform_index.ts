// A uniform index in [0, n): the draws and the result of pure-rand's uniformInt(rng, 0, n - 1)
// (pure-rand 8, distribution/uniformInt.ts, ranges up to 2^32), computed in 32-bit integer
// arithmetic. pure-rand reduces a double modulo the range, an x87 fprem on every call; the
// workload draws one per freed block. uniform_index.test.ts checks both agree draw for draw.
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator'

/** n: an integer in 1..2^31. */
export function uniformIndex(rng: RandomGenerator, n: number): number {
  // rejection above the largest multiple of n below 2^32, as uniformIntInternal() does
  const maxAllowed = n > 2 ? Math.floor(4294967296 / n) * n : 4294967296
  let v = (rng.next() ^ 0x80000000) >>> 0
  while (v >= maxAllowed) v = (rng.next() ^ 0x80000000) >>> 0
  return v % (n >>> 0)
}
