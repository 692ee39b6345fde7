import { describe, expect, it } from 'vitest'
import { guestRamRanges, reservedPagesOf } from './e820'

describe('e820 layout (q35)', () => {
  it('puts all RAM below 4 GiB when it is smaller than 2816 MiB', () => {
    expect(guestRamRanges(2048, null)).toEqual([{ startPfn: 0, endPfn: 2048 * 256 }])
    expect(guestRamRanges(2815, null)).toEqual([{ startPfn: 0, endPfn: 2815 * 256 }])
  })

  it('splits 2048 MiB below and the rest from 4 GiB otherwise', () => {
    expect(guestRamRanges(16384, null)).toEqual([
      { startPfn: 0, endPfn: 2048 * 256 },
      { startPfn: 1 << 20, endPfn: (1 << 20) + 14336 * 256 },
    ])
    expect(guestRamRanges(2816, null)[1]).toEqual({ startPfn: 1 << 20, endPfn: (1 << 20) + 768 * 256 })
  })

  it('honours lowMemMiB', () => {
    expect(guestRamRanges(4096, 3072)).toEqual([
      { startPfn: 0, endPfn: 3072 * 256 },
      { startPfn: 1 << 20, endPfn: (1 << 20) + 1024 * 256 },
    ])
    expect(guestRamRanges(1024, 3072)).toEqual([{ startPfn: 0, endPfn: 1024 * 256 }])
  })

  it('reserves 64 B of struct page per page plus 24 MiB by default', () => {
    // 1 GiB: 262144 pages * 64 B = 16 MiB = 4096 pages; + 24 MiB = 6144 pages
    expect(reservedPagesOf(1024, null)).toBe(4096 + 6144)
    expect(reservedPagesOf(1024, 10)).toBe(2560)
  })
})
