import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parse } from 'csv-parse/sync'
import { groupPasses, isScenarioName, listScenarioInfos, openScenario } from './scenario_open'
import { LabValidation } from './lab_validation'
import { toValidationReport } from './report'
import { defaultValidationDir, validateScenario } from './validate'

const dir = defaultValidationDir()
const csv = (path: string): Record<string, string>[] => parse(readFileSync(path, 'utf8'), { columns: true }) as Record<string, string>[]
const tmp = mkdtempSync(join(tmpdir(), 'prlab-validation-open-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('validation scenarios in the app', () => {
  it('lists every scenario folder with its guest from meta.json', () => {
    const infos = listScenarioInfos(dir)
    expect(infos.map((i) => i.name)).toEqual(['churn', 'free_all', 'free_stripe_256k', 'free_stripe_nothp', 'trace_small'])
    const freeAll = infos.find((i) => i.name === 'free_all')
    expect(freeAll).toMatchObject({ kernel: '6.1.0-56-amd64', accel: 'tcg', memory: '1G', cpus: 2, script: 'idle 20s; alloc 600M; touch; hold 5s; free; idle 60s' })
    expect(listScenarioInfos(join(tmp, 'nothing-here'))).toEqual([])
  })

  it('opens free_all: the real RSS as in real-host-rss.csv, buddyinfo.csv per zone at its guest times, the passes of reports.csv', async () => {
    const opened = await openScenario(dir, 'free_all')
    if (!opened.ok) throw new Error(opened.error.message)
    const s = opened.value
    expect(s.loaded.fileName).toBe('free_all.prlab.json')
    expect(s.loaded.path).toBeUndefined()
    expect(s.loaded.experiment.guest.memoryMiB).toBe(1024)

    const rss = csv(join(dir, 'free_all', 'real-host-rss.csv'))
    expect(s.rss.t_ms).toEqual(rss.map((r) => Number(r.t_ms)))
    expect(s.rss.rss_kib).toEqual(rss.map((r) => Number(r.rss_kib)))

    const buddy = csv(join(dir, 'free_all', 'buddyinfo.csv'))
    expect(s.buddyinfo.zones).toEqual(['DMA', 'DMA32'])
    expect(s.buddyinfo.nr_free.length).toBe(buddy.length / 2)
    // snapshot k is rows 2k (DMA) and 2k+1 (DMA32), at guest_ms relative to the first
    for (const k of [0, 100, buddy.length / 2 - 1]) {
      expect(s.buddyinfo.nr_free[k][0]).toEqual(Array.from({ length: 11 }, (_, o) => Number(buddy[2 * k][`order${o}`])))
      expect(s.buddyinfo.nr_free[k][1]).toEqual(Array.from({ length: 11 }, (_, o) => Number(buddy[2 * k + 1][`order${o}`])))
      expect(s.buddyinfo.t_ms[k]).toBeCloseTo(Number(buddy[2 * k].guest_ms) - Number(buddy[0].guest_ms), 6)
    }
    // on the experiment's axis: time 0 is the balloon driver's registration (balloon_loaded) or the script's start
    const events = csv(join(dir, 'free_all', 'events.csv'))
    const zero = Number((events.find((e) => e.event.startsWith('balloon_loaded')) ?? events.find((e) => e.event === 'script_start'))?.guest_ms)
    expect(s.buddyinfo.origin_ms).toBeCloseTo(Number(buddy[0].guest_ms) - zero, 6)

    // reports.csv: 12 calls; the free's drain is three passes of 256, 256 and 72 MiB (docs/validation.md), 2 s apart
    const reports = csv(join(dir, 'free_all', 'reports.csv'))
    expect(s.passes.reduce((n, p) => n + p.calls, 0)).toBe(reports.length)
    const drain = s.passes.filter((p) => p.mib >= 72)
    expect(drain.slice(-3).map((p) => p.mib)).toEqual([256, 256, 72])
    expect(drain[drain.length - 1].t_ms - drain[drain.length - 3].t_ms).toBeCloseTo(6034 - 2004, -2)
  })

  it('groups report() calls less than a second apart', () => {
    expect(groupPasses([{ t_ms: 0, v: 128 }, { t_ms: 5, v: 128 }, { t_ms: 2010, v: 72 }, { t_ms: 2900, v: 4 }, { t_ms: 5000, v: 1 }])).toEqual([
      { t_ms: 0, calls: 2, mib: 256 },
      { t_ms: 2010, calls: 2, mib: 76 },
      { t_ms: 5000, calls: 1, mib: 1 },
    ])
  })

  it('refuses names that are not scenario folders, and never touches the file system for a path', async () => {
    for (const name of ['../examples', 'free_all/../churn', '/etc', '', 'scenarios', '.hidden']) {
      const r = await openScenario(dir, name)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('not-found')
    }
    expect(isScenarioName('free_stripe_256k')).toBe(true)
    expect(isScenarioName('a/b')).toBe(false)
  })

  it('a broken recording file is an error naming the file, the line and what was expected', async () => {
    cpSync(join(dir, 'free_all'), join(tmp, 'free_all'), { recursive: true })
    const path = join(tmp, 'free_all', 'buddyinfo.csv')
    const lines = readFileSync(path, 'utf8').split('\n')
    lines[3] = lines[3].replace(/^([^,]+,[^,]+,)\d+/, '$1lots')
    writeFileSync(path, lines.join('\n'))
    const r = await openScenario(tmp, 'free_all')
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toBe(`${path}:4: order0 must be a number, got "lots"`)

    writeFileSync(join(tmp, 'free_all', 'real-host-rss.csv'), 't_ms,rss_kib\n0,1\nzero,2\n')
    cpSync(join(dir, 'free_all', 'buddyinfo.csv'), path)
    const rss = await openScenario(tmp, 'free_all')
    expect(rss.ok).toBe(false)
    if (!rss.ok) expect(JSON.stringify(rss.error)).toMatch(/real-host-rss\.csv.*line.*3|"line":3/)
  })

  it('the checks the app shows are those npm run validate prints, computed in a worker thread', async () => {
    const lab = new LabValidation(dir, new URL('./validation_worker.ts', import.meta.url))
    const [viaWorker, direct] = await Promise.all([lab.validationChecks('free_all'), validateScenario(dir, 'free_all')])
    if (!viaWorker.ok) throw new Error(viaWorker.error.message)
    expect(viaWorker.value).toEqual(toValidationReport(direct))
    expect(viaWorker.value.checked).toBe(24)
    expect(viaWorker.value.passed).toBe(24)
    expect((await lab.validationChecks('../free_all')).ok).toBe(false)
  }, 60_000)
})
