// The Sweep view's grid: rows of an experiment path and its values, in `prlab sweep --grid`'s
// syntax (src/common/grid_syntax.ts), with the paths offered from the experiment's schema (the
// editor's own field specs) and the phases the document has.
import { gridTokens } from '../../../../common/grid_syntax'
import { MAX_UI_SWEEP_POINTS } from '../../../../common/api'
import type { ExperimentInput } from '../../../../common/experiment'
import { EXPERIMENT_GROUPS, PHASE_FIELDS, type FieldSpec, type PhaseOp } from '../../model/experiment_form'
import { pathKey } from '../../model/document_path'

export interface SweepPath {
  readonly path: string
  /** What it is, for the list: "reporting · delayMs (ms)". */
  readonly label: string
  readonly unit: string
  /** Values to start from: the enum's options, true/false, or a range around the default. */
  readonly example: string
  /** What is wrong with one value for this field ('' when the schema takes it). */
  readonly check: (token: string) => string
}

export interface GridRow {
  path: string
  values: string
}

const SWEEPABLE = new Set(['integer', 'number', 'boolean', 'enum'])

function example(f: FieldSpec): string {
  if (f.kind === 'enum') return f.options.join(',')
  if (f.kind === 'boolean') return 'true,false'
  const d = typeof f.default === 'number' ? f.default : (f.min ?? 1)
  return f.kind === 'integer' && d > 0 ? `${Math.max(f.min ?? 0, Math.round(d / 2))},${d},${d * 2}` : String(d)
}

/** The field's type and bounds, checked here so a typo shows before anything runs (the host checks again). */
function checker(f: FieldSpec): (token: string) => string {
  return (token) => {
    if (token === 'null') return f.nullable ? '' : `${token}: ${f.key} cannot be null`
    if (f.kind === 'enum') return f.options.includes(token) ? '' : `${token}: expected one of ${f.options.join(', ')}`
    if (f.kind === 'boolean') return token === 'true' || token === 'false' ? '' : `${token}: expected true or false`
    const v = Number(token)
    if (token.trim() === '' || !Number.isFinite(v)) return `${token}: expected a number`
    if (f.kind === 'integer' && !Number.isInteger(v)) return `${token}: expected an integer`
    if (f.min !== undefined && v < f.min) return `${token}: below the least, ${f.min}`
    if (f.max !== undefined && v > f.max) return `${token}: above the most, ${f.max}`
    return ''
  }
}

function collect(fields: readonly FieldSpec[], group: string, out: SweepPath[]): void {
  for (const f of fields) {
    if (f.kind === 'object') collect(f.fields, group, out)
    else if (SWEEPABLE.has(f.kind)) out.push({ path: pathKey(f.path), label: `${group} · ${f.key}${f.unit ? ` (${f.unit})` : ''}`, unit: f.unit, example: example(f), check: checker(f) })
  }
}

/** Every path a sweep can vary: the schema's numbers, booleans and choices, and each phase's. */
export function sweepablePaths(document: ExperimentInput): SweepPath[] {
  const out: SweepPath[] = []
  for (const g of EXPERIMENT_GROUPS) collect(g.fields, g.title.toLowerCase(), out)
  const phases = (document.workload?.phases ?? []) as { op?: string }[]
  phases.forEach((p, i) => {
    const fields = PHASE_FIELDS[p.op as PhaseOp] ?? []
    collect(
      fields.map((f) => ({ ...f, path: ['workload', 'phases', i, f.key] })),
      `phase ${i + 1} (${p.op})`,
      out,
    )
  })
  return out
}

/**
 * How many values a row gives, or what is wrong with it: its syntax, and with the sweepable
 * `paths` each value against its field's type and bounds (the host checks each against the schema
 * again; a path not listed, such as a phase field the document does not have yet, is left to it).
 */
export function rowCount(row: GridRow, paths: readonly SweepPath[] = []): { count: number } | { error: string } {
  if (row.path.trim() === '') return { error: 'pick a path' }
  if (row.values.trim() === '') return { error: 'give values: 5,7,9 or 100..2000:100' }
  let tokens: string[]
  try {
    tokens = gridTokens(row.values)
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) }
  }
  const field = paths.find((p) => p.path === row.path.trim())
  const wrong = field ? tokens.map(field.check).find((m) => m !== '') : undefined
  return wrong ? { error: wrong } : { count: tokens.length }
}

/** Points of the grid (the product of the rows' counts), or the first problem. */
export function gridSize(rows: readonly GridRow[], paths: readonly SweepPath[] = []): { points: number } | { error: string } {
  if (rows.length === 0) return { error: 'add a row: a path and its values' }
  const named = rows.map((r) => r.path.trim())
  if (new Set(named).size !== named.length) return { error: 'a path is given twice: list all its values in one row' }
  let points = 1
  for (const [i, r] of rows.entries()) {
    const c = rowCount(r, paths)
    if ('error' in c) return { error: `row ${i + 1}: ${c.error}` }
    points *= c.count
  }
  if (points > MAX_UI_SWEEP_POINTS) return { error: `${points} points; the lab runs at most ${MAX_UI_SWEEP_POINTS} from here (prlab sweep runs more)` }
  return { points }
}

/** The rows as `prlab sweep --grid` arguments. */
export const gridArgs = (rows: readonly GridRow[]): string[] => rows.map((r) => `${r.path.trim()}=${r.values.trim()}`)
