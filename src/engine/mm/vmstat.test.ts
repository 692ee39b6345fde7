import { describe, expect, it } from 'vitest'
import { PageAllocator } from './page_alloc'
import { guestConfig } from './guest_fixtures'
import { MIGRATE_MOVABLE, MIGRATE_UNMOVABLE } from './page_alloc_api'

// DMA: pfn 1..158 and 256..4095 free (pfn 0 reserved, 159..255 the legacy hole); DMA32: 4096..12287.
const ranges = [{ startPfn: 0, endPfn: 159 }, { startPfn: 256, endPfn: 4096 }, { startPfn: 4096, endPfn: 12288 }]

describe('/proc/buddyinfo', () => {
  it('is byte-exact: "Node %d, zone %8s " then "%6lu " per order, populated zones only', () => {
    const pa = new PageAllocator(guestConfig({ ranges }))
    expect(pa.buddyinfo()).toBe(
      'Node 0, zone      DMA      2      2      2      2      2      1      1      0      1      1      3 \n' +
        'Node 0, zone    DMA32      0      0      0      0      0      0      0      0      0      0      8 \n',
    )
  })

  it('leaves out pages on per-CPU lists and isolated pages (§5 #34)', () => {
    const pa = new PageAllocator(guestConfig({ ranges: [{ startPfn: 4096, endPfn: 12288 }], pcpOrders: [0] }))
    pa.freePages(pa.allocPages(0, MIGRATE_MOVABLE, 0), 0, 0)
    pa.isolateFreePage(11264, 10)
    // The refill (batch 1 in a 32 MiB zone) split 4096: 4097 (o0) .. 4608 (o9) are free; 4096 went
    // back to the pcp list and 11264 (o10) is isolated, so neither is counted.
    expect(pa.buddyinfo()).toBe('Node 0, zone    DMA32      1      1      1      1      1      1      1      1      1      1      6 \n')
  })
})

