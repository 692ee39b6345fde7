import { describe, expect, it } from 'vitest'
import { e820UsableRanges, guestRamRanges, lowReserveEndPfn, memblockReservations, reservedPagesOf } from './e820'
import { computeZoneLayout } from './mm/mmzone'

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

  it('the kernel sees RAM without page 0 and the BIOS hole 0x9fc00-0xfffff', () => {
    expect(e820UsableRanges(guestRamRanges(1024, null))).toEqual([
      { startPfn: 1, endPfn: 0x9f },
      { startPfn: 0x100, endPfn: 1024 * 256 },
    ])
    expect(e820UsableRanges(guestRamRanges(16384, null))[2]).toEqual({ startPfn: 1 << 20, endPfn: (1 << 20) + 14336 * 256 })
  })

  it('5.13+ reserves the whole first MiB, 5.10 its first 64 KiB; the rest of the reservation comes out above DMA', () => {
    expect(lowReserveEndPfn('6.1')).toBe(256)
    expect(lowReserveEndPfn('5.10')).toBe(16)
    const ram = guestRamRanges(1024, null)
    // the first MiB: 98 pages of holes (page 0, 0x9f..0xff) and 158 reserved pages on 6.1
    expect(memblockReservations(ram, 16775, '6.1')).toEqual({ lowReserveEndPfn: 256, reservedAboveDma: 16775 - 256 })
    // 5.10: pfns 16..158 stay managed, so only 98 + 15 pages of the first MiB count
    expect(memblockReservations(ram, 16775, '5.10')).toEqual({ lowReserveEndPfn: 16, reservedAboveDma: 16775 - 113 })
  })

  it('a 1 GiB Debian 6.1 guest under QEMU q35: the zones of its /proc/zoneinfo', () => {
    // the reference guest (validation/free_all/meta.json): MemTotal 981476 kB, DMA present 3998
    // managed 3840, DMA32 managed 241529 (its DMA32 present is 258016: SeaBIOS keeps the last
    // 128 KiB below 1 GiB, which the lab counts in the reservation)
    const ram = guestRamRanges(1024, null)
    const total = 1024 * 256 - 981476 / 4
    const r = memblockReservations(ram, total, '6.1')
    const l = computeZoneLayout(e820UsableRanges(ram), r.reservedAboveDma, r.lowReserveEndPfn)
    expect(Array.from(l.presentPages.slice(0, 2))).toEqual([3998, 258048])
    expect(Array.from(l.managedPages.slice(0, 2))).toEqual([3840, 241529])
  })
})
