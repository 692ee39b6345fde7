// Host-level explanations (issue 15) on hand-built host rows: what a release is, when it came
// back, whom the host swapped meanwhile, and what is left out.
import { describe, expect, it } from 'vitest'
import { explainHost, guestList } from './host_explain'
import { GUEST_NOT_STARTED, GUEST_RUNNING, HCOL, guestCol, hostRowWidth, type HostEvent, type HostGuestColumn } from './host_samples'
import type { HostGuestSummary, HostSummary } from './host_summary'

const GIB = 1024 * 1024
const MIB = 1024

interface GuestState {
  state?: number
  rss_kib?: number
  returned_kib?: number
  swapped_out_kib?: number
  guest_free_kib?: number
}

/** Rows at 1 s intervals; `at(t)` gives each guest's columns at time t (s). */
function rows(guests: number, seconds: number, at: (t: number, g: number) => GuestState): Float64Array {
  const width = hostRowWidth(guests)
  const out = new Float64Array((seconds + 1) * width)
  for (let t = 0; t <= seconds; t++) {
    out[t * width + HCOL.t_ms] = t * 1000
    let rss = 0
    for (let g = 1; g <= guests; g++) {
      const s = { state: GUEST_RUNNING, rss_kib: 0, returned_kib: 0, swapped_out_kib: 0, guest_free_kib: 0, ...at(t, g) }
      for (const [c, v] of Object.entries(s)) out[t * width + guestCol(g, c as HostGuestColumn)] = v
      rss += s.rss_kib
    }
    out[t * width + HCOL.guests_rss_kib] = rss
    out[t * width + HCOL.guests_running] = guests
  }
  return out
}

function guestSummary(guest: number, over: Partial<HostGuestSummary> = {}): HostGuestSummary {
  return {
    guest,
    label: `g${guest}`,
    seed: 1,
    memory_mib: 8192,
    start_ms: 0,
    end_ms: 100_000,
    status: 'exited',
    peak_rss_kib: 0,
    mean_rss_kib: 0,
    peak_swap_kib: 0,
    swapped_out_kib: 0,
    swapped_in_kib: 0,
    swapin_stall_ms: 0,
    swapin_ms_per_s: 0,
    swapin_ms_per_s_max: 0,
    reclaim_stall_ms: 0,
    returned_kib: 1,
    report_calls: 0,
    refault_cost_ms: 0,
    alloc_failures: 0,
    oom_badness: null,
    ...over,
  }
}

function summary(guests: HostGuestSummary[], over: Partial<HostSummary> = {}): HostSummary {
  return {
    name: 'test host',
    guests: guests.length,
    host_memory_kib: 16 * GIB,
    available_kib: 15 * GIB,
    swap_kib: 8 * GIB,
    wmark_min_kib: 0,
    wmark_low_kib: 0,
    wmark_high_kib: 0,
    peak_guests_rss_kib: 10 * GIB,
    mean_guests_rss_kib: 8 * GIB,
    min_host_free_kib: 5 * GIB,
    peak_swap_used_kib: 0,
    swapped_out_kib: 0,
    swapped_in_kib: 0,
    swapin_stall_ms: 0,
    reclaim_stall_ms: 0,
    kswapd_reclaimed_kib: 0,
    direct_reclaimed_kib: 0,
    thp_fallbacks: 0,
    oom_kills: 0,
    alloc_failures: 0,
    swapin_ms_per_s: 0,
    swapin_ms_per_s_max: 0,
    reporting_returned_kib: 0,
    sim_ms: 100_000,
    wall_ms: 1,
    events_processed: 1,
    guest_summaries: guests,
    ...over,
  }
}

