import { describe, expect, it } from 'vitest'
import { validateDocument } from './validation'

const base = { format: 'page-reporting-lab/experiment', version: 2, guest: { memoryMiB: 1024 } }

describe('validateDocument', () => {
  it('accepts the minimal document and fills the kernel defaults', () => {
    const v = validateDocument(base)
    expect(v.issues).toEqual([])
    expect(v.experiment?.reporting.delayMs).toBe(2000)
    expect(v.experiment?.reporting.capacity).toBe(32)
  })

  it('keys a range error by the field path, naming the bound and the value', () => {
    const v = validateDocument({ ...base, guest: { memoryMiB: 10 } })
    expect(v.experiment).toBeNull()
    expect(v.byPath.get('guest.memoryMiB')).toEqual(['expected a number >= 64, got 10'])
  })

  it('reports a missing required field and text in a number field at their paths', () => {
    const v = validateDocument({ ...base, guest: {}, reporting: { delayMs: 'soon' } })
    expect(v.byPath.get('guest.memoryMiB')?.[0]).toMatch(/^required field is missing/)
    expect(v.byPath.get('reporting.delayMs')?.[0]).toMatch(/^expected a number, got the string "soon"/)
  })

  it('puts each unknown key at its own path', () => {
    const v = validateDocument({ ...base, host: { discrad: false } })
    expect(v.byPath.get('host.discrad')?.[0]).toMatch(/^unknown field \(did you mean "discard"\?\)/)
  })

  it('points into workload phases', () => {
    const v = validateDocument({ ...base, workload: { phases: [{ op: 'idle', ms: 5 }, { op: 'alloc', mib: -1 }] } })
    expect([...v.byPath.keys()]).toEqual(['workload.phases[1].mib'])
  })

  it('keeps one issue list and one map entry per path', () => {
    const v = validateDocument({ ...base, guest: { memoryMiB: 10, cpus: 0 } })
    expect(v.issues.map((i) => i.path)).toEqual(['guest.memoryMiB', 'guest.cpus'])
    expect(v.byPath.size).toBe(2)
  })
})
