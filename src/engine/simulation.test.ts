import { describe, expect, it } from 'vitest'
import { ExperimentSchema, type Experiment, type ExperimentInput } from '../common/experiment'
import { COL, type SimEvent } from '../common/samples'
import churnDelay from '../../resources/examples/churn-delay-tradeoff.prlab.json'
import compactionMergesHoles from '../../resources/examples/compaction-merges-holes.prlab.json'
import compactionTakesReported from '../../resources/examples/compaction-takes-reported.prlab.json'
import fragmentation from '../../resources/examples/fragmentation-every-other.prlab.json'
import hugetlb1g from '../../resources/examples/hugetlb-1g-ignored.prlab.json'
import hypervOrder5 from '../../resources/examples/hyperv-order-5.prlab.json'
import idleDrain from '../../resources/examples/idle-drain-16g.prlab.json'
import reclaimPagecache from '../../resources/examples/reclaim-pagecache-kswapd.prlab.json'
import replayKmem from '../../resources/examples/replay-kmem-trace.prlab.json'
import vfio from '../../resources/examples/vfio-inhibited.prlab.json'
import { createSimulation } from './simulation'

type Input = Omit<ExperimentInput, 'format' | 'version'>

function experiment(over: Input): Experiment {
  return ExperimentSchema.parse({ format: 'page-reporting-lab/experiment', version: 2, ...over })
}

interface Run {
  rows: Float64Array[]
  events: SimEvent[]
  sim: ReturnType<typeof createSimulation>
}

function run(exp: Experiment, check = false): Run {
  const rows: Float64Array[] = []
  const events: SimEvent[] = []
  const sim = createSimulation(exp, { sample: (r) => rows.push(r.slice()), event: (e) => events.push(e) }, { check })
  sim.advanceTo(exp.durationMs)
  return { rows, events, sim }
}

/** 1 GiB guest: 768 MiB allocated, freed, then idle. */
const drain1g = (over: Partial<Input> = {}): Input => ({
  durationMs: 20000,
  guest: { memoryMiB: 1024 },
  workload: { phases: [{ op: 'alloc', mib: 768 }, { op: 'free', fraction: 1 }, { op: 'idle', ms: 15000 }] },
  ...over,
})

const last = (r: Run): Float64Array => r.rows[r.rows.length - 1]

