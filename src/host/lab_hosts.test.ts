// Host experiments in the lab (issue 15): a host run in its worker thread gives the same figures
// as prlab run, with explanations; the fit search gives prlab fit's answer on the small case;
// bad input fails the call with the field named, and a guest file outside the host file's folder
// is refused on the desktop.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DESKTOP_NO_FOLDER } from './lab_hosts'
import { testLabHosts } from './testing/lab_hosts'
import { loadLabFile } from './experiment_io'
import { resolveHostExperiment } from './host_experiment_io'
import { runHostHeadless } from './host_run_headless'

const ROOT = join(import.meta.dirname, '../..')
const FIX = join(ROOT, 'test/fixtures/host')
const json = (name: string): unknown => JSON.parse(readFileSync(join(FIX, name), 'utf8'))

const labHosts = (files?: Record<string, string>): ReturnType<typeof testLabHosts> => testLabHosts(files !== undefined && Object.keys(files).length > 0 ? { desktop: files } : {})

describe('host experiments in the lab', () => {
  it('run in a worker thread with the figures prlab run gives, and explain themselves', async () => {
    const { hosts, finished } = labHosts({ host: join(FIX, 'two-batches.prlab.json') })
    const started = await hosts.startRun(json('two-batches.prlab.json'), 'host', null)
    expect(started.ok).toBe(true)
    if (!started.ok) return
    expect((await hosts.result(started.value.id)).ok).toBe(false)
    expect(await finished(started.value)).toBe('done')
    const view = await hosts.result(started.value.id)
    if (!view.ok) throw new Error(view.error.message)
    const loaded = await loadLabFile(join(FIX, 'two-batches.prlab.json'))
    if (!loaded.ok || loaded.value.kind !== 'host') throw new Error('fixture')
    const resolved = await resolveHostExperiment(loaded.value.experiment, { baseDir: FIX })
    if (!resolved.ok) throw new Error(resolved.error.message)
    const headless = await runHostHeadless(loaded.value.experiment, resolved.value, null)
    const { wall_ms: _a, ...mine } = view.value.summary
    const { wall_ms: _b, ...theirs } = headless.summary
    expect(mine).toEqual(theirs)
    expect(view.value.stride).toBe(1)
    expect(view.value.rows).toEqual(headless.rows.slice(0, headless.rows.rowCount))
    expect(view.value.explanations[0].text).toMatch(/^The guests' RSS peaked at /)
  }, 60_000)

  it('answer prlab fit’s question on the small case: 3 copies fit, 4 do not', async () => {
    const { hosts, finished } = labHosts({ host: join(FIX, 'host-3g.prlab.json') })
    const started = await hosts.startFit({ host: json('host-3g.prlab.json'), guest: json('batch-1g.prlab.json'), slo: 'swapin_ms_per_s<5', startMs: 0, staggerMs: 3000, max: 16 }, 'host', null)
    if (!started.ok) throw new Error(started.error.message)
    expect(await finished(started.value)).toBe('done')
    const status = await hosts.fitStatus(started.value.id)
    if (!status.ok) throw new Error(status.error.message)
    expect(status.value.largest).toBe(3)
    expect(status.value.firstFailing).toBe(4)
    expect(status.value.points.map((p) => `${p.count}:${p.verdict}`)).toEqual(['1:meets', '2:meets', '3:meets', '4:fails'])
    expect(status.value.answerText.split('\n')[0]).toBe('3 × 1 GiB batch job, no reporting fit (swapin_ms_per_s<5): swapin_ms_per_s = 0')
  }, 120_000)

  it('fail the call, naming the field, on a bad objective, a guest experiment as the host, an unknown example or run', async () => {
    const { hosts } = labHosts()
    const slo = await hosts.startFit({ host: json('host-3g.prlab.json'), guest: json('batch-1g.prlab.json'), slo: 'swapin<5', startMs: 0, staggerMs: 0, max: 4 }, null, null)
    expect(slo.ok ? '' : slo.error.issues?.[0].path).toBe('slo')
    const guestAsHost = await hosts.startRun(json('batch-1g.prlab.json'), null, null)
    expect(guestAsHost.ok ? '' : guestAsHost.error.message).toContain('this is a guest experiment')
    const example = await hosts.openExample('../etc/passwd')
    expect(example.ok ? '' : example.error.code).toBe('not-found')
    const guestExample = await hosts.openExample('quick-drain-2g')
    expect(guestExample.ok ? '' : guestExample.error.message).toContain('this is a guest experiment')
    expect((await hosts.result('nope')).ok).toBe(false)
    expect((await hosts.fitStatus('nope')).ok).toBe(false)
    // browser mode: a host file names guests among the shipped examples only
    const uploaded = await hosts.startRun({ format: 'page-reporting-lab/experiment', version: 2, machine: { memoryMiB: 4096 }, guests: [{ file: '../../package.json' }] }, null, null)
    expect(uploaded.ok ? '' : uploaded.error.message).toContain('guests[0].file: ../../package.json is not a shipped example')
  })

  it('open a host example as a template, and refuse, on the desktop, a guest file outside the host file’s folder', async () => {
    const { hosts } = labHosts({ host: join(FIX, 'two-batches.prlab.json') })
    const example = await hosts.openExample('lal-v12-7-guests')
    expect(example.ok && example.value.experiment.guests[0].count).toBe(7)
    expect(example.ok && example.value.path).toBe(undefined)
    const outside = await hosts.startRun({ format: 'page-reporting-lab/experiment', version: 2, machine: { memoryMiB: 4096 }, guests: [{ file: '../sweep/x.prlab.json' }] }, 'host', null)
    expect(outside.ok ? '' : outside.error.issues?.[0].path).toBe('guests[0].file')
  })

  it('says, on the desktop, why a host document without a file (dropped, or not saved) reads only shipped examples', async () => {
    const { hosts, finished } = labHosts({ host: join(FIX, 'two-batches.prlab.json') })
    const dropped = await hosts.startRun({ format: 'page-reporting-lab/experiment', version: 2, machine: { memoryMiB: 4096 }, guests: [{ file: 'my-guest.prlab.json' }] }, null, null)
    expect(dropped.ok ? '' : dropped.error.message).toBe(`guests[0].file: my-guest.prlab.json is not a shipped example ${DESKTOP_NO_FOLDER}`)
    // a shipped example still resolves
    const example = await hosts.startRun({ format: 'page-reporting-lab/experiment', version: 2, machine: { memoryMiB: 4096 }, guests: [{ file: 'quick-drain-2g.prlab.json' }] }, null, null)
    expect(example.ok).toBe(true)
    if (example.ok) expect(await finished(example.value)).toBe('done')
  })
})
