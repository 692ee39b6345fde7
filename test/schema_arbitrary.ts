// fast-check arbitraries from a JSON Schema (the experiment file's, as `prlab schema` prints it):
// objects with any subset of their optional fields, numbers from their bounds (the bounds
// themselves, small values and anything between), enums, consts, nullable fields, arrays and
// oneOf unions. Only the keywords that schema uses; an unknown one throws, so the generator
// never silently produces less than the schema allows.
import fc from 'fast-check'

type JsonSchema = Readonly<Record<string, unknown>>

export interface SchemaArbitraryOptions {
  /** Longest array generated (the schema allows 10000 phases; a property run wants a few). */
  readonly maxItems?: number
  /** Tighter bounds for some fields, by property name (e.g. memoryMiB), to keep runs brief. */
  readonly clamp?: Readonly<Record<string, { readonly min?: number; readonly max?: number }>>
}

const KNOWN = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'default',
  'description',
  'title',
  '$schema',
  '$id',
  'anyOf',
  'oneOf',
  'items',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'enum',
  'const',
])

function numberArbitrary(schema: JsonSchema, integer: boolean, clamp: { min?: number; max?: number } | undefined): fc.Arbitrary<number> {
  const exclusiveMin = typeof schema.exclusiveMinimum === 'number'
  const exclusiveMax = typeof schema.exclusiveMaximum === 'number'
  let min = (schema.minimum ?? schema.exclusiveMinimum ?? (integer ? -(2 ** 31) : -1e9)) as number
  let max = (schema.maximum ?? schema.exclusiveMaximum ?? (integer ? 2 ** 31 : 1e9)) as number
  if (clamp?.min !== undefined) min = Math.max(min, clamp.min)
  if (clamp?.max !== undefined) max = Math.min(max, clamp.max)
  if (integer) {
    const lo = Math.ceil(exclusiveMin && min === schema.exclusiveMinimum ? min + 1 : min)
    const hi = Math.floor(exclusiveMax && max === schema.exclusiveMaximum ? max - 1 : max)
    return fc.oneof(fc.constantFrom(lo, hi), fc.integer({ min: lo, max: Math.min(hi, lo + 64) }), fc.integer({ min: lo, max: hi }))
  }
  const small = Math.min(max, Math.max(min, 0) + 10)
  return fc.oneof(
    fc.constantFrom(...[min, max].filter((v) => !(exclusiveMin && v === schema.exclusiveMinimum) && !(exclusiveMax && v === schema.exclusiveMaximum))),
    fc.double({ min, max: small, noNaN: true, noDefaultInfinity: true, minExcluded: exclusiveMin, maxExcluded: exclusiveMax && small === max }),
    fc.double({ min, max, noNaN: true, noDefaultInfinity: true, minExcluded: exclusiveMin, maxExcluded: exclusiveMax }),
  )
}

export function arbitraryFromSchema(schema: JsonSchema, options: SchemaArbitraryOptions = {}, name = ''): fc.Arbitrary<unknown> {
  for (const key of Object.keys(schema)) if (!KNOWN.has(key)) throw new Error(`schema_arbitrary: keyword ${key} (at ${name || 'the root'}) is not supported`)
  if ('const' in schema) return fc.constant(schema.const)
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]))
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined
  if (union !== undefined) return fc.oneof(...union.map((s) => arbitraryFromSchema(s, options, name)))
  switch (schema.type) {
    case 'null':
      return fc.constant(null)
    case 'boolean':
      return fc.boolean()
    case 'integer':
    case 'number':
      return numberArbitrary(schema, schema.type === 'integer', options.clamp?.[name])
    case 'string': {
      const minLength = (schema.minLength as number | undefined) ?? 0
      const maxLength = Math.min((schema.maxLength as number | undefined) ?? 64, 64)
      // every code point: names and labels with control characters, quotes, emoji
      return fc.string({ unit: 'binary', minLength, maxLength: Math.max(minLength, maxLength) })
    }
    case 'array': {
      const minLength = (schema.minItems as number | undefined) ?? 0
      const maxLength = Math.max(minLength, Math.min((schema.maxItems as number | undefined) ?? 8, options.maxItems ?? 8))
      return fc.array(arbitraryFromSchema(schema.items as JsonSchema, options, name), { minLength, maxLength })
    }
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>
      const record = Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, arbitraryFromSchema(s, options, key)]))
      return fc.record(record, { requiredKeys: (schema.required ?? []) as string[] })
    }
    default:
      throw new Error(`schema_arbitrary: type ${String(schema.type)} (at ${name || 'the root'}) is not supported`)
  }
}
