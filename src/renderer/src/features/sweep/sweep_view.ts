// A sweep's table as charts: one summary figure against one grid parameter, a line per value of
// a second parameter (or one line). Failed points and empty cells are left out.
import type { SweepTable } from '../../../../common/imports'

export type Cell = number | string | null

export interface SweepLine {
  readonly name: string
  /** [x, y] pairs, sorted by x when x is numeric. */
  readonly points: readonly (readonly [Cell, number])[]
}

/** Summary columns with at least one number: what can go on the y axis. */
export function figureColumns(table: SweepTable): string[] {
  const status = table.columns.indexOf('status')
  return table.columns.filter((c, i) => i > status && c !== 'error' && table.rows.some((r) => typeof r[i] === 'number'))
}

const compareCells = (a: Cell, b: Cell): number => {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (a === null) return b === null ? 0 : -1
  if (b === null) return 1
  return String(a).localeCompare(String(b), undefined, { numeric: true })
}

export function lines(table: SweepTable, x: string, y: string, by: string | null): SweepLine[] {
  const col = (name: string): number => {
    const i = table.columns.indexOf(name)
    if (i < 0) throw new Error(`${table.fileName} has no column ${name}`)
    return i
  }
  const [xi, yi, si] = [col(x), col(y), col('status')]
  const bi = by === null ? -1 : col(by)
  const groups = new Map<string, [Cell, number][]>()
  for (const r of table.rows) {
    const v = r[yi]
    if (r[si] !== 'ok' || typeof v !== 'number') continue
    const key = bi < 0 ? y : `${by}=${r[bi] === null ? 'null' : String(r[bi])}`
    const list = groups.get(key) ?? []
    list.push([r[xi], v])
    groups.set(key, list)
  }
  return [...groups.entries()].map(([name, points]) => ({ name, points: points.sort((a, b) => compareCells(a[0], b[0])) }))
}

/** Row order for a table sorted by one column; stable, nulls first ascending. */
export function sortedRowIndices(table: SweepTable, column: string, descending: boolean): number[] {
  const c = table.columns.indexOf(column)
  const idx = table.rows.map((_, i) => i)
  if (c < 0) return idx
  return idx.sort((a, b) => (descending ? -1 : 1) * compareCells(table.rows[a][c], table.rows[b][c]) || a - b)
}

/** The quantity of a summary figure from its name's unit suffix (docs/run-summary.md names them so). */
export function figureQuantity(column: string): { readonly quantity: 'kib' | 'count'; readonly unit: string } {
  if (/_kib(_|$)/.test(column)) return { quantity: 'kib', unit: '' }
  if (/_ms(_|$)/.test(column)) return { quantity: 'count', unit: 'ms' }
  if (/pct/.test(column)) return { quantity: 'count', unit: '%' }
  return { quantity: 'count', unit: '' }
}

/** A figure's name for an axis: "final host rss" from final_host_rss_kib. */
export const figureLabel = (column: string): string => column.replace(/_(kib|ms)$/, '').replace(/_/g, ' ')
