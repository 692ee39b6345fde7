// The churn floor of bench/churn_floor.c in AssemblyScript, compiled to WebAssembly by
// bench/churn_floor.bench.ts (issue 14): what a WebAssembly core could reach at best on the engine's
// layout. The same fused loop and draws: a 2-byte memmap word and 8 bytes of list links per page,
// four per-CPU rings (pcp high 4700, batch 63), a live set with swap-remove. WebAssembly has no
// prefetch instruction, so `prefetch` does what the engine does instead: a pass of plain loads over
// the tick's victims and the drain's pages before the work, letting the misses overlap.
const MAX_ORDER: i32 = 10
const KIND_ALLOCATED: i32 = 3
const KIND_BUDDY: i32 = 4
const KIND_PCP: i32 = 5
const CPUS: i32 = 4
const RING: i32 = 1 << 16
const PCP_HIGH: i32 = 4700
const PCP_BATCH: i32 = 63
const PCP_DRAIN: i32 = PCP_HIGH - PCP_BATCH
const TICK_REQUESTS: i32 = 100

// byte addresses of the arrays in linear memory (init())
let page: usize = 0
let link: usize = 0
let ring: usize = 0
let entries: usize = 0
let picks: usize = 0
let heads: usize = 0
const first = new StaticArray<i32>(CPUS)
const count = new StaticArray<i32>(CPUS)
let length: i32 = 0
let slot: i32 = 0
let liveBlocks: i32 = 0
let withPrefetch = false
let s0: u32 = 0x12345678
let s1: u32 = 0x9abcdef
let s2: u32 = 0x13579bdf
let s3: u32 = 0x2468ace0
/** Keeps the prefetch passes' loads alive. */
export let sink: i32 = 0

@inline function word(kind: i32, order: i32): i32 {
  return kind | ((order + 1) << 8)
}
@inline function pageAt(pfn: i32): i32 {
  return <i32>load<u16>(page + ((<usize>pfn) << 1))
}
@inline function setPage(pfn: i32, w: i32): void {
  store<u16>(page + ((<usize>pfn) << 1), <u16>w)
}
@inline function linkAt(i: i32): i32 {
  return load<i32>(link + ((<usize>i) << 2))
}
@inline function setLink(i: i32, v: i32): void {
  store<i32>(link + ((<usize>i) << 2), v)
}
@inline function headOf(id: i32): i32 {
  return load<i32>(heads + ((<usize>id) << 2))
}
@inline function setHead(id: i32, v: i32): void {
  store<i32>(heads + ((<usize>id) << 2), v)
}
@inline function setTail(id: i32, v: i32): void {
  store<i32>(heads + 64 + ((<usize>id) << 2), v)
}
@inline function ringSlot(cpu: i32, i: i32): usize {
  return ring + ((<usize>(cpu * RING + (i & (RING - 1)))) << 2)
}
@inline function entryAt(i: i32): usize {
  return entries + ((<usize>i) << 2)
}

/** list_del() (src/engine/mm/list.ts PfnLists.del). */
@inline function del(pfn: i32): void {
  const n = linkAt(2 * pfn)
  const p = linkAt(2 * pfn + 1)
  if (p >= 0) setLink(2 * p, n)
  else setHead(-2 - p, n >= 0 ? n : -1)
  if (n >= 0) setLink(2 * n + 1, p)
  else setTail(-2 - n, p >= 0 ? p : -1)
}

/** list_add() (PfnLists.addHead). */
@inline function addHead(id: i32, pfn: i32): void {
  const h = headOf(id)
  setLink(2 * pfn + 1, -2 - id)
  if (h >= 0) {
    setLink(2 * pfn, h)
    setLink(2 * h + 1, pfn)
  } else {
    setLink(2 * pfn, -2 - id)
    setTail(id, pfn)
  }
  setHead(id, pfn)
}

/** __free_one_page(): merge while the buddy is free, then to the head of its list. */
function freeOnePage(pfn: i32): void {
  let order = 0
  setPage(pfn, 0)
  while (order < MAX_ORDER) {
    const buddy = pfn ^ (1 << order)
    if (pageAt(buddy) != word(KIND_BUDDY, order)) break
    del(buddy)
    setPage(buddy, 0)
    pfn &= buddy
    order++
  }
  setPage(pfn, word(KIND_BUDDY, order))
  addHead(order, pfn)
}

/** __rmqueue_smallest() + expand(). */
function rmqueue(): i32 {
  for (let order = 0; order <= MAX_ORDER; order++) {
    const pfn = headOf(order)
    if (pfn < 0) continue
    del(pfn)
    setPage(pfn, 0)
    for (let high = order; high > 0; ) {
      high--
      const half = pfn + (1 << high)
      setPage(half, word(KIND_BUDDY, high))
      addHead(high, half)
    }
    return pfn
  }
  unreachable()
  return -1
}

/** xoroshiro128+ with pure-rand's 32-bit halves, as the engine draws. */
@inline function next(): u32 {
  const out = s0 + s2
  const a0 = s2 ^ s0
  const a1 = s3 ^ s1
  const o0 = s0
  const o1 = s1
  s0 = (o0 << 24) ^ (o1 >> 8) ^ a0 ^ (a0 << 16)
  s1 = (o1 << 24) ^ (o0 >> 8) ^ a1 ^ ((a1 << 16) | (a0 >> 16))
  s2 = (a1 << 5) ^ (a0 >> 27)
  s3 = (a0 << 5) ^ (a1 >> 27)
  return out
}

