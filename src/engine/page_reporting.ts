// Free page reporting core: models mm/page_reporting.c (Linux 6.6, kernel-spec §1).
// The pass (page_reporting_process) is a resumable state machine driven by the event queue:
// it walks zones, orders and migratetypes synchronously (the zone lock is held), and suspends
// only where the kernel drops the lock to call prdev->report(); the round trip is an event at
// now + the device's duration, and workload events interleave meanwhile (kernel-spec §1.6.7).
import { reportingBudget, reportingWatermarkPages } from '../common/reporting_rules'
import { REPORTING_STATES, type SimEvent, type ZoneName } from '../common/samples'
import { type EventQueue, NS_PER_MS } from './event_queue'
import { type OrderRule, REPORTING_ORDER_UNSET, bootReportingOrder, orderAtRegister, sysfsWriteOrder } from '../common/kernel_version'
import { MAX_ORDER, MIGRATE_ISOLATE, MIGRATE_TYPES, type PageAlloc } from './mm/page_alloc_api'

export const PAGE_REPORTING_IDLE = 0
export const PAGE_REPORTING_REQUESTED = 1
export const PAGE_REPORTING_ACTIVE = 2
export const EBUSY = 16
export const EINVAL = 22

/** The scatterlist of one pass: entry i is the free block (pfn, order); length = 4096 << order. */
export class Scatterlist {
  readonly pfn: Int32Array
  readonly order: Int8Array
  constructor(readonly capacity: number) {
    this.pfn = new Int32Array(capacity).fill(-1)
    this.order = new Int8Array(capacity).fill(-1)
  }
}

export interface ReportResult {
  /** 0 or a negative errno. */
  readonly err: number
  /** Round trip in simulated ns: the reporter sleeps this long before draining. */
  readonly dur_ns: number
}

/** struct page_reporting_dev_info as the core sees a driver. */
export interface PageReportingDevice {
  readonly name: string
  /** prdev->order: 0 means "the default" on 6.6 x86_64 (both drivers leave it 0). */
  readonly order: number
  /** prdev->report(prdev, sgl, nents) for entries [start, start + nents) of one zone. */
  report(sgl: Scatterlist, start: number, nents: number, zone: number): ReportResult
}

export interface PageReportingConfig {
  readonly queue: EventQueue
  readonly capacity: number
  /**
   * schedule_delayed_work(&prdev->work, PAGE_REPORTING_DELAY) armed at now_ns: when the work runs,
   * ns (the simulation: jiffies and the timer wheel's rounding, timer_wheel.ts).
   */
  readonly delayedWorkAt: (now_ns: number) => number
  readonly budgetDivisor: number
  readonly orderRule: OrderRule
  readonly pageblockOrder: number
  /** page_reporting.page_reporting_order= on the command line, or null. */
  readonly cmdlineOrder: number | null
  /** Receives reporting events; null records none. */
  readonly emit: ((event: SimEvent) => void) | null
  /** Sees every report() call as a kprobe on the driver's report function would (SimulationOptions.probeReport). */
  readonly probe?: ReportProbe
}

/**
 * A report() call as the reference recordings' kprobe sees it (`nents=%dx len0=+12(%si)`): the
 * number of entries and the length of the first one, sg[0], which is the block isolated last.
 */
export type ReportProbe = (call: { readonly t_ms: number; readonly nents: number; readonly len0_bytes: number; readonly bytes: number }) => void

const STAGE_IDLE = 0
const STAGE_ZONE_START = 1
const STAGE_LIST_START = 2
const STAGE_WALK = 3
const STAGE_LEFTOVER = 4
const STAGE_WAIT_FULL = 5
const STAGE_WAIT_LEFTOVER = 6

export class PageReporting {
  /** page_reporting_order (global, live). */
  order: number
  /** prdev->state of the device last registered. */
  state = PAGE_REPORTING_IDLE
  /** pr_dev_info: the registered device, or null. */
  device: PageReportingDevice | null = null
  /** The page_reporting_enabled static key: on at the first registration, never off. */
  staticKeyEnabled = false

  // counters for samples and the summary
  reportCalls = 0
  reportErrors = 0
  reportedKibTotal = 0
  firstReport_ns = -1
  passesStarted = 0
  passesCompleted = 0

