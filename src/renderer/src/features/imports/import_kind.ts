// What a dropped or chosen file probably is, from its name: an experiment, a sweep's result, or
// real data of one of the import kinds. The user can always correct the kind before importing.
import type { ImportKind } from '../../../../common/imports'

const GUESS: readonly (readonly [RegExp, ImportKind])[] = [
  [/buddyinfo/i, 'buddyinfo'],
  [/pagetypeinfo/i, 'pagetypeinfo'],
  [/\.csv$/i, 'rss'],
  [/trace|ftrace|\.dat\.txt$/i, 'ftrace'],
]

/** The import kind a file name suggests; null when it says nothing. */
export function guessImportKind(fileName: string): ImportKind | null {
  return GUESS.find(([re]) => re.test(fileName))?.[1] ?? null
}

export type DroppedRole = 'experiment' | 'sweep' | 'data'

/**
 * Where a dropped file goes: JSON is an experiment; `sweep.csv` (or any CSV dropped on the sweep
 * view) a sweep's result; anything else real data to import.
 */
export function droppedFileRole(fileName: string, sweepView: boolean): DroppedRole {
  if (/\.json$/i.test(fileName)) return 'experiment'
  if (/(^|[-_.])sweep[^/]*\.csv$/i.test(fileName) || (sweepView && /\.csv$/i.test(fileName))) return 'sweep'
  return 'data'
}
