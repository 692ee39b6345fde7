// Sample rows: the columns of samples.csv (DESIGN.md, fixed contract) and of the typed-array
// frames the engine streams. One row per recorder.sampleIntervalMs of simulated time.
// Sizes are KiB totals over all zones; nr_free_N / nr_reported_N count blocks of order N as
// /proc/buddyinfo does; reclaimed_kib and refaulted_kib are cumulative.

export const NR_ORDERS = 11
export const ZONE_NAMES = ['DMA', 'DMA32', 'Normal'] as const
export type ZoneName = (typeof ZONE_NAMES)[number]

/** reporting_state column values: the kernel's anonymous enum in mm/page_reporting.c. */
export const REPORTING_STATES = ['IDLE', 'REQUESTED', 'ACTIVE'] as const
/** reporting_state when no device is registered (not a kernel state). */
export const REPORTING_STATE_UNREGISTERED = -1

const orders = (prefix: string): string[] => Array.from({ length: NR_ORDERS }, (_, o) => `${prefix}${o}`)

export const SAMPLE_COLUMNS = [
  't_ms',
  'free_kib',
  'reported_kib',
  'isolated_kib',
  'pcp_kib',
  'host_rss_kib',
  'reclaimed_kib',
  'refaulted_kib',
  'report_calls',
  'reporting_state',
  ...orders('nr_free_'),
  ...orders('nr_reported_'),
  'wmark_min_kib',
  'wmark_low_kib',
  'wmark_high_kib',
  'boost_kib',
  'allocated_kib',
  'reporting_order',
  ...ZONE_NAMES.flatMap((z) => orders(`${z.toLowerCase()}_nr_free_`)),
  // the largest allocated_kib so far (run summary), then why free memory was not returned (src/common/why_not_returned.ts): with reported_kib, pcp_kib
  // and isolated_kib they add up to guest_free_kib at every sample
  'allocated_peak_kib',
  'report_errors',
  'guest_free_kib',
  'unreported_no_reporting_kib',
  'unreported_below_order_kib',
  'unreported_zone_gate_kib',
  'unreported_merged_kib',
  'unreported_awaiting_pass_kib',
  'reported_kept_by_host_kib',
  // reclaim and compaction (mm/vmscan.c, mm/compaction.c): the LRU lists as /proc/meminfo shows them,
  // swap, what kswapd and direct reclaim took, allocation stalls, what compaction moved and took
  'active_anon_kib',
  'inactive_anon_kib',
  'active_file_kib',
  'inactive_file_kib',
  'swap_used_kib',
  'kswapd_reclaimed_kib',
  'direct_reclaimed_kib',
  'alloc_stall_ms',
  'compact_migrated_kib',
  'compact_free_taken_kib',
  'compact_reported_taken_kib',
  'fragmentation_score',
] as const

export type SampleColumn = (typeof SAMPLE_COLUMNS)[number]
export const NR_SAMPLE_COLUMNS = SAMPLE_COLUMNS.length

/** Column index by name, for readers of frames. */
export const COL: Readonly<Record<SampleColumn, number>> = Object.fromEntries(
  SAMPLE_COLUMNS.map((name, i) => [name, i]),
) as Record<SampleColumn, number>

/**
 * A batch of consecutive sample rows, row-major: value of column c in row r is
 * data[r * NR_SAMPLE_COLUMNS + c]. Frames cross threads as transferables (zero copy).
 */
export interface SampleFrame {
  readonly rows: number
  readonly data: Float64Array
}

/** Event kinds of the event stream (events.csv `kind`). */
export const EVENT_KINDS = [
  'register',
  'unregister',
  'state',
  'pass_start',
  'pass_end',
  'zone_skipped',
  'report',
  'report_error',
  'discard',
  'refault',
  'phase',
  'order_change',
  'alloc_failure',
  'alloc',
  'free',
  'kswapd',
  'direct_reclaim',
  'compaction',
] as const
export type EventKind = (typeof EVENT_KINDS)[number]

/** events.csv columns. Unused fields are empty in CSV. */
export const EVENT_COLUMNS = ['t_ms', 'kind', 'zone', 'order', 'pfn', 'count', 'kib', 'dur_ms', 'detail'] as const

export interface SimEvent {
  readonly t_ms: number
  readonly kind: EventKind
  readonly zone?: ZoneName
  readonly order?: number
  readonly pfn?: number
  /** Entries (report), blocks, pages: what the kind counts. */
  readonly count?: number
  readonly kib?: number
  readonly dur_ms?: number
  readonly detail?: string
}
