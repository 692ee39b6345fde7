// Guest RAM layout as QEMU's q35 machine reports it in the e820 map (kernel-spec §2.2), and the
// memory the guest kernel keeps back from the buddy allocator (memblock reservations).

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

/** Pages never handed to the buddy allocator: the given MiB, or 64 bytes of struct page per 4 KiB page plus 24 MiB. */
export function reservedPagesOf(memoryMiB: number, reservedMiB: number | null): number {
  if (reservedMiB !== null) return Math.round(reservedMiB * PAGES_PER_MIB)
  const memmapBytes = memoryMiB * PAGES_PER_MIB * 64
  return Math.ceil(memmapBytes / 4096) + 24 * PAGES_PER_MIB
}