  private alloc: PageAlloc | null = null
  private readonly sgl: Scatterlist
  private readonly workHandler: number
  private readonly ackHandler: number
  private workGen = 0
  private workPending = false
  /** The device the running pass reports to (container_of(work)); survives unregister until the pass ends. */
  private passDevice: PageReportingDevice | null = null
  private cancelling = false
  private onCancelled: (() => void) | null = null

  // the resumable pass: zone, list, walk cursor, sgl offset, budget
  private stage = STAGE_IDLE
  private pz = 0
  private pOrder = 0
  private pMt = 0
  private offset = 0
  private budget = 0
  private cur = -1
  private pendingErr = 0
  private passStart_ns = 0
  private passReports = 0
  private passKib = 0

  constructor(private readonly cfg: PageReportingConfig) {
    this.order = bootReportingOrder(cfg.orderRule, cfg.cmdlineOrder, cfg.pageblockOrder)
    this.sgl = new Scatterlist(cfg.capacity)
    this.workHandler = cfg.queue.register((gen) => this.workFires(gen))
    this.ackHandler = cfg.queue.register(() => this.reportAcked())
  }

  /** The allocator is built after the reporter (it needs notifyFree); attach it before any event runs. */
  attach(alloc: PageAlloc): void {
    this.alloc = alloc
  }

  get passActive(): boolean {
    return this.stage !== STAGE_IDLE
  }

  /** True while the pass waits for the device to return a report. */
  get reportInFlight(): boolean {
    return this.stage === STAGE_WAIT_FULL || this.stage === STAGE_WAIT_LEFTOVER
  }

  /** The reporting_state sample column: the state, or -1 when no device is registered. */
  get stateColumn(): number {
    return this.device === null ? -1 : this.state
  }

  // models page_reporting_notify_free(): called at the end of __free_one_page() unless FPI_SKIP_REPORT_NOTIFY
  readonly notifyFree = (_zone: number, mergedOrder: number): void => {
    if (!this.staticKeyEnabled) return
    // an unset order is -1 in an unsigned int: no order reaches it
    if (this.order === REPORTING_ORDER_UNSET || mergedOrder < this.order) return
    if (this.device !== null) this.request(this.device)
  }

  // models page_reporting_register()
  register(dev: PageReportingDevice): number {
    if (this.device !== null) {
      this.event({ kind: 'register', detail: `${dev.name}: -EBUSY (${this.device.name} is registered)` })
      return -EBUSY
    }
    if (this.passActive) {
      // re-registration while the old pass still runs is impossible in the kernel: unregister waited for it
      throw new Error('page_reporting: register while a pass of the previous device is running')
    }
    const before = this.order
    this.order = orderAtRegister(this.cfg.orderRule, this.order, dev.order, this.cfg.pageblockOrder)
    if (before !== this.order) this.event({ kind: 'order_change', order: this.order, detail: `register: ${fmtOrder(before)} -> ${this.order}` })
    this.setState(PAGE_REPORTING_IDLE)
    // "Begin initial flush of zones": the first pass comes at register + delay
    this.request(dev)
    this.device = dev
    this.staticKeyEnabled = true
    this.event({ kind: 'register', order: this.order, detail: dev.name })
    return 0
  }

  // models page_reporting_unregister(): pointer cleared, pending work cancelled, a running pass
  // finishes (its reports still go out) and is not re-armed; flags and the static key stay.
  unregister(dev: PageReportingDevice, done: (() => void) | null = null): void {
    if (this.device !== dev) {
      done?.()
      return
    }
    this.device = null
    this.event({ kind: 'unregister', detail: dev.name })
    if (this.workPending) {
      this.workPending = false
      this.workGen++
    }
    if (this.passActive) {
      this.cancelling = true
      this.onCancelled = done
    } else {
      done?.()
    }
  }

  /** A sysfs write to page_reporting_order; returns an error text when the kernel refuses it. */
  sysfsWriteOrder(value: number): string | null {
    const r = sysfsWriteOrder(this.cfg.orderRule, value)
    if (!r.ok) {
      this.event({ kind: 'order_change', order: this.order, detail: `sysfs write ${value}: ${r.error}` })
      return r.error
    }
    this.setOrder(r.order, 'sysfs')
    return null
  }

