// The host machine's memory figures as its kernel would compute them: the RAM guests can use and
// the watermarks of mm/page_alloc.c over the host's zones (x86_64: DMA below 16 MiB, DMA32 below
// 4 GiB less the PCI hole, Normal above), summed into one pool.
import type { Machine } from '../../common/host_experiment'
import { initPerZoneWmarkMin } from '../mm/watermark'
import type { HostMemoryConfig } from './host_memory'

const PAGES_PER_MIB = 256
/** RAM a server has below 4 GiB: the 32-bit PCI hole takes the top GiB (an assumption; firmware varies). */
const HOST_LOW_MIB = 3072
const DMA_MIB = 16
/** Host memory outside guest RAM by default: the host kernel, slab, page tables, QEMU processes, services. */
export const DEFAULT_HOST_OVERHEAD_MIB = 512

/** machine.reservedMiB, or its default: 64 bytes of struct page per 4 KiB page plus DEFAULT_HOST_OVERHEAD_MIB. */
export function hostReservedPages(machine: Machine): number {
  if (machine.reservedMiB !== null) return Math.round(machine.reservedMiB * PAGES_PER_MIB)
  const ramPages = machine.memoryMiB * PAGES_PER_MIB
  return Math.ceil((ramPages * 64) / 4096) + DEFAULT_HOST_OVERHEAD_MIB * PAGES_PER_MIB
}

export function hostMemoryConfig(machine: Machine): HostMemoryConfig {
  const ram = machine.memoryMiB
  const dma = Math.min(ram, DMA_MIB) * PAGES_PER_MIB
  const dma32 = (Math.min(ram, HOST_LOW_MIB) - Math.min(ram, DMA_MIB)) * PAGES_PER_MIB
  const normal = Math.max(0, ram - HOST_LOW_MIB) * PAGES_PER_MIB
  const pages = [dma, dma32, normal]
  const marks = initPerZoneWmarkMin({
    managedPages: pages,
    presentPages: pages,
    minFreeKbytes: machine.minFreeKbytes,
    thpEnabled: machine.thp !== 'never',
    pageblockOrder: 9,
    watermarkScaleFactor: machine.watermarkScaleFactor,
  })
  const sum = (a: Int32Array): number => a.reduce((s, v) => s + v, 0)
  return {
    availablePages: ram * PAGES_PER_MIB - hostReservedPages(machine),
    swapPages: Math.floor(machine.swapMiB * PAGES_PER_MIB),
    swapOutUsPer4k: machine.swapOutUsPer4k,
    minPages: sum(marks.min),
    lowPages: sum(marks.low),
    highPages: sum(marks.high),
  }
}
