import { describe, expect, it } from 'vitest'
import { parsePath, parseValue, setPath } from './document_path'

describe('document paths', () => {
  it('parses dotted paths with indices', () => {
    expect(parsePath('workload.phases[12].mib')).toEqual(['workload', 'phases', 12, 'mib'])
    expect(parsePath('seed')).toEqual(['seed'])
  })

  it('refuses what is not a field path, and prototype keys', () => {
    expect(() => parsePath('a..b')).toThrow(/not a field path/)
    expect(() => parsePath('a[x]')).toThrow(/not a field path/)
    expect(() => parsePath('__proto__.polluted')).toThrow(/not a field/)
    expect(() => parsePath('guest.constructor')).toThrow(/not a field/)
  })

  it('reads values as JSON when they parse, else as strings', () => {
    expect(parseValue('512')).toBe(512)
    expect(parseValue('null')).toBeNull()
    expect(parseValue('true')).toBe(true)
    expect(parseValue('anon-4k')).toBe('anon-4k')
    expect(parseValue('6.6')).toBe(6.6)
    expect(parseValue('"6.6"')).toBe('6.6')
  })

  it('sets values without touching the original', () => {
    const doc = { reporting: { delayMs: 2000 }, workload: { phases: [{ op: 'idle', ms: 1 }] } }
    const out = setPath(doc, 'workload.phases[0].ms', 5) as typeof doc
    expect(out.workload.phases[0].ms).toBe(5)
    expect(doc.workload.phases[0].ms).toBe(1)
    expect((setPath(doc, 'host.backing', 'anon-4k') as { host: { backing: string } }).host.backing).toBe('anon-4k')
  })

  it('refuses to descend into a scalar', () => {
    expect(() => setPath({ seed: 1 }, 'seed.x', 2)).toThrow(/not an object/)
  })
})
