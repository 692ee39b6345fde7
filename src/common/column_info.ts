// Unit and meaning of every samples.csv and events.csv column and of every event kind: the source
// of docs/csv-columns.md and of the Perfetto counter track names. A test checks that every column
// of SAMPLE_COLUMNS and EVENT_COLUMNS and every EVENT_KINDS entry is described here.
import { EVENT_COLUMNS, EVENT_KINDS, NR_ORDERS, SAMPLE_COLUMNS, ZONE_NAMES } from './samples'
import type { EventKind, SampleColumn } from './samples'
import { KEPT_BY_HOST, REASONS } from './why_not_returned'
import { GUEST_STATES, HOST_COLUMNS, HOST_EVENT_KINDS, HOST_GUEST_COLUMNS, type HostColumn, type HostEventKind, type HostGuestColumn } from './host_samples'

const ruleOf = (column: SampleColumn): string => REASONS.find((r) => r.column === column)?.rule ?? ''

export interface ColumnInfo {
  /** Unit as people write it: KiB, ms, blocks, count, state, order. */
  readonly unit: string
  readonly meaning: string
}

const orderColumns = (prefix: string, unit: string, meaning: (o: number) => string): Record<string, ColumnInfo> =>
  Object.fromEntries(Array.from({ length: NR_ORDERS }, (_, o) => [`${prefix}${o}`, { unit, meaning: meaning(o) }]))

const SIZE = (o: number): string => (o < 8 ? `${4 << o} KiB` : `${(4 << o) / 1024} MiB`)

