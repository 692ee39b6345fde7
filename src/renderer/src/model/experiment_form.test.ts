import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { EXPERIMENT_GROUPS, PHASE_FIELDS, PHASE_OPS, defaultLabel, formFields, newPhase, parseOrderWeights, unitOf, valueFromInput } from './experiment_form'
import { PhaseSchema } from '../../../common/experiment'

const field = (group: string, key: string) => {
  const spec = EXPERIMENT_GROUPS.find((g) => g.id === group)?.fields.find((f) => f.key === key)
  if (!spec) throw new Error(`no field ${group}.${key}`)
  return spec
}

describe('editor fields from the experiment schema', () => {
  it('covers every group of the file and every field of it', () => {
    expect(EXPERIMENT_GROUPS.map((g) => g.id)).toEqual(['run', 'guest', 'reporting', 'device', 'host', 'recorder'])
    expect(EXPERIMENT_GROUPS[0].fields.map((f) => f.key)).toEqual(['name', 'seed', 'durationMs'])
    expect(field('guest', 'minFreeKbytes').path).toEqual(['guest', 'minFreeKbytes'])
    expect(EXPERIMENT_GROUPS.find((g) => g.id === 'host')?.fields.map((f) => f.key)).toContain('prepopulate')
  })

  it('shows the kernel and QEMU defaults with ranges and units', () => {
    const delay = field('reporting', 'delayMs')
    expect(delay).toMatchObject({ kind: 'number', default: 2000, min: 1, unit: 'ms' })
    expect(field('reporting', 'capacity')).toMatchObject({ kind: 'integer', default: 32, min: 1, max: 4096 })
    expect(field('device', 'queueSize').default).toBe(32)
    expect(field('host', 'backing')).toMatchObject({ kind: 'enum', default: 'anon-thp', options: ['anon-4k', 'anon-thp', 'hugetlb-2m', 'hugetlb-1g'] })
    expect(field('host', 'discardUsPer2m').unit).toBe('µs / 2 MiB')
  })

  it('marks memoryMiB required and the kernel-computed knobs nullable', () => {
    expect(field('guest', 'memoryMiB')).toMatchObject({ required: true, unit: 'MiB' })
    expect(field('guest', 'minFreeKbytes')).toMatchObject({ nullable: true, kind: 'integer', default: null })
    expect(defaultLabel(field('guest', 'minFreeKbytes'))).toBe('auto')
    expect(defaultLabel(field('guest', 'memoryMiB'))).toBe('required')
  })

  it('has the fields of every phase kind', () => {
    expect(PHASE_OPS).toEqual(PhaseSchema.options.map((o) => o.shape.op.value))
    expect(PHASE_OPS.slice(0, 9)).toEqual(['alloc', 'free', 'idle', 'churn', 'pagecache', 'drop-caches', 'sysfs-order', 'register', 'unregister'])
    expect(PHASE_FIELDS.alloc.map((f) => f.key)).toEqual(['label', 'mib', 'order', 'migratetype', 'rateMiBps', 'durationMs', 'touch', 'tag'])
    expect(PHASE_FIELDS.churn.find((f) => f.key === 'orders')?.kind).toBe('order-weights')
  })

  it('starts every new phase valid, except for the file a replay needs from the user', () => {
    for (const op of PHASE_OPS) {
      const r = PhaseSchema.safeParse(newPhase(op))
      if (op === 'replay') expect(r.error?.issues.map((i) => i.path)).toEqual([['file']])
      else expect(r.success).toBe(true)
    }
  })

  it('describes a nullable nested object field by field', () => {
    const schema = z.strictObject({
      state: z
        .strictObject({ file: z.string().min(1), snapshot: z.number().int().min(0).nullable().default(null) })
        .nullable()
        .default(null),
    })
    const [state] = formFields(schema, ['guest'])
    expect(state).toMatchObject({ key: 'state', kind: 'object', nullable: true, default: null, path: ['guest', 'state'] })
    expect(defaultLabel(state)).toBe('none')
    expect(state.fields.map((f) => [f.path, f.kind, f.required])).toEqual([
      [['guest', 'state', 'file'], 'string', true],
      [['guest', 'state', 'snapshot'], 'integer', false],
    ])
  })
})

describe('valueFromInput', () => {
  const memory = field('guest', 'memoryMiB')
  const minFree = field('guest', 'minFreeKbytes')
  it('parses numbers, removes on empty, keeps bad text for the schema to report', () => {
    expect(valueFromInput(memory, ' 2048 ')).toBe(2048)
    expect(valueFromInput(memory, '1e3')).toBe(1000)
    expect(valueFromInput(memory, '')).toBeUndefined()
    expect(valueFromInput(memory, '12abc')).toBe('12abc')
    expect(valueFromInput(minFree, 'null')).toBeNull()
  })
})

describe('order weights', () => {
  it('parses "order:weight" pairs and rejects anything else', () => {
    expect(parseOrderWeights('0:3 9:1')).toEqual([
      { order: 0, weight: 3 },
      { order: 9, weight: 1 },
    ])
    expect(parseOrderWeights('0-3')).toBeNull()
    expect(unitOf('orders')).toBe('order')
  })
})
