// A host experiment: the guests' simulations, each on its own event queue exactly as it runs
// alone, merged into one deterministic order with the host's own queue (guest starts, kswapd,
// host samples). The merge takes the earliest event over all queues; at equal host times the
// guests go first in guest order, then the host, so a host sample sees every guest event of its
// instant. A guest's events sit at its start plus its own time; its VM exits after its last
// event at its durationMs (its memory returns to the host), or is stopped at the host's end.
import type { RunSummary } from '../../common/api'
import type { HostPlan, PlannedGuest } from '../../common/host_plan'
import type { Machine } from '../../common/host_experiment'
import { COL } from '../../common/samples'
import { GUEST_EXITED, GUEST_KILLED, GUEST_NOT_STARTED, GUEST_RUNNING, GUEST_STOPPED, type HostEvent } from '../../common/host_samples'
import type { HostGuestSummary, HostSummary } from '../../common/host_summary'
import type { EngineOutput, SimulationInputs } from '../api'
import { EventQueue, NS_PER_MS } from '../event_queue'
import { createGuestSimulation, type GuestSimulation } from '../simulation'
import { hostMemoryConfig } from './host_config'
import { HostMemory, type HostSlot } from './host_memory'
import { HostSampler, countersOf, guestCounters, type GuestCounters, type SampledGuest } from './host_sampler'

const KIB = 4

/** How a guest's VM ended, with what it leaves behind (its summary.json and buddyinfo.txt). */
export interface GuestEnd {
  readonly status: 'exited' | 'killed' | 'stopped'
  /** Host time it ended, ms. */
  readonly t_ms: number
  readonly summary: RunSummary
  readonly buddyinfo: string
}

export interface HostOutput {
  sample(row: Float64Array): void
  event(event: HostEvent): void
  /** Where guest `guest`'s samples and events go; asked when its VM starts. */
  guestOutput(guest: number): EngineOutput
  guestEnded(guest: number, end: GuestEnd): void
}

export interface HostRunOptions {
  /** Run every invariant checker (the guests' and the host's) after every event. */
  readonly check?: boolean
  /** The files each guest's experiment names, by guest number. */
  readonly inputs?: ReadonlyMap<number, SimulationInputs>
}

/** A guest of the run: its plan, its slot in host memory, its simulation while its VM lives. */
interface GuestRun extends SampledGuest {
  readonly plan: PlannedGuest
  readonly start_ns: number
  sim: GuestSimulation | null
  state: number
  /** Host time of its next event, or of its exit; Infinity when it does not run. */
  next_ns: number
  ended_ms: number | null
  guestFree_kib: number
  allocated_kib: number
  final: GuestCounters | null
  /** Its own summary.json figures when its VM ended. */
  summary: RunSummary | null
  oomBadness: number | null
}

export class HostSimulation {
  readonly end_ms: number
  private readonly end_ns: number
  private readonly queue = new EventQueue()
  readonly memory: HostMemory
  private readonly guests: GuestRun[]
  private readonly sampler: HostSampler
  private readonly kswapdHandler: number
  private readonly sampleHandler: number
  private readonly sampleInterval_ns: number
  private readonly checkEveryEvent: boolean
  /** Host events run, plus the events of guests whose VMs ended. */
  private processed = 0
  /** The guest whose event runs now. */
  private running: GuestRun | null = null
  /** kswapd's current run, for its event when it sleeps. */
  private kswapdSince_ms = 0
  private kswapdReclaimedAtWake = 0
  /** Host time now: the event being run, or the last one. */
  now_ns = 0
  /** The end was reached and the guests still running were stopped. */
  private finished = false

