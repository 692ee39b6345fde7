// The Simulation the host drives (src/engine/api.ts): builds the guest (zones from the e820
// layout, the buddy allocator, the kernel-version preset), the reporting device and the host,
// the workload and the sampler, all on one event queue in integer nanoseconds.
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { PFN_STATES, type FreeAreaCounts, type MemoryMap, type PageInfo, type PfnState, type RunSummary } from '../common/api'
import type { Experiment } from '../common/experiment'
import { backingOrder, deviceDiscardRefusal } from '../common/reporting_rules'
import { SampleSummarizer } from '../common/run_summary'
import { NR_ORDERS, type SimEvent } from '../common/samples'
import { SimulationInputError, type CreateSimulation, type EngineOutput, type Simulation, type SimulationOptions } from './api'
import { restoreCheckpoint, takeCheckpoint, type Checkpoint } from './checkpoint'
import { e820UsableRanges, guestRamRanges, memblockReservations, reservedPagesOf } from './e820'
import { EventQueue, NS_PER_MS } from './event_queue'
import { HostBacking } from './host_backing'
import { DM_THREAD_PERIOD_MS, HvBalloon } from './hv_balloon'
import { applyInitialFreeState } from './initial_free_state'
import { freeAreaCounts } from './free_area_counts'
import { kernelPreset, pageblockOrderOf } from '../common/kernel_version'
import { Rmap } from './mm/alloc_set'
import { Compaction } from './mm/compaction'
import { vmaThpGfpMask } from './mm/gfp'
import { PageAllocator } from './mm/page_alloc'
import { zoneIdx } from './mm/mmzone'
import { MAX_ORDER, MIGRATETYPE_KERNEL_NAMES } from './mm/page_alloc_api'
import { inMemmapHole } from './mm/sparse'
import { Slowpath } from './mm/slowpath'
import { Vmscan } from './mm/vmscan'
import { PageReporting, type PageReportingDevice } from './page_reporting'
import { Sampler } from './sampler'
import { VirtioBalloon } from './virtio_balloon'
import { Jiffies, msecsToJiffies } from './timer_wheel'
import { Workload } from './workload'

const STATE_ALLOCATED = PFN_STATES.indexOf('allocated')
const STATE_PCP = PFN_STATES.indexOf('pcp')
const STATE_FREE = PFN_STATES.indexOf('free')
const STATE_REPORTED = PFN_STATES.indexOf('reported')
const STATE_HOLE = PFN_STATES.indexOf('hole')
const MAX_MAP_CELLS = 1 << 22

/**
 * A guest inside a host experiment (src/engine/host/host_simulation.ts): the Simulation, plus its
 * own event queue, which the host merges with the other guests', and its host backing, which the
 * host swaps.
 */
export interface GuestSimulation extends Simulation {
  readonly queue: EventQueue
  readonly backing: HostBacking
  readonly end_ns: number
}

/** Called once the guest's host backing exists and before the guest boots (its boot memory is the first thing charged). */
export type AttachHost = (backing: HostBacking, queue: EventQueue) => void

class LabSimulation implements GuestSimulation {
  readonly end_ms: number
  readonly end_ns: number
  readonly queue = new EventQueue()
  private readonly alloc: PageAllocator
  private readonly rmap: Rmap
  private readonly vmscan: Vmscan
  private readonly compaction: Compaction
  private readonly reporting: PageReporting
  private readonly host: HostBacking
  private readonly workload: Workload
  private readonly sampler: Sampler
  private readonly device: PageReportingDevice | null
  private readonly deviceStatus: string
  private readonly checkEveryEvent: boolean
  private readonly sampleInterval_ns: number
  private readonly sampleHandler: number
  /** advanceToSample(): the sample time to stop after (ns), or -1; set once that sample is taken. */
  private sampleStop_ns = -1
  private sampleStopped = false
  /** The headline figures, from the same rows the recorder gets. */
  private readonly summarizer = new SampleSummarizer()
  /** shuffle_pick_tail()'s stream: a field, so that a checkpoint holds its state (the allocator's closure draws from it). */
  private readonly shuffleRng: ReturnType<typeof xoroshiro128plus>
  /** What a checkpoint keeps by reference: the experiment, the output sink and the given inputs (never written). */
  private readonly shared: readonly object[]

