// The run library: runs kept whole, read back exactly, renamed and deleted, bounded by its
// policy (oldest first, the newest always kept), and nothing broken or half-written is listed.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { COL, NR_SAMPLE_COLUMNS, SAMPLE_COLUMNS, type SimEvent } from '../common/samples'
import { RunLibrary, type RunToKeep } from './run_library'

let dir = ''
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'prlab-library-'))))
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function run(name: string, rows: number, over: Partial<RunToKeep> = {}): RunToKeep {
  const data = new Float64Array(rows * NR_SAMPLE_COLUMNS)
  for (let r = 0; r < rows; r++) {
    data[r * NR_SAMPLE_COLUMNS + COL.t_ms] = r * 100
    data[r * NR_SAMPLE_COLUMNS + COL.free_kib] = 1000 - r
  }
  const events: SimEvent[] = [{ t_ms: 0, kind: 'phase', detail: 'alloc' }]
  return { id: randomUUID(), name, state: 'finished', source: 'lab', document: { format: 'page-reporting-lab/experiment', version: 1, guest: { memoryMiB: 512 } }, summary: { first_report_ms: 2000, report_calls: 3, reported_kib_total: 1, peak_host_rss_kib: 2, final_host_rss_kib: 1, sim_ms: 100, wall_ms: 1, events_processed: 9, returned_kib: 5 }, end_ms: rows * 100, columns: SAMPLE_COLUMNS, rows, data, events, ...over }
}

describe('run library', () => {
  it('keeps a run and reads back its rows, events, summary and experiment exactly', async () => {
    const lib = new RunLibrary(join(dir, 'runs'))
    const r = run('first', 5000)
    const info = await lib.keep(r)
    expect(info).toMatchObject({ id: r.id, name: 'first', rows: 5000, events: 1, state: 'finished', hasExperiment: true, sim_ms: 499_900 })
    expect(info.figures?.returned_kib).toBe(5)
    const listing = await lib.list()
    expect(listing.runs.map((x) => x.id)).toEqual([r.id])
    expect(listing.usedBytes).toBe(info.bytes)
    const slice = await lib.rows(r.id, 4095, 3)
    expect(Array.from(slice)).toEqual(Array.from(r.data.subarray(4095 * NR_SAMPLE_COLUMNS, 4098 * NR_SAMPLE_COLUMNS)))
    const opened = await lib.open(r.id)
    expect(opened.events).toEqual(r.events)
    expect(opened.summary?.first_report_ms).toBe(2000)
    expect((await lib.experiment(r.id))?.guest.memoryMiB).toBe(512)
    expect(Array.from(await lib.times(r.id)).slice(0, 3)).toEqual([0, 100, 200])
  })

  it('reads columns it did not record as NaN, and refuses rows it does not have', async () => {
    const lib = new RunLibrary(dir)
    const r = run('csv', 3, { columns: ['t_ms', 'free_kib'], data: Float64Array.from([0, 9, 100, 8, 200, 7]) })
    await lib.keep(r)
    const rows = await lib.rows(r.id, 1, 2)
    expect(rows[COL.t_ms]).toBe(100)
    expect(rows[COL.free_kib]).toBe(8)
    expect(Number.isNaN(rows[COL.host_rss_kib])).toBe(true)
    await expect(lib.rows(r.id, 2, 2)).rejects.toThrow(/which has 3/)
  })

  it('renames and deletes; a deleted or unknown run says so', async () => {
    const lib = new RunLibrary(dir)
    const r = run('old name', 10)
    await lib.keep(r)
    expect((await lib.rename(r.id, 'new name')).name).toBe('new name')
    expect((await lib.list()).runs[0].name).toBe('new name')
    await lib.remove(r.id)
    expect((await lib.list()).runs).toEqual([])
    await expect(lib.open(r.id)).rejects.toMatchObject({ code: 'not-found' })
    await expect(lib.open('../../etc')).rejects.toMatchObject({ code: 'not-found' })
    expect(readdirSync(dir)).toEqual([])
  })

  it('deletes the oldest runs past the count or the bytes, and always keeps the newest', async () => {
    const lib = new RunLibrary(dir, { maxRuns: 2 })
    const ids: string[] = []
    for (const name of ['a', 'b', 'c']) {
      const r = run(name, 100)
      ids.push(r.id)
      await lib.keep(r)
      await new Promise((res) => setTimeout(res, 5))
    }
    expect((await lib.list()).runs.map((x) => x.name)).toEqual(['c', 'b'])
    const tiny = new RunLibrary(join(dir, 'tiny'), { maxBytes: 1 })
    await tiny.keep(run('x', 100))
    await new Promise((res) => setTimeout(res, 5))
    await tiny.keep(run('y', 100))
    expect((await tiny.list()).runs.map((x) => x.name)).toEqual(['y'])
  })

  it('does not list a half-written or broken run folder', async () => {
    const lib = new RunLibrary(dir)
    await lib.keep(run('good', 10))
    const id = randomUUID()
    mkdirSync(join(dir, `.incoming-${id}-1`))
    mkdirSync(join(dir, id))
    writeFileSync(join(dir, id, 'run.json'), '{"format": "page-reporting-lab/run", "version": 1, "id": "nope"}')
    mkdirSync(join(dir, randomUUID()))
    expect((await lib.list()).runs.map((x) => x.name)).toEqual(['good'])
    await expect(lib.open(id)).rejects.toMatchObject({ code: 'invalid' })
  })
})
