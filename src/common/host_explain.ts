// Host-level explanations of a host experiment (issue 15): a few sentences a reader of the Host
// view gets without opening host_samples.csv, read from the host rows, the host events and the
// summary:
// - each large release: "Guest 3 freed 2.00 GiB at 40.0 s and it came back 10.0 s later;
//   meanwhile the host swapped 1.10 GiB out of guests 1 and 2" (a release is what the guest's free
//   page reporting gave the host, grouped while the increases keep coming; it came back when the
//   guest's RSS regrew by 90% of it);
// - where the guests' RSS peaked against the RAM the host has for them;
// - what the host swapped out, from whom, and which guest paid the most swap-in stall;
// - the OOM killer's victims (host_events.csv);
// - guests that gave nothing back while memory free inside them stayed resident on the host.
import { GUEST_RUNNING, HCOL, guestCol, hostRowWidth, type HostEvent, type HostGuestColumn } from './host_samples'
import type { HostSummary } from './host_summary'
import type { ExplainSentence } from './run_explain'
import { formatKiB, formatMs } from './units'

export interface HostExplainInput {
  readonly summary: HostSummary
  /** Host rows, row-major (hostRowWidth(summary.guests) numbers each). */
  readonly rows: Float64Array
  readonly events: readonly HostEvent[]
  readonly sampleIntervalMs: number
}

export interface HostExplainSentence extends ExplainSentence {
  /** Host time the sentence is about, ms. */
  readonly t_ms?: number
  /** The guest it is about, 1-based. */
  readonly guest?: number
}

/** A release smaller than this is not news. */
const MIN_RELEASE_KIB = 128 * 1024
/** Releases told, the largest first (then told in time order). */
const MAX_RELEASES = 5
/** A release has come back when the guest's RSS regrew by this share of it. */
const CAME_BACK = 0.9
/** A guest is named as a swap victim when it gave at least this share of what was swapped out. */
const VICTIM_SHARE = 0.1

interface Release {
  readonly guest: number
  /** First host row that shows it, and the last row of the release. */
  readonly fromRow: number
  readonly toRow: number
  readonly kib: number
  /** Row at which 90% of it was resident again, or -1. */
  readonly backRow: number
  /** Most of it resident again before the guest's next release or its end, KiB. */
  readonly regrownKib: number
  /** Last row of the window the release is followed in (before the next release or the VM's end). */
  readonly windowEndRow: number
}

/** "guest 1", "guests 1 and 2", "guests 1, 2 and 5". */
export function guestList(guests: readonly number[]): string {
  if (guests.length === 1) return `guest ${guests[0]}`
  return `guests ${guests.slice(0, -1).join(', ')} and ${guests[guests.length - 1]}`
}

class RowReader {
  readonly width: number
  readonly n: number
  constructor(
    readonly rows: Float64Array,
    readonly guests: number,
  ) {
    this.width = hostRowWidth(guests)
    this.n = Math.floor(rows.length / this.width)
  }
  host(r: number, c: keyof typeof HCOL): number {
    return this.rows[r * this.width + HCOL[c]]
  }
  guest(r: number, g: number, c: HostGuestColumn): number {
    return this.rows[r * this.width + guestCol(g, c)]
  }
  t(r: number): number {
    return this.host(r, 't_ms')
  }
}

/** The releases of guest `g`: runs of rows whose returned_kib grows, at most `gapMs` apart. */
function releasesOf(rd: RowReader, g: number, gapMs: number): Release[] {
  const spans: { from: number; to: number; kib: number }[] = []
  let open: { from: number; to: number; kib: number } | null = null
  for (let r = 1; r < rd.n; r++) {
    const d = rd.guest(r, g, 'returned_kib') - rd.guest(r - 1, g, 'returned_kib')
    if (d <= 0 || rd.guest(r, g, 'state') !== GUEST_RUNNING) continue
    if (open !== null && rd.t(r) - rd.t(open.to) <= gapMs) {
      open.to = r
      open.kib += d
    } else {
      open = { from: r, to: r, kib: d }
      spans.push(open)
    }
  }
  return spans.map((s, i) => {
    const next = i + 1 < spans.length ? spans[i + 1].from - 1 : rd.n - 1
    let end = s.to
    while (end < next && rd.guest(end + 1, g, 'state') === GUEST_RUNNING) end++
    const low = rd.guest(s.to, g, 'rss_kib')
    let backRow = -1
    let regrown = 0
    for (let r = s.to + 1; r <= end; r++) {
      const up = rd.guest(r, g, 'rss_kib') - low
      if (up > regrown) regrown = up
      if (backRow < 0 && up >= CAME_BACK * s.kib) backRow = r
    }
    return { guest: g, fromRow: s.from, toRow: s.to, kib: s.kib, backRow, regrownKib: Math.min(regrown, s.kib), windowEndRow: end }
  })
}