export const SAMPLE_COLUMN_INFO: Readonly<Record<SampleColumn, ColumnInfo>> = {
  t_ms: { unit: 'ms', meaning: 'Simulated time of the sample since boot.' },
  free_kib: { unit: 'KiB', meaning: 'Free memory in the buddy free lists of all zones (MemFree without PCP pages and the pages isolated for a report).' },
  reported_kib: { unit: 'KiB', meaning: 'Free memory in blocks flagged PG_reported: reported to the host and not reused since.' },
  isolated_kib: { unit: 'KiB', meaning: 'Memory isolated from the free lists into the reporting scatterlist (in flight to the host).' },
  pcp_kib: { unit: 'KiB', meaning: 'Pages held on the per-CPU page lists (free, but invisible to the buddy and to reporting).' },
  host_rss_kib: { unit: 'KiB', meaning: 'Guest RAM resident on the host (the VMM RSS attributable to guest memory).' },
  reclaimed_kib: { unit: 'KiB', meaning: 'Cumulative memory the host dropped after reports (discards that freed resident memory).' },
  refaulted_kib: { unit: 'KiB', meaning: 'Cumulative memory faulted back in on the host after the guest reused a discarded range.' },
  report_calls: { unit: 'count', meaning: 'Cumulative report() calls (one per scatterlist sent to the device).' },
  reporting_state: { unit: 'state', meaning: 'page_reporting state: 0 IDLE, 1 REQUESTED, 2 ACTIVE; -1 no device registered.' },
  ...orderColumns('nr_free_', 'blocks', (o) => `Free blocks of order ${o} (${SIZE(o)}) over all zones, as /proc/buddyinfo counts them.`),
  ...orderColumns('nr_reported_', 'blocks', (o) => `Free blocks of order ${o} (${SIZE(o)}) with PG_reported set, over all zones.`),
  wmark_min_kib: { unit: 'KiB', meaning: 'Sum over zones of the min watermark (boost included, as /proc/zoneinfo prints it).' },
  wmark_low_kib: { unit: 'KiB', meaning: 'Sum over zones of the low watermark (boost included).' },
  wmark_high_kib: { unit: 'KiB', meaning: 'Sum over zones of the high watermark (boost included).' },
  boost_kib: { unit: 'KiB', meaning: 'Sum over zones of watermark_boost.' },
  allocated_kib: { unit: 'KiB', meaning: 'Memory allocated by the workload (all allocation sets and the page cache).' },
  reporting_order: { unit: 'order', meaning: 'page_reporting_order in effect; -1 when unset.' },
  ...Object.assign(
    {},
    ...ZONE_NAMES.map((zone) => orderColumns(`${zone.toLowerCase()}_nr_free_`, 'blocks', (o) => `Free blocks of order ${o} in zone ${zone} (the ${zone} line of /proc/buddyinfo).`)),
  ),
  report_errors: { unit: 'count', meaning: 'Cumulative report() calls that failed (counted in report_calls too); their blocks went back unreported.' },
  allocated_peak_kib: { unit: 'KiB', meaning: 'The most memory the workload has held so far, exact to the allocation (a peak between two samples counts): the freed_kib of summary.json is its last value minus the last allocated_kib.' },
  guest_free_kib: { unit: 'KiB', meaning: 'All free guest memory: free_kib + pcp_kib + isolated_kib. It equals reported_kib + pcp_kib + isolated_kib + the five unreported_* columns at every sample.' },
  unreported_no_reporting_kib: { unit: 'KiB', meaning: `Unreported buddy memory while no driver is registered (no device, probe failed, not yet registered, unregistered). ${ruleOf('unreported_no_reporting_kib')}` },
  unreported_below_order_kib: { unit: 'KiB', meaning: `Unreported free blocks below page_reporting_order (per order: nr_free_N - nr_reported_N for N < reporting_order). ${ruleOf('unreported_below_order_kib')}` },
  unreported_zone_gate_kib: { unit: 'KiB', meaning: `Unreported free blocks at or above the reporting order in zones the watermark gate skips (free - highatomic <= low + boost + capacity << order at the sample). ${ruleOf('unreported_zone_gate_kib')}` },
  unreported_merged_kib: { unit: 'KiB', meaning: `Unreported free blocks at or above the reporting order, in zones past the gate, that lost PG_reported by merging a reported buddy. ${ruleOf('unreported_merged_kib')}` },
  unreported_awaiting_pass_kib: { unit: 'KiB', meaning: `The remaining unreported free blocks at or above the reporting order in zones past the gate. ${ruleOf('unreported_awaiting_pass_kib')}` },
  reported_kept_by_host_kib: { unit: 'KiB', meaning: `Part of reported_kib the host acked but did not discard. ${KEPT_BY_HOST.rule}` },
  active_anon_kib: { unit: 'KiB', meaning: 'Active(anon) of /proc/meminfo: anonymous pages on the active LRU list (the workload never re-references a page, so it stays 0).' },
  inactive_anon_kib: { unit: 'KiB', meaning: 'Inactive(anon): movable alloc and churn memory, which reclaim can only write to swap (guest.swapMiB).' },
  active_file_kib: { unit: 'KiB', meaning: 'Active(file): page cache read twice or more (pagecache reads >= 2), reclaimed only after aging moves it to the inactive list.' },
  inactive_file_kib: { unit: 'KiB', meaning: 'Inactive(file): page cache read once, the first memory reclaim frees (clean: dropped without IO).' },
  swap_used_kib: { unit: 'KiB', meaning: 'Swap in use: anonymous memory reclaim wrote out and the workload has not freed.' },
  kswapd_reclaimed_kib: { unit: 'KiB', meaning: 'Cumulative memory kswapd reclaimed (pgsteal_kswapd), freed through the per-CPU lists to the buddy allocator where page reporting finds it.' },
  direct_reclaimed_kib: { unit: 'KiB', meaning: 'Cumulative memory allocations reclaimed themselves below the min watermark (pgsteal_direct).' },
  alloc_stall_ms: { unit: 'ms', meaning: 'Cumulative time the workload\'s allocations stalled in direct reclaim and direct compaction.' },
  compact_migrated_kib: { unit: 'KiB', meaning: 'Cumulative memory compaction migrated (kcompactd, proactive, compact_memory, direct): each source page freed, each target page written.' },
  compact_free_taken_kib: { unit: 'KiB', meaning: 'Cumulative free memory compaction\'s free scanner took as migration targets (compact_isolated of free pages); unused targets go back.' },
  compact_reported_taken_kib: { unit: 'KiB', meaning: 'Cumulative part of compact_free_taken_kib that was Reported: the pages lost PG_reported, and those written by a migration refaulted on the host.' },
  fragmentation_score: { unit: 'score', meaning: 'fragmentation_score_node(): % of free memory in blocks below order 9, zones weighted by size (0..100). Proactive compaction starts above 100 - proactiveness + 10 and stops at 100 - proactiveness.' },
} as Record<SampleColumn, ColumnInfo>