  constructor(
    readonly plan: HostPlan,
    private readonly machine: Machine,
    sampleIntervalMs: number,
    private readonly output: HostOutput,
    private readonly options: HostRunOptions = {},
  ) {
    this.end_ms = plan.end_ms
    this.end_ns = Math.round(plan.end_ms * NS_PER_MS)
    this.checkEveryEvent = options.check ?? false
    const q = this.queue
    this.memory = new HostMemory(hostMemoryConfig(machine), {
      now_ns: () => this.now_ns,
      wakeKswapd: () => this.wakeKswapd(),
      kill: (slot, points, now) => this.oomKill(slot, points, now),
    })
    this.guests = plan.guests.map((p) => ({
      plan: p,
      slot: this.memory.addSlot(p.guest),
      start_ns: Math.round(p.start_ms * NS_PER_MS),
      sim: null,
      state: GUEST_NOT_STARTED,
      next_ns: Infinity,
      ended_ms: null,
      guestFree_kib: 0,
      allocated_kib: 0,
      final: null,
      summary: null,
      oomBadness: null,
    }))
    this.sampler = new HostSampler(this.memory, this.guests.length)
    this.kswapdHandler = q.register(() => this.kswapd())
    const startHandler = q.register((i) => this.startGuest(this.guests[i]))
    this.guests.forEach((g, i) => {
      if (g.start_ns < this.end_ns) q.schedule(g.start_ns, startHandler, i)
    })
    this.sampleInterval_ns = Math.round(sampleIntervalMs * NS_PER_MS)
    this.sampleHandler = q.register(() => this.takeSample())
    q.schedule(0, this.sampleHandler)
  }

  get now_ms(): number {
    return this.now_ns / NS_PER_MS
  }

  get done(): boolean {
    return this.now_ns >= this.end_ns
  }

  get events_processed(): number {
    let n = this.processed
    for (const g of this.guests) if (g.sim !== null) n += g.sim.events_processed
    return n
  }

  /** Runs every event (guests' and host's) up to host time `t_ms` (capped at the end), in merge order. */
  advanceTo(t_ms: number): void {
    if (Number.isNaN(t_ms)) throw new Error('advanceTo: t_ms is NaN')
    const limit = Math.min(Math.round(t_ms * NS_PER_MS), this.end_ns)
    if (limit <= this.now_ns && (limit < this.end_ns || this.finished)) return
    const gs = this.guests
    for (;;) {
      // the earliest guest (ties: the lower guest number), against the host queue (guests win ties)
      let best: GuestRun | null = null
      let bestT = Infinity
      for (let i = 0; i < gs.length; i++) {
        if (gs[i].next_ns < bestT) {
          bestT = gs[i].next_ns
          best = gs[i]
        }
      }
      const hostT = this.queue.peekTime()
      if (hostT < bestT) {
        if (hostT > limit) break
        this.now_ns = hostT
        this.queue.runNext(limit)
        this.processed++
        if (this.checkEveryEvent) this.memory.check()
        continue
      }
      if (best === null || bestT > limit) break
      this.now_ns = bestT
      this.stepGuest(best)
    }
    this.now_ns = limit
    this.queue.runUntil(limit)
    if (this.done) this.stopRunning()
  }

  // one event of `g`, or its exit when its next event lies past its end
  private stepGuest(g: GuestRun): void {
    const sim = g.sim as GuestSimulation
    if (sim.queue.peekTime() > sim.end_ns) {
      sim.advanceTo(sim.end_ms)
      this.event({ kind: 'guest_exit', guest: g.plan.guest, detail: `${g.plan.label}: the VM exits after ${(sim.end_ms / 1000).toFixed(1)} s; its ${Math.round((sim.backing.rssPages * KIB) / 1024)} MiB RSS and ${Math.round((sim.backing.swapPages * KIB) / 1024)} MiB swap return to the host` })
      this.endGuest(g, 'exited', GUEST_EXITED)
      return
    }
    this.running = g
    sim.queue.runNext(g.next_ns - g.start_ns)
    this.running = null
    if (this.checkEveryEvent) {
      sim.check()
      this.memory.check()
    }
    if (g.slot.dying) {
      this.endGuest(g, 'killed', GUEST_KILLED)
      return
    }
    this.updateNext(g)
  }

  private updateNext(g: GuestRun): void {
    const sim = g.sim as GuestSimulation
    const t = sim.queue.peekTime()
    g.next_ns = g.start_ns + (t <= sim.end_ns ? t : sim.end_ns)
    // a guest whose life goes past the host's end is stopped there (stopRunning())
    if (g.next_ns > this.end_ns) g.next_ns = Infinity
  }

