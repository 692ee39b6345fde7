// Properties of host experiments (issue 15), over random hosts and guests:
// - determinism: the same host experiment gives the same host rows, host events and guest
//   outputs, for any number of guests;
// - a guest on a host that never runs short gives exactly what it gives alone (every sample row,
//   event, its final buddyinfo and its summary figures);
// - swap accounting: under memory pressure every engine event is followed by the host's and the
//   guests' invariant checkers (RSS and swap recounted from the bitsets, the pool never
//   overcommitted), and every host row obeys the accounting identities.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ExperimentInput } from '../../common/experiment'
import { GUEST_RUNNING, HCOL, guestCol } from '../../common/host_samples'
import { hostOf, runAlone, runHost } from '../testing/host_run'

type Phase = NonNullable<NonNullable<ExperimentInput['workload']>['phases']>[number]

const phase: fc.Arbitrary<Phase> = fc.oneof(
  fc.record({ op: fc.constant('alloc' as const), mib: fc.integer({ min: 8, max: 200 }), order: fc.constantFrom(0, 0, 3, 9), durationMs: fc.integer({ min: 50, max: 1500 }) }),
  fc.record({ op: fc.constant('free' as const), fraction: fc.double({ min: 0.1, max: 1, noNaN: true }), pattern: fc.constantFrom('lifo' as const, 'random' as const, 'every-other' as const) }),
  fc.record({ op: fc.constant('idle' as const), ms: fc.integer({ min: 100, max: 2500 }) }),
  fc.record({ op: fc.constant('churn' as const), durationMs: fc.integer({ min: 100, max: 1500 }), rateMiBps: fc.integer({ min: 8, max: 128 }), liveMiB: fc.integer({ min: 0, max: 64 }) }),
  fc.record({ op: fc.constant('pagecache' as const), mib: fc.integer({ min: 8, max: 96 }) }),
  fc.constant({ op: 'drop-caches' as const }),
)

const guest = fc.record({
  seed: fc.integer({ min: 0, max: 1000 }),
  memoryMiB: fc.constantFrom(256, 384, 512),
  durationMs: fc.integer({ min: 1500, max: 6000 }),
  device: fc.constantFrom('virtio-balloon' as const, 'virtio-balloon' as const, 'none' as const),
  delayMs: fc.constantFrom(100, 500, 2000),
  backing: fc.constantFrom('anon-4k' as const, 'anon-thp' as const, 'hugetlb-2m' as const),
  sampleIntervalMs: fc.constantFrom(50, 100, 250),
  phases: fc.array(phase, { minLength: 1, maxLength: 5 }),
})

const entry = fc.record({ guest, count: fc.integer({ min: 1, max: 3 }), startMs: fc.integer({ min: 0, max: 2000 }), staggerMs: fc.integer({ min: 0, max: 1500 }) })

type GuestArb = typeof guest extends fc.Arbitrary<infer T> ? T : never
type EntryArb = typeof entry extends fc.Arbitrary<infer T> ? T : never

const inline = (g: GuestArb) => ({
  seed: g.seed,
  durationMs: g.durationMs,
  guest: { memoryMiB: g.memoryMiB },
  reporting: { device: g.device, delayMs: g.delayMs },
  host: { backing: g.backing },
  workload: { phases: g.phases },
  recorder: { sampleIntervalMs: g.sampleIntervalMs },
})

function hostFor(entries: EntryArb[], memoryMiB: number, swapMiB: number, sampleIntervalMs = 200) {
  return hostOf({
    machine: { memoryMiB, swapMiB, reservedMiB: 64 },
    guests: entries.map((e) => ({ experiment: inline(e.guest), count: e.count, startMs: e.startMs, staggerMs: e.staggerMs })),
    recorder: { sampleIntervalMs },
  })
}