/** KiB the host swapped out of each guest between rows a and b (index g - 1). */
function swappedOutBetween(rd: RowReader, a: number, b: number): number[] {
  const out: number[] = []
  for (let g = 1; g <= rd.guests; g++) out.push(Math.max(0, rd.guest(b, g, 'swapped_out_kib') - rd.guest(a, g, 'swapped_out_kib')))
  return out
}

/** The guests that gave at least VICTIM_SHARE of `perGuest`'s total (at most 4, the largest), in guest order. */
function victims(perGuest: readonly number[], total: number): number[] {
  return perGuest
    .map((kib, i) => ({ guest: i + 1, kib }))
    .filter((v) => v.kib > 0 && v.kib >= VICTIM_SHARE * total)
    .sort((a, b) => b.kib - a.kib || a.guest - b.guest)
    .slice(0, 4)
    .map((v) => v.guest)
    .sort((a, b) => a - b)
}

function releaseSentence(rd: RowReader, rel: Release): HostExplainSentence {
  const at = rd.t(rel.fromRow)
  let text = `Guest ${rel.guest} freed ${formatKiB(rel.kib)} at ${formatMs(at)} (its free page reporting gave it to the host)`
  let until = rel.windowEndRow
  if (rel.backRow >= 0) {
    text += ` and it came back ${formatMs(rd.t(rel.backRow) - at)} later`
    until = rel.backRow
  } else if (rel.regrownKib >= 0.25 * rel.kib) {
    text += `; ${formatKiB(rel.regrownKib)} of it came back by ${formatMs(rd.t(rel.windowEndRow))}`
  } else {
    text += ' and the host kept it'
  }
  const per = swappedOutBetween(rd, Math.max(0, rel.fromRow - 1), until)
  const total = per.reduce((s, v) => s + v, 0)
  if (total >= 1024) text += `; meanwhile the host swapped ${formatKiB(total)} out of ${guestList(victims(per, total))}`
  return { tone: 'note', text: `${text}.`, t_ms: at, guest: rel.guest, fn: 'page_reporting_process() / QEMU MADV_DONTNEED' }
}

/** The row at which the guests' summed RSS was largest (the first such row). */
function peakRow(rd: RowReader): number {
  let best = 0
  for (let r = 1; r < rd.n; r++) if (rd.host(r, 'guests_rss_kib') > rd.host(best, 'guests_rss_kib')) best = r
  return best
}

function swapSentences(rd: RowReader, s: HostSummary): HostExplainSentence[] {
  const out: HostExplainSentence[] = []
  const parts = swappedOutBetween(rd, 0, rd.n - 1)
    .map((kib, i) => ({ guest: i + 1, kib }))
    .filter((v) => v.kib > 0)
    .sort((a, b) => b.kib - a.kib || a.guest - b.guest)
  const named = parts.slice(0, 4).map((v) => `guest ${v.guest} (${formatKiB(v.kib)})`)
  const more = parts.length > 4 ? ` and ${parts.length - 4} more` : ''
  out.push({
    tone: 'problem',
    text:
      `The host swapped out ${formatKiB(s.swapped_out_kib)} (kswapd ${formatKiB(s.kswapd_reclaimed_kib)}, direct reclaim ${formatKiB(s.direct_reclaimed_kib)}): ${named.join(', ')}${more}. ` +
      'It takes the least recently written guest memory first, so memory a guest freed but did not report goes before memory in use.',
    fn: 'balance_pgdat() / shrink_folio_list()',
  })
  const worst = [...s.guest_summaries].sort((a, b) => b.swapin_stall_ms - a.swapin_stall_ms || a.guest - b.guest)[0]
  if (worst !== undefined && worst.swapin_stall_ms > 0) {
    out.push({
      tone: 'problem',
      text: `Swap-ins cost guest ${worst.guest} the most: ${formatMs(worst.swapin_stall_ms)} of stall for ${formatKiB(worst.swapped_in_kib)} written again after it was swapped out (${worst.swapin_ms_per_s.toFixed(2)} ms per second of its life, ${worst.swapin_ms_per_s_max.toFixed(1)} ms/s at worst).`,
      guest: worst.guest,
      fn: 'do_swap_page()',
    })
  }
  return out
}

