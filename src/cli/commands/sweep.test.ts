import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { parse } from 'csv-parse/sync'
import { sweep } from './sweep'

const entry = join(__dirname, '../../../test/fixtures/sweep/fake_sweep_worker.ts')
const dir = mkdtempSync(join(tmpdir(), 'prlab-sweep-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const experiment = join(dir, 'base.prlab.json')
writeFileSync(
  experiment,
  JSON.stringify({ format: 'page-reporting-lab/experiment', version: 1, name: 'base', durationMs: 5000, guest: { memoryMiB: 1024 } }),
)

let stderr: string[] = []
let stdout: string[] = []
beforeEach(() => {
  stderr = []
  stdout = []
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (stderr.push(String(s)), true))
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (stdout.push(String(s)), true))
  vi.spyOn(console, 'error').mockImplementation((s) => void stderr.push(String(s)))
})
afterEach(() => vi.restoreAllMocks())

const run = (...argv: string[]) => sweep(argv, { entry })
const csv = (path: string): string[][] => parse(readFileSync(path, 'utf8')) as string[][]
const GRID = ['--grid', 'reporting.order=5,7,9', '--grid', 'reporting.delayMs=100,500']

describe('prlab sweep', () => {
  it('writes one folder per point and sweep.csv with the grid and summary columns', async () => {
    const out = join(dir, 'whole')
    expect(await run(experiment, ...GRID, '--out', out, '--jobs', '2')).toBe(0)
    expect(readdirSync(out).sort()).toEqual(['point-0', 'point-1', 'point-2', 'point-3', 'point-4', 'point-5', 'sweep.csv', 'sweep.json'])
    const point3 = JSON.parse(readFileSync(join(out, 'point-3', 'experiment.prlab.json'), 'utf8'))
    expect(point3.reporting).toEqual({ order: 7, delayMs: 500 })
    expect(existsSync(join(out, 'point-3', 'summary.json'))).toBe(true)
    const table = csv(join(out, 'sweep.csv'))
    expect(table[0].slice(0, 5)).toEqual(['point', 'reporting.order', 'reporting.delayMs', 'status', 'first_report_ms'])
    expect(table.slice(1).map((r) => r.slice(0, 5))).toEqual([
      ['0', '5', '100', 'ok', '100'],
      ['1', '5', '500', 'ok', '500'],
      ['2', '7', '100', 'ok', '100'],
      ['3', '7', '500', 'ok', '500'],
      ['4', '9', '100', 'ok', '100'],
      ['5', '9', '500', 'ok', '500'],
    ])
  })

  it('shards cover the grid once and --merge joins them into the same sweep.csv', async () => {
    const out = join(dir, 'sharded')
    for (const i of [2, 0, 1]) expect(await run(experiment, ...GRID, '--out', out, '--shard', `${i}/3`)).toBe(0)
    expect(csv(join(out, 'sweep.shard-1-of-3.csv')).slice(1).map((r) => r[0])).toEqual(['1', '4'])
    expect(await run('--merge', out)).toBe(0)
    const merged = csv(join(out, 'sweep.csv'))
    // the same grid unsharded, run here: the first test's folder need not exist when this one runs
    const unsharded = join(dir, 'unsharded')
    expect(await run(experiment, ...GRID, '--out', unsharded)).toBe(0)
    const whole = csv(join(unsharded, 'sweep.csv'))
    const strip = (t: string[][]) => t.map((r) => r.filter((_, c) => t[0][c] !== 'wall_ms'))
    expect(strip(merged)).toEqual(strip(whole))
  })

  it('--merge refuses while a shard is missing', async () => {
    const out = join(dir, 'partial')
    expect(await run(experiment, ...GRID, '--out', out, '--shard', '0/2')).toBe(0)
    expect(await run('--merge', out)).toBe(2)
    expect(stderr.join('')).toMatch(/shard\(s\) 1\/2 have not written their CSV yet/)
  })

  it('--list prints the points of a shard without running', async () => {
    expect(await run(experiment, ...GRID, '--shard', '1/4', '--list')).toBe(0)
    expect(stdout.join('')).toBe('point,reporting.order,reporting.delayMs\n1,5,500\n5,9,500\n')
  })

  it('refuses an existing point folder unless --resume (keeps it) or --force (reruns it)', async () => {
    const out = join(dir, 'again')
    expect(await run(experiment, '--grid', 'reporting.order=5,7', '--out', out)).toBe(0)
    expect(await run(experiment, '--grid', 'reporting.order=5,7', '--out', out)).toBe(2)
    expect(stderr.join('')).toMatch(/point-0 exists; pass --resume/)
    writeFileSync(join(out, 'point-1', 'summary.json'), JSON.stringify({ first_report_ms: 42 }))
    expect(await run(experiment, '--grid', 'reporting.order=5,7', '--out', out, '--resume')).toBe(0)
    expect(csv(join(out, 'sweep.csv'))[2][3]).toBe('42')
    expect(await run(experiment, '--grid', 'reporting.order=5,7', '--out', out, '--force')).toBe(0)
    expect(csv(join(out, 'sweep.csv'))[2][3]).toBe('2000')
    expect(await run(experiment, '--grid', 'reporting.order=5,9', '--out', out, '--resume')).toBe(2)
    expect(stderr.join('')).toMatch(/holds another sweep/)
  })

  it('exits 1 when a point fails, and records it in sweep.csv', async () => {
    const out = join(dir, 'failing')
    expect(await run(experiment, '--grid', 'name=ok,fail', '--out', out)).toBe(1)
    const table = csv(join(out, 'sweep.csv'))
    expect(table[2][2]).toBe('failed')
    expect(table[2][table[0].indexOf('error')]).toBe('engine said no')
  })

  it('exits 2 on invalid input: bad grid value, bad shard, missing --out, unknown option, missing file', async () => {
    expect(await run(experiment, '--grid', 'reporting.order=5,12', '--out', join(dir, 'x'))).toBe(2)
    expect(stderr.join('')).toMatch(/--grid reporting\.order: value 12 is not valid/)
    expect(await run(experiment, ...GRID, '--out', join(dir, 'x'), '--shard', '3/3')).toBe(2)
    expect(await run(experiment, ...GRID)).toBe(2)
    expect(await run(experiment, ...GRID, '--out', join(dir, 'x'), '--bogus')).toBe(2)
    expect(await run(join(dir, 'nope.json'), ...GRID, '--out', join(dir, 'x'))).toBe(2)
    expect(existsSync(join(dir, 'x'))).toBe(false)
  })
})
