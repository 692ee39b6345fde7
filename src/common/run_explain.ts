// A run in words: the headline lines (the CLI's last lines, the summary strip of the Charts view)
// and the Explain panel's sentences, built from the run's summary figures and the kernel rules,
// each sentence with the kernel function and the kernel-spec section behind it.
import type { RunSummary } from './api'
import type { Experiment } from './experiment'
import { effectiveReportingOrder } from './experiment_warnings'
import { discardRefusal, PAGE_REPORTING_CAPACITY, reportingBudget } from './reporting_rules'
import { formatCount, formatKiB, formatMs } from './units'
import { KEPT_BY_HOST, REASONS, type Reason } from './why_not_returned'

export interface ExplainSentence {
  readonly text: string
  /** Kernel (or QEMU) function applying the rule, and its kernel-spec section. */
  readonly fn?: string
  readonly spec?: string
  /** 'problem' for what stopped memory from going back; 'note' otherwise. */
  readonly tone: 'ok' | 'note' | 'problem'
}

const num = (s: RunSummary, key: string): number | null => {
  const v = s[key]
  return typeof v === 'number' && Number.isFinite(v) ? v : null
}

const pct = (v: number): string => `${v >= 99.95 || v < 10 ? v.toFixed(1) : Math.round(v)}%`

/** What did not go back, largest first: [label, KiB, reason]. */
export function notReturned(s: RunSummary): { readonly reason: Reason; readonly kib: number }[] {
  return [...REASONS, KEPT_BY_HOST]
    .map((reason) => ({ reason, kib: num(s, `final_${reason.column}`) ?? 0 }))
    .filter((r) => r.kib > 0)
    .sort((a, b) => b.kib - a.kib)
}

/** The headline figures as "label: value" lines (CLI, tooltips). */
export function headlineLines(s: RunSummary, sampleIntervalMs: number): string[] {
  const freed = num(s, 'freed_kib') ?? 0
  const returned = num(s, 'returned_kib') ?? 0
  const share = num(s, 'returned_pct_of_freed')
  const first = num(s, 'first_report_after_free_ms')
  const t50 = num(s, 'return_50pct_ms')
  const t90 = num(s, 'return_90pct_ms')
  const within = (ms: number | null): string => (ms === null ? '–' : ms === 0 ? `within ${formatMs(sampleIntervalMs)}` : formatMs(ms))
  const order = num(s, 'reporting_order')
  const lines = [
    `reporting: ${typeof s.reporting_device === 'string' ? s.reporting_device : 'unknown'}${order !== null && order >= 0 ? `, page_reporting_order ${order}` : ''}`,
    `freed by the workload: ${formatKiB(freed)}`,
    `returned to the host: ${formatKiB(returned)}${share === null ? '' : ` (${pct(share)} of freed)`}`,
    `first report after the free: ${within(first)}; 50% of the return ${within(t50)}, 90% ${within(t90)}`,
    `passes: ${formatCount(num(s, 'passes') ?? 0)}, report() calls: ${formatCount(s.report_calls)}, errors: ${formatCount(num(s, 'report_errors') ?? 0)}`,
    `refaulted: ${formatKiB(num(s, 'refaulted_kib') ?? 0)} (${formatMs(num(s, 'refault_cost_ms') ?? 0)} of host faults)`,
    `host RSS: peak ${formatKiB(s.peak_host_rss_kib)}, final ${formatKiB(s.final_host_rss_kib)}`,
  ]
  const stayed = notReturned(s)
  lines.push(`free but not returned at the end: ${stayed.length === 0 ? 'nothing' : stayed.map((r) => `${r.reason.label} ${formatKiB(r.kib)}`).join(', ')}`)
  return lines
}

/** Why this run's host acked reports without discarding (discardRefusal()), in its own terms. */
function keptCause(e: Experiment, device: string): string {
  const poison = /poison_val 0x([0-9a-f]+)/.exec(device)
  const poisonVal = poison ? parseInt(poison[1], 16) : e.reporting.device === 'virtio-balloon' ? e.host.poisonVal : 0
  const blockOrder = effectiveReportingOrder(e)
  switch (discardRefusal({ discard: e.host.discard, poisonVal, backing: e.host.backing }, Math.max(0, blockOrder))) {
    case 'discard-inhibited':
      return 'discards are inhibited on this host (host.discard false: a VFIO device, postcopy or a background snapshot), so QEMU acks every report and frees nothing.'
    case 'poison-val':
      return `poison_val is 0x${poisonVal.toString(16)}, so QEMU acks every report and frees nothing (the guest's freed pages must keep their poison pattern).`
    case 'backing-page':
      return `guest RAM is backed by ${e.host.backing === 'hugetlb-1g' ? '1 GiB' : '2 MiB'} host pages and a reported block (order ${blockOrder} and up, at most 4 MiB) is smaller, so QEMU skips the unaligned discard.`
    default:
      return KEPT_BY_HOST.rule
  }
}

