import { describe, expect, it } from 'vitest'
import { validateDocument } from './validation'

const base = { format: 'page-reporting-lab/experiment', version: 1, guest: { memoryMiB: 1024 } }

describe('validateDocument', () => {
  it('accepts the minimal document and fills the kernel defaults', () => {
    const v = validateDocument(base)
    expect(v.issues).toEqual([])
    expect(v.experiment?.reporting.delayMs).toBe(2000)
    expect(v.experiment?.reporting.capacity).toBe(32)
  })

  it('keys a range error by the field path', () => {
    const v = validateDocument({ ...base, guest: { memoryMiB: 10 } })
    expect(v.experiment).toBeNull()
    expect(v.byPath.get('guest.memoryMiB')).toEqual(['must be ≥ 64'])
  })

  it('reports a missing required field and text in a number field', () => {
    const v = validateDocument({ ...base, guest: {}, reporting: { delayMs: 'soon' } })
    expect(v.byPath.get('guest.memoryMiB')).toEqual(['required'])
    expect(v.byPath.get('reporting.delayMs')).toEqual(['expected a number'])
  })

  it('names each unknown key at its own path', () => {
    const v = validateDocument({ ...base, host: { discrad: false } })
    expect(v.byPath.get('host.discrad')).toEqual(['unknown field "discrad"'])
  })

  it('points into workload phases', () => {
    const v = validateDocument({ ...base, workload: { phases: [{ op: 'idle', ms: 5 }, { op: 'alloc', mib: -1 }] } })
    expect(v.byPath.get('workload.phases[1].mib')).toEqual(['must be > 0'])
  })

  it('lists enum choices', () => {
    const v = validateDocument({ ...base, host: { backing: 'anon-64k' } })
    expect(v.byPath.get('host.backing')?.[0]).toContain('"anon-4k"')
  })
})