  /** A driver forcing page_reporting_order (hv_balloon after HV_STATUS_INVALID_PARAMETER). */
  setOrder(order: number, why: string): void {
    const before = this.order
    this.order = order
    if (before !== order) this.event({ kind: 'order_change', order, detail: `${why}: ${fmtOrder(before)} -> ${order}` })
  }

  /** Invariants of the reporting core; throws on the first violation. */
  check(): void {
    const alloc = this.requireAlloc()
    const { start, nents } = this.inFlightRange()
    let sglPages = 0
    for (let i = start; i < start + nents; i++) {
      const pfn = this.sgl.pfn[i]
      const order = this.sgl.order[i]
      if (pfn < 0 || order < 0) throw new Error(`page_reporting: sgl[${i}] is empty inside the filled range`)
      if (alloc.isBuddyHead(pfn, order)) throw new Error(`page_reporting: sgl[${i}] pfn ${pfn} is still a buddy head (not isolated)`)
      sglPages += 2 ** order
    }
    let isolated = 0
    for (let z = 0; z < alloc.nrZones; z++) isolated += alloc.isolatedPages(z)
    if (isolated !== sglPages) throw new Error(`page_reporting: allocator holds ${isolated} isolated pages, the sgl ${sglPages}`)
    if (this.device !== null && !this.cancelling) {
      if (this.passActive && this.state === PAGE_REPORTING_IDLE) throw new Error('page_reporting: pass running in state IDLE')
      if (!this.passActive && this.workPending && this.state !== PAGE_REPORTING_REQUESTED) throw new Error('page_reporting: work pending but state is not REQUESTED')
      if (!this.passActive && !this.workPending && this.state !== PAGE_REPORTING_IDLE) throw new Error(`page_reporting: no work pending or running but state ${REPORTING_STATES[this.state]}`)
    }
  }

  /** Entries currently held in the sgl (isolated, not yet drained). */
  private inFlightRange(): { start: number; nents: number } {
    if (this.stage === STAGE_IDLE || this.stage === STAGE_ZONE_START) return { start: 0, nents: 0 }
    return { start: this.offset, nents: this.cfg.capacity - this.offset }
  }

  // models __page_reporting_request()
  private request(dev: PageReportingDevice): void {
    if (this.device !== null && this.device !== dev) return
    if (this.state === PAGE_REPORTING_REQUESTED) return
    const old = this.state
    this.setState(PAGE_REPORTING_REQUESTED)
    if (old !== PAGE_REPORTING_IDLE) return
    // only the IDLE -> REQUESTED edge arms the delayed work
    this.armWork()
  }

  private armWork(): void {
    this.workPending = true
    this.cfg.queue.schedule(this.cfg.delayedWorkAt(this.cfg.queue.now_ns), this.workHandler, ++this.workGen)
  }

  // models page_reporting_process(): the delayed work runs
  private workFires(gen: number): void {
    if (gen !== this.workGen || !this.workPending) return
    this.workPending = false
    this.passDevice = this.device
    this.setState(PAGE_REPORTING_ACTIVE)
    this.stage = STAGE_ZONE_START
    this.pz = 0
    this.passStart_ns = this.cfg.queue.now_ns
    this.passReports = 0
    this.passKib = 0
    this.passesStarted++
    this.event({ kind: 'pass_start', order: this.order })
    this.run()
  }