  constructor(
    private readonly experiment: Experiment,
    private readonly output: EngineOutput,
    options: SimulationOptions,
    attach: AttachHost | null,
  ) {
    const { guest, reporting: rep, device: devCfg, host: hostCfg, recorder } = experiment
    this.end_ms = experiment.durationMs
    this.end_ns = Math.round(experiment.durationMs * NS_PER_MS)
    this.checkEveryEvent = options.check ?? false
    const q = this.queue
    const emit = recorder.events ? (e: SimEvent) => output.event(e) : null
    const now_ms = (): number => q.now_ns / NS_PER_MS

    const pageblockOrder = pageblockOrderOf(guest.hugetlb)
    // the runtime setting (khugepaged, min_free_kbytes) exists only in a kernel built with THP
    const thpEnabled = guest.transparentHugepage && guest.thp !== 'never'
    const preset = kernelPreset(guest.kernel, guest.transparentHugepage, pageblockOrder)
    // PAGE_REPORTING_DELAY is 2*HZ jiffies; another delayMs (a patched kernel) is msecs_to_jiffies() of it
    const jiffies = new Jiffies(guest.hz)
    const delayJiffies = msecsToJiffies(rep.delayMs, guest.hz)
    this.reporting = new PageReporting({
      queue: q,
      capacity: rep.capacity,
      delayedWorkAt: (t_ns) => jiffies.delayedWorkFires(t_ns, delayJiffies),
      budgetDivisor: rep.budgetDivisor,
      orderRule: preset.orderRule,
      pageblockOrder,
      cmdlineOrder: rep.order,
      emit,
      ...(options.probeReport !== undefined ? { probe: options.probeReport } : {}),
    })
    const ranges = guestRamRanges(guest.memoryMiB, guest.lowMemMiB)
    // a stream of its own for shuffle_pick_tail(), so the workload's stream does not depend on it
    const shuffleRng = xoroshiro128plus(experiment.seed ^ 0x5bd1e995)
    this.shuffleRng = shuffleRng
    const replays = options.inputs?.replays ?? []
    this.shared = [experiment, output, replays, ...replays.filter((r) => r !== null)]
    const reservations = memblockReservations(ranges, reservedPagesOf(guest.memoryMiB, guest.reservedMiB), guest.kernel)
    this.alloc = new PageAllocator({
      ranges: e820UsableRanges(ranges),
      // no memmap for the PCI hole: the engine's pfns are memmap indices, physical only where shown
      sparseMemmap: true,
      reservedPages: reservations.reservedAboveDma,
      lowReserveEndPfn: reservations.lowReserveEndPfn,
      cpus: guest.cpus,
      pageblockOrder,
      pcpOrders: preset.pcpOrders,
      pcpGeneration: preset.pcp,
      pcpHighMode: preset.pcpHighMode,
      percpuPagelistHighFraction: guest.percpuPagelistHighFraction,
      putbackToTail: preset.putbackToTail,
      minFreeKbytes: guest.minFreeKbytes,
      thpEnabled,
      watermarkScaleFactor: guest.watermarkScaleFactor,
      watermarkBoostFactor: guest.watermarkBoostFactor,
      shuffle: guest.shuffle,
      randomBit: () => shuffleRng.next() & 1,
      notifyFree: this.reporting.notifyFree,
    })
    this.reporting.attach(this.alloc)
    if (guest.initialFreeState !== null) {
      const initial = options.inputs?.initialFree ?? null
      if (initial === null) throw new SimulationInputError('guest.initialFreeState.file', `the snapshot ${guest.initialFreeState.file} was not given to the engine (SimulationInputs.initialFree)`)
      // before the host model exists, so the memory it takes counts as in use since boot
      applyInitialFreeState(this.alloc, initial, guest.initialFreeState.perCpuPages)
    }
    if (preset.orderRule === 'fixed-pageblock' && rep.order !== null) {
      emit?.({ t_ms: 0, kind: 'order_change', order: pageblockOrder, detail: `page_reporting.page_reporting_order=${rep.order} ignored: ${guest.kernel} has no such parameter` })
    }

    const writeOnFree = guest.initOnFree || guest.pagePoisoning
    this.host = new HostBacking({
      backing: hostCfg.backing,
      maxPfn: this.alloc.maxPfn,
      ranges: ranges.map((r) => ({ startPfn: this.alloc.memmapIdx(r.startPfn), endPfn: this.alloc.memmapIdx(r.endPfn) })),
      // init_on_free / poisoning write every page the boot hands to the buddy allocator
      prepopulate: hostCfg.prepopulate || writeOnFree,
      discardUsPer4k: hostCfg.discardUsPer4k,
      discardUsPer2m: hostCfg.discardUsPer2m,
      refaultUsPer4k: hostCfg.refaultUsPer4k,
      refaultUsPer2m: hostCfg.refaultUsPer2m,
    })
    attach?.(this.host, q)
    this.touchBootMemory()

    // reclaim and compaction: kswapd, kcompactd and the allocator's slow path, over the workload's records
    this.rmap = new Rmap(this.alloc.rmap)
    this.vmscan = new Vmscan({
      queue: q,
      alloc: this.alloc,
      rmap: this.rmap,
      swapPages: guest.swapMiB * 256,
      swappiness: guest.swappiness,
      emit,
      released: (pages) => this.workload.released(pages),
    })
    this.compaction = new Compaction({
      queue: q,
      alloc: this.alloc,
      rmap: this.rmap,
      host: this.host,
      proactiveness: guest.compactionProactiveness,
      kswapdRunning: () => this.vmscan.kswapdRunning,
      emit,
    })
    this.vmscan.kcompactd = this.compaction
    this.alloc.attachSlowpath(new Slowpath(this.alloc, this.vmscan, this.compaction))

    // the reporting device and its registration
    let device: PageReportingDevice | null = null
    let status = 'none'
    if (rep.device === 'virtio-balloon') {
      const vb = new VirtioBalloon({
        queueSize: devCfg.queueSize,
        offerPagePoison: devCfg.offerPagePoison,
        initOnFree: guest.initOnFree,
        pagePoisoning: guest.pagePoisoning,
        capacity: rep.capacity,
        hostDiscard: hostCfg.discard,
        hostPoisonVal: hostCfg.poisonVal,
        reportLatencyUs: hostCfg.reportLatencyUs,
        host: this.host,
        now_ms,
        emit,
      })
      status = `virtio-balloon: ${vb.probe.reason}`
      device = vb.probe.reporting ? vb : null
    } else if (rep.device === 'hv-balloon') {
      // the schema refuses hv-balloon on a kernel without its page reporting (before 5.13)
      if (preset.hvReporting === 'none') throw new SimulationInputError('reporting.device', `hv-balloon has no free page reporting on Linux ${guest.kernel}`)
      const hv: HvBalloon = new HvBalloon({
        generation: preset.hvReporting,
        maxPfn: this.alloc.maxPfn,
        acceptsSmallOrders: devCfg.hvAcceptsSmallOrders,
        failAfterReports: devCfg.hvFailAfterReports,
        hostDiscard: hostCfg.discard,
        reportLatencyUs: hostCfg.reportLatencyUs,
        pageblockOrder,
        host: this.host,
        forceReportingOrder: (o) => this.reporting.setOrder(o, 'hv_balloon INVALID_PARAMETER'),
        unregister: () => this.reporting.unregister(hv),
        now_ms,
        emit,
      })
      const tick = q.register(() => {
        hv.dmThreadTick()
        q.schedule(q.now_ns + DM_THREAD_PERIOD_MS * NS_PER_MS, tick)
      })
      q.schedule(DM_THREAD_PERIOD_MS * NS_PER_MS, tick)
      device = hv
      status = 'hv-balloon: cold memory discard hint'
    }
    this.device = device
    this.deviceStatus = status

    // the host's discard rule (discardRefusal()) depends on the report only through the block order
    const poisonVal = device instanceof VirtioBalloon ? device.probe.poisonVal : 0
    const hostDiscardMinOrder = deviceDiscardRefusal({ discard: hostCfg.discard, poisonVal }) !== null ? NR_ORDERS : Math.min(NR_ORDERS, backingOrder(hostCfg.backing))
    this.sampler = new Sampler({
      alloc: this.alloc,
      reporting: this.reporting,
      host: this.host,
      allocatedPages: () => this.workload.allocatedPages,
      allocatedPeakPages: () => this.workload.allocatedPeakPages,
      capacity: rep.capacity,
      hostDiscardMinOrder,
      vm: { vmscan: this.vmscan, compaction: this.compaction, allocStall_ns: () => this.workload.allocStall_ns },
    })
    this.sampleInterval_ns = Math.round(recorder.sampleIntervalMs * NS_PER_MS)
    this.sampleHandler = q.register(() => this.takeSample())
    q.schedule(0, this.sampleHandler)

    const registerHandler = q.register(() => this.registerDevice())
    if (rep.device !== 'none') q.schedule(Math.round(rep.registerAtMs * NS_PER_MS), registerHandler)

    this.workload = new Workload(
      {
        queue: q,
        alloc: this.alloc,
        host: this.host,
        cpus: guest.cpus,
        rng: xoroshiro128plus(experiment.seed),
        writeOnFree,
        emit: recorder.events || recorder.allocEvents ? (e: SimEvent) => output.event(e) : null,
        allocEvents: recorder.allocEvents,
        replays,
        register: () => this.registerDevice(),
        unregister: (done) => this.unregisterDevice(done),
        sysfsOrder: (order) => {
          this.reporting.sysfsWriteOrder(order)
        },
        rmap: this.rmap,
        vm: {
          // the workload's regions count as madvised (MADV_HUGEPAGE) when THP is madvise-only
          thpGfp: guest.thp === 'never' ? null : vmaThpGfpMask(guest.thpDefrag, guest.thp === 'madvise'),
          compactMemory: (done) => this.compaction.compactMemory(done),
          releaseSwap: (pages) => this.vmscan.releaseSwap(pages),
        },
      },
      experiment,
    )
    this.workload.start()
  }

