import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { MAX_GATHER_BATCH, MAX_GATHER_BATCH_COUNT, MMU_GATHER_BUNDLE, MmuGather } from './mmu_gather'

/** Records what the gather asks of the allocator, in order. */
function recorder(failAllocAfter = Infinity) {
  const log: string[] = []
  let next = 1000
  let allocs = 0
  const gather = new MmuGather({
    allocBatchPage: (cpu) => {
      if (allocs++ >= failAllocAfter) {
        log.push(`alloc-fail@${cpu}`)
        return -1
      }
      log.push(`alloc@${cpu}`)
      return next++
    },
    freeBatchPage: (pfn, cpu) => void log.push(`free-batch ${pfn}@${cpu}`),
    freeGathered: (pfns, orders, nr) => {
      for (let i = 0; i < nr; i++) log.push(`free ${pfns[i]}/${orders[i]}`)
      return nr
    },
  })
  return { gather, log }
}

const summary = (log: string[]): string[] => {
  // runs of frees folded to "free xN"
  const out: string[] = []
  for (const e of log) {
    const last = out[out.length - 1]
    if (e.startsWith('free ') && last?.startsWith('free x')) out[out.length - 1] = `free x${Number(last.slice(6)) + 1}`
    else out.push(e.startsWith('free ') ? 'free x1' : e)
  }
  return out
}

describe('mmu_gather (mm/mmu_gather.c)', () => {
  it('the constants of include/asm-generic/tlb.h on x86_64', () => {
    expect([MMU_GATHER_BUNDLE, MAX_GATHER_BATCH, MAX_GATHER_BATCH_COUNT]).toEqual([8, 510, 19])
  })

  it('one page (a 4 KiB MADV_DONTNEED): no batch page; freed at tlb_finish_mmu()', () => {
    const { gather, log } = recorder()
    gather.add(7, 0, 1)
    expect(log).toEqual([])
    expect(gather.finish()).toBe(1)
    expect(log).toEqual(['free 7/0'])
  })

  it('64 pages (a 256 KiB chunk): the 8th page fills the stack bundle and allocates one batch page, freed after the pages', () => {
    const { gather, log } = recorder()
    for (let i = 0; i < 64; i++) gather.add(i, 0, 0)
    expect(log).toEqual(['alloc@0'])
    gather.finish()
    expect(summary(log)).toEqual(['alloc@0', 'free x64', 'free-batch 1000@0'])
  })

  it('a big munmap(): 19 batch pages while the first 9698 pages gather, one flush each 9698 pages after that, none allocated again', () => {
    const { gather, log } = recorder()
    const full = MMU_GATHER_BUNDLE + MAX_GATHER_BATCH * MAX_GATHER_BATCH_COUNT
    expect(full).toBe(9698)
    for (let i = 0; i < 3 * full + 5; i++) {
      gather.add(i, 0, 0)
      if (gather.pending === 0) log.push('flushed')
    }
    gather.finish()
    const s = summary(log)
    expect(s.slice(0, 19)).toEqual(new Array(19).fill('alloc@0'))
    expect(s.slice(19)).toEqual(['free x9698', 'flushed', 'free x9698', 'flushed', 'free x9698', 'flushed', 'free x5', ...Array.from({ length: 19 }, (_, i) => `free-batch ${1000 + i}@0`)])
  })

  it('a batch page that cannot be allocated (GFP_NOWAIT) flushes the gather at once', () => {
    const { gather, log } = recorder(1)
    for (let i = 0; i < 8 + 510 + 3; i++) {
      gather.add(i, 0, 0)
      if (gather.pending === 0) log.push('flushed')
    }
    gather.finish()
    expect(summary(log)).toEqual(['alloc@0', 'alloc-fail@0', 'free x518', 'flushed', 'free x3', 'free-batch 1000@0'])
  })

  it('property: every block gathered is freed once, in order; each batch page allocated is freed once', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 30000 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 30 }), (calls, failAfter) => {
        const { gather, log } = recorder(failAfter)
        let pfn = 0
        for (const n of calls) {
          for (let i = 0; i < n; i++) gather.add(pfn++, 0, 0)
          gather.finish()
          expect(gather.pending).toBe(0)
        }
        const freed = log.filter((e) => e.startsWith('free ')).map((e) => Number(e.slice(5).split('/')[0]))
        expect(freed).toEqual(Array.from({ length: pfn }, (_, i) => i))
        const allocated = log.filter((e) => e.startsWith('alloc@')).length
        expect(log.filter((e) => e.startsWith('free-batch')).length).toBe(allocated)
        expect(allocated).toBeLessThanOrEqual(Math.min(failAfter, MAX_GATHER_BATCH_COUNT * calls.length))
      }),
      { numRuns: 100 },
    )
  })
})
