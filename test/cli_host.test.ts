// prlab run, validate and fit on host experiments, as a user runs them (issue 15): the real CLI
// in a child process, on the small case in test/fixtures/host (1 GiB batch jobs that free memory
// without reporting and reuse it, on a 3 GiB host with 2 GiB swap).
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { prlab, ROOT } from './prlab_process'

const FIX = join(ROOT, 'test/fixtures/host')
const dir = mkdtempSync(join(tmpdir(), 'prlab-host-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('prlab run on a host experiment', () => {
  it('writes the host files and each guest’s own files, the guests’ identical to prlab run of each alone', async () => {
    const out = join(dir, 'two')
    const r = await prlab(['run', join(FIX, 'two-batches.prlab.json'), '--out', out], { timeoutMs: 60_000 })
    expect(r.stderr).toContain('2 guests on 3.00 GiB')
    expect(r.code).toBe(0)
    expect(readdirSync(out).sort()).toEqual(['guest-1', 'guest-2', 'host_events.csv', 'host_samples.csv', 'summary.json'])
    const header = readFileSync(join(out, 'host_samples.csv'), 'utf8').split('\n')[0]
    expect(header.startsWith('t_ms,guests_running,guests_rss_kib,host_free_kib,swap_used_kib,')).toBe(true)
    expect(header).toContain(',g2_rss_kib,')
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { guests: number; oom_kills: number; guest_summaries: { seed: number }[] }
    expect(summary.guests).toBe(2)
    expect(summary.guest_summaries.map((g) => g.seed)).toEqual([1, 2])
    // two guests fit in RAM: each one's files are those of its experiment run alone with its seed
    const alone = join(dir, 'alone')
    expect((await prlab(['run', join(FIX, 'batch-1g.prlab.json'), '--set', 'seed=2', '--out', alone, '--quiet'], { timeoutMs: 60_000 })).code).toBe(0)
    for (const f of ['samples.csv', 'events.csv', 'buddyinfo.txt']) expect(readFileSync(join(out, 'guest-2', f), 'utf8'), f).toBe(readFileSync(join(alone, f), 'utf8'))
  }, 120_000)

  it('validate names the guest entry and the field inside the guest’s file', async () => {
    const bad = join(dir, 'bad-host.prlab.json')
    writeFileSync(bad, JSON.stringify({ format: 'page-reporting-lab/experiment', version: 2, machine: { memoryMiB: 4096 }, guests: [{ file: 'bad-guest.prlab.json' }] }))
    writeFileSync(join(dir, 'bad-guest.prlab.json'), '{\n  "format": "page-reporting-lab/experiment", "version": 1,\n  "guest": { "memoryMiB": "lots" }\n}\n')
    const r = await prlab(['validate', bad])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('guests[0].file -> guest.memoryMiB: bad-guest.prlab.json:3:27: expected a number, got the string "lots"')
    const empty = await prlab(['validate', join(FIX, 'host-3g.prlab.json')])
    expect(empty.code).toBe(0)
    expect(empty.stdout).toContain('a host description with no guests (for prlab fit HOST --guest GUEST)')
    const run = await prlab(['run', join(FIX, 'host-3g.prlab.json')])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('guests: no guests to run')
  }, 60_000)
})

describe('prlab fit', () => {
  it('answers the largest count that meets the objective on the small case, and shards give the same answer', async () => {
    const out = join(dir, 'fit')
    const args = [join(FIX, 'host-3g.prlab.json'), '--guest', join(FIX, 'batch-1g.prlab.json'), '--slo', 'swapin_ms_per_s<5', '--stagger-ms', '3000']
    const r = await prlab(['fit', ...args, '--out', out, '--jobs', '2'], { timeoutMs: 120_000 })
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n')[0]).toBe('3 × 1 GiB batch job, no reporting fit (swapin_ms_per_s<5): swapin_ms_per_s = 0')
    expect(r.stdout.split('\n')[1]).toMatch(/^4 do not: swapin_ms_per_s = [\d.]+, not < 5$/)
    const csv = readFileSync(join(out, 'fit.csv'), 'utf8').split('\n')
    expect(csv[0].startsWith('count,status,why,swapin_ms_per_s,')).toBe(true)
    expect(csv.slice(1, 5).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['1,meets', '2,meets', '3,meets', '4,fails'])
    expect(readdirSync(join(out, 'count-4')).sort()).toEqual(['experiment.prlab.json', 'host_events.csv', 'host_samples.csv', 'summary.json'])

    const sharded = join(dir, 'fit-shards')
    for (const s of ['0/2', '1/2']) expect((await prlab(['fit', ...args, '--counts', '1..5', '--shard', s, '--out', sharded, '--quiet'], { timeoutMs: 120_000 })).code).toBe(0)
    const merged = await prlab(['fit', '--merge', sharded, '--json'])
    expect(merged.code).toBe(0)
    const answer = JSON.parse(merged.stdout) as { largest: number; first_failing: number; points: { count: number; meets: boolean }[] }
    expect(answer.largest).toBe(3)
    expect(answer.first_failing).toBe(4)
    expect(answer.points.map((p) => p.meets)).toEqual([true, true, true, false, false])
  }, 300_000)

  it('refuses a bad objective, a guest file as the host, and a shard without counts', async () => {
    const host = join(FIX, 'host-3g.prlab.json')
    const guest = join(FIX, 'batch-1g.prlab.json')
    const slo = await prlab(['fit', host, '--guest', guest, '--slo', 'swapins<5'])
    expect(slo.code).toBe(2)
    expect(slo.stderr).toContain('unknown figure "swapins"')
    const swapped = await prlab(['fit', guest, '--guest', guest, '--slo', 'swapin_ms_per_s<5'])
    expect(swapped.code).toBe(2)
    expect(swapped.stderr).toContain('is a guest experiment; HOST is a host experiment')
    const shard = await prlab(['fit', host, '--guest', guest, '--slo', 'swapin_ms_per_s<5', '--shard', '0/2'])
    expect(shard.code).toBe(2)
    expect(shard.stderr).toContain('--shard splits a --counts list')
  }, 60_000)
})
