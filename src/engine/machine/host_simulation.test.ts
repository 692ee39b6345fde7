// Host experiments, case by case (issue 15): the OOM killer's victim, memory returned when a VM
// exits, the swap story free page reporting avoids, host THP off, and the host's own end.
import { describe, expect, it } from 'vitest'
import { HCOL, guestCol, GUEST_EXITED, GUEST_KILLED, GUEST_STOPPED } from '../../common/host_samples'
import { hostOf, runAlone, runHost } from '../testing/host_run'

const MiB = 1024

/** A guest that touches `mib` and holds it, then frees it, with or without reporting. */
const memhog = (mib: number, reporting: boolean, holdMs = 3000, durationMs = 10000) => ({
  durationMs,
  guest: { memoryMiB: 1024 },
  reporting: { device: reporting ? ('virtio-balloon' as const) : ('none' as const), delayMs: 200 },
  host: { backing: 'anon-4k' as const },
  workload: { phases: [{ op: 'alloc' as const, mib, durationMs: 500 }, { op: 'idle' as const, ms: holdMs }, { op: 'free' as const, fraction: 1 }] },
  recorder: { sampleIntervalMs: 100 },
})

describe('host experiments', () => {
  it('without swap, the OOM killer takes the guest with the largest RSS and its outputs end there', () => {
    const host = hostOf({
      machine: { memoryMiB: 1536, reservedMiB: 128 },
      guests: [
        { name: 'big', experiment: memhog(900, false, 8000) },
        { name: 'late', experiment: memhog(700, false, 8000), startMs: 2000 },
      ],
      recorder: { sampleIntervalMs: 100 },
    })
    const run = runHost(host, { check: true })
    expect(run.summary.oom_kills).toBe(1)
    const kill = run.events.find((e) => e.kind === 'oom_kill')
    expect(kill?.guest).toBe(1)
    expect(kill?.detail).toMatch(/^Out of memory: killed guest 1 \(big\), the largest oom_badness: \d+ pages \(RSS \d+ MiB \+ swap 0 MiB\), while guest 2 \(late\) faulted/)
    const big = run.guests.get(1)
    expect(big?.end?.status).toBe('killed')
    expect(big?.end?.t_ms).toBe(kill?.t_ms)
    // its last sample is before the kill; the host shows it killed from then on, its memory back
    const last = big?.rows[big.rows.length - 1]
    expect(last?.[0]).toBeLessThanOrEqual(kill?.t_ms ?? 0)
    const after = run.rows.find((r) => r[HCOL.t_ms] > (kill?.t_ms ?? 0)) as Float64Array
    expect(after[guestCol(1, 'state')]).toBe(GUEST_KILLED)
    expect(after[guestCol(1, 'rss_kib')]).toBe(0)
    expect(run.guests.get(2)?.end?.status).toBe('exited')
    expect(run.summary.guest_summaries[0].oom_badness).toBe((kill?.kib ?? 0) / 4)
  })

  it('a VM that exits gives all its memory back', () => {
    const host = hostOf({ machine: { memoryMiB: 4096 }, guests: [{ experiment: memhog(300, false, 1000, 3000) }], recorder: { sampleIntervalMs: 500 }, durationMs: 5000 })
    const run = runHost(host)
    const first = run.rows[0]
    const end = run.rows[run.rows.length - 1]
    expect(first[guestCol(1, 'rss_kib')]).toBeGreaterThan(0)
    expect(end[guestCol(1, 'state')]).toBe(GUEST_EXITED)
    expect(end[HCOL.guests_rss_kib]).toBe(0)
    expect(end[HCOL.host_free_kib]).toBe(run.summary.available_kib)
    expect(run.events.some((e) => e.kind === 'guest_exit' && e.guest === 1)).toBe(true)
  })

  it('memory a guest freed without reporting is swapped out as the coldest, and swapped back in when the guest reuses it', () => {
    // the first guest frees 600 MiB and idles; the second fills the host; the first allocates again
    const first = {
      durationMs: 12000,
      guest: { memoryMiB: 1024 },
      reporting: { device: 'none' as const },
      host: { backing: 'anon-4k' as const },
      workload: {
        phases: [
          { op: 'alloc' as const, mib: 600, durationMs: 500 },
          { op: 'free' as const, fraction: 1 },
          { op: 'idle' as const, ms: 5000 },
          { op: 'alloc' as const, mib: 600, durationMs: 500 },
        ],
      },
    }
    const hog = memhog(900, false, 6000, 9000)
    const machine = { memoryMiB: 1280, swapMiB: 1024, reservedMiB: 64 }
    const withoutReporting = runHost(hostOf({ machine, guests: [{ experiment: first }, { experiment: hog, startMs: 1500 }] }), { check: true })
    const g1 = withoutReporting.summary.guest_summaries[0]
    expect(g1.swapped_out_kib).toBeGreaterThan(300 * MiB)
    expect(g1.swapped_in_kib).toBeGreaterThan(300 * MiB)
    // 80 µs per 4 KiB read back, charged to the guest: its refault events carry the swap-ins
    expect(g1.swapin_stall_ms).toBeCloseTo((g1.swapped_in_kib / 4) * 0.08, 6)
    const refaults = withoutReporting.guests.get(1)?.events.filter((e) => e.kind === 'refault') ?? []
    expect(refaults.reduce((s, e) => s + (e.kib ?? 0), 0)).toBe(g1.swapped_in_kib)

    // with reporting the freed memory went back to the host: nothing of it is swapped, nothing read back
    const reported = { ...first, reporting: { device: 'virtio-balloon' as const, delayMs: 200 } }
    const withReporting = runHost(hostOf({ machine, guests: [{ experiment: reported }, { experiment: hog, startMs: 1500 }] }))
    expect(withReporting.summary.guest_summaries[0].swapped_in_kib).toBeLessThan(g1.swapped_in_kib / 10)
    expect(withReporting.summary.swapin_stall_ms).toBeLessThan(withoutReporting.summary.swapin_stall_ms / 10)
  })

  it('host THP never backs anon-thp guests with 4 KiB pages, and says so', () => {
    const exp = { ...memhog(256, true), host: { backing: 'anon-thp' as const } }
    const run = runHost(hostOf({ machine: { memoryMiB: 4096, thp: 'never' }, guests: [{ experiment: exp }] }))
    expect(run.plan.guests[0].experiment.host.backing).toBe('anon-4k')
    expect(run.events.find((e) => e.kind === 'backing')?.detail).toContain('anon-4k')
    expect(run.guests.get(1)?.rows).toEqual(runAlone({ format: 'page-reporting-lab/experiment', version: 2, ...exp, host: { backing: 'anon-4k' } }).rows)
  })

  it('identical copies started together run identically (seedStride 0); the stride gives each copy its own seed', () => {
    const same = runHost(hostOf({ machine: { memoryMiB: 8192 }, guests: [{ experiment: memhog(200, true, 500, 2000), count: 3, seedStride: 0 }] }))
    expect(same.guests.get(2)?.rows).toEqual(same.guests.get(1)?.rows)
    expect(same.guests.get(3)?.rows).toEqual(same.guests.get(1)?.rows)
    const plan = runHost(hostOf({ machine: { memoryMiB: 8192 }, guests: [{ experiment: { ...memhog(200, true, 500, 2000), seed: 7 }, count: 3, staggerMs: 250 }] })).plan
    expect(plan.guests.map((g) => [g.experiment.seed, g.start_ms, g.label])).toEqual([
      [7, 0, 'untitled #1'],
      [8, 250, 'untitled #2'],
      [9, 500, 'untitled #3'],
    ])
  })

  it('guests still running at the host’s end are stopped there, at their own time of that instant', () => {
    const run = runHost(hostOf({ machine: { memoryMiB: 4096 }, durationMs: 4000, guests: [{ experiment: memhog(100, true, 1000, 10000), startMs: 1500 }], recorder: { sampleIntervalMs: 1000 } }))
    const g = run.guests.get(1)
    expect(g?.end?.status).toBe('stopped')
    expect(g?.end?.summary.sim_ms).toBe(2500)
    expect(run.rows[run.rows.length - 1][HCOL.t_ms]).toBe(4000)
    expect(run.rows[run.rows.length - 1][guestCol(1, 'state')]).toBe(1)
    expect(run.summary.guest_summaries[0].status).toBe('stopped')
    expect(GUEST_STOPPED).toBe(4)
  })
})