  private startGuest(g: GuestRun): void {
    const p = g.plan
    const out = this.output.guestOutput(p.guest)
    // the host samples show the guest's own free and allocated memory from its latest row
    const tap: EngineOutput = {
      sample: (row) => {
        g.guestFree_kib = row[COL.guest_free_kib]
        g.allocated_kib = row[COL.allocated_kib]
        out.sample(row)
      },
      event: (e) => out.event(e),
    }
    g.slot.offset_ns = g.start_ns
    g.state = GUEST_RUNNING
    this.event({ kind: 'guest_start', guest: p.guest, detail: `${p.label} starts: ${p.experiment.guest.memoryMiB} MiB, ${p.experiment.host.backing}, seed ${p.experiment.seed}` })
    for (const note of p.notes) this.event({ kind: 'backing', guest: p.guest, detail: note })
    const inputs = this.options.inputs?.get(p.guest)
    // its boot memory is charged while it is built: the OOM killer may already choose it
    this.running = g
    g.sim = createGuestSimulation(p.experiment, tap, { check: this.checkEveryEvent, ...(inputs !== undefined ? { inputs } : {}) }, (backing, queue) => {
      g.slot.backing = backing
      backing.attachHost(this.memory.pagerFor(g.slot), queue, this.machine.swapInUsPer4k)
    })
    this.running = null
    if (g.slot.dying) {
      this.endGuest(g, 'killed', GUEST_KILLED)
      return
    }
    this.updateNext(g)
  }

  private oomKill(slot: HostSlot, points: number, now: boolean): void {
    const g = this.guests[slot.guest - 1]
    const culprit = this.running
    const who = culprit === null ? '' : culprit === g ? ', while it faulted' : `, while guest ${culprit.plan.guest} (${culprit.plan.label}) faulted`
    const b = slot.backing
    const rss_mib = b === null ? 0 : Math.round((b.rssPages * KIB) / 1024)
    const swap_mib = b === null ? 0 : Math.round((b.swapPages * KIB) / 1024)
    g.oomBadness = points
    const m = this.memory
    this.event({
      kind: 'oom_kill',
      guest: slot.guest,
      kib: points * KIB,
      detail: `Out of memory: killed guest ${slot.guest} (${g.plan.label}), the largest oom_badness: ${points} pages (RSS ${rss_mib} MiB + swap ${swap_mib} MiB)${who}; host free ${Math.round((m.freePages * KIB) / 1024)} MiB (min watermark ${Math.round((m.cfg.minPages * KIB) / 1024)} MiB), swap free ${Math.round((m.swapFreePages * KIB) / 1024)} MiB`,
    })
    if (now) this.endGuest(g, 'killed', GUEST_KILLED)
  }

  private endGuest(g: GuestRun, status: GuestEnd['status'], state: number): void {
    const sim = g.sim as GuestSimulation
    g.final = countersOf(sim.backing)
    this.memory.release(g.slot)
    g.slot.dying = false
    g.state = state
    g.next_ns = Infinity
    g.ended_ms = this.now_ms
    this.processed += sim.events_processed
    g.summary = sim.summary(0)
    this.output.guestEnded(g.plan.guest, { status, t_ms: this.now_ms, summary: g.summary, buddyinfo: sim.buddyinfo() })
    g.sim = null
  }

  // the host's end: guests still running are stopped there, at their own time of that instant
  private stopRunning(): void {
    this.finished = true
    for (const g of this.guests) {
      if (g.sim === null) continue
      g.sim.advanceTo((this.end_ns - g.start_ns) / NS_PER_MS)
      this.event({ kind: 'guest_stopped', guest: g.plan.guest, detail: `${g.plan.label} was still running when the host experiment ended` })
      this.endGuest(g, 'stopped', GUEST_STOPPED)
    }
  }

  private wakeKswapd(): void {
    this.kswapdSince_ms = this.now_ms
    this.kswapdReclaimedAtWake = this.memory.kswapdReclaimedPages
    this.queue.schedule(this.now_ns, this.kswapdHandler)
  }

  private kswapd(): void {
    const busy_ns = this.memory.kswapdRun()
    if (busy_ns >= 0) {
      this.queue.schedule(this.now_ns + busy_ns, this.kswapdHandler)
      return
    }
    const kib = (this.memory.kswapdReclaimedPages - this.kswapdReclaimedAtWake) * KIB
    const m = this.memory
    const why = m.freePages >= m.cfg.highPages ? 'free memory is above the high watermark' : m.swapFreePages === 0 ? 'swap is full' : 'nothing is left to reclaim'
    this.event({ kind: 'kswapd', kib, dur_ms: this.now_ms - this.kswapdSince_ms, detail: `kswapd swapped out ${Math.round(kib / 1024)} MiB and sleeps: ${why}` })
  }

  private takeSample(): void {
    this.output.sample(this.sampler.fill(this.now_ms, this.guests))
    const next = this.now_ns + this.sampleInterval_ns
    if (next <= this.end_ns) this.queue.schedule(next, this.sampleHandler)
  }