  get now_ms(): number {
    return this.queue.now_ns / NS_PER_MS
  }

  get backing(): HostBacking {
    return this.host
  }

  get done(): boolean {
    return this.queue.now_ns >= this.end_ns
  }

  get events_processed(): number {
    return this.queue.processed
  }

  advanceTo(t_ms: number): void {
    if (Number.isNaN(t_ms)) throw new Error('advanceTo: t_ms is NaN')
    const limit = Math.min(Math.round(t_ms * NS_PER_MS), this.end_ns)
    // at the current instant too: after advanceToSample() events of that instant may still be queued
    if (limit < this.queue.now_ns) return
    if (this.checkEveryEvent) {
      while (this.queue.runNext(limit)) this.check()
    }
    this.queue.runUntil(limit)
  }

  advanceToNextPass(): void {
    const target = this.reporting.passesCompleted + 1
    while (this.reporting.passesCompleted < target) {
      if (!this.queue.runNext(this.end_ns)) {
        this.queue.runUntil(this.end_ns)
        return
      }
      if (this.checkEveryEvent) this.check()
    }
  }

  advanceToSample(t_ms: number): boolean {
    if (Number.isNaN(t_ms)) throw new Error('advanceToSample: t_ms is NaN')
    const target = Math.round(t_ms * NS_PER_MS)
    if (target > this.end_ns || target < this.queue.now_ns) return false
    this.sampleStop_ns = target
    this.sampleStopped = false
    try {
      while (!this.sampleStopped && this.queue.runNext(target)) if (this.checkEveryEvent) this.check()
    } finally {
      this.sampleStop_ns = -1
    }
    if (!this.sampleStopped) this.queue.runUntil(target)
    return this.sampleStopped
  }