/** "1.00 GiB to 3.00 GiB", or one size when they read the same. */
function range(kibs: readonly number[]): string {
  const lo = formatKiB(Math.min(...kibs))
  const hi = formatKiB(Math.max(...kibs))
  return lo === hi ? lo : `${lo} to ${hi}`
}

/** Guests that returned nothing while memory free inside them was resident on the host: one sentence for all of them. */
function nothingBack(rd: RowReader, s: HostSummary): HostExplainSentence[] {
  const named: { guest: number; kib: number; at: number }[] = []
  for (const gs of s.guest_summaries) {
    if (gs.status === 'not started' || gs.returned_kib > 0) continue
    // free memory that is resident: RSS beyond what is in use (a lower bound: used memory may not all be resident)
    const total = gs.memory_mib * 1024
    let kib = 0
    let at = 0
    for (let r = 0; r < rd.n; r++) {
      if (rd.guest(r, gs.guest, 'state') !== GUEST_RUNNING) continue
      const residentFree = rd.guest(r, gs.guest, 'rss_kib') + rd.guest(r, gs.guest, 'guest_free_kib') - total
      if (residentFree > kib) {
        kib = residentFree
        at = rd.t(r)
      }
    }
    if (kib >= MIN_RELEASE_KIB) named.push({ guest: gs.guest, kib, at })
  }
  if (named.length === 0) return []
  const first = named[0]
  const text =
    named.length === 1
      ? `Guest ${first.guest} gave nothing back: at ${formatMs(first.at)} at least ${formatKiB(first.kib)} of the memory free inside it was still resident on the host, where it is the first memory swapped out.`
      : `${guestList(named.map((n) => n.guest)).replace(/^g/, 'G')} gave nothing back: at least ${range(named.map((n) => n.kib))} of the memory free inside each was still resident on the host, where it is the first memory swapped out.`
  return [{ tone: 'problem', text, t_ms: first.at, ...(named.length === 1 ? { guest: first.guest } : {}), fn: 'page_reporting_register()' }]
}

export function explainHost(input: HostExplainInput): HostExplainSentence[] {
  const s = input.summary
  const rd = new RowReader(input.rows, s.guests)
  if (rd.n === 0) return []
  const out: HostExplainSentence[] = []

  const p = peakRow(rd)
  const short = s.swapped_out_kib > 0 || s.oom_kills > 0
  out.push({
    tone: short ? 'problem' : 'ok',
    text:
      `The guests' RSS peaked at ${formatKiB(s.peak_guests_rss_kib)} (sampled: ${formatKiB(rd.host(p, 'guests_rss_kib'))} at ${formatMs(rd.t(p))}, ${rd.host(p, 'guests_running')} guests running) ` +
      `of the ${formatKiB(s.available_kib)} the host has for guests; ` +
      (short ? `the host ran short: free memory fell to ${formatKiB(s.min_host_free_kib)}.` : `free host memory never fell below ${formatKiB(s.min_host_free_kib)}.`),
    t_ms: rd.t(p),
  })
  if (s.swapped_out_kib > 0) out.push(...swapSentences(rd, s))
  for (const e of input.events) {
    if (e.kind !== 'oom_kill') continue
    const what = e.detail?.replace(/^Out of memory: /, '') ?? `killed guest ${e.guest ?? '?'}`
    out.push({ tone: 'problem', text: `At ${formatMs(e.t_ms)} the host ran out of memory and the OOM killer ${what}`, t_ms: e.t_ms, ...(e.guest !== undefined ? { guest: e.guest } : {}), fn: 'out_of_memory() / oom_badness()' })
  }

  const gapMs = Math.max(3 * input.sampleIntervalMs, 5000)
  const releases: Release[] = []
  for (let g = 1; g <= s.guests; g++) releases.push(...releasesOf(rd, g, gapMs).filter((r) => r.kib >= MIN_RELEASE_KIB))
  releases.sort((a, b) => b.kib - a.kib || a.fromRow - b.fromRow || a.guest - b.guest)
  const told = releases.slice(0, MAX_RELEASES).sort((a, b) => a.fromRow - b.fromRow || a.guest - b.guest)
  for (const rel of told) out.push(releaseSentence(rd, rel))
  if (releases.length > MAX_RELEASES) out.push({ tone: 'note', text: `${releases.length - MAX_RELEASES} smaller releases of ${formatKiB(MIN_RELEASE_KIB)} or more are not told here (each guest's g<n>_returned_kib in host_samples.csv).` })

  out.push(...nothingBack(rd, s))
  return out
}