  private run(): void {
    const alloc = this.requireAlloc()
    const cap = this.cfg.capacity
    for (;;) {
      switch (this.stage) {
        case STAGE_ZONE_START: {
          if (this.pz >= alloc.nrZones) {
            this.finishPass()
            return
          }
          // models page_reporting_process_zone(): low watermark (with boost) + capacity << order
          const z = this.pz
          const order = this.order
          const usable = alloc.nrFreePages(z) - alloc.nrReservedHighatomic(z)
          const mark = reportingWatermarkPages(alloc.wmarkLow(z), alloc.watermarkBoost(z), cap, order)
          if (order === REPORTING_ORDER_UNSET || !(usable > mark)) {
            // an unpopulated zone fails the check every pass: not worth an event
            if (alloc.zoneManagedPages(z) > 0) this.event({ kind: 'zone_skipped', zone: this.zoneName(z), order, count: usable, detail: `usable ${usable} <= low+boost+${cap}<<${order} = ${mark} pages` })
            this.pz++
            continue
          }
          this.pOrder = order
          this.pMt = 0
          this.offset = cap
          this.stage = STAGE_LIST_START
          continue
        }
        case STAGE_LIST_START: {
          if (this.pOrder > MAX_ORDER) {
            this.stage = STAGE_LEFTOVER
            continue
          }
          if (this.pMt >= MIGRATE_TYPES || this.pMt === MIGRATE_ISOLATE || alloc.listFirst(this.pz, this.pOrder, this.pMt) === -1) {
            this.nextList()
            continue
          }
          // models page_reporting_cycle() entry: budget over nr_free of every migratetype of this order
          this.budget = reportingBudget(alloc.nrFree(this.pz, this.pOrder), cap, this.cfg.budgetDivisor)
          this.cur = alloc.listFirst(this.pz, this.pOrder, this.pMt)
          this.stage = STAGE_WALK
          continue
        }
        case STAGE_WALK:
          if (this.walk(alloc)) return
          this.nextList()
          continue
        case STAGE_LEFTOVER: {
          const leftover = cap - this.offset
          if (leftover > 0) {
            this.stage = STAGE_WAIT_LEFTOVER
            this.submit(this.offset, leftover)
            return
          }
          this.pz++
          this.stage = STAGE_ZONE_START
          continue
        }
        default:
          throw new Error(`page_reporting: run() in stage ${this.stage}`)
      }
    }
  }

  private nextList(): void {
    if (++this.pMt >= MIGRATE_TYPES) {
      this.pMt = 0
      this.pOrder++
    }
    this.stage = STAGE_LIST_START
  }

  /** The list walk of page_reporting_cycle(); returns true when it suspended for a report. */
  private walk(alloc: PageAlloc): boolean {
    const z = this.pz
    const order = this.pOrder
    const mt = this.pMt
    let page = this.cur
    let stop = -1
    while (page !== -1) {
      const next = alloc.listNext(page)
      if (alloc.pageReported(page)) {
        page = next
        continue
      }
      if (this.budget < 0) {
        this.setState(PAGE_REPORTING_REQUESTED)
        stop = page
        break
      }
      if (this.offset > 0) {
        if (!alloc.isolateFreePage(page, order)) {
          // min watermark refused: this list ends, no REQUESTED (kernel-spec §1.6.4)
          stop = page
          break
        }
        this.offset--
        this.sgl.pfn[this.offset] = page
        this.sgl.order[this.offset] = order
        page = next
        continue
      }
      // the 33rd candidate: it becomes the head, the full sgl goes out, the walk restarts at the head
      if (alloc.listFirst(z, order, mt) !== page) alloc.rotateToFront(z, order, mt, page)
      this.stage = STAGE_WAIT_FULL
      this.submit(0, this.cfg.capacity)
      return true
    }
    // rotation on exit: the first unprocessed block goes to the head
    if (stop !== -1 && alloc.listFirst(z, order, mt) !== stop) alloc.rotateToFront(z, order, mt, stop)
    return false
  }

