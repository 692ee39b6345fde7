// The floor of sustained order-0 churn on the engine's data layout (issue 14). Figures printed,
// never asserted. Standalone: npx tsx bench/churn_floor.bench.ts; or npm run bench.
//
// One class does only what every churn request must do to the engine's arrays, with the
// engine's layout and rates: a 2-byte memmap word per page, the engine's own buddy lists (PfnLists:
// 8-byte links per page; an allocated head's pair holds its rmap record index and owner word), per-CPU rings, a live set with
// swap-remove, four CPUs in turn (so two only allocate and two only free, as the churn case
// runs), pcp high 4700 and batch 63 (a 16 GiB zone: drains of 4637 pages), xoroshiro128+ draws
// (two for the order, one per victim). No watermarks, zones, counters, per-order lists, host
// backing, reporting or samples. What it costs per operation at 16 GiB is the least the engine
// can cost there; at 1 GiB everything fits in the caches, so that figure is the compute alone.
// bench/churn_floor.c is the same loop in C, for what a compiled core could reach;
// bench/wasm/churn_floor.ts the same in AssemblyScript, compiled here to WebAssembly, for what a
// WebAssembly core could reach in the lab's own runtime.
import { fileURLToPath, pathToFileURL } from 'node:url'
import asc from 'assemblyscript/asc'
import { PfnLists } from '../src/engine/mm/list'

const MAX_ORDER = 10
const KIND_ALLOCATED = 3
const KIND_BUDDY = 4
const KIND_PCP = 5
const ORDER_SHIFT = 8
const CPUS = 4
const RING = 1 << 16
const PCP_HIGH = 4700
const PCP_BATCH = 63
const PCP_DRAIN = PCP_HIGH - PCP_BATCH
/** Requests per tick: 100,000 allocations per second in 1 ms ticks. */
const TICK_REQUESTS = 100

const word = (kind: number, order: number): number => kind | ((order + 1) << ORDER_SHIFT)

function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/**
 * The fused loop's state. A class, so that every guest size runs the same compiled methods (closures
 * made per run would give each call site a new target and lose their inlining after the first run).
 */
class ChurnFloor {
  readonly page: Uint16Array
  /** The engine's buddy lists (one per order here): links at 2 * pfn, which allocated pages lend to the rmap words. */
  readonly lists: PfnLists
  readonly link: Int32Array
  readonly ring = new Int32Array(CPUS * RING)
  readonly first = new Int32Array(CPUS)
  readonly count = new Int32Array(CPUS)
  readonly entries: Int32Array
  readonly picks = new Int32Array(TICK_REQUESTS)
  readonly liveBlocks: number
  length = 0
  slot = 0
  sink = 0
  s0 = 0x12345678
  s1 = 0x9abcdef
  s2 = 0x13579bdf
  s3 = 0x2468ace0

  constructor(
    memoryGiB: number,
    readonly prefetch: boolean,
  ) {
    const nrPages = memoryGiB << 18
    this.page = new Uint16Array(nrPages)
    this.lists = new PfnLists(nrPages, MAX_ORDER + 1)
    this.link = this.lists.link
    this.liveBlocks = memoryGiB << 16
    this.entries = new Int32Array(this.liveBlocks + 1)
    for (let pfn = 0; pfn < nrPages; pfn += 1 << MAX_ORDER) {
      this.page[pfn] = word(KIND_BUDDY, MAX_ORDER)
      this.lists.addHead(MAX_ORDER, pfn)
    }
    // half the guest held, then a live set of a quarter, churned long enough to fragment
    for (let i = 0; i < nrPages >> 1; i++) this.rmqueue()
    for (let i = 0; i < this.liveBlocks; i++) this.alloc()
    for (let i = 0; i < 2 * this.liveBlocks; i += TICK_REQUESTS) this.tick()
  }

