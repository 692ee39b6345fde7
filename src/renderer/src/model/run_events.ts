// The events of a run a user must see without opening events.csv: failures and notable changes
// (each with a notice, a mark on the time axis and a row in the event list), and the reporting
// passes as numbered bands.
import type { SimEvent, ZoneName } from '../../../common/samples'

export const NOTABLE_KINDS = ['probe-failure', 'report-error', 'order-change', 'unregister', 'alloc-failure', 'register', 'phase'] as const
export type NotableKind = (typeof NOTABLE_KINDS)[number]

export interface NotableEvent {
  readonly t_ms: number
  readonly kind: NotableKind
  readonly zone: ZoneName | null
  readonly order: number | null
  readonly text: string
}

export const NOTABLE_INFO: Readonly<Record<NotableKind, { readonly label: string; readonly color: string; readonly failure: boolean; readonly rule: string }>> = {
  'probe-failure': { label: 'probe failure', color: '#e03131', failure: true, rule: 'virtballoon_probe() / virtballoon_validate(): the driver never registers with page_reporting (kernel-spec §3.1)' },
  'report-error': { label: 'report error', color: '#e03131', failure: true, rule: 'report() failed: page_reporting_drain() puts the blocks back unreported and the pass ends (kernel-spec §1.6)' },
  'order-change': { label: 'order change', color: '#f08c00', failure: false, rule: 'page_reporting_order changed: sysfs, registration (5.14-6.2) or hv_balloon after HV_STATUS_INVALID_PARAMETER (kernel-spec §1.10, §3.2)' },
  unregister: { label: 'unregister', color: '#c2255c', failure: true, rule: 'page_reporting_unregister(): reporting stops; flags stay (kernel-spec §1.10)' },
  'alloc-failure': { label: 'allocation failure', color: '#e03131', failure: true, rule: 'get_page_from_freelist() found no zone above its watermark (kernel-spec §2.7)' },
  register: { label: 'register', color: '#2f9e44', failure: false, rule: 'page_reporting_register(): the first pass comes after the reporting delay (kernel-spec §1.10)' },
  phase: { label: 'phase', color: '#868e96', failure: false, rule: 'A workload phase starts' },
}

/** The notable kind of an engine event, or null for the routine ones (reports, state changes, …). */
export function notableKind(e: SimEvent): NotableKind | null {
  switch (e.kind) {
    case 'register':
      return e.detail?.startsWith('no reporting') ? 'probe-failure' : e.detail?.includes('-EBUSY') ? 'report-error' : 'register'
    case 'report_error':
      return 'report-error'
    case 'order_change':
      // registration filling an unset order with the default is how every 6.3+ run starts: not news
      return e.detail?.startsWith('register: unset ->') ? 'register' : 'order-change'
    case 'unregister':
      return 'unregister'
    case 'alloc_failure':
      return 'alloc-failure'
    case 'phase':
      return e.detail?.startsWith('allocation failed') ? 'alloc-failure' : 'phase'
    default:
      return null
  }
}

export function toNotable(e: SimEvent): NotableEvent | null {
  const kind = notableKind(e)
  if (kind === null) return null
  return { t_ms: e.t_ms, kind, zone: e.zone ?? null, order: e.order ?? null, text: e.detail ?? (e.kind === 'report_error' ? 'report() failed' : e.kind) }
}

/** One reporting pass (page_reporting_process()) from its pass_start to its pass_end. */
export interface PassBand {
  /** 1-based pass number. */
  readonly n: number
  readonly t0_ms: number
  /** End of the pass; the current time while it runs. */
  t1_ms: number
  calls: number
  kib: number
  minOrder: number
  maxOrder: number
  errors: number
  done: boolean
  aborted: string | null
}

/** Folds reporting events into the pass bands (mutating the last open band). */
export function addToPasses(passes: PassBand[], e: SimEvent): boolean {
  const open = passes.length > 0 && !passes[passes.length - 1].done ? passes[passes.length - 1] : null
  if (e.kind === 'pass_start') {
    passes.push({ n: passes.length + 1, t0_ms: e.t_ms, t1_ms: e.t_ms, calls: 0, kib: 0, minOrder: Number.POSITIVE_INFINITY, maxOrder: -1, errors: 0, done: false, aborted: null })
    return true
  }
  if (open === null) return false
  if (e.kind === 'report' || e.kind === 'report_error') {
    open.calls++
    if (e.kind === 'report') open.kib += e.kib ?? 0
    else open.errors++
    const detailOrders = /orders (\d+)-(\d+)/.exec(e.detail ?? '')
    const lo = e.order ?? 0
    const hi = detailOrders ? Number(detailOrders[2]) : lo
    open.minOrder = Math.min(open.minOrder, lo)
    open.maxOrder = Math.max(open.maxOrder, hi)
    open.t1_ms = e.t_ms + (e.dur_ms ?? 0)
    return true
  }
  if (e.kind === 'pass_end') {
    open.t1_ms = e.t_ms
    open.done = true
    open.aborted = e.detail ?? null
    return true
  }
  return false
}

export function describePass(p: PassBand): string {
  const orders = p.maxOrder < 0 ? 'no blocks' : p.minOrder === p.maxOrder ? `order ${p.minOrder}` : `orders ${p.minOrder}-${p.maxOrder}`
  const mib = p.kib / 1024
  return `pass #${p.n}: ${p.calls} report() call${p.calls === 1 ? '' : 's'}, ${mib >= 10 ? mib.toFixed(0) : mib.toFixed(1)} MiB, ${orders}, ${(p.t1_ms - p.t0_ms).toFixed(1)} ms${p.errors > 0 ? `, ${p.errors} failed` : ''}${p.aborted ? ` (${p.aborted})` : ''}`
}