describe('host experiments (properties)', () => {
  it('are deterministic for any number of guests', () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 4 }), fc.integer({ min: 512, max: 2048 }), fc.constantFrom(0, 256, 1024), (entries, ramMiB, swapMiB) => {
        const host = hostFor(entries, ramMiB, swapMiB)
        const a = runHost(host, {}, 250)
        // another slicing of the same run: the merge order may not depend on how far each call advances
        const b = runHost(host, {}, 97)
        expect(b.rows).toEqual(a.rows)
        expect(b.events).toEqual(a.events)
        expect([...b.guests.keys()]).toEqual([...a.guests.keys()])
        for (const [g, rec] of a.guests) {
          const other = b.guests.get(g)
          expect(other?.rows).toEqual(rec.rows)
          expect(other?.events).toEqual(rec.events)
          expect(other?.end?.buddyinfo).toBe(rec.end?.buddyinfo)
          expect(other?.end?.status).toBe(rec.end?.status)
        }
        const { wall_ms: _a, ...sa } = a.summary
        const { wall_ms: _b, ...sb } = b.summary
        expect(sb).toEqual(sa)
      }),
      { numRuns: 12 },
    )
  }, 240_000)

  it('give each guest exactly its single-guest output while the host never runs short', () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 3 }), (entries) => {
        // RAM for every guest at once, with room above the high watermark
        const total = entries.reduce((s, e) => s + e.count * e.guest.memoryMiB, 0)
        const host = hostFor(entries, total + 1024, 0)
        const run = runHost(host)
        expect(run.summary.swapped_out_kib).toBe(0)
        expect(run.summary.oom_kills).toBe(0)
        expect(run.summary.thp_fallbacks).toBe(0)
        expect(run.summary.reclaim_stall_ms).toBe(0)
        for (const p of run.plan.guests) {
          const inHost = run.guests.get(p.guest)
          const alone = runAlone(p.experiment)
          expect(inHost?.rows, `guest ${p.guest} rows`).toEqual(alone.rows)
          expect(inHost?.events, `guest ${p.guest} events`).toEqual(alone.events)
          expect(inHost?.end?.buddyinfo).toBe(alone.buddyinfo)
          const { wall_ms: _w1, events_processed: _e1, ...mine } = inHost?.end?.summary ?? {}
          const { wall_ms: _w2, events_processed: _e2, ...theirs } = alone.summary
          expect(mine).toEqual(theirs)
        }
      }),
      { numRuns: 10 },
    )
  }, 240_000)

  it('keep the swap accounting: checkers after every event, identities in every host row', () => {
    let pressured = 0
    fc.assert(
      fc.property(fc.array(entry, { minLength: 2, maxLength: 4 }), fc.integer({ min: 320, max: 900 }), fc.constantFrom(0, 128, 512, 2048), (entries, ramMiB, swapMiB) => {
        const host = hostFor(
          entries.map((e) => ({ ...e, guest: { ...e.guest, durationMs: Math.min(e.guest.durationMs, 3500) } })),
          ramMiB,
          swapMiB,
          100,
        )
        const run = runHost(host, { check: true })
        const s = run.summary
        if (s.swapped_out_kib > 0 || s.oom_kills > 0) pressured++
        const n = run.plan.guests.length
        let prev: Float64Array | null = null
        for (const r of run.rows) {
          let rss = 0
          let swap = 0
          let out = 0
          for (let g = 1; g <= n; g++) {
            rss += r[guestCol(g, 'rss_kib')]
            swap += r[guestCol(g, 'swap_kib')]
            out += r[guestCol(g, 'swapped_out_kib')]
            const running = r[guestCol(g, 'state')] === GUEST_RUNNING
            if (running) {
              // what a guest has in swap came out of it and has not come back or been discarded
              expect(r[guestCol(g, 'swap_kib')]).toBeLessThanOrEqual(r[guestCol(g, 'swapped_out_kib')] - r[guestCol(g, 'swapped_in_kib')])
              expect(r[guestCol(g, 'rss_kib')] + r[guestCol(g, 'swap_kib')]).toBeLessThanOrEqual(run.plan.guests[g - 1].experiment.guest.memoryMiB * 1024)
            } else {
              expect(r[guestCol(g, 'rss_kib')]).toBe(0)
              expect(r[guestCol(g, 'swap_kib')]).toBe(0)
            }
          }
          expect(r[HCOL.guests_rss_kib]).toBe(rss)
          expect(r[HCOL.swap_used_kib]).toBe(swap)
          expect(r[HCOL.swapped_out_kib]).toBe(out)
          expect(r[HCOL.swapped_out_kib]).toBe(r[HCOL.kswapd_reclaimed_kib] + r[HCOL.direct_reclaimed_kib])
          expect(r[HCOL.swap_used_kib]).toBeLessThanOrEqual(s.swap_kib)
          expect(r[HCOL.host_free_kib]).toBe(s.available_kib - r[HCOL.guests_rss_kib])
          expect(r[HCOL.host_free_kib]).toBeGreaterThanOrEqual(0)
          if (prev !== null) {
            for (const c of ['swapped_out_kib', 'swapped_in_kib', 'swapin_stall_ms', 'reclaim_stall_ms', 'oom_kills', 'reporting_returned_kib'] as const) expect(r[HCOL[c]]).toBeGreaterThanOrEqual(prev[HCOL[c]])
          }
          prev = r
        }
        // every guest ends once, and a killed one is the OOM event's victim
        const kills = run.events.filter((e) => e.kind === 'oom_kill').map((e) => e.guest)
        expect(kills.length).toBe(s.oom_kills)
        for (const g of kills) expect(run.guests.get(g as number)?.end?.status).toBe('killed')
        expect(s.swapped_in_kib).toBeLessThanOrEqual(s.swapped_out_kib)
      }),
      // a fixed seed: the count of pressured hosts below is a property of the sample, not of the code
      { numRuns: 8, seed: 1 },
    )
    // most random hosts here are too small for their guests: the accounting is tested under pressure
    expect(pressured).toBeGreaterThanOrEqual(4)
  }, 600_000)
})