  private event(e: Omit<HostEvent, 't_ms'>): void {
    this.output.event({ t_ms: this.now_ms, ...e })
  }

  /** The host's invariant checker and every running guest's. */
  check(): void {
    this.memory.check()
    for (const g of this.guests) g.sim?.check()
  }

  summary(wall_ms: number): HostSummary {
    const m = this.memory
    const cfg = m.cfg
    const sum = this.sampler.summarizer
    const guest_summaries = this.guests.map((g) => this.guestSummary(g))
    const worst = (f: (g: HostGuestSummary) => number): number => guest_summaries.reduce((x, g) => Math.max(x, f(g)), 0)
    return {
      name: this.plan.name,
      guests: this.guests.length,
      host_memory_kib: this.machine.memoryMiB * 1024,
      available_kib: cfg.availablePages * KIB,
      swap_kib: cfg.swapPages * KIB,
      wmark_min_kib: cfg.minPages * KIB,
      wmark_low_kib: cfg.lowPages * KIB,
      wmark_high_kib: cfg.highPages * KIB,
      peak_guests_rss_kib: m.peakRssPages * KIB,
      mean_guests_rss_kib: sum.meanGuestsRss_kib,
      min_host_free_kib: m.minFreePages * KIB,
      peak_swap_used_kib: m.peakSwapPages * KIB,
      swapped_out_kib: (m.kswapdReclaimedPages + m.directReclaimedPages) * KIB,
      swapped_in_kib: guest_summaries.reduce((s, g) => s + g.swapped_in_kib, 0),
      swapin_stall_ms: guest_summaries.reduce((s, g) => s + g.swapin_stall_ms, 0),
      reclaim_stall_ms: m.reclaimStall_ns / NS_PER_MS,
      kswapd_reclaimed_kib: m.kswapdReclaimedPages * KIB,
      direct_reclaimed_kib: m.directReclaimedPages * KIB,
      thp_fallbacks: m.thpFallbacks,
      oom_kills: m.oomKills,
      alloc_failures: guest_summaries.reduce((s, g) => s + g.alloc_failures, 0),
      swapin_ms_per_s: worst((g) => g.swapin_ms_per_s),
      swapin_ms_per_s_max: worst((g) => g.swapin_ms_per_s_max),
      reporting_returned_kib: guest_summaries.reduce((s, g) => s + g.returned_kib, 0),
      sim_ms: this.now_ms,
      wall_ms,
      events_processed: this.events_processed,
      guest_summaries,
    }
  }

  private guestSummary(g: GuestRun): HostGuestSummary {
    const c = guestCounters(g)
    const p = g.plan
    const started = g.state !== GUEST_NOT_STARTED
    const end_ms = g.ended_ms ?? (started ? this.now_ms : null)
    const life_s = end_ms === null ? 0 : (end_ms - p.start_ms) / 1000
    const figure = (key: string): number => {
      const v = g.summary?.[key] ?? (g.sim !== null ? g.sim.summary(0)[key] : 0)
      return typeof v === 'number' ? v : 0
    }
    return {
      guest: p.guest,
      label: p.label,
      seed: p.experiment.seed,
      memory_mib: p.experiment.guest.memoryMiB,
      start_ms: p.start_ms,
      end_ms,
      status: g.state === GUEST_EXITED ? 'exited' : g.state === GUEST_KILLED ? 'killed' : g.state === GUEST_NOT_STARTED ? 'not started' : 'stopped',
      peak_rss_kib: c.peakRss_kib,
      mean_rss_kib: this.sampler.summarizer.meanRss_kib(p.guest),
      peak_swap_kib: c.peakSwap_kib,
      swapped_out_kib: c.swappedOut_kib,
      swapped_in_kib: c.swappedIn_kib,
      swapin_stall_ms: c.swapInStall_ms,
      swapin_ms_per_s: life_s > 0 ? c.swapInStall_ms / life_s : 0,
      swapin_ms_per_s_max: this.sampler.summarizer.worstRate[p.guest - 1],
      reclaim_stall_ms: g.slot.reclaimStall_ns / NS_PER_MS,
      returned_kib: c.returned_kib,
      report_calls: figure('report_calls'),
      refault_cost_ms: figure('refault_cost_ms'),
      alloc_failures: figure('alloc_failures'),
      oom_badness: g.oomBadness,
    }
  }
}
