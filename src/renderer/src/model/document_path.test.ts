import { describe, expect, it } from 'vitest'
import { getAt, pathKey, setAt } from './document_path'

describe('pathKey', () => {
  it('writes paths as Issue.path does', () => {
    expect(pathKey(['workload', 'phases', 2, 'mib'])).toBe('workload.phases[2].mib')
    expect(pathKey(['guest'])).toBe('guest')
    expect(pathKey([])).toBe('')
  })
})

describe('getAt / setAt', () => {
  const doc = { guest: { memoryMiB: 1024 }, workload: { phases: [{ op: 'idle', ms: 5 }] } }

  it('reads nested objects and arrays', () => {
    expect(getAt(doc, ['workload', 'phases', 0, 'ms'])).toBe(5)
    expect(getAt(doc, ['host', 'backing'])).toBeUndefined()
  })

  it('sets a value without touching the original', () => {
    const next = setAt(doc, ['guest', 'cpus'], 4)
    expect(next.guest).toEqual({ memoryMiB: 1024, cpus: 4 })
    expect(doc.guest).toEqual({ memoryMiB: 1024 })
  })

  it('creates missing groups on the way', () => {
    expect(setAt(doc, ['host', 'discard'], false)).toMatchObject({ host: { discard: false } })
  })

  it('removes a key when the value is undefined, and creates nothing to remove from', () => {
    expect(setAt(doc, ['guest', 'memoryMiB'], undefined).guest).toEqual({})
    expect(setAt(doc, ['device', 'queueSize'], undefined)).not.toHaveProperty('device')
  })

  it('replaces an array element', () => {
    const next = setAt(doc, ['workload', 'phases', 0, 'ms'], 7)
    expect(next.workload.phases[0]).toEqual({ op: 'idle', ms: 7 })
  })
})
