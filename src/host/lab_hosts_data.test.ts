// Host experiments whose guests name data files (replay traces, buddyinfo snapshots), in the lab:
// browser mode resolves them among the files uploaded with the host file and this session's
// imports, never on disk; a fit reads them once, in the lab, and its sweep workers run on what
// was read (a file changed or removed after the fit started changes nothing).
import { mkdir, readFile, rm, unlink, writeFile, mkdtemp } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { UploadedFile } from '../common/api'
import type { HostTaskStarted } from '../common/host_api'
import type { ImportedData } from '../common/imports'
import { loadLabFile } from './experiment_io'
import { resolveHostExperiment } from './host_experiment_io'
import { runHostHeadless } from './host_run_headless'
import { importFile } from './import/index'
import type { LabHosts } from './lab_hosts'
import { testLabHosts } from './testing/lab_hosts'

const ROOT = join(import.meta.dirname, '../..')
const DATA = join(ROOT, 'test/fixtures/host-data')
const TRACE = join(DATA, 'traces/cc1-exit-1g.trace.txt')
const text = (name: string): string => readFileSync(join(DATA, name), 'utf8')
const FOLDER: UploadedFile[] = ['host.prlab.json', 'guests/replay-1g.prlab.json', 'traces/cc1-exit-1g.trace.txt', 'buddyinfo-1g-guest.txt'].map((name) => ({ name: `host-data/${name}`, text: text(name) }))

const dirs: string[] = []
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

const labHosts = (options: { desktop?: Record<string, string>; imports?: Map<string, ImportedData> } = {}): ReturnType<typeof testLabHosts> => testLabHosts({ imports: new Map(), ...options })

/** The host summary without its wall time (the rest is deterministic). */
const figures = ({ wall_ms: _w, ...rest }: { wall_ms: number }): object => rest

/** prlab run's figures of the fixture, its files read from disk next to the host file. */
async function fromDisk(): Promise<object> {
  const loaded = await loadLabFile(join(DATA, 'host.prlab.json'))
  if (!loaded.ok || loaded.value.kind !== 'host') throw new Error('fixture')
  const resolved = await resolveHostExperiment(loaded.value.experiment, { baseDir: DATA })
  if (!resolved.ok) throw new Error(resolved.error.message)
  return figures((await runHostHeadless(loaded.value.experiment, resolved.value, null)).summary)
}

async function runUploaded(hosts: LabHosts, finished: (s: HostTaskStarted) => Promise<string>, files: UploadedFile[]): Promise<object> {
  const opened = await hosts.openUploaded(files)
  if (!opened.ok) throw new Error(opened.error.message)
  const started = await hosts.startRun(opened.value.document, opened.value.fileId ?? null, null)
  if (!started.ok) throw new Error(started.error.message)
  expect(await finished(started.value)).toBe('done')
  const view = await hosts.result(started.value.id)
  if (!view.ok) throw new Error(view.error.message)
  return figures(view.value.summary)
}

