import { describe, expect, it } from 'vitest'
import { computeZoneLayout, zoneIdx } from './mmzone'
import { GIB_PAGES, q35Ranges } from './guest_fixtures'

describe('zone layout (x86_64)', () => {
  it('splits a 4 GiB q35 guest into DMA, DMA32 and Normal', () => {
    const l = computeZoneLayout(q35Ranges(4 * GIB_PAGES), 1000)
    expect(Array.from(l.zoneStartPfn)).toEqual([0, 4096, 1048576])
    expect(Array.from(l.zoneEndPfn)).toEqual([4096, 524288, 1572864])
    // DMA: 0..158 and 256..4095 present; pfn 0 reserved. DMA32: the 1000 lowest pfns reserved.
    expect(Array.from(l.presentPages)).toEqual([159 + 3840, 524288 - 4096, 524288])
    expect(Array.from(l.reservedPages)).toEqual([1, 1000, 0])
    expect(Array.from(l.managedPages)).toEqual([3998, 524288 - 4096 - 1000, 524288])
    expect(l.reserved).toEqual([{ startPfn: 0, endPfn: 1 }, { startPfn: 4096, endPfn: 5096 }])
    expect(l.free[0]).toEqual({ startPfn: 1, endPfn: 159 })
    expect(l.free[2]).toEqual({ startPfn: 5096, endPfn: 524288 })
    expect(l.maxPfn).toBe(1572864)
    expect(l.nrPfns).toBe(1572864)
  })

  it('reservations spill from DMA32 into Normal; an empty zone spans nothing', () => {
    const l = computeZoneLayout([{ startPfn: 4096, endPfn: 5096 }, { startPfn: 1048576, endPfn: 1049600 }], 1500)
    expect(Array.from(l.reservedPages)).toEqual([0, 1000, 500])
    expect(Array.from(l.managedPages)).toEqual([0, 0, 524])
    expect(l.zoneStartPfn[0]).toBe(l.zoneEndPfn[0])
  })

  it('rounds the memmap up to a MAX_ORDER block', () => {
    expect(computeZoneLayout([{ startPfn: 4096, endPfn: 5000 }], 0).nrPfns).toBe(5120)
  })

  it('splits a range crossing 16 MiB at the zone boundary', () => {
    const l = computeZoneLayout([{ startPfn: 1, endPfn: 8192 }], 0)
    expect(Array.from(l.presentPages)).toEqual([4095, 4096, 0])
  })

  it('names the bad field', () => {
    expect(() => computeZoneLayout([{ startPfn: 10, endPfn: 5 }], 0)).toThrow(/ranges\[0\].*\[10, 5\)/)
    expect(() => computeZoneLayout([{ startPfn: 0, endPfn: 100 }, { startPfn: 50, endPfn: 200 }], 0)).toThrow(/ranges\[1\].*overlaps ranges\[0\]/)
    expect(() => computeZoneLayout([], 0)).toThrow(/ranges: expected at least one/)
    expect(() => computeZoneLayout([{ startPfn: 0, endPfn: 4096 }], 1)).toThrow(/reservedPages: 1 pages do not fit/)
    expect(() => computeZoneLayout([{ startPfn: 4096, endPfn: 8192 }], -1)).toThrow(/reservedPages: expected a non-negative integer/)
  })

  it('zone of a pfn', () => {
    expect([0, 4095, 4096, 1048575, 1048576].map(zoneIdx)).toEqual([0, 0, 1, 1, 2])
  })
})