/** The Explain panel: a few sentences from the run's figures and the rules behind them. */
export function explainRun(s: RunSummary, experiment: Experiment): ExplainSentence[] {
  const out: ExplainSentence[] = []
  const rep = experiment.reporting
  const freed = num(s, 'freed_kib') ?? 0
  const returned = num(s, 'returned_kib') ?? 0
  const passes = num(s, 'passes') ?? 0
  const device = typeof s.reporting_device === 'string' ? s.reporting_device : rep.device
  const guestFree = num(s, 'final_guest_free_kib') ?? 0

  if (rep.device === 'none') {
    out.push({ tone: 'problem', text: 'No reporting device: no driver registers with page_reporting, so free memory is never reported and host RSS never drops.', fn: 'page_reporting_register()', spec: '§1.10' })
  } else if (/probe failed|F_REPORTING cleared/.test(device)) {
    out.push({ tone: 'problem', text: `Reporting never started: ${device}. The driver does not register with page_reporting, so nothing is reported.`, fn: 'virtballoon_validate() / virtballoon_probe()', spec: '§3.1' })
  }
  const budget = reportingBudget(1, rep.capacity, rep.budgetDivisor)
  if (returned > 0) {
    const share = num(s, 'returned_pct_of_freed')
    out.push({
      tone: 'ok',
      text:
        `The host got back ${formatKiB(returned)}${freed > 0 ? ` of the ${formatKiB(freed)} the workload freed${share === null ? '' : ` (${pct(share)})`}` : ''} ` +
        `in ${formatCount(passes)} passes ${formatMs(rep.delayMs)} apart; each visit of a free list reports at most (budget + 1) × ${rep.capacity} blocks, ` +
        `budget = ⌈nr_free / (${rep.capacity} × ${rep.budgetDivisor})⌉ (${budget} for a list of up to ${formatCount(rep.capacity * rep.budgetDivisor)} blocks).`,
      fn: 'page_reporting_cycle()',
      spec: '§1.6, §1.11',
    })
  }
  const t50 = num(s, 'return_50pct_ms')
  const t90 = num(s, 'return_90pct_ms')
  if (t50 !== null && t90 !== null && returned > 0) {
    out.push({ tone: 'note', text: `Half of it was back ${formatMs(t50)} after the free and 90% after ${formatMs(t90)}: the first pass runs ${formatMs(rep.delayMs)} after a free of a block at the reporting order, and a pass that leaves work re-arms the delay.`, fn: 'page_reporting_notify_free() / __page_reporting_request()', spec: '§1.3, §1.4' })
  }
  const reported = num(s, 'final_reported_kib') ?? 0
  const kept = num(s, `final_${KEPT_BY_HOST.column}`) ?? 0
  if (kept > 0) {
    out.push({ tone: 'problem', text: `${formatKiB(kept)} of the ${formatKiB(reported)} reported stayed resident on the host: ${keptCause(experiment, device)}`, fn: KEPT_BY_HOST.fn, spec: KEPT_BY_HOST.spec })
  }
  const errors = num(s, 'report_errors') ?? 0
  if (errors > 0) {
    out.push({ tone: 'problem', text: `${formatCount(errors)} report() call${errors === 1 ? '' : 's'} failed; an error puts the blocks back unreported and ends the pass (no re-arm until the next qualifying free).`, fn: 'page_reporting_process() / page_reporting_drain()', spec: '§1.6' })
  }
  const order = num(s, 'reporting_order')
  if (rep.order !== null && order !== null && order !== rep.order) {
    const hv = rep.device === 'hv-balloon' && errors > 0
    out.push(
      hv
        ? { tone: 'note', text: `page_reporting_order ended at ${order}, not ${rep.order}: the host refused ranges below order 9 with HV_STATUS_INVALID_PARAMETER and hv_balloon set page_reporting_order to pageblock_order; the failed pass did not re-arm, so reporting resumed only after a later free at order ${order}.`, fn: 'hv_free_page_report()', spec: '§3.2' }
        : { tone: 'note', text: `page_reporting_order ended at ${order}, not the ${rep.order} the experiment set (a sysfs write, or 5.14-6.2 overwriting it at registration).`, fn: 'page_reporting_register() / param_set_uint_minmax()', spec: '§1.10' },
    )
  }
  // the reasons that hold back a visible share of the free memory
  for (const { reason, kib } of notReturned(s)) {
    if (reason === KEPT_BY_HOST || kib < Math.max(1024, guestFree * 0.005)) continue
    out.push({ tone: reason.column === 'unreported_no_reporting_kib' ? 'problem' : 'note', text: `${formatKiB(kib)} stayed free but unreported (${reason.label}): ${reason.rule}`, fn: reason.fn, spec: reason.spec })
  }
  const refaulted = num(s, 'refaulted_kib') ?? 0
  if (refaulted > 0) {
    out.push({ tone: 'note', text: `The guest reused ${formatKiB(refaulted)} of discarded memory; the host faulted it back in at a cost of ${formatMs(num(s, 'refault_cost_ms') ?? 0)}. A shorter reporting delay returns memory sooner and refaults more.`, fn: 'virtio_balloon_handle_report() (QEMU)', spec: '§3.6' })
  }
  const failures = num(s, 'alloc_failures') ?? 0
  if (failures > 0) out.push({ tone: 'problem', text: `${formatCount(failures)} allocations failed: the zones were below their watermarks.`, fn: 'get_page_from_freelist()', spec: '§2.7' })
  if (rep.capacity !== PAGE_REPORTING_CAPACITY) out.push({ tone: 'note', text: `The scatterlist holds ${rep.capacity} entries; upstream kernels fix PAGE_REPORTING_CAPACITY at ${PAGE_REPORTING_CAPACITY}.`, fn: 'page_reporting_process()', spec: '§1.1' })
  return out
}
