// Buddy allocator throughput and boot cost (src/engine/mm). Prints figures; asserts nothing.
// Standalone: npx tsx bench/page_alloc.bench.ts ; from bench/main.ts: runPageAllocBench().
import { createPageAlloc } from '../src/engine/mm/page_alloc'
import { MIGRATE_MOVABLE, type PageAllocConfig } from '../src/engine/mm/page_alloc_api'

const GIB_PAGES = 262144

function config(memGiB: number, pcpOrders: readonly number[]): PageAllocConfig {
  // q35 layout: 2 GiB below the PCI hole, the rest from 4 GiB.
  const low = Math.min(memGiB, 2) * GIB_PAGES
  const ranges = [{ startPfn: 0, endPfn: 159 }, { startPfn: 256, endPfn: low }]
  if (memGiB > 2) ranges.push({ startPfn: 4 * GIB_PAGES, endPfn: 4 * GIB_PAGES + (memGiB - 2) * GIB_PAGES })
  return {
    ranges,
    reservedPages: 16384,
    cpus: 2,
    pageblockOrder: 9,
    pcpOrders,
    pcpHighMode: 'low-wmark',
    percpuPagelistHighFraction: 0,
    putbackToTail: true,
    minFreeKbytes: null,
    thpEnabled: true,
    watermarkScaleFactor: 10,
    watermarkBoostFactor: 15000,
    shuffle: false,
    randomBit: () => 0,
    notifyFree: () => {},
  }
}

function opsPerSec(ops: number, ms: number): string {
  return `${((ops / ms) * 1000 / 1e6).toFixed(1)} M ops/s`
}

/** Order-0 alloc+free pairs; a working set of `depth` pages so the lists do real work. */
function allocFreeLoop(pcpOrders: readonly number[], pairs: number, depth: number): number {
  const pa = createPageAlloc(config(4, pcpOrders))
  const held = new Int32Array(depth)
  for (let i = 0; i < depth; i++) held[i] = pa.allocPages(0, MIGRATE_MOVABLE, 0)
  const t0 = performance.now()
  for (let i = 0; i < pairs; i++) {
    const slot = i % depth
    pa.freePages(held[slot], 0, 0)
    held[slot] = pa.allocPages(0, MIGRATE_MOVABLE, 0)
  }
  const ms = performance.now() - t0
  pa.check()
  return ms
}

export async function runPageAllocBench(): Promise<string[]> {
  const lines: string[] = []
  const pairs = 5_000_000
  // Warm up the JIT on a short run of each path first.
  allocFreeLoop([0, 1, 2, 3, 9], 200_000, 64)
  allocFreeLoop([], 200_000, 1)
  const pcpMs = allocFreeLoop([0, 1, 2, 3, 9], pairs, 64)
  lines.push(`page_alloc: order-0 alloc+free via PCP: ${opsPerSec(pairs, pcpMs)} (pairs, ${(pcpMs / pairs * 1e6).toFixed(0)} ns/pair)`)
  // One page held: each free merges order 0 -> 10, each alloc splits 10 -> 0 (expand).
  const buddyMs = allocFreeLoop([], pairs, 1)
  lines.push(`page_alloc: order-0 alloc+free via buddy, split and merge 0..10: ${opsPerSec(pairs, buddyMs)} (pairs, ${(buddyMs / pairs * 1e6).toFixed(0)} ns/pair)`)
  const buddyWsMs = allocFreeLoop([], pairs, 4096)
  lines.push(`page_alloc: order-0 alloc+free via buddy, 4096 pages held: ${opsPerSec(pairs, buddyWsMs)} (pairs)`)

  for (const gib of [16, 64]) {
    const heapBefore = process.memoryUsage().arrayBuffers
    const t0 = performance.now()
    const pa = createPageAlloc(config(gib, [0, 1, 2, 3, 9]))
    const ms = performance.now() - t0
    const bytes = process.memoryUsage().arrayBuffers - heapBefore
    const pages = gib * GIB_PAGES
    lines.push(`page_alloc: boot ${gib} GiB (${pages} pages): ${ms.toFixed(0)} ms, ${(bytes / pages).toFixed(2)} bytes/page of typed arrays (nr_free order 10 in Normal: ${pa.nrFree(2, 10)})`)
  }
  return lines
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await runPageAllocBench()) console.log(line)
}
