// The editor's fields, read from the JSON Schema of the experiment file (z.toJSONSchema of the
// very schema the host validates with), so every field, default, range and description shown is
// the file's own. Units come from the field names (memoryMiB, delayMs, reportLatencyUs, ...).
import { z } from 'zod'
import { ExperimentSchema, PhaseSchema } from '../../../common/experiment'
import type { DocPath } from './document_path'

export type FieldKind = 'integer' | 'number' | 'boolean' | 'enum' | 'string' | 'order-weights' | 'object'

export interface FieldSpec {
  readonly key: string
  /** Path from the document root (for phases: from the phase object). */
  readonly path: DocPath
  readonly kind: FieldKind
  readonly nullable: boolean
  readonly required: boolean
  readonly options: readonly string[]
  readonly min?: number
  readonly max?: number
  readonly default?: unknown
  readonly description: string
  readonly unit: string
  /** Fields of a nested object (kind 'object'), with their full paths. */
  readonly fields: readonly FieldSpec[]
}

export interface GroupSpec {
  readonly id: string
  readonly title: string
  readonly fields: readonly FieldSpec[]
}

interface JsonSchemaNode {
  type?: string
  enum?: string[]
  const?: unknown
  anyOf?: JsonSchemaNode[]
  oneOf?: JsonSchemaNode[]
  properties?: Record<string, JsonSchemaNode>
  required?: string[]
  items?: JsonSchemaNode
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  default?: unknown
  description?: string
}

const UNIT_OVERRIDES: Readonly<Record<string, string>> = {
  minFreeKbytes: 'KiB',
  watermarkScaleFactor: '‱',
  watermarkBoostFactor: '‱ of high',
  discardUsPer4k: 'µs / 4 KiB',
  discardUsPer2m: 'µs / 2 MiB',
  refaultUsPer4k: 'µs / 4 KiB',
  refaultUsPer2m: 'µs / 2 MiB',
  capacity: 'entries',
  queueSize: 'descriptors',
  cpus: 'vCPUs',
  budgetDivisor: '÷',
  fraction: '0..1',
  hvFailAfterReports: 'reports',
  poisonVal: 'u32',
  ms: 'ms',
}

/** Unit from the field name's suffix (the schema names units in the keys). */
export function unitOf(key: string): string {
  if (key in UNIT_OVERRIDES) return UNIT_OVERRIDES[key]
  if (key.endsWith('MiBps')) return 'MiB/s'
  if (key.endsWith('MiB') || key === 'mib') return 'MiB'
  if (key.endsWith('KiB')) return 'KiB'
  if (key.endsWith('Ms')) return 'ms'
  if (key.endsWith('Us')) return 'µs'
  if (key === 'order' || key === 'orders') return 'order'
  return ''
}

function fieldOf(key: string, node: JsonSchemaNode, path: DocPath, required: boolean): FieldSpec {
  const variants = node.anyOf ?? [node]
  const nullable = variants.some((v) => v.type === 'null')
  const value = variants.find((v) => v.type !== 'null') ?? node
  let kind: FieldKind
  if (value.type === 'object') kind = 'object'
  else if (value.type === 'array') kind = 'order-weights'
  else if (value.enum) kind = 'enum'
  else if (value.type === 'integer') kind = 'integer'
  else if (value.type === 'number') kind = 'number'
  else if (value.type === 'boolean') kind = 'boolean'
  else kind = 'string'
  return {
    key,
    path,
    kind,
    nullable,
    required,
    options: value.enum ?? [],
    min: value.minimum ?? value.exclusiveMinimum,
    max: value.maximum !== undefined && value.maximum < Number.MAX_SAFE_INTEGER ? value.maximum : undefined,
    default: node.default,
    description: node.description ?? value.description ?? '',
    unit: unitOf(key),
    fields: kind === 'object' ? fieldsOf(value, path) : [],
  }
}

function fieldsOf(node: JsonSchemaNode, base: DocPath, skip: readonly string[] = []): FieldSpec[] {
  const required = new Set(node.required ?? [])
  return Object.entries(node.properties ?? {})
    .filter(([key]) => !skip.includes(key))
    .map(([key, child]) => fieldOf(key, child, [...base, key], required.has(key)))
}

/** Editor fields of an object schema, paths from `base`. */
export function formFields(schema: z.ZodType, base: DocPath): FieldSpec[] {
  return fieldsOf(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode, base)
}

