import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ExperimentSchema, type Experiment, type ExperimentInput } from '../common/experiment'
import { COL } from '../common/samples'
import { importFile } from './import/index'
import { runHeadless } from './run_headless'
import { resolveRunInputs, type UploadLookup } from './run_inputs'
import type { ImportedData } from '../common/imports'

const ROOT = join(import.meta.dirname, '..', '..')
const FIXTURES = join(ROOT, 'test', 'fixtures', 'imports')
const EXAMPLES = join(ROOT, 'resources', 'examples')

type Over = Omit<ExperimentInput, 'format' | 'version' | 'guest'> & { guest?: Partial<ExperimentInput['guest']> }

function experiment(over: Over = {}): Experiment {
  return ExperimentSchema.parse({ format: 'page-reporting-lab/experiment', version: 2, ...over, guest: { memoryMiB: 1024, ...over.guest } })
}

const replayOf = (file: string, over: Over = {}): Experiment =>
  experiment({ durationMs: 3000, workload: { phases: [{ op: 'idle', ms: 100 }, { op: 'replay', file }] }, ...over })

async function imported(kind: 'ftrace' | 'buddyinfo', file: string): Promise<ImportedData> {
  const r = await importFile(kind, join(FIXTURES, file))
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

const dirs: string[] = []
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

describe('resolveRunInputs', () => {
  it('nothing to resolve: undefined, no file touched', async () => {
    expect(await resolveRunInputs(experiment(), { baseDir: '/nonexistent' })).toEqual({ ok: true, value: undefined })
  })

  it('imports the trace of each replay phase and the buddyinfo snapshot, relative to the base directory', async () => {
    const exp = replayOf('ftrace-6.6-trace.txt', { guest: { initialFreeState: { file: 'buddyinfo-series.txt', snapshot: 2 } } })
    const r = await resolveRunInputs(exp, { baseDir: FIXTURES })
    if (!r.ok) throw new Error(r.error.message)
    const inputs = r.value
    expect(inputs?.replays).toHaveLength(2)
    expect(inputs?.replays[0]).toBeNull()
    expect(inputs?.replays[1]?.count).toBe(6)
    expect(inputs?.initialFree?.source).toBe('buddyinfo-series.txt, snapshot 2 of 0..4 (t = 2.001 s)')
    expect(inputs?.initialFree?.zones.map((z) => z.zone)).toEqual(['DMA', 'DMA32'])
  })

  it('snapshot null takes the last one; an index past the end names guest.initialFreeState.snapshot', async () => {
    const last = await resolveRunInputs(experiment({ guest: { initialFreeState: { file: 'buddyinfo-series.txt' } } }), { baseDir: FIXTURES })
    const series = (await imported('buddyinfo', 'buddyinfo-series.txt')) as Extract<ImportedData, { kind: 'buddyinfo' }>
    expect(last.ok && last.value?.initialFree?.zones[1].nr_free).toEqual(series.nr_free[4][1])
    const past = await resolveRunInputs(experiment({ guest: { initialFreeState: { file: 'buddyinfo-6.6.txt', snapshot: 3 } } }), { baseDir: FIXTURES })
    expect(past.ok).toBe(false)
    if (past.ok) return
    expect(past.error.message).toBe('guest.initialFreeState.snapshot: buddyinfo-6.6.txt has one snapshot (0), not 3')
    expect(past.error.issues?.[0].path).toBe('guest.initialFreeState.snapshot')
  })

  it('a missing file, a directory and a file of another kind fail naming the field; nothing throws', async () => {
    const missing = await resolveRunInputs(replayOf('trace.txt'), { baseDir: FIXTURES })
    expect(missing.ok).toBe(false)
    if (missing.ok) return
    expect(missing.error.code).toBe('not-found')
    expect(missing.error.message).toMatch(/^workload\.phases\[1\]\.file: cannot read trace\.txt: ENOENT/)
    expect(missing.error.issues).toEqual([{ path: 'workload.phases[1].file', message: expect.stringMatching(/^cannot read trace\.txt/) }])

    const dir = await resolveRunInputs(replayOf('.'), { baseDir: FIXTURES })
    expect(!dir.ok && dir.error.message).toMatch(/^workload\.phases\[1\]\.file: cannot read \.: /)

    const garbage = await resolveRunInputs(replayOf('buddyinfo-6.6.txt'), { baseDir: FIXTURES })
    expect(garbage.ok).toBe(false)
    if (garbage.ok) return
    expect(garbage.error.code).toBe('invalid')
    expect(garbage.error.message).toMatch(/^workload\.phases\[1\]\.file: cannot use buddyinfo-6\.6\.txt: /)

    const snapshot = await resolveRunInputs(experiment({ guest: { initialFreeState: { file: 'ftrace-6.6-trace.txt' } } }), { baseDir: FIXTURES })
    expect(!snapshot.ok && snapshot.error.message).toMatch(/^guest\.initialFreeState\.file: cannot use ftrace-6\.6-trace\.txt: /)
  })

  it('with a base directory, a session import stands in for a file not next to the experiment', async () => {
    const uploads = new Map<string, ImportedData>([['kmem.txt', { ...(await imported('ftrace', 'ftrace-5.10-trace.txt')), fileName: 'kmem.txt' }]])
    const r = await resolveRunInputs(replayOf('kmem.txt'), { baseDir: FIXTURES, uploads })
    expect(r.ok && r.value?.replays[1]?.fileName).toBe('kmem.txt')
    // the file on disk wins over an import of the same name
    const disk = await resolveRunInputs(replayOf('ftrace-6.6-trace.txt'), { baseDir: FIXTURES, uploads: new Map([['ftrace-6.6-trace.txt', await imported('buddyinfo', 'buddyinfo-6.6.txt')]]) })
    expect(disk.ok && disk.value?.replays[1]?.kind).toBe('ftrace')
  })

  it('without a base directory: this session imports by file name, then the examples folder, never elsewhere', async () => {
    const uploads = new Map<string, ImportedData>([
      ['kmem.txt', { ...(await imported('ftrace', 'ftrace-5.10-trace.txt')), fileName: 'kmem.txt' }],
      ['buddyinfo.txt', await imported('buddyinfo', 'buddyinfo-6.6.txt')],
    ])
    const r = await resolveRunInputs(replayOf('some/dir/kmem.txt', { guest: { initialFreeState: { file: 'buddyinfo.txt' } } }), { baseDir: null, uploads })
    expect(r.ok && r.value?.replays[1]?.fileName).toBe('kmem.txt')
    expect(r.ok && r.value?.initialFree?.source).toBe('buddyinfo.txt')

    const wrongKind = await resolveRunInputs(replayOf('buddyinfo.txt'), { baseDir: null, uploads })
    expect(!wrongKind.ok && wrongKind.error.message).toBe('workload.phases[1].file: buddyinfo.txt was imported as a /proc/buddyinfo file; expected a kmem ftrace')

    const notUploaded = await resolveRunInputs(replayOf('ftrace-6.6-trace.txt'), { baseDir: null, uploads })
    expect(!notUploaded.ok && notUploaded.error.message).toMatch(/^workload\.phases\[1\]\.file: ftrace-6\.6-trace\.txt is not among the files imported in this session/)

    const bundled = await resolveRunInputs(replayOf('traces/cc1-exit-1g.trace.txt'), { baseDir: null, uploads, bundledDir: EXAMPLES })
    expect(bundled.ok && bundled.value?.replays[1]?.count).toBe(730)
    // a real file outside the examples folder is never read
    const escape = await resolveRunInputs(replayOf('../../test/fixtures/imports/ftrace-6.6-trace.txt'), { baseDir: null, bundledDir: EXAMPLES })
    expect(!escape.ok && escape.error.code).toBe('not-found')
    const absolute = await resolveRunInputs(replayOf(join(FIXTURES, 'ftrace-6.6-trace.txt')), { baseDir: null, bundledDir: EXAMPLES })
    expect(!absolute.ok && absolute.error.code).toBe('not-found')
  })

  it('names every field that fails at once, each with its own message', async () => {
    const exp = experiment({ durationMs: 3000, guest: { initialFreeState: { file: 'nowhere.txt' } }, workload: { phases: [{ op: 'replay', file: 'gone.txt' }, { op: 'replay', file: 'buddyinfo-6.6.txt' }] } })
    const r = await resolveRunInputs(exp, { baseDir: FIXTURES })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('not-found')
    expect(r.error.issues?.map((i) => i.path)).toEqual(['workload.phases[0].file', 'workload.phases[1].file', 'guest.initialFreeState.file'])
    expect(r.error.message).toMatch(/^workload\.phases\[0\]\.file: cannot read gone\.txt: ENOENT.*; workload\.phases\[1\]\.file: cannot use buddyinfo-6\.6\.txt: .*; guest\.initialFreeState\.file: cannot read nowhere\.txt: ENOENT/)
  })

  it('without a base directory, the files uploaded with a host file come first; what they refuse fails, what they lack falls through', async () => {
    const session = await imported('ftrace', 'ftrace-5.10-trace.txt')
    const chosen = await imported('ftrace', 'ftrace-6.6-trace.txt')
    const uploadedWith = {
      find: (name: string): UploadLookup =>
        name === 'chosen.txt' ? { kind: 'found', data: chosen } : name === 'broken.txt' ? { kind: 'failed', code: 'invalid', message: 'broken.txt: line 3: no' } : { kind: 'absent', why: `is not among the files chosen with the host file (looked for h/${name})` },
    }
    const uploads = new Map<string, ImportedData>([['session.txt', session], ['chosen.txt', session]])
    const first = await resolveRunInputs(replayOf('chosen.txt'), { baseDir: null, uploads, uploadedWith })
    expect(first.ok && first.value?.replays[1]).toBe(chosen)
    const fallback = await resolveRunInputs(replayOf('session.txt'), { baseDir: null, uploads, uploadedWith })
    expect(fallback.ok && fallback.value?.replays[1]).toBe(session)
    const broken = await resolveRunInputs(replayOf('broken.txt'), { baseDir: null, uploads: new Map([['broken.txt', session]]), uploadedWith })
    expect(!broken.ok && broken.error.message).toBe('workload.phases[1].file: broken.txt: line 3: no')
    const nowhere = await resolveRunInputs(replayOf('other.txt'), { baseDir: null, uploads, uploadedWith, bundledDir: EXAMPLES })
    expect(!nowhere.ok && nowhere.error.message).toBe('workload.phases[1].file: other.txt is not among the files chosen with the host file (looked for h/other.txt), nor among the files imported in this session; choose it together with the host file, or import it (a kmem ftrace) in the Data view first')
  })

  it('desktop: reads from disk only what `readable` allows (file_grants.ts), and says how to import the rest', async () => {
    const trace = join(FIXTURES, 'ftrace-6.6-trace.txt')
    const chosen = (file: string): boolean => file === trace
    const r = await resolveRunInputs(replayOf(trace), { baseDir: null, bundledDir: EXAMPLES, readable: chosen })
    expect(r.ok && r.value?.replays[1]?.fileName).toBe('ftrace-6.6-trace.txt')
    const other = await resolveRunInputs(replayOf(join(FIXTURES, 'ftrace-5.10-trace.txt')), { baseDir: null, bundledDir: EXAMPLES, readable: chosen })
    expect(!other.ok && other.error.message).toMatch(/^workload\.phases\[1\]\.file: \/.*ftrace-5\.10-trace\.txt was not imported in this session and is not in the experiment file's folder; import it \(a kmem ftrace\) in the Data view first/)
    const relative = await resolveRunInputs(replayOf('../../test/fixtures/imports/ftrace-6.6-trace.txt'), { baseDir: null, bundledDir: EXAMPLES, readable: chosen })
    expect(!relative.ok && relative.error.code).toBe('not-found')
    // with the experiment's folder: a name `readable` refuses is never opened, even if it exists
    const refused = await resolveRunInputs(replayOf('ftrace-5.10-trace.txt'), { baseDir: FIXTURES, readable: () => false })
    expect(!refused.ok && refused.error.code).toBe('not-found')
    const allowed = await resolveRunInputs(replayOf('ftrace-5.10-trace.txt'), { baseDir: FIXTURES, readable: (file) => file === join(FIXTURES, 'ftrace-5.10-trace.txt') })
    expect(allowed.ok).toBe(true)
  })
})

describe('an initial free state through runHeadless', () => {
  it('a 1 GiB guest starts from the fixture snapshot: with nothing running, the final buddyinfo.txt is the snapshot byte for byte', async () => {
    const exp = experiment({ durationMs: 500, reporting: { device: 'none' }, guest: { initialFreeState: { file: 'buddyinfo-1g-guest.txt' } } })
    const inputs = await resolveRunInputs(exp, { baseDir: join(ROOT, 'test', 'fixtures', 'inputs') })
    if (!inputs.ok || inputs.value === undefined) throw new Error('inputs')
    const dir = await mkdtemp(join(tmpdir(), 'prlab-initial-'))
    dirs.push(dir)
    await runHeadless(exp, dir, { inputs: inputs.value })
    expect(await readFile(join(dir, 'buddyinfo.txt'), 'utf8')).toBe(await readFile(join(ROOT, 'test', 'fixtures', 'inputs', 'buddyinfo-1g-guest.txt'), 'utf8'))
  })

  it('a snapshot of a series: the 2 GiB guest starts from snapshot 1 of buddyinfo-series.txt', async () => {
    const exp = experiment({ durationMs: 500, reporting: { device: 'none' }, guest: { memoryMiB: 2048, initialFreeState: { file: 'buddyinfo-series.txt', snapshot: 1 } } })
    const inputs = await resolveRunInputs(exp, { baseDir: FIXTURES })
    if (!inputs.ok || inputs.value === undefined) throw new Error('inputs')
    const dir = await mkdtemp(join(tmpdir(), 'prlab-initial-'))
    dirs.push(dir)
    await runHeadless(exp, dir, { inputs: inputs.value })
    const series = (await readFile(join(FIXTURES, 'buddyinfo-series.txt'), 'utf8')).split('\n')
    expect(await readFile(join(dir, 'buddyinfo.txt'), 'utf8')).toBe(`${series[4]}\n${series[5]}\n`)
  })
})

describe('a replay through runHeadless', () => {
  it('same trace and seed give byte-identical samples.csv and events.csv; the replayed pages show in allocated_kib', async () => {
    const exp = replayOf('ftrace-6.6-trace.txt', { recorder: { sampleIntervalMs: 100, allocEvents: true } })
    const outs: string[] = []
    for (let i = 0; i < 2; i++) {
      // each run imports the trace again, as two `prlab run`s would
      const inputs = await resolveRunInputs(exp, { baseDir: FIXTURES })
      if (!inputs.ok || inputs.value === undefined) throw new Error('inputs')
      const dir = await mkdtemp(join(tmpdir(), 'prlab-replay-'))
      dirs.push(dir)
      await runHeadless(exp, dir, { inputs: inputs.value, check: i === 0 })
      outs.push(dir)
    }
    const [a, b] = await Promise.all(outs.map((d) => readFile(join(d, 'samples.csv'), 'utf8')))
    expect(a).toBe(b)
    expect(await readFile(join(outs[0], 'events.csv'), 'utf8')).toBe(await readFile(join(outs[1], 'events.csv'), 'utf8'))
    const rows = a.trim().split('\n').slice(1).map((l) => l.split(',').map(Number))
    const at = (t_ms: number): number[] => rows[t_ms / 100]
    // the replay starts at 100 ms: order 0 + order 2 live (5 pages); at 1.2 s of the trace the
    // order-0 page and page 1 of the order-2 block are freed (3 pages); at 1.8959 s two more order-0 allocations
    expect(at(200)[COL.allocated_kib]).toBe(5 * 4)
    expect(at(1400)[COL.allocated_kib]).toBe(3 * 4)
    expect(at(2100)[COL.allocated_kib]).toBe(5 * 4)
    const summary = JSON.parse(await readFile(join(outs[0], 'summary.json'), 'utf8')) as Record<string, number>
    expect([summary.replay_ops, summary.replay_ops_done, summary.replay_allocs, summary.replay_frees, summary.replay_failed_allocs]).toEqual([6, 6, 4, 2, 0])
  })
})
