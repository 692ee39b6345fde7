// One munmap() or madvise(MADV_DONTNEED) call freeing a process's pages: models mm/mmu_gather.c
// (the same from 5.x to 6.6). The zap gathers the pages (__tlb_remove_page_size()) and frees them
// in bulk when the gather is full (tlb_flush_mmu()) and at the end (tlb_finish_mmu()). The gather
// holds MMU_GATHER_BUNDLE pages on the stack; beyond that tlb_next_batch() allocates a page of
// MAX_GATHER_BATCH pointers (__get_free_pages(GFP_NOWAIT), an Unmovable order-0 page, from the
// zapping CPU's per-CPU list), up to MAX_GATHER_BATCH_COUNT of them, reused after each flush and
// freed at the end. Those allocations matter to the per-CPU lists: each halves pcp->free_factor, so
// a CPU zapping many small ranges (every other 256 KiB) drains its list in small batches and stays
// near pcp->high, where one big munmap() drains it in batches growing to high - batch.

/** Pages the gather holds on the stack (include/asm-generic/tlb.h). */
export const MMU_GATHER_BUNDLE = 8
/** Page pointers in one batch page: (PAGE_SIZE - sizeof(struct mmu_gather_batch)) / sizeof(void *). */
export const MAX_GATHER_BATCH = (4096 - 16) / 8
/** Batch pages one gather allocates at most: 10000UL / MAX_GATHER_BATCH. */
export const MAX_GATHER_BATCH_COUNT = Math.floor(10000 / MAX_GATHER_BATCH)

export interface GatherOps {
  /** __get_free_pages(GFP_NOWAIT, 0) on `cpu`: the pfn of an Unmovable order-0 page, or -1. */
  allocBatchPage(cpu: number): number
  /** free_pages() of a batch page on `cpu`. */
  freeBatchPage(pfn: number, cpu: number): void
  /**
   * free_pages_and_swap_cache(pages, nr): the first `nr` gathered blocks go back, in order, on
   * `cpu`; returns the host cost in ns. One call per flush, as the kernel's, which also keeps the
   * per-block loop a plain loop in the caller.
   */
  freeGathered(pfns: Int32Array, orders: Int8Array, nr: number, cpu: number): number
}

export class MmuGather {
  private pfn = new Int32Array(MMU_GATHER_BUNDLE + MAX_GATHER_BATCH * MAX_GATHER_BATCH_COUNT)
  private order = new Int8Array(this.pfn.length)
  /** Entries gathered since the last flush. */
  private nr = 0
  /** Entries the stack bundle and the batches in use hold. */
  private capacity = MMU_GATHER_BUNDLE
  /** Batch pages in use since the last flush (the rest of `batches` wait to be reused). */
  private used = 0
  private readonly batches: number[] = []
  private cpu = 0

  constructor(private readonly ops: GatherOps) {}

  /** tlb_remove_page(): gathers one block; a full gather takes the next batch page or flushes. Returns the host cost in ns. */
  add(pfn: number, order: number, cpu: number): number {
    this.cpu = cpu
    this.pfn[this.nr] = pfn
    this.order[this.nr] = order
    if (++this.nr < this.capacity) return 0
    // tlb_next_batch(): reuse a batch page, or allocate one, or give up and flush
    if (this.used < this.batches.length) {
      this.used++
      this.capacity += MAX_GATHER_BATCH
      return 0
    }
    if (this.batches.length < MAX_GATHER_BATCH_COUNT) {
      const page = this.ops.allocBatchPage(cpu)
      if (page >= 0) {
        this.batches.push(page)
        this.used++
        this.capacity += MAX_GATHER_BATCH
        return 0
      }
    }
    return this.flush()
  }

  /** tlb_flush_mmu(): frees what was gathered, in order; the gather starts over on the stack bundle. */
  flush(): number {
    const cost_ns = this.nr > 0 ? this.ops.freeGathered(this.pfn, this.order, this.nr, this.cpu) : 0
    this.nr = 0
    this.used = 0
    this.capacity = MMU_GATHER_BUNDLE
    return cost_ns
  }

  /** tlb_finish_mmu(): the last flush, then the batch pages are freed (tlb_batch_list_free()). */
  finish(): number {
    const cost_ns = this.flush()
    for (const page of this.batches) this.ops.freeBatchPage(page, this.cpu)
    this.batches.length = 0
    return cost_ns
  }

  /** Entries gathered and not yet freed. */
  get pending(): number {
    return this.nr
  }
}
