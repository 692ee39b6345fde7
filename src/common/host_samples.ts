// host_samples.csv of a host experiment: one row per host sample interval, the host's columns
// then the same columns for each guest (g1_..., g2_..., guests numbered from 1). Sizes in KiB,
// stalls in ms; "cumulative" columns only grow. host_events.csv: what the host did and why.

/** Host-wide columns, in order. */
export const HOST_COLUMNS = [
  't_ms',
  'guests_running',
  'guests_rss_kib',
  'host_free_kib',
  'swap_used_kib',
  'swapped_out_kib',
  'swapped_in_kib',
  'swapin_stall_ms',
  'reclaim_stall_ms',
  'kswapd_reclaimed_kib',
  'direct_reclaimed_kib',
  'oom_kills',
  'reporting_returned_kib',
  'reporting_swap_freed_kib',
] as const

/** Per-guest columns; in the file each is written g<n>_<column>. */
export const HOST_GUEST_COLUMNS = [
  'state',
  'rss_kib',
  'swap_kib',
  'swapped_out_kib',
  'swapped_in_kib',
  'swapin_stall_ms',
  'reclaim_stall_ms',
  'returned_kib',
  'guest_free_kib',
  'allocated_kib',
] as const

export type HostColumn = (typeof HOST_COLUMNS)[number]
export type HostGuestColumn = (typeof HOST_GUEST_COLUMNS)[number]

export const NR_HOST_COLUMNS = HOST_COLUMNS.length
export const NR_HOST_GUEST_COLUMNS = HOST_GUEST_COLUMNS.length

export const HCOL: Readonly<Record<HostColumn, number>> = Object.fromEntries(HOST_COLUMNS.map((c, i) => [c, i])) as Record<HostColumn, number>
export const GCOL: Readonly<Record<HostGuestColumn, number>> = Object.fromEntries(HOST_GUEST_COLUMNS.map((c, i) => [c, i])) as Record<HostGuestColumn, number>

/** Values of g<n>_state. */
export const GUEST_STATES = ['not started', 'running', 'exited', 'killed', 'stopped'] as const
export type GuestState = (typeof GUEST_STATES)[number]
export const GUEST_NOT_STARTED = 0
export const GUEST_RUNNING = 1
export const GUEST_EXITED = 2
export const GUEST_KILLED = 3
/** Still running when the host experiment ended. */
export const GUEST_STOPPED = 4

/** Columns of a row with `guests` guests. */
export const hostRowWidth = (guests: number): number => NR_HOST_COLUMNS + guests * NR_HOST_GUEST_COLUMNS

/** Index of guest `guest`'s (1-based) column in a row. */
export const guestCol = (guest: number, column: HostGuestColumn): number => NR_HOST_COLUMNS + (guest - 1) * NR_HOST_GUEST_COLUMNS + GCOL[column]

/** The header of host_samples.csv for `guests` guests. */
export function hostSampleHeader(guests: number): string[] {
  const out: string[] = [...HOST_COLUMNS]
  for (let g = 1; g <= guests; g++) for (const c of HOST_GUEST_COLUMNS) out.push(`g${g}_${c}`)
  return out
}

export const HOST_EVENT_KINDS = ['guest_start', 'guest_exit', 'guest_stopped', 'oom_kill', 'kswapd', 'backing'] as const
export type HostEventKind = (typeof HOST_EVENT_KINDS)[number]

export const HOST_EVENT_COLUMNS = ['t_ms', 'kind', 'guest', 'kib', 'dur_ms', 'detail'] as const

export interface HostEvent {
  /** Host time, ms. */
  readonly t_ms: number
  readonly kind: HostEventKind
  /** The guest it concerns (1-based), if one. */
  readonly guest?: number
  readonly kib?: number
  readonly dur_ms?: number
  readonly detail?: string
}
