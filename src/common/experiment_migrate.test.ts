import { describe, expect, it } from 'vitest'
import { V1_SCHEMA_URL, migrateExperiment } from './experiment_migrate'
import { EXPERIMENT_SCHEMA_URL, ExperimentSchema } from './experiment'

const v0 = {
  format: 'page-reporting-lab/experiment',
  version: 0,
  guest: { memoryMiB: 1024 },
  reporting: { pageReportingOrder: 3, delayMs: 100 },
  host: { backing: 'thp' },
  recorder: { intervalMs: 10, events: false },
}

describe('migrateExperiment', () => {
  it('renames the version 0 fields and values, keeping key order and the rest', () => {
    const r = migrateExperiment(v0)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.from).toBe(0)
    expect(r.document).toEqual({ ...v0, version: 2, reporting: { order: 3, delayMs: 100 }, host: { backing: 'anon-thp' }, recorder: { sampleIntervalMs: 10, events: false } })
    expect(Object.keys(r.document.reporting as object)).toEqual(['order', 'delayMs'])
    expect(r.notes).toEqual(['reporting.pageReportingOrder is now reporting.order', 'recorder.intervalMs is now recorder.sampleIntervalMs', 'host.backing "thp" is now "anon-thp"'])
    expect(ExperimentSchema.safeParse(r.document).success).toBe(true)
    expect(v0.reporting).toEqual({ pageReportingOrder: 3, delayMs: 100 })
  })

  it('maps each v0 backing name', () => {
    for (const [old, now] of [['4k', 'anon-4k'], ['thp', 'anon-thp'], ['hugetlbfs', 'hugetlb-2m']]) {
      const r = migrateExperiment({ ...v0, host: { backing: old } })
      expect(r.ok && (r.document.host as { backing: string }).backing).toBe(now)
    }
  })

  it('refuses a v0 file that gives both the old and the new name', () => {
    const r = migrateExperiment({ ...v0, reporting: { pageReportingOrder: 3, order: 4 } })
    expect(r).toEqual({ ok: false, issues: [{ path: 'reporting.pageReportingOrder', message: 'both pageReportingOrder (version 0 name) and order are given; keep only order' }] })
  })

  it('a version 1 file is a version 2 guest experiment: only the version and the lab’s own $schema URL change', () => {
    const v1 = { $schema: V1_SCHEMA_URL, format: 'page-reporting-lab/experiment', version: 1, name: 'n', guest: { memoryMiB: 64 }, host: { backing: 'anon-4k' } }
    const r = migrateExperiment(v1)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.from).toBe(1)
    expect(r.document).toEqual({ ...v1, $schema: EXPERIMENT_SCHEMA_URL, version: 2 })
    expect(Object.keys(r.document)).toEqual(Object.keys(v1))
    expect(r.notes).toEqual(['$schema now names the version 2 schema'])
    // a $schema the user set (a local copy) is theirs
    const local = migrateExperiment({ ...v1, $schema: './experiment-v1.schema.json' })
    expect(local.ok && local.document.$schema).toBe('./experiment-v1.schema.json')
    expect(local.ok && local.notes).toEqual([])
  })

  it('refuses host experiment fields in a version 1 file', () => {
    const r = migrateExperiment({ format: 'page-reporting-lab/experiment', version: 1, machine: { memoryMiB: 4096 }, guests: [] })
    expect(r).toEqual({
      ok: false,
      issues: [
        { path: 'machine', message: 'host experiments (machine, guests) exist from version 2 on; this file says version 1' },
        { path: 'guests', message: 'host experiments (machine, guests) exist from version 2 on; this file says version 1' },
      ],
    })
  })

  it('leaves a current file alone', () => {
    const doc = { format: 'page-reporting-lab/experiment', version: 2, guest: { memoryMiB: 64 }, host: { backing: 'thp' } }
    const r = migrateExperiment(doc)
    expect(r.ok && r.document).toBe(doc)
  })

  it('refuses newer, missing, fractional and negative versions', () => {
    const message = (version: unknown) => {
      const r = migrateExperiment({ ...v0, version })
      return r.ok ? null : r.issues[0]
    }
    expect(message(3)).toEqual({ path: 'version', message: 'this file is version 3, newer than this Page Reporting Lab understands (2); open it with a newer release of the lab' })
    expect(message(undefined)?.message).toContain('required field is missing')
    expect(message(0.5)?.message).toContain('expected an integer')
    expect(message('1')?.message).toContain('expected an integer')
    expect(message(-1)?.message).toBe('expected a version from 0 to 2, got -1')
    expect(migrateExperiment([1, 2])).toMatchObject({ ok: false, issues: [{ path: '' }] })
  })
})