export const EVENT_COLUMN_INFO: Readonly<Record<(typeof EVENT_COLUMNS)[number], ColumnInfo>> = {
  t_ms: { unit: 'ms', meaning: 'Simulated time of the event since boot.' },
  kind: { unit: 'name', meaning: 'What happened; one of the event kinds below.' },
  zone: { unit: 'name', meaning: 'Zone (DMA, DMA32, Normal), when the event concerns one.' },
  order: { unit: 'order', meaning: 'Block order, when the event concerns blocks of one order.' },
  pfn: { unit: 'pfn', meaning: 'First page frame number concerned (decimal).' },
  count: { unit: 'count', meaning: 'What the kind counts: scatterlist entries of a report, blocks, pages.' },
  kib: { unit: 'KiB', meaning: 'Memory concerned.' },
  dur_ms: { unit: 'ms', meaning: 'Duration, for events that take time (a report() round trip, a discard).' },
  detail: { unit: 'text', meaning: 'Free text: the new state, the phase label, the error.' },
}

export const EVENT_KIND_INFO: Readonly<Record<EventKind, string>> = {
  register: 'A driver registered with page_reporting (page_reporting_register()).',
  unregister: 'The driver unregistered (page_reporting_unregister()).',
  state: 'page_reporting state change; detail is the new state (IDLE, REQUESTED, ACTIVE).',
  pass_start: 'page_reporting_process() starts a pass over the zones (zone: the zone, when per zone).',
  pass_end: 'The pass ends.',
  zone_skipped: 'page_reporting_process_zone() skipped a zone below its watermark + capacity threshold.',
  report: 'One report() call: count entries of order, kib reported, dur_ms the round trip.',
  report_error: 'report() failed (e.g. hv_balloon hypercall error); the pages go back unreported.',
  discard: 'The host discarded a reported range (kib freed on the host).',
  refault: 'The host faulted a discarded range back in on reuse.',
  phase: 'A workload phase started; detail is its op and label.',
  order_change: 'page_reporting_order changed (sysfs write or registration).',
  alloc_failure: 'An allocation of the workload failed (the first of its phase; count: the phase index). summary.json alloc_failures counts them all.',
  alloc: 'One allocation (only with recorder.allocEvents).',
  free: 'One free (only with recorder.allocEvents).',
  kswapd: 'One kswapd run (balance_pgdat()), at its end: count pages reclaimed (kib the same in KiB), order the order it was woken for, dur_ms how long it ran; detail says why it woke (low watermark, watermark boost), what went to swap and how much boost it cleared.',
  direct_reclaim: 'An allocation stalled in direct reclaim (try_to_free_pages()): count pages reclaimed, order the allocation\'s order, dur_ms the stall.',
  compaction: 'One compaction of a zone (compact_zone()) by kcompactd, proactive compaction, compact_memory or an allocation (direct): count pages migrated, dur_ms the time it took; detail gives the result, the free pages it took and how many of them were Reported.',
}

/** Checks that every column and kind of samples.ts is described (used by the docs generator and tests). */
export function undocumentedColumns(): string[] {
  return [
    ...SAMPLE_COLUMNS.filter((c) => !Object.hasOwn(SAMPLE_COLUMN_INFO, c)),
    ...EVENT_COLUMNS.filter((c) => !Object.hasOwn(EVENT_COLUMN_INFO, c)),
    ...EVENT_KINDS.filter((k) => !Object.hasOwn(EVENT_KIND_INFO, k)),
    ...HOST_COLUMNS.filter((c) => !Object.hasOwn(HOST_COLUMN_INFO, c)),
    ...HOST_GUEST_COLUMNS.filter((c) => !Object.hasOwn(HOST_GUEST_COLUMN_INFO, c)),
    ...HOST_EVENT_KINDS.filter((k) => !Object.hasOwn(HOST_EVENT_KIND_INFO, k)),
  ]
}

