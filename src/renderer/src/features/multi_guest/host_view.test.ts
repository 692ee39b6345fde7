// The Host view's chart data from host rows: RSS per guest in GiB stacked under the host's limits,
// swap-in stall as the rate over each interval (none while a guest does not run).
import { describe, expect, it } from 'vitest'
import type { HostRunView } from '../../../../common/host_api'
import { GUEST_EXITED, GUEST_RUNNING, HCOL, guestCol, hostRowWidth } from '../../../../common/host_samples'
import type { HostGuestSummary, HostSummary } from '../../../../common/host_summary'
import { guestRows, rssChart, stallChart, swapChart } from './host_view'

const GIB = 1024 * 1024

function view(): HostRunView {
  const width = hostRowWidth(2)
  const rows = new Float64Array(3 * width)
  const set = (r: number, g: number, c: Parameters<typeof guestCol>[1], v: number): void => void (rows[r * width + guestCol(g, c)] = v)
  for (let r = 0; r < 3; r++) {
    rows[r * width + HCOL.t_ms] = r * 2000
    set(r, 1, 'state', GUEST_RUNNING)
    set(r, 1, 'rss_kib', (r + 1) * GIB)
    set(r, 2, 'state', r < 2 ? GUEST_RUNNING : GUEST_EXITED)
  }
  // guest 1 stalls 10 ms in the first interval and 30 ms in the second; guest 2's cumulative stall goes on after its exit (ignored)
  set(1, 1, 'swapin_stall_ms', 10)
  set(2, 1, 'swapin_stall_ms', 40)
  set(2, 2, 'swapin_stall_ms', 99)
  const g = (guest: number): HostGuestSummary =>
    ({ guest, label: `vm #${guest}`, status: guest === 1 ? 'killed' : 'exited', oom_badness: 1024, start_ms: 0, end_ms: 4000, mean_rss_kib: GIB, peak_rss_kib: GIB, returned_kib: 0, report_calls: 0, swapped_out_kib: 0, peak_swap_kib: 0, swapped_in_kib: 0, swapin_stall_ms: 40, swapin_ms_per_s: 10, swapin_ms_per_s_max: 15, reclaim_stall_ms: 0, alloc_failures: 0 }) as HostGuestSummary
  const summary = { guests: 2, available_kib: 6 * GIB, host_memory_kib: 8 * GIB, swap_kib: 2 * GIB, guest_summaries: [g(1), g(2)] } as unknown as HostSummary
  return { name: 'h', summary, sampleIntervalMs: 2000, rows, stride: 1, events: [], explanations: [] }
}

describe('host view data', () => {
  it('stacks each guest’s RSS in GiB under the host RAM for guests and all of it', () => {
    const c = rssChart(view())
    expect(c.lines.map((l) => [l.name, l.stacked, l.limit])).toEqual([
      ['1 vm #1', true, false],
      ['2 vm #2', true, false],
      ['host RAM for guests', false, true],
      ['host RAM', false, true],
    ])
    expect(c.lines[0].data).toEqual([
      [0, 1],
      [2, 2],
      [4, 3],
    ])
    expect(c.lines[2].data).toEqual([
      [0, 6],
      [4, 6],
    ])
    expect(swapChart(view()).lines.at(-1)?.name).toBe('host swap')
  })

  it('gives the swap-in stall per second of each interval, 0 once a guest ended', () => {
    const c = stallChart(view())
    expect(c.lines[0].data).toEqual([
      [0, 0],
      [2, 5],
      [4, 15],
    ])
    expect(c.lines[1].data.map(([, v]) => v)).toEqual([0, 0, 0])
  })

  it('names a killed guest’s badness in KiB in its row', () => {
    expect(guestRows(view())[0].status).toBe('killed (OOM, badness 4.0 MiB)')
    expect(guestRows(view())[0].problem).toBe(true)
  })
})