  /** xoroshiro128+ with pure-rand's 32-bit halves, as the engine draws. */
  next(): number {
    const out = (this.s0 + this.s2) | 0
    const a0 = this.s2 ^ this.s0
    const a1 = this.s3 ^ this.s1
    const o0 = this.s0
    const o1 = this.s1
    this.s0 = (o0 << 24) ^ (o1 >>> 8) ^ a0 ^ (a0 << 16)
    this.s1 = (o1 << 24) ^ (o0 >>> 8) ^ a1 ^ ((a1 << 16) | (a0 >>> 16))
    this.s2 = (a1 << 5) ^ (a0 >>> 27)
    this.s3 = (a0 << 5) ^ (a1 >>> 27)
    return out
  }

  /** __free_one_page(): merge while the buddy is free, then to the head of its list. */
  freeOnePage(pfn: number): void {
    const page = this.page
    let order = 0
    page[pfn] = 0
    while (order < MAX_ORDER) {
      const buddy = pfn ^ (1 << order)
      if (page[buddy] !== word(KIND_BUDDY, order)) break
      this.lists.del(buddy)
      page[buddy] = 0
      pfn &= buddy
      order++
    }
    page[pfn] = word(KIND_BUDDY, order)
    this.lists.addHead(order, pfn)
  }

  /** __rmqueue_smallest() + expand(). */
  rmqueue(): number {
    for (let order = 0; order <= MAX_ORDER; order++) {
      const pfn = this.lists.head[order]
      if (pfn < 0) continue
      this.lists.del(pfn)
      this.page[pfn] = 0
      for (let high = order; high > 0; ) {
        high--
        const half = pfn + (1 << high)
        this.page[half] = word(KIND_BUDDY, high)
        this.lists.addHead(high, half)
      }
      return pfn
    }
    throw new Error('churn floor: out of memory')
  }

  alloc(): void {
    const cpu = this.slot
    this.slot = (cpu + 1) & (CPUS - 1)
    const base = cpu * RING
    const { ring, first, count } = this
    if (count[cpu] === 0) {
      for (let i = 0; i < PCP_BATCH; i++) {
        const pfn = this.rmqueue()
        this.page[pfn] = word(KIND_PCP, 0)
        ring[base + ((first[cpu] + count[cpu]++) & (RING - 1))] = pfn
      }
    }
    const pfn = ring[base + first[cpu]]
    first[cpu] = (first[cpu] + 1) & (RING - 1)
    count[cpu]--
    this.page[pfn] = word(KIND_ALLOCATED, 0)
    this.entries[this.length] = pfn
    this.link[2 * pfn] = this.length++
    this.link[2 * pfn + 1] = 1
  }

  free(i: number): void {
    const cpu = this.slot
    this.slot = (cpu + 1) & (CPUS - 1)
    const base = cpu * RING
    const { ring, first, count, page, link, entries } = this
    const pfn = entries[i]
    if (page[pfn] !== word(KIND_ALLOCATED, 0)) throw new Error(`churn floor: pfn ${pfn} is not allocated`)
    const moved = entries[--this.length]
    entries[i] = moved
    link[2 * moved] = i
    page[pfn] = word(KIND_PCP, 0)
    first[cpu] = (first[cpu] - 1) & (RING - 1)
    ring[base + first[cpu]] = pfn
    if (++count[cpu] < PCP_HIGH) return
    if (this.prefetch) {
      let loaded = 0
      for (let k = 0; k < PCP_DRAIN; k++) {
        const q = ring[base + ((first[cpu] + count[cpu] - 1 - k) & (RING - 1))]
        loaded ^= page[q] ^ link[2 * q]
      }
      this.sink ^= loaded
    }
    for (let k = 0; k < PCP_DRAIN; k++) this.freeOnePage(ring[base + ((first[cpu] + --count[cpu]) & (RING - 1))])
  }

