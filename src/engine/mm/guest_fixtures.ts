// Guest layouts for the allocator's tests and benchmarks: small enough to check after every
// step, shaped like QEMU's e820 (640 KiB hole, RAM from 4 GiB above the PCI hole).
import type { PageAllocConfig } from './page_alloc_api'

export const GIB_PAGES = 262144

/** A 6.6 x86_64 guest with THP off, one CPU, no per-CPU lists, notifications ignored. */
export function guestConfig(overrides: Partial<PageAllocConfig> = {}): PageAllocConfig {
  return {
    ranges: [{ startPfn: 4096, endPfn: 4096 + 8192 }],
    reservedPages: 0,
    cpus: 1,
    pageblockOrder: 9,
    pcpOrders: [],
    pcpHighMode: 'low-wmark',
    percpuPagelistHighFraction: 0,
    putbackToTail: true,
    minFreeKbytes: null,
    thpEnabled: false,
    watermarkScaleFactor: 10,
    watermarkBoostFactor: 15000,
    shuffle: false,
    randomBit: () => 0,
    notifyFree: () => {},
    ...overrides,
  }
}

/** q35 layout: all RAM below 4 GiB up to 2 GiB, the rest from 4 GiB; pfn 159..255 is the legacy hole. */
export function q35Ranges(memPages: number): { startPfn: number; endPfn: number }[] {
  const low = Math.min(memPages, 2 * GIB_PAGES)
  const ranges = [{ startPfn: 0, endPfn: 159 }, { startPfn: 256, endPfn: low }]
  if (memPages > low) ranges.push({ startPfn: 4 * GIB_PAGES, endPfn: 4 * GIB_PAGES + memPages - low })
  return ranges
}