describe("browser mode: a host's guests' data files", () => {
  it('resolve among the files uploaded with the host file (a folder): the run gives what prlab run gives from disk', async () => {
    const { hosts, finished } = labHosts()
    const disk = await fromDisk()
    expect(await runUploaded(hosts, finished, FOLDER)).toEqual(disk)
    // a flat multi-select of the same files: by base name
    expect(await runUploaded(hosts, finished, FOLDER.map((f) => ({ ...f, name: f.name.split('/').pop() as string })))).toEqual(disk)
  }, 60_000)

  it('resolve among the data files imported in this session, and say so when one is gone by the time of the run', async () => {
    const trace = await importFile('ftrace', TRACE)
    if (!trace.ok) throw new Error(trace.error.message)
    const imports = new Map<string, ImportedData>()
    const { hosts, finished } = labHosts({ imports })
    const withoutTrace = FOLDER.filter((f) => !f.name.endsWith('.trace.txt'))
    // not uploaded, not imported: the open lists it
    const missing = await hosts.openUploaded(withoutTrace)
    expect(!missing.ok && missing.error.message).toMatch(/^1 data file is missing from the files chosen: guests\[0\] -> workload\.phases\[0\]\.file \.\.\/traces\/cc1-exit-1g\.trace\.txt \(looked for host-data\/traces\/cc1-exit-1g\.trace\.txt\)\. /)
    imports.set('cc1-exit-1g.trace.txt', trace.value)
    expect(await runUploaded(hosts, finished, withoutTrace)).toEqual(await fromDisk())
    // the import forgotten (evicted) after the open: the run fails naming the guest, the field and where it looked
    const opened = await hosts.openUploaded(withoutTrace)
    if (!opened.ok) throw new Error(opened.error.message)
    imports.clear()
    const gone = await hosts.startRun(opened.value.document, opened.value.fileId ?? null, null)
    expect(gone.ok).toBe(false)
    if (gone.ok) return
    expect(gone.error.code).toBe('not-found')
    expect(gone.error.message).toBe(
      'guests[0] -> workload.phases[0].file: ../traces/cc1-exit-1g.trace.txt is not among the files chosen with the host file (looked for host-data/traces/cc1-exit-1g.trace.txt), nor among the files imported in this session; choose it together with the host file, or import it (a kmem ftrace) in the Data view first',
    )
    expect(gone.error.issues?.map((i) => i.path)).toEqual(['guests[0] -> workload.phases[0].file'])
    // a host document with no upload (dropped, pasted) names the import by its base name
    imports.set('cc1-exit-1g.trace.txt', trace.value)
    const host = JSON.parse(text('host.prlab.json')) as { guests: object[] }
    const replay = JSON.parse(text('guests/replay-1g.prlab.json')) as Record<string, unknown>
    const { format: _f, version: _v, ...inline } = replay
    const dropped = await hosts.startRun({ ...host, guests: [{ name: 'cc1', experiment: { ...inline, workload: { phases: [{ op: 'replay', file: 'cc1-exit-1g.trace.txt' }, { op: 'idle', ms: 3000 }] } } }] }, null, null)
    if (!dropped.ok) throw new Error(dropped.error.message)
    expect(await finished(dropped.value)).toBe('done')
  }, 90_000)

  it('never read a path the page names: not next to an example, not outside the upload', async () => {
    const { hosts } = labHosts()
    const host = (file: string): unknown => ({
      format: 'page-reporting-lab/experiment',
      version: 2,
      machine: { memoryMiB: 4096 },
      guests: [{ experiment: { durationMs: 1000, guest: { memoryMiB: 1024 }, workload: { phases: [{ op: 'replay', file }] } } }],
    })
    // an example's names resolve among the examples only: a real trace elsewhere is never read
    for (const file of [TRACE, '../../test/fixtures/host-data/traces/cc1-exit-1g.trace.txt']) {
      const r = await hosts.startRun(host(file), null, 'lal-v12-7-guests')
      expect(!r.ok && r.error.code, file).toBe('not-found')
      expect(!r.ok && r.error.issues?.[0].path, file).toBe('guests[0] -> workload.phases[0].file')
    }
    const guestFile = await hosts.startRun({ format: 'page-reporting-lab/experiment', version: 2, machine: { memoryMiB: 4096 }, guests: [{ file: '../../test/fixtures/host/batch-1g.prlab.json' }] }, null, 'lal-v12-7-guests')
    expect(!guestFile.ok && guestFile.error.message).toMatch(/^guests\[0\]\.file: \.\.\/\.\.\/test\/fixtures\/host\/batch-1g\.prlab\.json is not a shipped example/)
    // an upload's document sent back with a name edited to a real path: looked up among the files chosen, then nowhere on disk
    const opened = await hosts.openUploaded(FOLDER)
    if (!opened.ok) throw new Error(opened.error.message)
    const edited = await hosts.startRun(host(TRACE), opened.value.fileId ?? null, null)
    expect(!edited.ok && edited.error.message).toBe(`guests[0] -> workload.phases[0].file: ${TRACE} names no file chosen with the host file (an absolute path names no uploaded file; give it relative to the host file), nor among the files imported in this session; choose it together with the host file, or import it (a kmem ftrace) in the Data view first`)
  })
})

