// Why free guest memory did not go back to the host: one reason per kernel or host rule, each a
// samples.csv column the engine fills at every sample (src/engine/sampler.ts). Every page of free
// guest memory (guest_free_kib = free_kib + pcp_kib + isolated_kib) is counted exactly once:
//
//   guest_free_kib = reported_kib + pcp_kib + isolated_kib + the five unreported_* columns
//
// and reported_kept_by_host_kib is the part of reported_kib the host acked but did not discard.
// The unreported buddy memory goes to the first reason that applies, in the order listed.
import type { SampleColumn } from './samples'

export interface Reason {
  readonly column: SampleColumn
  /** Short name for legends and tables. */
  readonly label: string
  /** The rule, in a sentence a kernel developer would accept. */
  readonly rule: string
  /** The kernel (or QEMU) function that applies it. */
  readonly fn: string
  /** Section of shared/reference/kernel-spec.md. */
  readonly spec: string
  readonly color: string
}

/** The reasons stacked on the "why not returned" chart, bottom to top, after the reported memory. */
export const REASONS: readonly Reason[] = [
  {
    column: 'unreported_no_reporting_kib',
    label: 'no reporting',
    rule: 'No driver is registered with page_reporting (no device, the probe failed, not yet registered, or unregistered): page_reporting_notify_free() requests nothing and no pass runs.',
    fn: 'page_reporting_register() / virtballoon_probe()',
    spec: '§1.10, §3.1',
    color: '#868e96',
  },
  {
    column: 'pcp_kib',
    label: 'per-CPU lists',
    rule: 'Pages on the per-CPU lists are not in the buddy free lists: page_reporting_cycle() walks only zone->free_area, so they are never reported until a drain returns them.',
    fn: 'free_unref_page() / page_reporting_cycle()',
    spec: '§2.6',
    color: '#ae3ec9',
  },
  {
    column: 'unreported_below_order_kib',
    label: 'below reporting order',
    rule: 'Free blocks smaller than page_reporting_order: page_reporting_notify_free() ignores them and page_reporting_process_zone() starts its walk at that order.',
    fn: 'page_reporting_notify_free() / page_reporting_process_zone()',
    spec: '§1.4, §1.5',
    color: '#74c0fc',
  },
  {
    column: 'unreported_zone_gate_kib',
    label: 'zone below watermark gate',
    rule: 'The zone has no more free pages than low watermark + boost + (capacity << order): page_reporting_process_zone() skips it on every pass.',
    fn: 'page_reporting_process_zone()',
    spec: '§1.5',
    color: '#f59f00',
  },
  {
    column: 'unreported_merged_kib',
    label: 'merged after reported',
    rule: 'A reported block merged with a freed buddy: __free_one_page() removes the buddy with del_page_from_free_list(), which clears PG_reported, so the merged block waits for the next pass.',
    fn: '__free_one_page() / del_page_from_free_list()',
    spec: '§1.9',
    color: '#e8590c',
  },
  {
    column: 'unreported_awaiting_pass_kib',
    label: 'awaiting a pass',
    rule: 'Reportable but not reported yet: freed since the last pass visited its list, behind the per-list budget of page_reporting_cycle(), or refused by the min watermark check of __isolate_free_page(); a later pass reports it.',
    fn: 'page_reporting_cycle() / __isolate_free_page()',
    spec: '§1.6, §1.8',
    color: '#ffd43b',
  },
  {
    column: 'isolated_kib',
    label: 'isolated (in flight)',
    rule: 'Blocks isolated into the scatterlist while report() runs: off the free lists until page_reporting_drain() puts them back.',
    fn: '__isolate_free_page() / page_reporting_drain()',
    spec: '§1.7, §1.8',
    color: '#20c997',
  },
]

/** Reported memory the host kept: acked, not discarded. Part of reported_kib, not added to the stack again. */
export const KEPT_BY_HOST: Reason = {
  column: 'reported_kept_by_host_kib',
  label: 'reported, kept by host',
  rule: 'Reported and acked, but the host did not discard it: discards inhibited (VFIO, postcopy, background snapshot), poison_val != 0, or a block smaller than the backing page (hugetlbfs 2 MiB needs order 9, 1 GiB never fits).',
  fn: 'virtio_balloon_handle_report() / ram_block_discard_range() (QEMU)',
  spec: '§3.3',
  color: '#4263eb',
}

/** Reported memory the host discarded: what actually went back. */
export const RETURNED_COLOR = '#2f9e44'

/** Column names of every reason, for the property that they add up. */
export const REASON_COLUMNS: readonly SampleColumn[] = REASONS.map((r) => r.column)