describe('host explanations', () => {
  it('tell a release, when it came back, and whom the host swapped meanwhile (the issue’s sentence)', () => {
    // guest 3 returns 2 GiB over 40-41 s and reuses it at 50 s; meanwhile the host swaps 0.6 GiB of guest 1 and 0.5 GiB of guest 2
    const data = rows(3, 60, (t, g) => {
      if (g === 3) return { rss_kib: t < 40 ? 6 * GIB : t < 41 ? 5 * GIB : t < 50 ? 4 * GIB : 6 * GIB, returned_kib: t < 40 ? 0 : t < 41 ? GIB : 2 * GIB }
      const out = g === 1 ? 0.6 * GIB : 0.5 * GIB
      return { rss_kib: 3 * GIB, returned_kib: 1, swapped_out_kib: t < 42 ? 0 : t < 48 ? out / 2 : out }
    })
    const s = summary([guestSummary(1), guestSummary(2), guestSummary(3)], { swapped_out_kib: 1.1 * GIB, kswapd_reclaimed_kib: 1.1 * GIB, swap_kib: 8 * GIB })
    const text = explainHost({ summary: s, rows: data, events: [], sampleIntervalMs: 1000 }).map((e) => e.text)
    expect(text).toContain('Guest 3 freed 2.00 GiB at 40.0 s (its free page reporting gave it to the host) and it came back 10.0 s later; meanwhile the host swapped 1.10 GiB out of guests 1 and 2.')
    expect(text.some((t) => t.startsWith('The host swapped out 1.10 GiB (kswapd 1.10 GiB, direct reclaim 0 KiB): guest 1 (614.4 MiB), guest 2 (512.0 MiB).'))).toBe(true)
  })

  it('say when a release stayed with the host, and leave out releases under 128 MiB', () => {
    const data = rows(2, 30, (t, g) => (g === 1 ? { rss_kib: t < 10 ? 3 * GIB : 2 * GIB, returned_kib: t < 10 ? 0 : GIB } : { rss_kib: GIB, returned_kib: t < 20 ? 0 : 100 * MIB }))
    const out = explainHost({ summary: summary([guestSummary(1), guestSummary(2)]), rows: data, events: [], sampleIntervalMs: 1000 })
    const releases = out.filter((e) => e.text.includes(' freed '))
    expect(releases.map((e) => e.text)).toEqual(['Guest 1 freed 1.00 GiB at 10.0 s (its free page reporting gave it to the host) and the host kept it.'])
    expect(releases[0].t_ms).toBe(10_000)
    expect(releases[0].guest).toBe(1)
    // no swap: no swap sentence; the host had room: the first sentence is not a problem
    expect(out.some((e) => e.text.includes('swapped out'))).toBe(false)
    expect(out[0].tone).toBe('ok')
  })

  it('split releases more than 5 s apart, and tell part of one that partly came back', () => {
    const data = rows(1, 40, (t) => ({
      rss_kib: t < 5 ? 4 * GIB : t < 15 ? 3 * GIB : t < 20 ? 2 * GIB : t < 30 ? 2.5 * GIB : 2.5 * GIB,
      returned_kib: t < 5 ? 0 : t < 15 ? GIB : 2 * GIB,
    }))
    const text = explainHost({ summary: summary([guestSummary(1)]), rows: data, events: [], sampleIntervalMs: 1000 })
      .map((e) => e.text)
      .filter((t) => t.includes(' freed '))
    expect(text).toEqual([
      'Guest 1 freed 1.00 GiB at 5.0 s (its free page reporting gave it to the host) and the host kept it.',
      'Guest 1 freed 1.00 GiB at 15.0 s (its free page reporting gave it to the host); 512.0 MiB of it came back by 40.0 s.',
    ])
  })

  it('name a guest that gave nothing back while free memory inside it stayed resident, and not one whose free memory was never touched', () => {
    const data = rows(2, 10, (t, g) =>
      g === 1
        ? // 8 GiB guest: 6 GiB resident, 5 GiB free inside: at least 3 GiB of the free memory is resident
          { rss_kib: 6 * GIB, guest_free_kib: t < 5 ? GIB : 5 * GIB, returned_kib: 0 }
        : // 1 GiB resident, 7 GiB free: the free memory was never written
          { rss_kib: GIB, guest_free_kib: 7 * GIB, returned_kib: 0 },
    )
    const out = explainHost({ summary: summary([guestSummary(1, { returned_kib: 0 }), guestSummary(2, { returned_kib: 0 })]), rows: data, events: [], sampleIntervalMs: 1000 })
    const nothing = out.filter((e) => e.text.includes('gave nothing back'))
    expect(nothing.map((e) => e.guest)).toEqual([1])
    expect(nothing[0].text).toBe('Guest 1 gave nothing back: at 5.0 s at least 3.00 GiB of the memory free inside it was still resident on the host, where it is the first memory swapped out.')
  })

  it('name every guest that gave nothing back in one sentence', () => {
    const data = rows(3, 4, (_t, g) => ({ rss_kib: (4 + g) * GIB, guest_free_kib: 4 * GIB }))
    const out = explainHost({ summary: summary([1, 2, 3].map((g) => guestSummary(g, { returned_kib: 0 }))), rows: data, events: [], sampleIntervalMs: 1000 })
    expect(out.filter((e) => e.text.includes('gave nothing back')).map((e) => e.text)).toEqual([
      'Guests 1, 2 and 3 gave nothing back: at least 1.00 GiB to 3.00 GiB of the memory free inside each was still resident on the host, where it is the first memory swapped out.',
    ])
  })

  it('tell the OOM killer’s victims from the host events, and ignore guests not started', () => {
    const data = rows(2, 5, (t, g) => (g === 2 ? { state: GUEST_NOT_STARTED } : { rss_kib: GIB }))
    const events: HostEvent[] = [{ t_ms: 3000, kind: 'oom_kill', guest: 1, kib: GIB, detail: 'Out of memory: killed guest 1 (g1), the largest oom_badness' }]
    const out = explainHost({ summary: summary([guestSummary(1, { status: 'killed' }), guestSummary(2, { status: 'not started', returned_kib: 0 })], { oom_kills: 1 }), rows: data, events, sampleIntervalMs: 1000 })
    const oom = out.find((e) => e.text === 'At 3.0 s the host ran out of memory and the OOM killer killed guest 1 (g1), the largest oom_badness')
    expect(oom?.tone).toBe('problem')
    expect(oom?.guest).toBe(1)
    expect(out.some((e) => e.guest === 2)).toBe(false)
    expect(out[0].tone).toBe('problem')
  })

  it('list guests as a reader writes them', () => {
    expect(guestList([3])).toBe('guest 3')
    expect(guestList([1, 2])).toBe('guests 1 and 2')
    expect(guestList([1, 2, 5])).toBe('guests 1, 2 and 5')
  })
})
