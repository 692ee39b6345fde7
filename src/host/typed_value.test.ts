import { describe, expect, it } from 'vitest'
import { typedValue } from './typed_value'

const doc = {
  format: 'page-reporting-lab/experiment',
  version: 1,
  guest: { memoryMiB: 1024 },
  workload: { phases: [{ op: 'idle', ms: 10 }] },
}

describe('command-line values typed by the schema', () => {
  it('keeps a kernel version a string and reads numbers, null and booleans as JSON', () => {
    expect(typedValue(doc, 'guest.kernel', '5.10', 'x')).toEqual({ ok: true, value: '5.10' })
    expect(typedValue(doc, 'guest.kernel', '6.6', 'x')).toEqual({ ok: true, value: '6.6' })
    expect(typedValue(doc, 'reporting.delayMs', '250', 'x')).toEqual({ ok: true, value: 250 })
    expect(typedValue(doc, 'reporting.order', 'null', 'x')).toEqual({ ok: true, value: null })
    expect(typedValue(doc, 'host.discard', 'false', 'x')).toEqual({ ok: true, value: false })
    expect(typedValue(doc, 'host.backing', 'anon-4k', 'x')).toEqual({ ok: true, value: 'anon-4k' })
    expect(typedValue(doc, 'workload.phases[0].ms', '5', 'x')).toEqual({ ok: true, value: 5 })
  })

  it('explains a refused value with the schema reading of the number, not of the string', () => {
    const r = typedValue(doc, 'reporting.delayMs', '-5', 'exp.json')
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.error.file).toBe('exp.json')
      expect(r.error.message).toMatch(/^reporting\.delayMs: value -5 is not valid: reporting\.delayMs: /)
      expect(r.error.message).not.toMatch(/string/)
    }
  })

  it('names an unknown field', () => {
    const r = typedValue(doc, 'guest.kernell', '5', 'x')
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toMatch(/guest\.kernell: unknown field/)
  })
})
