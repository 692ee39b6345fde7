// Guest RAM layout as QEMU's q35 machine reports it in the e820 map (kernel-spec §2.2), and the
// memory the guest kernel keeps back from the buddy allocator (memblock reservations).
import type { KernelVersion } from '../common/experiment'

/** The 32-bit PCI hole starts here unless the user says otherwise; RAM above it moves to 4 GiB. */
const Q35_LOWMEM_LIMIT_MIB = 2816
const Q35_LOWMEM_SPLIT_MIB = 2048
const FOUR_GIB_PFN = 1 << 20
const PAGES_PER_MIB = 256

export interface PfnRange {
  readonly startPfn: number
  readonly endPfn: number
}

/** q35 (pc_q35_init): all RAM below 4 GiB if it is < 2816 MiB, else 2048 MiB below and the rest from 4 GiB. */
export function guestRamRanges(memoryMiB: number, lowMemMiB: number | null): PfnRange[] {
  const low = Math.min(memoryMiB, lowMemMiB ?? (memoryMiB < Q35_LOWMEM_LIMIT_MIB ? memoryMiB : Q35_LOWMEM_SPLIT_MIB))
  const ranges: PfnRange[] = [{ startPfn: 0, endPfn: low * PAGES_PER_MIB }]
  const high = memoryMiB - low
  if (high > 0) ranges.push({ startPfn: FOUR_GIB_PFN, endPfn: FOUR_GIB_PFN + high * PAGES_PER_MIB })
  return ranges
}

/** SeaBIOS reports 0x9fc00-0xfffff reserved (EBDA, VGA window, option ROMs, BIOS): no usable page from pfn 0x9f to 1 MiB. */
const LEGACY_HOLE_START_PFN = 0x9f
const ONE_MIB_PFN = 0x100

/**
 * The RAM the guest kernel puts in memblock.memory: QEMU's RAM without the legacy BIOS hole below
 * 1 MiB and without page 0, which the kernel marks reserved in the e820 map (trim_bios_range()).
 */
export function e820UsableRanges(ram: readonly PfnRange[]): PfnRange[] {
  const out: PfnRange[] = []
  for (const r of ram) {
    if (r.startPfn < ONE_MIB_PFN) {
      const lowEnd = Math.min(r.endPfn, LEGACY_HOLE_START_PFN)
      if (lowEnd > Math.max(r.startPfn, 1)) out.push({ startPfn: Math.max(r.startPfn, 1), endPfn: lowEnd })
      if (r.endPfn > ONE_MIB_PFN) out.push({ startPfn: ONE_MIB_PFN, endPfn: r.endPfn })
    } else {
      out.push(r)
    }
  }
  return out
}

/**
 * End of the low memory the kernel reserves from memblock at boot: the whole first MiB since 5.13
 * (setup_arch(): "Unconditionally reserve the entire first 1M of RAM", reserve_real_mode()), the
 * first 64 KiB before (CONFIG_X86_RESERVE_LOW; the real-mode trampoline's few pages are left out).
 */
export function lowReserveEndPfn(kernel: KernelVersion): number {
  return kernel === '5.10' ? 16 : ONE_MIB_PFN
}

/**
 * Pages of guest RAM that never reach the buddy allocator (MemTotal = RAM - this): the given MiB,
 * or 64 bytes of struct page per 4 KiB page plus 24 MiB. The first MiB counts in it.
 */
export function reservedPagesOf(memoryMiB: number, reservedMiB: number | null): number {
  if (reservedMiB !== null) return Math.round(reservedMiB * PAGES_PER_MIB)
  const memmapBytes = memoryMiB * PAGES_PER_MIB * 64
  return Math.ceil(memmapBytes / 4096) + 24 * PAGES_PER_MIB
}

/**
 * The memblock reservations of a guest: the low reservation below 1 MiB, and the rest of the
 * pages kept back (kernel image, memmap, ...), taken above the DMA zone. Pages below 1 MiB that
 * are holes or reserved count against the total.
 */
export function memblockReservations(ram: readonly PfnRange[], totalReservedPages: number, kernel: KernelVersion): { lowReserveEndPfn: number; reservedAboveDma: number } {
  const lowEnd = lowReserveEndPfn(kernel)
  let managedBelow1MiB = 0
  for (const r of e820UsableRanges(ram)) managedBelow1MiB += Math.max(0, Math.min(r.endPfn, ONE_MIB_PFN) - Math.max(r.startPfn, lowEnd))
  const lowUnmanaged = ONE_MIB_PFN - managedBelow1MiB
  return { lowReserveEndPfn: lowEnd, reservedAboveDma: Math.max(0, totalReservedPages - lowUnmanaged) }
}
