// A `prlab run --out` folder opens as a run: read back exactly, and every malformed file is
// refused with its name, line and column.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parse } from 'csv-parse/sync'
import { SAMPLE_COLUMNS } from '../common/samples'
import { validateDocument } from './experiment_io'
import { runHeadless } from './run_headless'
import { parseEventsCsv, parseSamplesCsv, parseSummaryJson, runFromFolder, runFromUploads } from './run_folder'

const dir = mkdtempSync(join(tmpdir(), 'prlab-run-folder-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('run folder', () => {
  it('a folder prlab run wrote reads back with every row, event, the summary and the experiment', async () => {
    const doc = { format: 'page-reporting-lab/experiment', version: 1, name: 'folder run', durationMs: 5000, guest: { memoryMiB: 512 }, workload: { phases: [{ op: 'alloc', mib: 256 }, { op: 'free', fraction: 1 }] } }
    const valid = validateDocument(doc)
    if (!valid.ok) throw new Error(valid.error.message)
    const out = join(dir, 'out')
    const summary = await runHeadless(valid.value, out, { writeExperiment: true })
    const read = await runFromFolder(out, 'folder')
    if (!read.ok) throw new Error(read.error.message)
    const run = read.value
    expect(run.name).toBe('folder run')
    expect(run.end_ms).toBe(5000)
    expect(run.columns).toEqual([...SAMPLE_COLUMNS])
    const csv = parse(readFileSync(join(out, 'samples.csv'), 'utf8')) as string[][]
    expect(run.rows).toBe(csv.length - 1)
    expect(run.data[run.columns.length * 10 + run.columns.indexOf('free_kib')]).toBe(Number(csv[11][SAMPLE_COLUMNS.indexOf('free_kib')]))
    expect(run.summary?.report_calls).toBe(summary.report_calls)
    expect(run.events.length).toBe((parse(readFileSync(join(out, 'events.csv'), 'utf8')) as string[][]).length - 1)
    expect(validateDocument(run.document).ok).toBe(true)
  })

  it('refuses what is not a samples.csv, naming the line and the column', () => {
    expect(parseSamplesCsv('samples.csv', 'a,b\n1,2\n')).toMatchObject({ ok: false, error: { message: expect.stringMatching(/no t_ms column/) } })
    expect(parseSamplesCsv('samples.csv', 't_ms,free_kib\n0,10\n100,ten\n')).toMatchObject({ ok: false, error: { file: 'samples.csv', message: expect.stringMatching(/column free_kib: "ten" is not a number/), issues: [{ line: 3 }] } })
    expect(parseSamplesCsv('samples.csv', 't_ms,free_kib\n100,1\n100,2\n')).toMatchObject({ ok: false, error: { message: expect.stringMatching(/strictly increase/), issues: [{ line: 3 }] } })
    expect(parseSamplesCsv('samples.csv', 't_ms,free_kib\n0,1\n100\n')).toMatchObject({ ok: false })
    expect(parseSamplesCsv('samples.csv', 't_ms,t_ms\n0,1\n')).toMatchObject({ ok: false, error: { message: expect.stringMatching(/named twice/) } })
    const ok = parseSamplesCsv('samples.csv', 't_ms,free_kib,mystery\n0,,1\n100,5,2\n')
    expect(ok.ok && ok.value.ignored).toEqual(['mystery'])
    expect(ok.ok && Number.isNaN(ok.value.data[1])).toBe(true)
  })

  it('refuses unknown event kinds and zones, and a summary that is not an object of figures', () => {
    expect(parseEventsCsv('events.csv', 't_ms,kind,zone\n0,explode,\n')).toMatchObject({ ok: false, error: { message: expect.stringMatching(/not an event the lab records/) } })
    expect(parseEventsCsv('events.csv', 't_ms,kind,zone\n0,report,HighMem\n')).toMatchObject({ ok: false, error: { message: expect.stringMatching(/zone "HighMem"/) } })
    expect(parseEventsCsv('events.csv', 't_ms,kind,order\n0,report,x\n')).toMatchObject({ ok: false })
    expect(parseSummaryJson('summary.json', '[1,2]')).toMatchObject({ ok: false })
    expect(parseSummaryJson('summary.json', '{"a": {"b": 1}}')).toMatchObject({ ok: false })
    expect(parseSummaryJson('summary.json', '{"__proto__": 1}')).toMatchObject({ ok: false })
  })

  it('uploads: only the folder\'s own file names count; without samples.csv it says what a run folder is', () => {
    const none = runFromUploads([{ name: 'notes.txt', text: 'hello' }])
    expect(none).toMatchObject({ ok: false, error: { message: expect.stringMatching(/has no samples.csv/) } })
    const bad = runFromUploads([
      { name: 'run/samples.csv', text: 't_ms,free_kib\n0,1\n' },
      { name: 'run/experiment.prlab.json', text: '{"format": "nope"}' },
    ])
    expect(bad).toMatchObject({ ok: false, error: { file: 'experiment.prlab.json' } })
    const good = runFromUploads([{ name: 'run/samples.csv', text: 't_ms,free_kib\n0,1\n100,2\n' }])
    expect(good.ok && good.value.document).toBe(null)
    expect(good.ok && good.value.end_ms).toBe(100)
  })

  it('a samples.csv that is a FIFO or a directory is refused at once, not read', async () => {
    const fifo = join(dir, 'fifo')
    mkdirSync(fifo)
    execFileSync('mkfifo', [join(fifo, 'samples.csv')])
    expect(await runFromFolder(fifo, 'folder')).toMatchObject({ ok: false, error: { code: 'io', message: expect.stringMatching(/not a regular file \(a FIFO\)/) } })
    const nested = join(dir, 'nested')
    mkdirSync(join(nested, 'samples.csv'), { recursive: true })
    expect(await runFromFolder(nested, 'folder')).toMatchObject({ ok: false, error: { message: expect.stringMatching(/a directory/) } })
    const empty = join(dir, 'empty')
    mkdirSync(empty)
    writeFileSync(join(empty, 'notes.txt'), 'x')
    expect(await runFromFolder(empty, 'folder')).toMatchObject({ ok: false, error: { message: expect.stringMatching(/has no samples.csv/) } })
  })
})