describe('example experiments', () => {
  it('all validate against ExperimentSchema', () => {
    for (const doc of [idleDrain, fragmentation, churnDelay, hugetlb1g, vfio, hypervOrder5, replayKmem, reclaimPagecache, compactionMergesHoles, compactionTakesReported]) {
      const parsed = ExperimentSchema.safeParse(doc)
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true)
    }
  })

  it('reclaim-pagecache-kswapd: 3 GiB of cache plus a 1.5 GiB app do not fit in 4 GiB; reclaim drops cache so the app never fails, and its exit is reported', () => {
    const r = run(ExperimentSchema.parse(reclaimPagecache))
    const s = r.sim.summary(0)
    expect(Number(s.alloc_failures)).toBe(0)
    // 3072 + 1536 MiB asked of 4096 MiB of RAM: at least 512 MiB of page cache had to go
    expect(Number(s.kswapd_reclaimed_kib) + Number(s.direct_reclaimed_kib)).toBeGreaterThanOrEqual(512 * 1024)
    expect(Number(s.swapped_out_kib)).toBe(0) // no swap: only clean page cache is reclaimable
    expect(Number(s.peak_host_rss_kib) - Number(s.final_host_rss_kib)).toBeGreaterThan(1400 * 1024)
  })

  it('compaction-merges-holes: compact_memory turns unreportable order-8 holes into reported order-10 blocks, and never takes a reported free pageblock', () => {
    const r = run(ExperimentSchema.parse(compactionMergesHoles))
    const at = (t_ms: number): Float64Array => r.rows.find((row) => row[COL.t_ms] >= t_ms) ?? last(r)
    const before = at(15_500) // after the holes' idle, before compact-memory
    const s = r.sim.summary(0)
    expect(Number(s.compact_migrated_kib)).toBeGreaterThan(512 * 1024)
    // suitable_migration_target(): a free block of pageblock order or more is no target, and the holes were below the reporting order
    expect(Number(s.compact_reported_taken_kib)).toBe(0)
    expect(Number(s.refaulted_kib)).toBe(0)
    expect(last(r)[COL.reported_kib] - before[COL.reported_kib]).toBeGreaterThan(512 * 1024)
  })

  it('compaction-takes-reported: at page_reporting_order 5 the reported holes are migration targets; each taken page the migration writes refaults on the host', () => {
    const r = run(ExperimentSchema.parse(compactionTakesReported))
    const s = r.sim.summary(0)
    expect(Number(s.compact_reported_taken_kib)).toBeGreaterThan(256 * 1024)
    expect(Number(s.refaulted_kib)).toBeGreaterThan(0)
    // every refault is a migration's write to a target page; a target may be a block that lost its
    // Reported flag by merging with a reported buddy, so refaults can exceed the Reported pages taken
    expect(Number(s.refaulted_kib)).toBeLessThanOrEqual(Number(s.compact_migrated_kib))
    expect(Number(s.compact_reported_taken_kib)).toBeLessThanOrEqual(Number(s.compact_migrated_kib))
  })

  it('§5.32 hugetlb-1g: reports are acked but nothing is reclaimed', () => {
    const exp = ExperimentSchema.parse({ ...hugetlb1g, guest: { ...hugetlb1g.guest, memoryMiB: 1024 }, workload: { phases: [{ op: 'alloc', mib: 768 }, { op: 'free', fraction: 1 }, { op: 'idle', ms: 6000 }] }, durationMs: 8000 })
    const r = run(exp)
    expect(r.sim.summary(0).report_calls).toBeGreaterThan(0)
    expect(last(r)[COL.reported_kib]).toBeGreaterThan(0)
    expect(last(r)[COL.reclaimed_kib]).toBe(0)
    expect(last(r)[COL.host_rss_kib]).toBe(1024 * 1024)
  })

  it('§5.31 vfio-inhibited: pages are flagged reported, host RSS does not drop', () => {
    const exp = ExperimentSchema.parse({ ...vfio, ...drain1g(), host: vfio.host })
    const r = run(exp)
    expect(last(r)[COL.reported_kib]).toBeGreaterThan(700 * 1024)
    expect(last(r)[COL.reclaimed_kib]).toBe(0)
    expect(r.sim.summary(0).final_host_rss_kib).toBe(r.sim.summary(0).peak_host_rss_kib)
  })

  it('§5.33 hyperv-order-5: INVALID_PARAMETER forces order 9 and aborts the pass; the next qualifying free reports at order 9', () => {
    const exp = ExperimentSchema.parse({ ...hypervOrder5, guest: { ...hypervOrder5.guest, memoryMiB: 1024 }, durationMs: 12000 })
    const r = run(exp)
    const err = r.events.find((e) => e.kind === 'report_error')
    // the first report is of DMA (pfn 256..4095: blocks of order 8 to 10, above low + 32 << 5): order 8 < 9
    expect(err?.zone).toBe('DMA')
    expect(err?.order).toBe(8)
    const forced = r.events.find((e) => e.kind === 'order_change' && e.order === 9)
    expect(forced?.detail).toMatch(/hv_balloon/)
    // registration at t = 0 (jiffies INITIAL_JIFFIES, a multiple of 8 at HZ=250) + 500 jiffies, rounded up to the
    // level-1 bucket (8 jiffies): 504 jiffies = 2016 ms
    expect(forced?.t_ms).toBe(2016)
    // the aborted pass scheduled nothing: no reclaim until the workload frees again at ~5 s
    const at = (t: number): Float64Array => r.rows[Math.round(t / 100)]
    expect(at(4900)[COL.reclaimed_kib]).toBe(0)
    expect(last(r)[COL.reporting_order]).toBe(9)
    expect(last(r)[COL.reclaimed_kib]).toBeGreaterThan(0)
    expect(r.events.filter((e) => e.kind === 'report').every((e) => (e.order ?? 0) >= 9)).toBe(true)
  })
})

