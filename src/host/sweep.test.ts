import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { ExperimentSchema } from '../common/experiment'
import type { RunSummary } from '../common/api'
import {
  gridPoint,
  gridSize,
  parseGridArg,
  parseShard,
  pointDocument,
  resolveGrid,
  runSweepJobs,
  shardIndices,
  splitValues,
  sweepCsv,
  type GridAxis,
  type SweepJob,
} from './sweep'

const BASE = {
  format: 'page-reporting-lab/experiment',
  version: 2,
  name: 'base',
  guest: { memoryMiB: 1024 },
  workload: { phases: [{ op: 'alloc', mib: 512 }, { op: 'free', fraction: 1 }] },
}

const dir = mkdtempSync(join(tmpdir(), 'prlab-sweep-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function axes(...args: string[]): GridAxis[] {
  const r = resolveGrid(BASE, 'base.prlab.json', args)
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

describe('grid arguments', () => {
  it('split on commas outside JSON brackets and quotes, and expand ranges', () => {
    expect(splitValues('5, 7,9')).toEqual(['5', '7', '9'])
    expect(splitValues('[{"order":0,"weight":1}],"a,b"')).toEqual(['[{"order":0,"weight":1}]', '"a,b"'])
    expect(parseGridArg('reporting.delayMs=100..500:200').tokens).toEqual(['100', '300', '500'])
    expect(parseGridArg('host.reportLatencyUs=0.1..0.3:0.1').tokens).toEqual(['0.1', '0.2', '0.3'])
  })

  it('refuses bad syntax: no =, a bad path, empty or repeated values, backwards ranges', () => {
    expect(() => parseGridArg('reporting.order')).toThrow(/expected path=v1,v2/)
    expect(() => parseGridArg('reporting..order=1')).toThrow(/not a field path/)
    expect(() => parseGridArg('reporting.order=1,,2')).toThrow(/empty value/)
    expect(() => parseGridArg('reporting.order=1,1')).toThrow(/listed twice/)
    expect(() => parseGridArg('reporting.order=9..5')).toThrow(/from <= to/)
  })

  it('types values by the schema: numbers, null, booleans, and strings that look like numbers', () => {
    const [order, kernel, backing, discard] = axes('reporting.order=null,5,9', 'guest.kernel=5.10,6.6', 'host.backing=anon-4k,hugetlb-2m', 'host.discard=true,false')
    expect(order.values).toEqual([null, 5, 9])
    expect(kernel.values).toEqual(['5.10', '6.6'])
    expect(backing.values).toEqual(['anon-4k', 'hugetlb-2m'])
    expect(discard.values).toEqual([true, false])
    expect(axes('workload.phases[0].mib=256,768')[0].values).toEqual([256, 768])
  })

  it('names the argument, the value and what the schema expected', () => {
    const r = resolveGrid(BASE, 'base.prlab.json', ['reporting.order=5,11'])
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.error.message).toMatch(/^--grid reporting\.order: value 11 is not valid: reporting\.order: /)
      expect(r.error.file).toBe('base.prlab.json')
    }
    const typo = resolveGrid(BASE, 'b.json', ['reporting.ordr=5'])
    expect(!typo.ok && typo.error.message).toMatch(/value 5 is not valid/)
    expect(resolveGrid(BASE, 'b.json', ['seed=1', 'seed=2']).ok).toBe(false)
  })
})

describe('grid points', () => {
  it('enumerate the cartesian product with the last axis fastest', () => {
    const a = axes('reporting.order=5,7,9', 'reporting.delayMs=100,500')
    expect(gridSize(a)).toBe(6)
    expect(Array.from({ length: 6 }, (_, k) => gridPoint(a, k).values)).toEqual([
      [5, 100], [5, 500], [7, 100], [7, 500], [9, 100], [9, 500],
    ])
  })

  it('give valid experiment documents with the point values set', () => {
    const a = axes('reporting.order=5,7,9', 'guest.kernel=5.10,6.6')
    const doc = pointDocument(BASE, a, gridPoint(a, 3))
    const e = ExperimentSchema.parse(doc)
    expect([e.reporting.order, e.guest.kernel]).toEqual([7, '6.6'])
    expect(BASE).not.toHaveProperty('reporting')
  })
})