function alloc(): void {
  const cpu = slot
  slot = (cpu + 1) & (CPUS - 1)
  if (unchecked(count[cpu]) == 0) {
    for (let i = 0; i < PCP_BATCH; i++) {
      const pfn = rmqueue()
      setPage(pfn, word(KIND_PCP, 0))
      store<i32>(ringSlot(cpu, unchecked(first[cpu]) + unchecked(count[cpu])), pfn)
      unchecked((count[cpu] = count[cpu] + 1))
    }
  }
  const pfn = load<i32>(ringSlot(cpu, unchecked(first[cpu])))
  unchecked((first[cpu] = (first[cpu] + 1) & (RING - 1)))
  unchecked((count[cpu] = count[cpu] - 1))
  setPage(pfn, word(KIND_ALLOCATED, 0))
  store<i32>(entryAt(length), pfn)
  setLink(2 * pfn, length++)
  setLink(2 * pfn + 1, 1)
}

function free(i: i32): void {
  const cpu = slot
  slot = (cpu + 1) & (CPUS - 1)
  const pfn = load<i32>(entryAt(i))
  if (pageAt(pfn) != word(KIND_ALLOCATED, 0)) unreachable()
  const moved = load<i32>(entryAt(--length))
  store<i32>(entryAt(i), moved)
  setLink(2 * moved, i)
  setPage(pfn, word(KIND_PCP, 0))
  unchecked((first[cpu] = (first[cpu] - 1) & (RING - 1)))
  store<i32>(ringSlot(cpu, unchecked(first[cpu])), pfn)
  unchecked((count[cpu] = count[cpu] + 1))
  if (unchecked(count[cpu]) < PCP_HIGH) return
  if (withPrefetch) {
    let loaded = 0
    for (let k = 0; k < PCP_DRAIN; k++) {
      const q = load<i32>(ringSlot(cpu, unchecked(first[cpu]) + unchecked(count[cpu]) - 1 - k))
      loaded ^= pageAt(q) ^ linkAt(2 * q)
    }
    sink ^= loaded
  }
  for (let k = 0; k < PCP_DRAIN; k++) {
    unchecked((count[cpu] = count[cpu] - 1))
    freeOnePage(load<i32>(ringSlot(cpu, unchecked(first[cpu]) + unchecked(count[cpu]))))
  }
}

function tick(): void {
  const n = <u32>(liveBlocks + 1)
  // per request: the order draw (two words) and one victim over the live size plus one
  for (let r = 0; r < TICK_REQUESTS; r++) {
    next()
    next()
    store<i32>(picks + ((<usize>r) << 2), <i32>((next() ^ 0x80000000) % n))
  }
  if (withPrefetch) {
    let loaded = 0
    for (let r = 0; r < TICK_REQUESTS; r++) loaded ^= load<i32>(entryAt(load<i32>(picks + ((<usize>r) << 2))))
    for (let r = 0; r < TICK_REQUESTS; r++) loaded ^= pageAt(load<i32>(entryAt(load<i32>(picks + ((<usize>r) << 2)))))
    sink ^= loaded
  }
  for (let r = 0; r < TICK_REQUESTS; r++) {
    alloc()
    free(load<i32>(picks + ((<usize>r) << 2)))
  }
}

/** Runs `requests` churn requests. */
export function run(requests: i32): void {
  for (let i = 0; i < requests; i += TICK_REQUESTS) tick()
}

/** A guest of `memoryGiB` (once per instance): half held, a live set of a quarter, churned long enough to fragment. */
export function init(memoryGiB: i32, prefetch: bool): void {
  withPrefetch = prefetch
  const nrPages = (<usize>memoryGiB) << 18
  liveBlocks = memoryGiB << 16
  const base = (<usize>memory.size()) << 16
  const bytes = nrPages * 10 + (<usize>(CPUS * RING)) * 4 + (<usize>(liveBlocks + 1)) * 4 + (<usize>TICK_REQUESTS) * 4 + 128
  if (memory.grow(<i32>((bytes + 65535) >> 16)) < 0) unreachable()
  page = base
  link = page + nrPages * 2
  ring = link + nrPages * 8
  entries = ring + (<usize>(CPUS * RING)) * 4
  picks = entries + (<usize>(liveBlocks + 1)) * 4
  heads = picks + (<usize>TICK_REQUESTS) * 4
  for (let id = 0; id <= MAX_ORDER; id++) {
    setHead(id, -1)
    setTail(id, -1)
  }
  for (let pfn: usize = 0; pfn < nrPages; pfn += 1 << MAX_ORDER) {
    setPage(<i32>pfn, word(KIND_BUDDY, MAX_ORDER))
    addHead(MAX_ORDER, <i32>pfn)
  }
  for (let i: usize = 0; i < nrPages >> 1; i++) rmqueue()
  for (let i = 0; i < liveBlocks; i++) alloc()
  run(2 * liveBlocks)
}
