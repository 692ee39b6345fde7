// Inline validation: the document goes through ExperimentSchema.safeParse (the schema the files
// and the host use) and every issue is keyed by the field path it belongs to, so the editor can
// put the message under the field. Unknown keys get one entry per key.
import type { z } from 'zod'
import { ExperimentSchema, type Experiment } from '../../../common/experiment'
import { pathKey } from './document_path'

export interface FieldIssue {
  readonly path: string
  readonly message: string
}

export interface Validation {
  readonly experiment: Experiment | null
  readonly issues: readonly FieldIssue[]
  /** Messages by field path ("guest.memoryMiB"). */
  readonly byPath: ReadonlyMap<string, readonly string[]>
}

function messageOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
      return `must be ${issue.inclusive === false ? '>' : '≥'} ${String(issue.minimum)}`
    case 'too_big':
      return `must be ${issue.inclusive === false ? '<' : '≤'} ${String(issue.maximum)}`
    case 'invalid_type':
      return / received undefined$/.test(issue.message) ? 'required' : `expected a ${issue.expected}`
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
    default:
      return issue.message.replace(/^Invalid input: /, '')
  }
}

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: pathKey([...issue.path, key]), message: `unknown field "${key}"` }))
    }
    if (issue.code === 'invalid_union' && issue.path.at(-1) !== undefined && issue.errors.length > 0) {
      return [{ path: pathKey([...issue.path, 'op']), message: 'unknown phase kind' }]
    }
    return [{ path: pathKey(issue.path), message: messageOf(issue) }]
  })
}

export function validateDocument(document: unknown): Validation {
  const result = ExperimentSchema.safeParse(document)
  if (result.success) return { experiment: result.data, issues: [], byPath: new Map() }
  const issues = issuesOf(result.error)
  const byPath = new Map<string, string[]>()
  for (const issue of issues) byPath.set(issue.path, [...(byPath.get(issue.path) ?? []), issue.message])
  return { experiment: null, issues, byPath }
}
