// Buddy allocator throughput and boot cost (src/engine/mm). Prints figures; asserts nothing.
// Standalone: npx tsx bench/page_alloc.bench.ts ; from bench/main.ts: runPageAllocBench().
// "ops" counts calls: one allocPages() or one freePages() is one op. Loops are timed in process
// CPU time, so that other work on a shared machine does not count against them.
import { PageAllocator, createPageAlloc } from '../src/engine/mm/page_alloc'
import { MIGRATE_MOVABLE, type PageAllocConfig } from '../src/engine/mm/page_alloc_api'
import { GIB_PAGES, guestConfig, q35Ranges } from '../src/engine/mm/guest_fixtures'

/** A 6.6 q35 guest: 2 CPUs, THP on, 64 MiB reserved; no memmap for the PCI hole, as a Simulation builds it. */
function config(memGiB: number, pcpOrders: readonly number[]): PageAllocConfig {
  return guestConfig({ ranges: q35Ranges(memGiB * GIB_PAGES), reservedPages: 16384, cpus: 2, pcpOrders, thpEnabled: true, sparseMemmap: true })
}

/** Milliseconds of CPU time used by this process so far. */
function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

function opsPerSec(ops: number, ms: number): string {
  return `${((ops / ms) * 1000 / 1e6).toFixed(1)} M ops/s`
}

/** Order-0 alloc+free pairs; a working set of `depth` pages so the lists do real work. */
function allocFreeLoop(pcpOrders: readonly number[], pairs: number, depth: number): number {
  const pa = createPageAlloc(config(4, pcpOrders))
  const held = new Int32Array(depth)
  for (let i = 0; i < depth; i++) held[i] = pa.allocPages(0, MIGRATE_MOVABLE, 0)
  const t0 = cpuMs()
  for (let i = 0; i < pairs; i++) {
    const slot = i % depth
    pa.freePages(held[slot], 0, 0)
    held[slot] = pa.allocPages(0, MIGRATE_MOVABLE, 0)
  }
  const ms = cpuMs() - t0
  pa.check()
  return ms
}

/** Rounds of `n` order-0 allocations then `n` frees in the same order, through the buddy (no PCP): frees merge as they go. */
function batchLoop(rounds: number, n: number): number {
  const pa = createPageAlloc(config(4, []))
  const held = new Int32Array(n)
  const t0 = cpuMs()
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < n; i++) held[i] = pa.allocPages(0, MIGRATE_MOVABLE, 0)
    for (let i = 0; i < n; i++) pa.freePages(held[i], 0, 0)
  }
  const ms = cpuMs() - t0
  pa.check()
  return ms
}

/** Typed-array bytes the allocator keeps per page of guest RAM (memmap, list links, pageblock types). */
function bytesPerPage(pa: PageAllocator, guestPages: number): number {
  const arrays = [pa.memmap.page, pa.memmap.pageblockMt, pa.lists.link]
  return arrays.reduce((sum, a) => sum + a.byteLength, 0) / guestPages
}

export async function runPageAllocBench(): Promise<string[]> {
  const lines: string[] = []
  const pairs = 5_000_000
  // Warm up the JIT on a short run of each path first.
  allocFreeLoop([0, 1, 2, 3, 9], 200_000, 64)
  allocFreeLoop([], 200_000, 1)
  batchLoop(20, 4096)
  const pcpMs = allocFreeLoop([0, 1, 2, 3, 9], pairs, 64)
  lines.push(`page_alloc: order-0 alloc+free via the PCP lists: ${opsPerSec(2 * pairs, pcpMs)} (${((pcpMs / pairs) * 1e6).toFixed(0)} ns per alloc+free)`)
  // One page held: every free merges order 0 -> 10, every allocation splits 10 -> 0 (expand()).
  const buddyMs = allocFreeLoop([], pairs, 1)
  lines.push(`page_alloc: order-0 alloc+free via the buddy, worst case (split 10 -> 0, merge 0 -> 10 each time): ${opsPerSec(2 * pairs, buddyMs)} (${((buddyMs / pairs) * 1e6).toFixed(0)} ns per alloc+free)`)
  const rounds = 500
  const batchMs = batchLoop(rounds, 4096)
  lines.push(`page_alloc: order-0 via the buddy, 4096 allocations then 4096 merging frees: ${opsPerSec(2 * rounds * 4096, batchMs)}`)

  for (const gib of [16, 64]) {
    const t0 = performance.now()
    const pa = new PageAllocator(config(gib, [0, 1, 2, 3, 9]))
    const ms = performance.now() - t0
    const pages = gib * GIB_PAGES
    lines.push(`page_alloc: boot of a ${gib} GiB guest (${pages} pages): ${ms.toFixed(0)} ms, ${bytesPerPage(pa, pages).toFixed(2)} bytes of allocator state per page (memmap without the PCI hole)`)
  }
  return lines
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await runPageAllocBench()) console.log(line)
}
