// planInlineHost: a host experiment whose guests are all inline, planned on data files already
// resolved (a lab fit's points in the sweep workers): the same plan and inputs as resolving it,
// no file read, and a guest given by file refused.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadLabFile, validateHostDocument } from './experiment_io'
import { planInlineHost, resolveHostExperiment } from './host_experiment_io'
import { inlineGuests } from './fit'

const DATA = join(import.meta.dirname, '../../test/fixtures/host-data')

describe('planInlineHost', () => {
  it('plans what resolveHostExperiment resolved, on its inputs, reading nothing', async () => {
    const loaded = await loadLabFile(join(DATA, 'host.prlab.json'))
    if (!loaded.ok || loaded.value.kind !== 'host') throw new Error('fixture')
    const host = loaded.value.experiment
    const resolved = await resolveHostExperiment(host, { baseDir: DATA })
    if (!resolved.ok) throw new Error(resolved.error.message)
    expect(resolved.value.entries.map((e) => [e.inputs?.replays.filter((r) => r !== null).length ?? 0, e.inputs?.initialFree?.source ?? null])).toEqual([
      [1, null],
      [0, 'buddyinfo-1g-guest.txt'],
    ])
    const inline = inlineGuests(host, resolved.value.entries)
    expect(inline.guests.every((g) => g.file === undefined)).toBe(true)
    const planned = planInlineHost(
      inline,
      resolved.value.entries.map((e) => e.inputs),
    )
    if (!planned.ok) throw new Error(planned.error.message)
    expect(planned.value.plan).toEqual(resolved.value.plan)
    expect(planned.value.inputs).toEqual(resolved.value.inputs)
    // the same objects: nothing was imported again
    expect(planned.value.inputs.get(1)).toBe(resolved.value.inputs.get(1))
  })

  it('refuses a guest given by file, and inputs for another number of entries', () => {
    const host = validateHostDocument({ format: 'page-reporting-lab/experiment', version: 2, machine: { memoryMiB: 4096 }, guests: [{ file: 'g.prlab.json' }] })
    if (!host.ok) throw new Error(host.error.message)
    const byFile = planInlineHost(host.value, [null])
    expect(!byFile.ok && byFile.error.issues?.[0].path).toBe('guests[0].file')
    const inline = validateHostDocument({ format: 'page-reporting-lab/experiment', version: 2, machine: { memoryMiB: 4096 }, guests: [{ experiment: { guest: { memoryMiB: 512 } } }] })
    if (!inline.ok) throw new Error(inline.error.message)
    expect(planInlineHost(inline.value, [null]).ok).toBe(true)
    expect(planInlineHost(inline.value, [null, null]).ok).toBe(false)
  })
})