  private submit(start: number, nents: number): void {
    const dev = this.passDevice
    if (dev === null) throw new Error('page_reporting: report without a device')
    const r = dev.report(this.sgl, start, nents, this.pz)
    this.pendingErr = r.err
    this.reportCalls++
    this.passReports++
    let kib = 0
    let minOrder = MAX_ORDER
    let maxOrder = 0
    for (let i = start; i < start + nents; i++) {
      const o = this.sgl.order[i]
      kib += 4 * 2 ** o
      if (o < minOrder) minOrder = o
      if (o > maxOrder) maxOrder = o
    }
    this.cfg.probe?.({ t_ms: this.cfg.queue.now_ns / NS_PER_MS, nents, len0_bytes: 4096 * 2 ** this.sgl.order[start], bytes: kib * 1024 })
    if (r.err === 0) {
      this.reportedKibTotal += kib
      this.passKib += kib
      if (this.firstReport_ns < 0) this.firstReport_ns = this.cfg.queue.now_ns
    } else {
      this.reportErrors++
    }
    this.event({
      kind: r.err === 0 ? 'report' : 'report_error',
      zone: this.zoneName(this.pz),
      order: minOrder,
      count: nents,
      kib,
      dur_ms: r.dur_ns / NS_PER_MS,
      detail: r.err === 0 ? (minOrder === maxOrder ? undefined : `orders ${minOrder}-${maxOrder}`) : `err ${r.err}`,
    })
    this.cfg.queue.schedule(this.cfg.queue.now_ns + Math.max(0, Math.round(r.dur_ns)), this.ackHandler)
  }

  // the device returned the chain: drain under the zone lock and resume the pass
  private reportAcked(): void {
    const alloc = this.requireAlloc()
    const err = this.pendingErr
    if (this.stage === STAGE_WAIT_FULL) {
      this.drain(alloc, 0, this.cfg.capacity, err === 0)
      this.offset = this.cfg.capacity
      this.budget--
      this.cur = alloc.listFirst(this.pz, this.pOrder, this.pMt)
      this.stage = STAGE_WALK
    } else if (this.stage === STAGE_WAIT_LEFTOVER) {
      this.drain(alloc, this.offset, this.cfg.capacity - this.offset, err === 0)
      this.offset = this.cfg.capacity
      this.pz++
      this.stage = STAGE_ZONE_START
    } else {
      throw new Error(`page_reporting: ack in stage ${this.stage}`)
    }
    if (err !== 0) {
      // an error aborts the cycle, the zone and the rest of the pass (kernel-spec §1.6.6)
      this.finishPass(err)
      return
    }
    this.run()
  }

  // models page_reporting_drain(): ascending index (reverse isolation order), tail put-back,
  // flag only a block that is still a buddy head of the same order, only on success
  private drain(alloc: PageAlloc, start: number, nents: number, reported: boolean): void {
    for (let i = start; i < start + nents; i++) {
      const pfn = this.sgl.pfn[i]
      const order = this.sgl.order[i]
      alloc.putbackIsolatedPage(pfn, order)
      if (reported && alloc.isBuddyHead(pfn, order)) alloc.setPageReported(pfn)
      this.sgl.pfn[i] = -1
      this.sgl.order[i] = -1
    }
  }

  private finishPass(aborted_err = 0): void {
    this.stage = STAGE_IDLE
    this.passDevice = null
    this.passesCompleted++
    this.event({
      kind: 'pass_end',
      count: this.passReports,
      kib: this.passKib,
      dur_ms: (this.cfg.queue.now_ns - this.passStart_ns) / NS_PER_MS,
      detail: aborted_err !== 0 ? `aborted: report() returned ${aborted_err}` : undefined,
    })
    if (this.cancelling) {
      // cancel_delayed_work_sync() held the work: no re-arm
      this.cancelling = false
      const done = this.onCancelled
      this.onCancelled = null
      done?.()
      return
    }
    if (this.state === PAGE_REPORTING_ACTIVE) {
      this.setState(PAGE_REPORTING_IDLE)
    } else if (this.state === PAGE_REPORTING_REQUESTED && this.device !== null) {
      this.armWork()
    }
  }

  private setState(s: number): void {
    if (s === this.state) return
    this.state = s
    this.event({ kind: 'state', count: s, detail: REPORTING_STATES[s] })
  }

  private zoneName(z: number): ZoneName {
    return this.requireAlloc().zoneName(z) as ZoneName
  }

  private requireAlloc(): PageAlloc {
    if (this.alloc === null) throw new Error('page_reporting: no allocator attached')
    return this.alloc
  }

  private event(e: Omit<SimEvent, 't_ms'>): void {
    if (this.cfg.emit !== null) this.cfg.emit({ t_ms: this.cfg.queue.now_ns / NS_PER_MS, ...e })
  }
}

function fmtOrder(o: number): string {
  return o === REPORTING_ORDER_UNSET ? 'unset' : String(o)
}