  checkpoint(previous: Checkpoint | null = null): Checkpoint {
    return takeCheckpoint(this, this.shared, previous)
  }

  restore(cp: Checkpoint): void {
    restoreCheckpoint(this, cp, this.shared)
  }

  buddyinfo(): string {
    return this.alloc.buddyinfo()
  }

  freeArea(): FreeAreaCounts {
    return freeAreaCounts(this.alloc)
  }

  pagetypeinfo(): string {
    return this.alloc.pagetypeinfo()
  }

  zoneinfo(): string {
    return this.alloc.zoneinfo()
  }

  /** max_pfn as a physical pfn: the end of memoryMap()'s and pageInfo()'s range. */
  private get physEndPfn(): number {
    return this.alloc.physPfn(this.alloc.maxPfn - 1) + 1
  }

  memoryMap(startPfn: number, endPfn: number, cells: number): MemoryMap {
    const start = Math.max(0, Math.floor(startPfn))
    const end = Math.min(this.physEndPfn, Math.floor(endPfn))
    if (!(end > start)) throw new Error(`memoryMap: empty pfn range [${startPfn}, ${endPfn})`)
    if (!Number.isInteger(cells) || cells < 1 || cells > MAX_MAP_CELLS) throw new Error(`memoryMap: cells must be an integer in 1..${MAX_MAP_CELLS}, got ${cells}`)
    const n = Math.min(cells, end - start)
    const states = new Uint8Array(n)
    const counts = new Float64Array(PFN_STATES.length)
    const span = (end - start) / n
    const cellEnd = (c: number): number => (c === n - 1 ? end : start + Math.floor((c + 1) * span))
    // the memmap index of pfn p is p below the hole, p - holePages above it (sparse.ts), inlined:
    // this loop runs once per frame of a fragmented map
    const holeStart = this.alloc.layout.hole.startPfn
    const holePages = this.alloc.layout.hole.pages
    const holeEnd = holeStart + holePages
    // walk the frames as runs (a whole free block, the memmap hole at once), counting states per cell: exact majority
    let c = 0
    let ce = cellEnd(0)
    let p = start
    while (p < end) {
      let s = STATE_HOLE
      let run = holeEnd - p
      if (p < holeStart || p >= holeEnd) {
        const idx = p < holeStart ? p : p - holePages
        s = this.alloc.pfnState(idx)
        run = this.runLength(idx, s)
      }
      const runEnd = Math.min(end, p + run)
      while (p < runEnd) {
        const take = Math.min(runEnd, ce) - p
        counts[s] += take
        p += take
        if (p === ce) {
          let best = 0
          for (let k = 1; k < counts.length; k++) if (counts[k] > counts[best]) best = k
          states[c] = best
          counts.fill(0)
          if (++c < n) ce = cellEnd(c)
        }
      }
    }
    const zones = []
    for (let z = 0; z < this.alloc.nrZones; z++) {
      const zs = this.alloc.zoneStartPfn(z)
      const ze = this.alloc.zoneEndPfn(z)
      if (ze > zs) zones.push({ name: this.alloc.zoneName(z), startPfn: this.alloc.physPfn(zs), endPfn: this.alloc.physPfn(ze - 1) + 1 })
    }
    return { startPfn: start, endPfn: end, states, zones, sim_ms: this.now_ms }
  }

