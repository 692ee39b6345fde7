import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { ExperimentSchema, type Experiment } from '../common/experiment'
import { COL } from '../common/samples'
import type { InitialFreeInput } from './api'
import { planZone, type Block } from './initial_free_state'
import { createSimulation } from './simulation'

/** free_area[o].nr_free of a 1 GiB guest some time after boot (DMA: a 6.1 guest's, the first MiB reserved). */
const DMA = [0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 3]
const DMA32 = [2563, 1874, 960, 512, 301, 143, 61, 27, 14, 85, 120]
const SNAPSHOT: InitialFreeInput = { source: 'buddyinfo.txt', zones: [{ zone: 'DMA', nr_free: DMA }, { zone: 'DMA32', nr_free: DMA32 }] }
const pagesOf = (counts: readonly number[]): number => counts.reduce((s, n, o) => s + n * 2 ** o, 0)

/** /proc/buddyinfo as frag_show_print() prints it. */
const buddyinfoLine = (zone: string, counts: readonly number[]): string => `Node 0, zone ${zone.padStart(8)} ${counts.map((n) => `${String(n).padStart(6)} `).join('')}\n`

function experiment(over: Record<string, unknown> = {}, guest: Record<string, unknown> = {}): Experiment {
  return ExperimentSchema.parse({
    format: 'page-reporting-lab/experiment',
    version: 2,
    durationMs: 1000,
    guest: { memoryMiB: 1024, initialFreeState: { file: 'buddyinfo.txt' }, ...guest },
    ...over,
  })
}

function simulate(exp: Experiment, initialFree: InitialFreeInput | null, check = false) {
  const rows: Float64Array[] = []
  const events: { kind: string; t_ms: number; zone?: string; order?: number }[] = []
  const sim = createSimulation(exp, { sample: (r) => rows.push(r.slice()), event: (e) => events.push(e) }, { check, inputs: { replays: [], initialFree } })
  return { sim, rows, events }
}

describe('planZone', () => {
  it('one order-10 boot block holding an order-9 and an order-0 block: hand-computed keep and take', () => {
    const plan = planZone([{ pfn: 1024, order: 10 }], [1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0])
    expect(plan.keep).toEqual([
      { pfn: 1024, order: 9 },
      { pfn: 1536, order: 0 },
    ])
    // the buddy of 1536 (1537) and every other page of the upper half are taken, as aligned blocks
    expect(plan.take).toEqual([1537, 1538, 1540, 1544, 1552, 1568, 1600, 1664, 1792].map((pfn, order) => ({ pfn, order })))
    expect(plan.left).toEqual(new Array(11).fill(0))
  })

  it('a boot block of the wanted order stays whole: its buddy was never free', () => {
    const plan = planZone([{ pfn: 256, order: 8 }, { pfn: 512, order: 9 }], [0, 0, 0, 0, 0, 0, 0, 0, 1, 1])
    expect(plan.keep).toEqual([
      { pfn: 512, order: 9 },
      { pfn: 256, order: 8 },
    ])
    expect(plan.take).toEqual([])
  })

  it('says what is left when blocks below order 10 need more buddies than the zone has', () => {
    // two order-10 regions hold one order-9 block each; the third order-9 block does not fit
    expect(planZone([{ pfn: 0, order: 10 }, { pfn: 1024, order: 10 }], [0, 0, 0, 0, 0, 0, 0, 0, 0, 3]).left[9]).toBe(1)
  })

  it('property: kept blocks match the counts, keep and take tile the boot blocks, and no kept block could merge with its buddy', () => {
    const zone = fc.record({
      boot: fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 6 }),
      want: fc.array(fc.nat(6), { minLength: 11, maxLength: 11 }),
    })
    fc.assert(
      fc.property(zone, ({ boot, want }) => {
        // boot blocks laid out as maximal blocks: each in its own order-10 region, starting the region
        const blocks: Block[] = boot.map((order, i) => ({ pfn: i * 1024 * 2, order }))
        const plan = planZone(blocks, want)
        const state = new Int8Array(blocks.length * 2048).fill(-1) // -1 not in a boot block, 0 taken, 1 kept free
        for (const b of blocks) state.fill(0, b.pfn, b.pfn + 2 ** b.order)
        const covered = new Uint8Array(state.length)
        let outside = 0
        let twice = 0
        for (const b of [...plan.keep, ...plan.take]) {
          for (let p = b.pfn; p < b.pfn + 2 ** b.order; p++) {
            if (state[p] === -1) outside++
            if (covered[p]++ > 0) twice++
          }
        }
        let uncovered = 0
        for (const b of blocks) for (let p = b.pfn; p < b.pfn + 2 ** b.order; p++) if (covered[p] === 0) uncovered++
        expect([outside, twice, uncovered]).toEqual([0, 0, 0])
        for (const b of plan.keep) state.fill(1, b.pfn, b.pfn + 2 ** b.order)
        const kept = new Array(11).fill(0)
        const mergeable: Block[] = []
        for (const b of plan.keep) {
          kept[b.order]++
          if (b.order === 10) continue
          const buddy = b.pfn ^ (2 ** b.order)
          if (state.subarray(buddy, buddy + 2 ** b.order).every((s) => s === 1)) mergeable.push(b)
        }
        expect(mergeable).toEqual([])
        expect(kept.map((n, o) => n + plan.left[o])).toEqual(want)
      }),
      { numRuns: 200 },
    )
  })
})