describe('a fit on the desktop', () => {
  it("reads the guests' data files once, when it starts: its workers run on that content, whatever happens to the files later", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'prlab-fit-data-'))
    dirs.push(dir)
    const hostPath = join(dir, 'host.prlab.json')
    const host = { format: 'page-reporting-lab/experiment', version: 2, name: 'fit with data', machine: { memoryMiB: 4096, swapMiB: 1024 }, guests: [{ name: 'warm', file: 'guests/warm.prlab.json' }], recorder: { sampleIntervalMs: 500 } }
    const warm = { format: 'page-reporting-lab/experiment', version: 2, name: 'warm', durationMs: 3000, guest: { memoryMiB: 1024, initialFreeState: { file: 'buddyinfo.txt' } }, workload: { phases: [{ op: 'idle', ms: 3000 }] }, recorder: { sampleIntervalMs: 500 } }
    // the copied guest's own data file, next to the host file (where a fit resolves it)
    const guest = { format: 'page-reporting-lab/experiment', version: 2, name: 'cc1', durationMs: 4000, guest: { memoryMiB: 1024 }, host: { backing: 'anon-thp' }, workload: { phases: [{ op: 'replay', file: 'trace.txt' }, { op: 'idle', ms: 1000 }] }, recorder: { sampleIntervalMs: 500 } }
    const write = async (): Promise<void> => {
      await mkdir(join(dir, 'guests'), { recursive: true })
      await writeFile(hostPath, JSON.stringify(host))
      await writeFile(join(dir, 'guests/warm.prlab.json'), JSON.stringify(warm))
      await writeFile(join(dir, 'guests/buddyinfo.txt'), await readFile(join(DATA, 'buddyinfo-1g-guest.txt')))
      await writeFile(join(dir, 'trace.txt'), await readFile(TRACE))
    }
    const { hosts, finished } = labHosts({ desktop: { host: hostPath } })
    const request = { host, guest, slo: 'oom_kills==0', startMs: 0, staggerMs: 1000, max: 2 }
    const fit = async (afterStart: () => Promise<void>): Promise<object[]> => {
      await write()
      const started = await hosts.startFit(request, 'host', null)
      if (!started.ok) throw new Error(started.error.message)
      await afterStart()
      expect(await finished(started.value)).toBe('done')
      const status = await hosts.fitStatus(started.value.id)
      if (!status.ok) throw new Error(status.error.message)
      return status.value.points.map((p) => ({ count: p.count, verdict: p.verdict, why: p.why, figures: p.figures === null ? null : figures(p.figures as { wall_ms: number }) }))
    }
    const untouched = await fit(async () => undefined)
    expect(untouched.map((p) => (p as { verdict: string }).verdict)).toEqual(['meets', 'meets'])
    // every data file and the guest file garbled or removed once the fit has started: a worker that read them would fail
    const swapped = await fit(async () => {
      await writeFile(join(dir, 'trace.txt'), 'not a trace\n'.repeat(40))
      await unlink(join(dir, 'guests/buddyinfo.txt'))
      await unlink(join(dir, 'guests/warm.prlab.json'))
    })
    expect(swapped).toEqual(untouched)
    // and the content mattered: without the trace, the copies' RSS differs
    await write()
    const noReplay = await hosts.startFit({ ...request, guest: { ...guest, workload: { phases: [{ op: 'idle', ms: 4000 }] } } }, 'host', null)
    if (!noReplay.ok) throw new Error(noReplay.error.message)
    expect(await finished(noReplay.value)).toBe('done')
    const idle = await hosts.fitStatus(noReplay.value.id)
    const peak = (points: readonly { figures: object | null }[]): unknown => (points[0].figures as Record<string, unknown>).peak_guests_rss_kib
    expect(idle.ok && peak(idle.value.points)).not.toBe(peak(untouched as { figures: object | null }[]))
  }, 120_000)
})