  /** Frames from `pfn` (a memmap index) sharing its state: a whole buddy block when pfn heads one, else 1. */
  private runLength(pfn: number, state: number): number {
    if (state !== STATE_FREE && state !== STATE_REPORTED) return 1
    // a buddy head keeps its order in its memmap word (and is aligned to it)
    const order = this.alloc.memmap.order(pfn)
    return order > 0 && this.alloc.isBuddyHead(pfn, order) ? 1 << order : 1
  }

  pageInfo(pfn: number): PageInfo {
    const physEnd = this.physEndPfn
    if (!Number.isInteger(pfn) || pfn < 0 || pfn >= physEnd) throw new Error(`pageInfo: pfn ${pfn} outside 0..${physEnd - 1}`)
    const a = this.alloc
    // no struct page in the hole: a frame of no block, in the zone its address falls in
    if (inMemmapHole(a.layout.hole, pfn)) return { pfn, zone: a.zoneName(zoneIdx(pfn)), state: 'hole', order: -1, blockPfn: pfn, migratetype: 'none', flags: [], hostResident: false }
    const idx = a.memmapIdx(pfn)
    const state = PFN_STATES[a.pfnState(idx)] as PfnState
    const zone = a.zoneOfPfn(idx)
    let order = -1
    let blockIdx = idx
    // the free block containing pfn: a buddy head of order o covering it
    for (let o = 0; o <= MAX_ORDER; o++) {
      const head = idx - (idx % 2 ** o)
      if (a.isBuddyHead(head, o)) {
        order = o
        blockIdx = head
        break
      }
    }
    const flags: string[] = []
    if (order >= 0) flags.push('buddy')
    if (order >= 0 && a.pageReported(blockIdx)) flags.push('reported')
    if (state === 'isolated') flags.push('isolated')
    if (state === 'pcp') flags.push('pcp')
    if (this.host.isDiscarded(idx)) flags.push('host-discarded')
    return {
      pfn,
      zone: zone >= 0 ? a.zoneName(zone) : 'none',
      state,
      order,
      blockPfn: a.physPfn(blockIdx),
      migratetype: state === 'hole' ? 'none' : MIGRATETYPE_KERNEL_NAMES[a.getPageblockMigratetype(idx)] ?? 'unknown',
      flags,
      hostResident: this.host.isResident(idx),
    }
  }

