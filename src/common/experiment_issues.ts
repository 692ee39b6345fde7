// Turns zod's validation issues into the lab's Issue: a dotted field path people can find in
// their file (`workload.phases[2].mib`) and a message that says what was expected and what was
// found. Shared by the host (files, CLI) and the renderer (live form validation).
import { z } from 'zod'
import type { Issue } from './api'
import { ExperimentSchema } from './experiment'

type Segment = string | number

export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else {
      const key = String(segment)
      const safe = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key)
      out += out === '' ? safe : `.${safe}`
    }
  }
  return out
}

function valueAt(document: unknown, path: readonly Segment[]): unknown {
  let node = document
  for (const segment of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, segment)) return undefined
    node = (node as Record<Segment, unknown>)[segment]
  }
  return node
}

/** Peels defaults, optionals and the like off a schema until an object, array or union shows. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema
  for (;;) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable) {
      s = s.unwrap() as z.ZodType
    } else return s
  }
}

/** The schema of the value at `path` in `document` (discriminated unions resolved by `op`). */
function schemaAt(root: z.ZodType, document: unknown, path: readonly Segment[]): z.ZodType | undefined {
  let schema: z.ZodType = root
  for (let i = 0; i <= path.length; i++) {
    schema = unwrap(schema)
    if (schema instanceof z.ZodDiscriminatedUnion) {
      const op = valueAt(document, [...path.slice(0, i), 'op'])
      const option = (schema.options as z.ZodType[]).find((o) => {
        const inner = unwrap(o)
        return inner instanceof z.ZodObject && (inner.shape.op as z.ZodLiteral).values.has(op as never)
      })
      if (option === undefined) return undefined
      schema = unwrap(option)
    }
    if (i === path.length) return schema
    const segment = path[i]
    if (schema instanceof z.ZodObject && typeof segment === 'string' && Object.hasOwn(schema.shape, segment)) {
      schema = schema.shape[segment] as z.ZodType
    } else if (schema instanceof z.ZodArray && typeof segment === 'number') {
      schema = schema.element as z.ZodType
    } else return undefined
  }
  return schema
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length]
}

/** The closest known name, if it is close enough to be a typo. */
export function suggest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of known) {
    const d = editDistance(word, candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  if (bestDistance <= Math.max(2, Math.floor(word.length / 3))) return best
  // A short name inside exactly one longer one: "thp" for "anon-thp".
  const containing = word.length >= 2 ? known.filter((k) => k.toLowerCase().includes(word.toLowerCase())) : []
  return containing.length === 1 ? containing[0] : undefined
}

/** "a string "abc"", "the number 12", "null", ...: what the user wrote, briefly. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return `a list of ${value.length}`
  switch (typeof value) {
    case 'string': {
      const shown = value.length > 40 ? `${value.slice(0, 40)}...` : value
      return `the string ${JSON.stringify(shown)}`
    }
    case 'number':
      return `${value}`
    case 'boolean':
      return `${value}`
    case 'object':
      return 'an object'
    default:
      return `a ${typeof value}`
  }
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object { ... }',
  array: 'a list [ ... ]',
}

const quoteAll = (values: readonly unknown[]): string => values.map((v) => JSON.stringify(v)).join(', ')

function bound(issue: { inclusive?: boolean }, below: boolean): string {
  if (issue.inclusive === false) return below ? '>' : '<'
  return below ? '>=' : '<='
}

function sizeMessage(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall, value: unknown, below: boolean): string {
  const limit = below ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum
  switch (issue.origin) {
    case 'array':
      return `expected a list of ${below ? 'at least' : 'at most'} ${limit} entries, got ${Array.isArray(value) ? value.length : '?'}`
    case 'string':
      return `expected ${below ? 'at least' : 'at most'} ${limit} characters, got ${typeof value === 'string' ? value.length : '?'}`
    default:
      return `expected a number ${bound(issue, below)} ${limit}, got ${describeValue(value)}`
  }
}

function messageFor(issue: z.core.$ZodIssue, document: unknown, root: z.ZodType): Issue[] {
  const path = issue.path.filter((s): s is Segment => typeof s !== 'symbol')
  const value = valueAt(document, path)
  const at = formatPath(path)
  switch (issue.code) {
    case 'invalid_type': {
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected
      if (value === undefined) return [{ path: at, message: `required field is missing; expected ${expected}` }]
      if (typeof value === 'number' && !Number.isFinite(value)) return [{ path: at, message: `expected a finite number, got ${value}` }]
      return [{ path: at, message: `expected ${expected}, got ${describeValue(value)}` }]
    }
    case 'too_big':
      return [{ path: at, message: sizeMessage(issue, value, false) }]
    case 'too_small':
      return [{ path: at, message: sizeMessage(issue, value, true) }]
    case 'invalid_value': {
      const hint = typeof value === 'string' ? suggest(value, issue.values.map(String)) : undefined
      const expected = issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${quoteAll(issue.values)}`
      if (value === undefined) return [{ path: at, message: `required field is missing; expected ${expected}` }]
      return [{ path: at, message: `expected ${expected}, got ${describeValue(value)}${hint ? ` (did you mean "${hint}"?)` : ''}` }]
    }
    case 'unrecognized_keys': {
      const schema = schemaAt(root, document, path)
      const known = schema instanceof z.ZodObject ? Object.keys(schema.shape) : []
      return issue.keys.map((key) => {
        const hint = suggest(key, known)
        const list = known.length > 0 ? `; expected one of ${known.join(', ')}` : ''
        return { path: formatPath([...path, key]), message: `unknown field${hint ? ` (did you mean "${hint}"?)` : ''}${list}` }
      })
    }
    case 'invalid_union': {
      if ('discriminator' in issue && typeof issue.discriminator === 'string') {
        const options = 'options' in issue && Array.isArray(issue.options) ? (issue.options as unknown[]).map(String) : []
        const opPath = at.endsWith(`.${issue.discriminator}`) ? at : formatPath([...path, issue.discriminator])
        const op = valueAt(document, at === opPath ? path : [...path, issue.discriminator])
        const hint = typeof op === 'string' ? suggest(op, options) : undefined
        const got = op === undefined ? 'nothing' : describeValue(op)
        return [{ path: opPath, message: `expected one of ${quoteAll(options)}, got ${got}${hint ? ` (did you mean "${hint}"?)` : ''}` }]
      }
      return [{ path: at, message: issue.message }]
    }
    case 'invalid_format':
    case 'not_multiple_of':
    case 'invalid_key':
    case 'invalid_element':
    case 'custom':
    default:
      return [{ path: at, message: issue.message }]
  }
}

/**
 * Issues for a failed parse of `document` against `root` (a guest experiment by default; the
 * host experiment schema for host files), in document order of zod.
 */
export function experimentIssues(error: z.ZodError, document: unknown, root: z.ZodType = ExperimentSchema): Issue[] {
  return error.issues.flatMap((issue) => messageFor(issue, document, root))
}