describe('Simulation', () => {
  it('anon-4k host reclaims what the guest freed; summary and samples agree', () => {
    const r = run(experiment(drain1g({ host: { backing: 'anon-4k' } })))
    const s = r.sim.summary(12)
    const row = last(r)
    expect(s.first_report_ms).toBe(2016) // registration at 0 arms the first pass at +2 s, on the timer wheel's 32 ms bucket edge (HZ=250)
    expect(s.report_calls).toBe(row[COL.report_calls])
    expect(Number(s.final_host_rss_kib)).toBe(row[COL.host_rss_kib])
    expect(row[COL.reclaimed_kib]).toBeGreaterThan(700 * 1024)
    expect(Number(s.peak_host_rss_kib) - Number(s.final_host_rss_kib)).toBe(row[COL.reclaimed_kib])
    expect(s.sim_ms).toBe(20000)
    expect(s.wall_ms).toBe(12)
    expect(r.rows).toHaveLength(201) // t = 0, 100, ..., 20000
    expect(r.sim.done).toBe(true)
  })

  it('§5.15 ZONE_DMA is never reported at R = 9; §5.34 buddyinfo matches the nr_free columns', () => {
    const r = run(experiment(drain1g()))
    expect(r.events.filter((e) => e.kind === 'report').every((e) => e.zone === 'DMA32')).toBe(true)
    const row = last(r)
    const lines = r.sim.buddyinfo().trimEnd().split('\n')
    const sums = new Array(11).fill(0)
    for (const line of lines) {
      const nums = line.split(/\s+/).filter((x) => /^\d+$/.test(x)).map(Number)
      nums.forEach((n, o) => (sums[o] += n))
    }
    for (let o = 0; o <= 10; o++) expect(sums[o]).toBe(row[COL.nr_free_0 + o])
  })

  it('determinism: the same experiment and seed give identical rows; another seed changes a random pattern', () => {
    const input = (seed: number): Input => ({
      seed,
      durationMs: 6000,
      guest: { memoryMiB: 512 },
      workload: { phases: [{ op: 'alloc', mib: 256 }, { op: 'free', fraction: 0.5, pattern: 'random' }, { op: 'idle', ms: 5000 }] },
    })
    const a = run(experiment(input(1)))
    const b = run(experiment(input(1)))
    const c = run(experiment(input(2)))
    expect(a.rows.length).toBe(b.rows.length)
    a.rows.forEach((row, i) => expect(Array.from(row)).toEqual(Array.from(b.rows[i])))
    expect(a.events).toEqual(b.events)
    const differs = a.rows.some((row, i) => row.some((v, j) => v !== c.rows[i][j]))
    expect(differs).toBe(true)
  })

  it('version presets: 6.6 keeps the command line order, 5.14 overwrites it at registration', () => {
    const six = run(experiment({ ...drain1g(), guest: { memoryMiB: 1024, kernel: '6.6' }, reporting: { order: 5 }, durationMs: 3000 }))
    const old = run(experiment({ ...drain1g(), guest: { memoryMiB: 1024, kernel: '5.14' }, reporting: { order: 5 }, durationMs: 3000 }))
    expect(last(six)[COL.reporting_order]).toBe(5)
    expect(last(old)[COL.reporting_order]).toBe(9)
  })

  it('version presets: order-9 frees park on per-CPU lists on 6.6, not on 5.10', () => {
    const input = (kernel: '5.10' | '6.6'): Input => ({
      durationMs: 1000,
      guest: { memoryMiB: 1024, kernel },
      reporting: { device: 'none' },
      workload: { phases: [{ op: 'alloc', mib: 32, order: 9, migratetype: 'movable' }, { op: 'free', fraction: 1 }] },
    })
    // 16 THPs in one munmap(): the mmu_gather fills its 8-entry bundle and allocates a batch page
    // (order 0, Unmovable: its list is refilled with batch = 63 pages), freed at the end
    expect(last(run(experiment(input('6.6'))))[COL.pcp_kib]).toBeGreaterThan(2048)
    expect(last(run(experiment(input('5.10'))))[COL.pcp_kib]).toBe(63 * 4)
  })

  it('order-9 per-CPU lists follow CONFIG_TRANSPARENT_HUGEPAGE, not transparent_hugepage=never; the runtime setting changes min_free_kbytes only', () => {
    // min_free_kbytes as khugepaged sets it on 1 GiB, so pcp->high (the low watermark over 2 CPUs) holds 8 THPs either way
    const input = (transparentHugepage: boolean, thp: 'always' | 'never', minFreeKbytes: number | null = 45056): Input => ({
      durationMs: 1000,
      guest: { memoryMiB: 1024, kernel: '6.6', transparentHugepage, thp, minFreeKbytes },
      reporting: { device: 'none' },
      workload: { phases: [{ op: 'alloc', mib: 16, order: 9, migratetype: 'movable' }, { op: 'free', fraction: 1 }] },
    })
    const pcpKib = (i: Input): number => last(run(experiment(i)))[COL.pcp_kib]
    // 8 THPs freed on CPU 0: they stay on its order-9 list (high 6928 pages) whatever the runtime setting
    expect(pcpKib(input(true, 'never'))).toBeGreaterThanOrEqual(8 * 2048)
    expect(pcpKib(input(true, 'always'))).toBeGreaterThanOrEqual(8 * 2048)
    // built without THP: no order-9 list, the THPs go straight back to the buddy lists
    expect(pcpKib(input(false, 'never'))).toBeLessThan(2048)
    const minOf = (transparentHugepage: boolean, thp: 'always' | 'never'): number => {
      const zoneinfo = createSimulation(experiment(input(transparentHugepage, thp, null)), { sample: () => {}, event: () => {} }).zoneinfo()
      return Number(/min +(\d+)/.exec(zoneinfo.split('zone    DMA32')[1] ?? '')?.[1])
    }
    // set_recommended_min_free_kbytes() runs when khugepaged starts (THP always/madvise): the min watermark rises
    expect(minOf(true, 'always')).toBeGreaterThan(minOf(true, 'never'))
    expect(minOf(false, 'always')).toBe(minOf(true, 'never'))
  })

  it('§5.30 init_on_free with a device without F_PAGE_POISON: no reporting at all', () => {
    const r = run(experiment({ ...drain1g(), guest: { memoryMiB: 1024, initOnFree: true }, device: { offerPagePoison: false } }))
    expect(r.sim.summary(0).report_calls).toBe(0)
    expect(r.events.some((e) => e.kind === 'register' && e.detail?.includes('F_REPORTING cleared'))).toBe(true)
    expect(last(r)[COL.reporting_state]).toBe(-1)
  })

  it('refaults: memory reclaimed by reporting and allocated again is counted and costs workload time', () => {
    const phases = [
      { op: 'alloc' as const, mib: 512 },
      { op: 'free' as const, fraction: 1 },
      { op: 'idle' as const, ms: 12000 },
      { op: 'alloc' as const, mib: 512 },
    ]
    const r = run(experiment({ durationMs: 16000, guest: { memoryMiB: 1024 }, host: { backing: 'anon-4k' }, workload: { phases } }))
    const row = last(r)
    expect(row[COL.refaulted_kib]).toBeGreaterThan(256 * 1024)
    expect(r.sim.summary(0).refault_cost_ms).toBeGreaterThan(0)
    const inhibited = run(experiment({ durationMs: 16000, guest: { memoryMiB: 1024 }, host: { backing: 'anon-4k', discard: false }, workload: { phases } }))
    expect(last(inhibited)[COL.refaulted_kib]).toBe(0)
  })

  it('runs with the invariant checker after every event (allocator, sgl isolation, state machine, host)', () => {
    const exp = experiment({
      durationMs: 4000,
      guest: { memoryMiB: 128, cpus: 2 },
      reporting: { order: 7 },
      host: { backing: 'anon-thp' },
      workload: {
        phases: [
          { op: 'alloc', mib: 48, order: 3 },
          { op: 'free', fraction: 0.7, pattern: 'every-other', chunkKiB: 64 },
          { op: 'churn', durationMs: 600, rateMiBps: 64, liveMiB: 8, orders: [{ order: 0, weight: 3 }, { order: 7, weight: 1 }] },
          { op: 'free', fraction: 1 },
        ],
      },
      recorder: { sampleIntervalMs: 500 },
    })
    const r = run(exp, true)
    expect(r.sim.summary(0).report_calls).toBeGreaterThan(0)
  })

  it('§5.36 pageblock counts drift to Movable while reporting runs over free Unmovable blocks', () => {
    const unmovableBlocks = (device: 'virtio-balloon' | 'none', at_ms: number): number => {
      const exp = experiment({ durationMs: 12000, guest: { memoryMiB: 1024 }, reporting: { device }, workload: { phases: [{ op: 'alloc', mib: 512, migratetype: 'unmovable' }, { op: 'free', fraction: 1 }] } })
      const sim = createSimulation(exp, { sample: () => undefined, event: () => undefined })
      sim.advanceTo(at_ms)
      const row = sim.pagetypeinfo().split('\n').find((l) => /^Node 0, zone\s+DMA32\s+\d/.test(l))
      return Number(row?.trim().split(/\s+/)[4])
    }
    const before = unmovableBlocks('virtio-balloon', 1000)
    expect(before).toBeGreaterThan(200)
    expect(unmovableBlocks('none', 12000)).toBe(before)
    expect(unmovableBlocks('virtio-balloon', 12000)).toBeLessThan(before / 4)
  })

  it('advanceToNextPass stops at the end of the next reporting pass', () => {
    const events: SimEvent[] = []
    const sim = createSimulation(experiment(drain1g()), { sample: () => undefined, event: (e) => events.push(e) })
    sim.advanceToNextPass()
    const ends = events.filter((e) => e.kind === 'pass_end')
    expect(ends).toHaveLength(1)
    expect(sim.now_ms).toBe(ends[0].t_ms)
    sim.advanceToNextPass()
    expect(events.filter((e) => e.kind === 'pass_end')).toHaveLength(2)
  })

  it('memoryMap shows the PCI hole and reported memory; pageInfo describes a reported block', () => {
    const r = run(experiment({ ...drain1g(), guest: { memoryMiB: 4096 }, workload: { phases: [{ op: 'alloc', mib: 256 }, { op: 'free', fraction: 1 }] }, durationMs: 5000 }))
    // a 4 GiB q35 guest: RAM at pfns 0..512Ki and 1Mi..1.5Mi; 48 cells of 32768 frames
    const map = r.sim.memoryMap(0, 3 << 19, 48)
    expect(map.states).toHaveLength(48)
    // pfns 2 GiB..4 GiB are the hole of a 4 GiB q35 guest: cells 16..31
    for (let c = 16; c < 32; c++) expect(map.states[c]).toBe(0)
    expect(map.zones.map((z) => z.name)).toEqual(['DMA', 'DMA32', 'Normal'])
    const reportedCell = Array.from(map.states).indexOf(3)
    expect(reportedCell).toBeGreaterThanOrEqual(0)
    const pfn = reportedCell * 32768 + 16384
    const info = r.sim.pageInfo(pfn)
    expect(info.state).toBe('reported')
    expect(info.flags).toContain('reported')
    expect(info.order).toBeGreaterThanOrEqual(9)
    expect(pfn - info.blockPfn).toBeLessThan(2 ** info.order)
    expect(() => r.sim.pageInfo(-1)).toThrow(/outside/)
  })

  // The engine indexes its arrays without the PCI hole (src/engine/mm/sparse.ts); what it shows is physical.
  it('shows physical pfns around the memmap hole: events, memoryMap zones, pageInfo, every-other chunks', () => {
    const exp = experiment({
      ...drain1g(),
      guest: { memoryMiB: 1536, lowMemMiB: 1024 },
      durationMs: 3000,
      workload: { placement: { layout: 'aligned' }, phases: [{ op: 'alloc', mib: 540 }, { op: 'free', fraction: 0.5, pattern: 'every-other', chunkKiB: 20 }] },
      recorder: { sampleIntervalMs: 100, events: true, allocEvents: true },
    })
    const r = run(exp)
    const allocs = r.events.filter((e) => e.kind === 'alloc')
    const frees = r.events.filter((e) => e.kind === 'free')
    expect(allocs.length).toBeGreaterThan(0)
    expect(frees.length).toBeGreaterThan(0)
    const holeStart = 1 << 18
    const holeEnd = 1 << 20
    const end = holeEnd + (1 << 17)
    // 1 GiB below the hole (lowMemMiB), 512 MiB from 4 GiB; Normal is filled first
    for (const e of [...allocs, ...frees]) expect((e.pfn as number) < holeStart || ((e.pfn as number) >= holeEnd && (e.pfn as number) < end)).toBe(true)
    expect(allocs.some((e) => (e.pfn as number) >= holeEnd)).toBe(true)
    // every-other, aligned: chunks of 5 pages of physical memory, the even ones freed (the 3 GiB hole is not a multiple of 10 pages)
    for (const e of frees) expect(Math.floor((e.pfn as number) / 5) % 2).toBe(0)
    const map = r.sim.memoryMap(0, end, 3)
    expect(map.endPfn).toBe(end)
    // cells of 393216 frames: the second lies in the hole
    expect(map.states[1]).toBe(0)
    expect(map.zones).toEqual([
      { name: 'DMA', startPfn: 1, endPfn: 4096 },
      { name: 'DMA32', startPfn: 4096, endPfn: holeStart },
      { name: 'Normal', startPfn: holeEnd, endPfn: end },
    ])
    expect(r.sim.pageInfo(holeStart + 5)).toEqual({ pfn: holeStart + 5, zone: 'DMA32', state: 'hole', order: -1, blockPfn: holeStart + 5, migratetype: 'none', flags: [], hostResident: false })
    const a = allocs.find((e) => (e.pfn as number) >= holeEnd) as SimEvent
    const info = r.sim.pageInfo(a.pfn as number)
    expect(info.zone).toBe('Normal')
    expect(info.state === 'allocated' || info.blockPfn <= (a.pfn as number)).toBe(true)
    expect(() => r.sim.pageInfo(end)).toThrow(/outside 0\.\.1179647/)
    expect(r.sim.zoneinfo()).toContain(`start_pfn:           ${holeEnd}`)
  })
})