describe('shards', () => {
  it('parse i/N with i counted from 0', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 })
    expect(() => parseShard('4/4')).toThrow(/0 <= i < N/)
    expect(() => parseShard('1-4')).toThrow(/expected i\/N/)
    expect(() => parseShard('0/0')).toThrow(/0 <= i < N/)
  })

  it('take every N-th point: 10 points over 3 shards', () => {
    expect([0, 1, 2].map((i) => shardIndices(10, { index: i, count: 3 }))).toEqual([[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]])
  })

  it('cover the whole grid exactly once, whatever the grid and the shard count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 64 }), (total, count) => {
        const all = Array.from({ length: count }, (_, index) => shardIndices(total, { index, count })).flat()
        expect(all).toHaveLength(total)
        expect(new Set(all).size).toBe(total)
        expect(all.every((k) => k >= 0 && k < total)).toBe(true)
        const sizes = Array.from({ length: count }, (_, index) => shardIndices(total, { index, count }).length)
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
      }),
    )
  })
})

describe('worker pool', () => {
  const entry = join(__dirname, '../../test/fixtures/sweep/fake_sweep_worker.ts')
  const job = (k: number, name: string): SweepJob => ({
    k,
    experiment: ExperimentSchema.parse({ ...BASE, name, reporting: { order: k % 11, delayMs: 100 * (k + 1) } }),
    outDir: join(dir, `point-${k}`),
    check: false,
  })

  it('runs every point once on 2 workers and reports progress; a failing or crashing point fails alone', async () => {
    const jobs = [job(0, 'a'), job(1, 'crash'), job(2, 'b'), job(3, 'fail'), job(4, 'c'), job(5, 'd')]
    const seen: number[] = []
    const progressed = new Set<number>()
    const outcomes = await runSweepJobs(jobs, { workers: 2, entry, onOutcome: (o) => seen.push(o.k), onProgress: (k) => progressed.add(k) })
    expect(outcomes.map((o) => [o.k, o.ok])).toEqual([[0, true], [1, false], [2, true], [3, false], [4, true], [5, true]])
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4, 5])
    expect([...progressed].sort()).toEqual([0, 2, 4, 5])
    const crashed = outcomes[1]
    expect(!crashed.ok && crashed.error).toBe('worker exited with code 3')
    const failed = outcomes[3]
    expect(!failed.ok && failed.error).toBe('engine said no')
    const ok5 = outcomes[5]
    expect(ok5.ok && ok5.summary.first_report_ms).toBe(600)
    expect(JSON.parse(readFileSync(join(dir, 'point-5', 'summary.json'), 'utf8')).report_calls).toBe(5)
  })

  it('resolves at once with no jobs', async () => {
    expect(await runSweepJobs([], { entry })).toEqual([])
  })
})

describe('sweep.csv', () => {
  it('has point, the axes, status, the summary figures then extras, error; rows by point', () => {
    const a = axes('reporting.order=null,9', 'guest.kernel=6.6')
    const summary = (x: number): RunSummary => ({ first_report_ms: x, report_calls: 2, reported_kib_total: 3, peak_host_rss_kib: 4, final_host_rss_kib: 5, sim_ms: 6, wall_ms: 7, events_processed: 8, zz: 'note', aa: null })
    const csv = sweepCsv(a, [
      { point: gridPoint(a, 1), outcome: { k: 1, ok: false, error: 'boom, "quoted"' } },
      { point: gridPoint(a, 0), outcome: { k: 0, ok: true, summary: summary(2000) } },
    ])
    expect(csv.split('\n')).toEqual([
      'point,reporting.order,guest.kernel,status,first_report_ms,report_calls,reported_kib_total,peak_host_rss_kib,final_host_rss_kib,sim_ms,wall_ms,events_processed,aa,zz,error',
      '0,null,6.6,ok,2000,2,3,4,5,6,7,8,,note,',
      '1,9,6.6,failed,,,,,,,,,,,"boom, ""quoted"""',
      '',
    ])
  })
})