/** host_samples.csv of a host experiment (src/common/host_samples.ts). */
export const HOST_COLUMN_INFO: Readonly<Record<HostColumn, ColumnInfo>> = {
  t_ms: { unit: 'ms', meaning: 'Host time of the sample since the host experiment started.' },
  guests_running: { unit: 'count', meaning: 'Guests whose VM runs.' },
  guests_rss_kib: { unit: 'KiB', meaning: 'Guest RAM resident on the host, all guests together.' },
  host_free_kib: { unit: 'KiB', meaning: 'Host RAM guests may still use: RAM less the host’s own share (machine.reservedMiB) less guests_rss_kib. The watermarks apply to it.' },
  swap_used_kib: { unit: 'KiB', meaning: 'Host swap holding guest memory.' },
  swapped_out_kib: { unit: 'KiB', meaning: 'Cumulative guest memory the host swapped out (kswapd and direct reclaim).' },
  swapped_in_kib: { unit: 'KiB', meaning: 'Cumulative guest memory swapped back in because a guest wrote it.' },
  swapin_stall_ms: { unit: 'ms', meaning: 'Cumulative swap-in stall of all guests.' },
  reclaim_stall_ms: { unit: 'ms', meaning: 'Cumulative direct-reclaim stall of all guests (faults that found free memory below the min watermark).' },
  kswapd_reclaimed_kib: { unit: 'KiB', meaning: 'Cumulative memory kswapd swapped out.' },
  direct_reclaimed_kib: { unit: 'KiB', meaning: 'Cumulative memory direct reclaim swapped out.' },
  oom_kills: { unit: 'count', meaning: 'Cumulative guests the OOM killer killed.' },
  reporting_returned_kib: { unit: 'KiB', meaning: 'Cumulative resident memory the guests’ free page reporting gave back (discards), all guests.' },
  reporting_swap_freed_kib: { unit: 'KiB', meaning: 'Cumulative host swap freed because a guest reported memory that was in swap.' },
}

/** The per-guest columns of host_samples.csv, written g<n>_<column>. */
export const HOST_GUEST_COLUMN_INFO: Readonly<Record<HostGuestColumn, ColumnInfo>> = {
  state: { unit: 'state', meaning: `The guest's VM: ${GUEST_STATES.map((s, i) => `${i} ${s}`).join(', ')}.` },
  rss_kib: { unit: 'KiB', meaning: 'Its RAM resident on the host (0 once its VM ended).' },
  swap_kib: { unit: 'KiB', meaning: 'Its memory in host swap.' },
  swapped_out_kib: { unit: 'KiB', meaning: 'Cumulative memory of it the host swapped out.' },
  swapped_in_kib: { unit: 'KiB', meaning: 'Cumulative memory of it swapped back in.' },
  swapin_stall_ms: { unit: 'ms', meaning: 'Cumulative swap-in stall it paid (machine.swapInUsPer4k per 4 KiB).' },
  reclaim_stall_ms: { unit: 'ms', meaning: 'Cumulative direct-reclaim stall it paid.' },
  returned_kib: { unit: 'KiB', meaning: 'Cumulative resident memory its free page reporting gave the host (its reclaimed_kib).' },
  guest_free_kib: { unit: 'KiB', meaning: 'Free memory inside the guest at its latest sample (its guest_free_kib).' },
  allocated_kib: { unit: 'KiB', meaning: 'Its workload’s live memory at its latest sample (its allocated_kib).' },
}

/** host_events.csv kinds. */
export const HOST_EVENT_KIND_INFO: Readonly<Record<HostEventKind, string>> = {
  guest_start: 'A guest’s VM starts (its label, RAM, backing and seed).',
  guest_exit: 'A guest’s VM exits after its durationMs; its RSS and swap return to the host.',
  guest_stopped: 'A guest was still running when the host experiment ended.',
  oom_kill: 'The OOM killer killed the guest (`guest`), the one with the largest oom_badness (`kib` = its RSS + swap); `detail` says who faulted and what was left.',
  kswapd: 'kswapd went back to sleep: `kib` swapped out since it woke, `dur_ms` how long it was awake, and why it stopped.',
  backing: 'The host changed how it backs a guest (machine.thp never: anon-thp becomes anon-4k).',
}