  summary(wall_ms: number): RunSummary {
    const r = this.reporting
    const h = this.host
    return {
      first_report_ms: r.firstReport_ns < 0 ? null : r.firstReport_ns / NS_PER_MS,
      report_calls: r.reportCalls,
      reported_kib_total: r.reportedKibTotal,
      peak_host_rss_kib: h.peakRssPages * 4,
      final_host_rss_kib: h.rssPages * 4,
      sim_ms: this.now_ms,
      wall_ms,
      events_processed: this.queue.processed,
      report_errors: r.reportErrors,
      passes: r.passesCompleted,
      reclaimed_kib: h.reclaimedPages * 4,
      refaulted_kib: h.refaultedPages * 4,
      refault_cost_ms: h.refaultCost_ns / NS_PER_MS,
      alloc_failures: this.workload.allocFailures,
      page_allocs: this.workload.pageAllocs,
      page_frees: this.workload.pageFrees,
      kswapd_runs: this.vmscan.pageoutrun,
      kswapd_reclaimed_kib: this.vmscan.pgstealKswapd * 4,
      direct_reclaimed_kib: this.vmscan.pgstealDirect * 4,
      direct_reclaim_stalls: this.vmscan.allocstall,
      swapped_out_kib: this.vmscan.pswpout * 4,
      alloc_stall_ms: this.workload.allocStall_ns / NS_PER_MS,
      compact_migrated_kib: this.compaction.compactMigrated * 4,
      compact_reported_taken_kib: this.compaction.compactReportedTaken * 4,
      compact_stalls: this.compaction.compactStall,
      kcompactd_wakes: this.compaction.kcompactdWakes,
      thp_fault_fallback: this.workload.thpFallbacks,
      reporting_order: r.order,
      reporting_device: this.deviceStatus,
      guest_ram_kib: h.guestPages * 4,
      ...this.summarizer.figures(),
      ...this.replaySummary(),
    }
  }