describe('initial free state in the simulation', () => {
  it('reproduces the snapshot exactly in /proc/buddyinfo; the memory in use is resident on the host; the checker agrees', () => {
    const { sim, rows } = simulate(experiment({ reporting: { device: 'none' }, host: { backing: 'anon-4k' } }), SNAPSHOT, true)
    expect(sim.buddyinfo()).toBe(buddyinfoLine('DMA', DMA) + buddyinfoLine('DMA32', DMA32))
    sim.check()
    sim.advanceTo(1000)
    const free = pagesOf(DMA) + pagesOf(DMA32)
    expect(rows[0][COL.free_kib]).toBe(free * 4)
    for (let o = 0; o <= 10; o++) expect(rows[0][COL.nr_free_0 + o]).toBe(DMA[o] + DMA32[o])
    // every page that is not free was in use when the snapshot was taken: written, so resident;
    // page 0 and the BIOS hole 0x9f000-0xfffff are not the kernel's RAM (98 pages)
    expect(rows[0][COL.host_rss_kib]).toBe((262144 - 98 - free) * 4)
  })

  it('the driver registers after it: the passes report exactly the snapshot blocks of order >= 9 in DMA32', () => {
    const { sim, rows, events } = simulate(experiment({ durationMs: 60000, host: { backing: 'anon-4k' } }), SNAPSHOT)
    sim.advanceTo(60000)
    const reports = events.filter((e) => e.kind === 'report')
    expect(reports[0].t_ms).toBe(2016) // 2 s on the timer wheel at HZ=250 (timer_wheel.ts)
    expect(reports.every((e) => e.zone === 'DMA32')).toBe(true)
    const end = rows[rows.length - 1]
    expect(end[COL.reported_kib]).toBe((85 * 512 + 120 * 1024) * 4)
    expect(end[COL.nr_reported_9]).toBe(85)
    expect(end[COL.nr_reported_10]).toBe(120)
  })

  it('refuses a snapshot that needs more memory than the zone has, naming the zone and what fits', () => {
    const big: InitialFreeInput = { source: 'big.txt', zones: [{ zone: 'DMA', nr_free: DMA }, { zone: 'DMA32', nr_free: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 300] }] }
    expect(() => simulate(experiment(), big)).toThrow(
      'guest.initialFreeState: big.txt: zone DMA32 of the snapshot has 307200 free pages (1200.0 MiB); the simulated zone has 248064 free pages (969.0 MiB) after boot. ' +
        'Give the guest more memory (guest.memoryMiB) or less reserved (guest.reservedMiB)',
    )
  })

  it('refuses blocks that fit in pages but not as buddies, with what is left over', () => {
    // 5.10 keeps only the first 64 KiB: DMA is pfn 16..158 and 256..4095 (3983 pages, three order-10
    // regions); 7 order-9, one order-8 and one order-7 block (3968 pages) fit in pages, but a free
    // block below order 10 needs an allocated page in its buddy: an order-10 region holds one
    // order-9 block at most
    const tight: InitialFreeInput = { source: 'b.txt', zones: [{ zone: 'DMA', nr_free: [0, 0, 0, 0, 0, 0, 0, 1, 1, 7, 0] }, { zone: 'DMA32', nr_free: DMA32 }] }
    expect(() => simulate(experiment({}, { kernel: '5.10' }), tight)).toThrow(/^guest\.initialFreeState: b\.txt: zone DMA: the snapshot's free blocks \(3968 pages, 15\.5 MiB\) cannot be laid out in the simulated zone's 3983 free pages \(15\.6 MiB\): 3 of order 9 left over/)
  })

  it('refuses zones the guest lacks and guest zones the snapshot lacks', () => {
    const numa: InitialFreeInput = { source: 'numa.txt', zones: [{ zone: '0:DMA32', nr_free: [1] }] }
    expect(() => simulate(experiment(), numa)).toThrow('guest.initialFreeState: numa.txt: zone 0:DMA32 is not in the simulated guest (the snapshot has several NUMA nodes; the simulated guest has one); it has DMA (15.0 MiB), DMA32 (969.0 MiB)')
    const normal: InitialFreeInput = { source: 'n.txt', zones: [...SNAPSHOT.zones, { zone: 'Normal', nr_free: [1] }] }
    expect(() => simulate(experiment(), normal)).toThrow(/zone Normal is not in the simulated guest; it has DMA/)
    // an empty zone listed with no free blocks is fine
    expect(() => simulate(experiment(), { source: 'z.txt', zones: [...SNAPSHOT.zones, { zone: 'Normal', nr_free: new Array(11).fill(0) }] })).not.toThrow()
    const dmaOnly: InitialFreeInput = { source: 'd.txt', zones: [{ zone: 'DMA', nr_free: DMA }] }
    expect(() => simulate(experiment(), dmaOnly)).toThrow(/the simulated guest has zone DMA32 \(969\.0 MiB\), which the snapshot lacks/)
  })

  it('an experiment naming a snapshot needs its parsed counts', () => {
    expect(() => simulate(experiment(), null)).toThrow('guest.initialFreeState.file: the snapshot buddyinfo.txt was not given to the engine (SimulationInputs.initialFree)')
  })
})
