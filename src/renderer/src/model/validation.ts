// Inline validation: the document goes through ExperimentSchema.safeParse (the schema the files
// and the host use) and the issues are worded by experimentIssues (the same words the host and
// the CLI print for a file), then keyed by field path so the editor can put each message under
// its field.
import { ExperimentSchema, type Experiment } from '../../../common/experiment'
import { experimentIssues } from '../../../common/experiment_issues'
import type { Issue } from '../../../common/api'

export interface Validation {
  readonly experiment: Experiment | null
  readonly issues: readonly Issue[]
  /** Messages by field path ("guest.memoryMiB"). */
  readonly byPath: ReadonlyMap<string, readonly string[]>
}

export function validateDocument(document: unknown): Validation {
  const result = ExperimentSchema.safeParse(document)
  if (result.success) return { experiment: result.data, issues: [], byPath: new Map() }
  const issues = experimentIssues(result.error, document)
  const byPath = new Map<string, string[]>()
  for (const issue of issues) byPath.set(issue.path, [...(byPath.get(issue.path) ?? []), issue.message])
  return { experiment: null, issues, byPath }
}