describe('/proc/pagetypeinfo', () => {
  it('is byte-exact', () => {
    const pa = new PageAllocator(guestConfig({ ranges }))
    // One unmovable order-0 allocation claims the pageblocks 4096 and 4608 for Unmovable.
    pa.allocPages(0, MIGRATE_UNMOVABLE, 0)
    expect(pa.pagetypeinfo()).toBe(
      'Page block order: 9\n' +
        'Pages per block:  512\n' +
        '\n' +
        'Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 \n' +
        'Node    0, zone      DMA, type    Unmovable      0      0      0      0      0      0      0      0      0      0      0 \n' +
        'Node    0, zone      DMA, type      Movable      2      2      2      2      2      1      1      0      1      1      3 \n' +
        'Node    0, zone      DMA, type  Reclaimable      0      0      0      0      0      0      0      0      0      0      0 \n' +
        'Node    0, zone      DMA, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0 \n' +
        'Node    0, zone      DMA, type          CMA      0      0      0      0      0      0      0      0      0      0      0 \n' +
        'Node    0, zone      DMA, type      Isolate      0      0      0      0      0      0      0      0      0      0      0 \n' +
        'Node    0, zone    DMA32, type    Unmovable      1      1      1      1      1      1      1      1      1      1      0 \n' +
        'Node    0, zone    DMA32, type      Movable      0      0      0      0      0      0      0      0      0      0      7 \n' +
        'Node    0, zone    DMA32, type  Reclaimable      0      0      0      0      0      0      0      0      0      0      0 \n' +
        'Node    0, zone    DMA32, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0 \n' +
        'Node    0, zone    DMA32, type          CMA      0      0      0      0      0      0      0      0      0      0      0 \n' +
        'Node    0, zone    DMA32, type      Isolate      0      0      0      0      0      0      0      0      0      0      0 \n' +
        '\n' +
        'Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic          CMA      Isolate \n' +
        'Node 0, zone      DMA            0            8            0            0            0            0 \n' +
        'Node 0, zone    DMA32            2           14            0            0            0            0 \n',
    )
  })

  it('block counts drift to Movable as reporting isolates free high-order blocks (§5 #36)', () => {
    const pa = new PageAllocator(guestConfig())
    const counts = () => pa.pagetypeinfo().split('\n').at(-2)
    pa.freePages(pa.allocPages(0, MIGRATE_UNMOVABLE, 0), 0, 0)
    expect(counts()).toBe('Node 0, zone    DMA32            2           14            0            0            0            0 ')
    expect(pa.isolateFreePage(4096, 10)).toBe(true)
    pa.putbackIsolatedPage(4096, 10)
    expect(counts()).toBe('Node 0, zone    DMA32            0           16            0            0            0            0 ')
  })

  it('a pageblock whose first pfn is not RAM keeps type 0 (Unmovable), as memmap_init_range leaves it', () => {
    const pa = new PageAllocator(guestConfig({ ranges: [{ startPfn: 4096, endPfn: 5000 }, { startPfn: 5200, endPfn: 6144 }] }))
    // Pageblocks 4096, 4608 and 5632 start with RAM and become Movable; 5120 starts in the hole 5000..5199.
    expect(pa.pagetypeinfo().split('\n').at(-2)).toBe('Node 0, zone    DMA32            1            3            0            0            0            0 ')
  })

  it('stops counting a list at 100000 and prints ">"', () => {
    const pa = new PageAllocator(guestConfig({ ranges: [{ startPfn: 4096, endPfn: 4096 + 262144 }] }))
    const pfns: number[] = []
    for (let pfn = pa.allocPages(0, MIGRATE_MOVABLE, 0); pfn >= 0; pfn = pa.allocPages(0, MIGRATE_MOVABLE, 0)) pfns.push(pfn)
    for (let i = 0; i < pfns.length; i += 2) pa.freePages(pfns[i], 0, 0)
    expect(pa.nrFree(1, 0)).toBeGreaterThan(100000)
    const line = pa.pagetypeinfo().split('\n').find((l) => l.startsWith('Node    0, zone    DMA32, type      Movable'))
    expect(line?.slice(0, 52)).toBe('Node    0, zone    DMA32, type      Movable >100000 ')
  })
})

describe('/proc/zoneinfo (the lines the model knows)', () => {
  it('prints the kernel\'s lines: boost inside min/low/high, sizes, nr_free_pages, each CPU\'s pageset; an empty zone stops after managed', () => {
    const pa = new PageAllocator(guestConfig({ ranges: [{ startPfn: 4096, endPfn: 12288 }], cpus: 2, pcpOrders: [0] }))
    pa.freePages(pa.allocPages(0, MIGRATE_MOVABLE, 1), 0, 1)
    const z = 1
    const pages = pa.pcp.count[1 * 3 + z]
    expect(pages).toBe(pa.pcp.batch[z])
    expect(pa.zoneinfo()).toBe(
      'Node 0, zone      DMA\n  pages free     0\n        boost    0\n        min      0\n        low      0\n        high     0\n        spanned  0\n        present  0\n        managed  0\n' +
        'Node 0, zone    DMA32\n' +
        `  pages free     ${8192 - pages}\n        boost    0\n` +
        `        min      ${pa.wmarkMin(z)}\n        low      ${pa.wmarkLow(z)}\n        high     ${pa.wmarkHigh(z)}\n` +
        '        spanned  8192\n        present  8192\n        managed  8192\n' +
        `      nr_free_pages ${8192 - pages}\n  pagesets\n` +
        `    cpu: 0\n              count: 0\n              high:  ${pa.pcp.high[z]}\n              batch: ${pa.pcp.batch[z]}\n` +
        `    cpu: 1\n              count: ${pages}\n              high:  ${pa.pcp.high[z]}\n              batch: ${pa.pcp.batch[z]}\n` +
        '  start_pfn:           4096\n' +
        'Node 0, zone   Normal\n  pages free     0\n        boost    0\n        min      0\n        low      0\n        high     0\n        spanned  0\n        present  0\n        managed  0\n',
    )
  })
})