  tick(): void {
    const { picks, entries, page } = this
    const n = this.liveBlocks + 1
    // per request: the order draw (two words) and one victim over the live size plus one
    for (let r = 0; r < TICK_REQUESTS; r++) {
      this.next()
      this.next()
      const v = (this.next() ^ 0x80000000) >>> 0
      // v mod n, as uniformIndex() computes it
      picks[r] = v - Math.floor(v / n) * n
    }
    if (this.prefetch) {
      let loaded = 0
      for (let r = 0; r < TICK_REQUESTS; r++) loaded ^= entries[picks[r]]
      for (let r = 0; r < TICK_REQUESTS; r++) loaded ^= page[entries[picks[r]]]
      this.sink ^= loaded
    }
    for (let r = 0; r < TICK_REQUESTS; r++) {
      this.alloc()
      this.free(picks[r])
    }
  }
}

/** ns per page operation (an allocation or a free) over `requests` churn requests on a guest of `memoryGiB`. */
function churnFloor(memoryGiB: number, requests: number, prefetch: boolean): number {
  const floor = new ChurnFloor(memoryGiB, prefetch)
  const t0 = cpuMs()
  for (let i = 0; i < requests; i += TICK_REQUESTS) floor.tick()
  return ((cpuMs() - t0) * 1e6) / (2 * requests)
}

/** The part of the WebAssembly global used here: @types/node 20 declares none of it. */
interface WasmApi {
  compile(binary: Uint8Array): Promise<WasmModule>
  instantiate(module: WasmModule, imports: object): Promise<{ readonly exports: object }>
}
type WasmModule = { readonly __brand: 'WebAssembly.Module' }
const wasm = (globalThis as unknown as { readonly WebAssembly: WasmApi }).WebAssembly

/** bench/wasm/churn_floor.ts compiled by the AssemblyScript compiler (optimised, no runtime checks). */
async function compileWasmFloor(): Promise<WasmModule> {
  let binary: Uint8Array | null = null
  const { error, stderr } = await asc.main(
    [fileURLToPath(new URL('./wasm/churn_floor.ts', import.meta.url)), '-O3', '--noAssert', '--runtime', 'stub', '--maximumMemory', '65536', '--outFile', 'churn_floor.wasm'],
    {
      writeFile: (name, contents) => {
        if (name.endsWith('.wasm') && contents instanceof Uint8Array) binary = contents
      },
    },
  )
  if (error !== null || binary === null) throw new Error(`bench/wasm/churn_floor.ts did not compile: ${error?.message ?? 'no output'}\n${stderr.toString()}`)
  return wasm.compile(binary)
}

interface WasmFloor {
  init(memoryGiB: number, prefetch: boolean): void
  run(requests: number): void
}

/** ns per page operation of the WebAssembly floor: a fresh instance (its own memory) per guest. */
async function wasmChurnFloor(module: WasmModule, memoryGiB: number, requests: number, prefetch: boolean): Promise<number> {
  const instance = await wasm.instantiate(module, {
    env: {
      abort: () => {
        throw new Error('churn floor (WebAssembly): abort')
      },
    },
  })
  const floor = instance.exports as unknown as WasmFloor
  floor.init(memoryGiB, prefetch)
  const t0 = cpuMs()
  floor.run(requests)
  return ((cpuMs() - t0) * 1e6) / (2 * requests)
}

export async function runChurnFloorBench(requests = 10_000_000): Promise<string[]> {
  const fmt = (x: number): string => x.toFixed(1)
  const out = ['the least an order-0 churn operation costs on the engine layout (one fused loop, no bookkeeping; CPU time):']
  for (const gib of [1, 16, 64]) {
    out.push(`  ${String(gib).padStart(2)} GiB: ${fmt(churnFloor(gib, requests, false))} ns/op, with the engine's prefetch passes ${fmt(churnFloor(gib, requests, true))} ns/op`)
  }
  const module = await compileWasmFloor()
  out.push('the same loop in WebAssembly (bench/wasm/churn_floor.ts, AssemblyScript -O3; prefetch passes as plain loads):')
  for (const gib of [1, 16, 64]) {
    out.push(`  ${String(gib).padStart(2)} GiB: ${fmt(await wasmChurnFloor(module, gib, requests, false))} ns/op, with prefetch passes ${fmt(await wasmChurnFloor(module, gib, requests, true))} ns/op`)
  }
  return out
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await runChurnFloorBench()) console.log(line)
}