const experimentJson = z.toJSONSchema(ExperimentSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode
const phaseJson = z.toJSONSchema(PhaseSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode

const GROUP_TITLES: readonly (readonly [string, string])[] = [
  ['guest', 'Guest'],
  ['reporting', 'Reporting'],
  ['device', 'Device'],
  ['host', 'Host'],
  ['recorder', 'Recorder'],
]

/** Groups of the editor in file order: run, guest, reporting, device, host, recorder (phases apart). */
export const EXPERIMENT_GROUPS: readonly GroupSpec[] = [
  { id: 'run', title: 'Run', fields: fieldsOf(experimentJson, [], ['$schema', 'format', 'version', ...GROUP_TITLES.map(([id]) => id), 'workload']) },
  ...GROUP_TITLES.map(([id, title]) => ({ id, title, fields: fieldsOf(experimentJson.properties?.[id] ?? {}, [id]) })),
]

export type PhaseOp = z.input<typeof PhaseSchema>['op']

/** Fields of each workload phase kind, paths relative to the phase. */
export const PHASE_FIELDS: Readonly<Record<PhaseOp, readonly FieldSpec[]>> = Object.fromEntries(
  (phaseJson.oneOf ?? phaseJson.anyOf ?? []).map((variant) => {
    const op = variant.properties?.op?.const as PhaseOp
    return [op, fieldsOf(variant, [], ['op'])]
  }),
) as Record<PhaseOp, FieldSpec[]>

export const PHASE_OPS = Object.keys(PHASE_FIELDS) as PhaseOp[]

/** A new phase of a kind, with its required fields set to sensible starting values. */
export function newPhase(op: PhaseOp): Record<string, unknown> {
  switch (op) {
    case 'alloc':
      return { op, mib: 256 }
    case 'free':
      return { op, fraction: 1 }
    case 'idle':
      return { op, ms: 10_000 }
    case 'churn':
      return { op, durationMs: 10_000, rateMiBps: 256 }
    case 'pagecache':
      return { op, mib: 256 }
    case 'sysfs-order':
      return { op, order: 9 }
    default:
      // register, unregister, drop-caches need nothing; a replay needs the user's trace file
      return { op }
  }
}

/**
 * What the document holds for a text the user typed into a field: undefined (remove, use the
 * default) for an empty box, null for "null" in a nullable field, a number when it parses, and
 * otherwise the raw text, so the schema reports it inline instead of the edit being lost.
 */
export function valueFromInput(spec: FieldSpec, text: string): unknown {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  if (spec.nullable && trimmed === 'null') return null
  switch (spec.kind) {
    case 'integer':
    case 'number': {
      const n = Number(trimmed.replace(/_/g, ''))
      return /^[-+]?(\d[\d_]*\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed) && Number.isFinite(n) ? n : text
    }
    case 'order-weights':
      return parseOrderWeights(trimmed) ?? text
    default:
      return text
  }
}

/** Text for a field's input box from the document value. */
export function inputFromValue(spec: FieldSpec, value: unknown): string {
  if (value === undefined) return ''
  if (value === null) return 'null'
  if (spec.kind === 'order-weights' && Array.isArray(value)) return formatOrderWeights(value)
  return String(value)
}

/** The churn order mix as "order:weight" pairs: "0:3 9:1". */
export function parseOrderWeights(text: string): { order: number; weight: number }[] | null {
  const pairs = text.split(/[\s,]+/).filter(Boolean)
  const out: { order: number; weight: number }[] = []
  for (const pair of pairs) {
    const m = /^(\d+):(\d+(?:\.\d+)?)$/.exec(pair)
    if (!m) return null
    out.push({ order: Number(m[1]), weight: Number(m[2]) })
  }
  return out.length > 0 ? out : null
}

export function formatOrderWeights(value: readonly unknown[]): string {
  return value
    .map((v) => (typeof v === 'object' && v !== null ? `${String((v as { order?: unknown }).order)}:${String((v as { weight?: unknown }).weight)}` : String(v)))
    .join(' ')
}

/** The default as the editor shows it as a placeholder ("kernel computes" for null). */
export function defaultLabel(spec: FieldSpec): string {
  if (spec.default === undefined) return spec.required ? 'required' : 'optional'
  if (spec.default === null) return spec.kind === 'object' ? 'none' : 'auto'
  if (spec.kind === 'order-weights' && Array.isArray(spec.default)) return formatOrderWeights(spec.default)
  return String(spec.default)
}