  /** summary.json figures of the replay phases, when the experiment has any. */
  private replaySummary(): Record<string, number> {
    if (!this.experiment.workload.phases.some((p) => p.op === 'replay')) return {}
    const t = this.workload.replayTotals()
    return {
      replay_ops: t.ops,
      replay_ops_done: t.done,
      replay_allocs: t.allocs,
      replay_frees: t.frees,
      replay_failed_allocs: t.failedAllocs,
      replay_skipped_frees: t.skippedFrees,
    }
  }

  check(): void {
    this.alloc.check()
    this.reporting.check()
    this.host.check()
    this.checkVm()
    if (this.workload.allocatedPages < 0) throw new Error(`workload: ${this.workload.allocatedPages} pages allocated`)
  }

  /** The reverse map, every record an allocated block of its order, swap accounting, compaction's held pages. */
  private checkVm(): void {
    this.rmap.check()
    let swapped = 0
    for (const s of this.rmap.sets) {
      swapped += s.swappedPages
      for (let i = 0; i < s.length; i++) {
        if (!this.alloc.allocatedHead(s.pfnAt(i), s.orderAt(i))) throw new Error(`rmap: set ${s.id} record ${i} (pfn ${s.pfnAt(i)}, order ${s.orderAt(i)}) is not an allocated block`)
      }
    }
    if (swapped !== this.vmscan.swapUsedPages) throw new Error(`swap: ${this.vmscan.swapUsedPages} pages in use, the sets hold ${swapped} swapped pages`)
    if (this.vmscan.swapUsedPages > this.vmscan.swapPages) throw new Error(`swap: ${this.vmscan.swapUsedPages} pages in use of ${this.vmscan.swapPages}`)
    this.compaction.check()
  }

  private takeSample(): void {
    this.output.sample(this.sampler.fill(this.now_ms))
    this.summarizer.addRow(this.sampler.row)
    const next = this.queue.now_ns + this.sampleInterval_ns
    if (next <= this.end_ns) this.queue.schedule(next, this.sampleHandler)
    if (this.queue.now_ns === this.sampleStop_ns) this.sampleStopped = true
  }

  private registerDevice(): void {
    if (this.device === null) {
      if (this.experiment.recorder.events) this.output.event({ t_ms: this.now_ms, kind: 'register', detail: `no reporting: ${this.deviceStatus}` })
      return
    }
    if (this.reporting.register(this.device) === 0 && this.device instanceof HvBalloon) this.device.registered = true
  }

  private unregisterDevice(done: () => void): void {
    if (this.device === null) {
      done()
      return
    }
    if (this.device instanceof HvBalloon) this.device.registered = false
    this.reporting.unregister(this.device, done)
  }

  // the kernel image and memblock reservations (memmap) are written at boot: resident on the host
  private touchBootMemory(): void {
    const a = this.alloc
    for (let z = 0; z < a.nrZones; z++) {
      const end = a.zoneEndPfn(z)
      for (let p = a.zoneStartPfn(z); p < end; ) {
        const s = a.pfnState(p)
        // pages on per-CPU lists at the start come from an initial free state: freed after use
        if (s !== STATE_ALLOCATED && s !== STATE_PCP) {
          p += this.runLength(p, s)
          continue
        }
        // every frame of the block p heads (its order is in its memmap word), without asking each tail for its head
        const blockEnd = p + (1 << Math.max(0, a.memmap.order(p)))
        for (; p < blockEnd; p++) this.host.touch(p, 1)
      }
    }
  }
}

export const createSimulation: CreateSimulation = (experiment, output, options = {}) => new LabSimulation(experiment, output, options, null)

/** A guest of a host experiment: `attach` joins its host backing to the host before it boots. */
export function createGuestSimulation(experiment: Experiment, output: EngineOutput, options: SimulationOptions, attach: AttachHost): GuestSimulation {
  return new LabSimulation(experiment, output, options, attach)
}
