// The validation table, as text for the terminal (npm run validate) and as Markdown (docs/validation.md).
import { type Check, passed } from './checks'
import type { ScenarioResult } from './validate'

const fmt = (v: number, unit: Check['unit']): string => {
  if (!Number.isFinite(v)) return '–'
  switch (unit) {
    case 's':
      return `${v.toFixed(3)} s`
    case 'MiB':
      return `${v.toFixed(1)} MiB`
    default:
      return String(v)
  }
}

const tolerance = (c: Check): string => (c.tolerance === null ? 'shown only' : `±${fmt(c.tolerance, c.unit)}`)
const verdict = (c: Check): string => (c.tolerance === null ? '' : passed(c) ? 'ok' : 'OUT')

interface Row {
  readonly cells: readonly string[]
}

function rows(results: readonly ScenarioResult[]): { head: string[]; body: Row[]; breaks: number[] } {
  const head = ['scenario', 'window', 'check', 'real', 'sim', 'tolerance', '', 'tolerance from']
  const body: Row[] = []
  const breaks: number[] = []
  for (const r of results) {
    for (const g of r.groups) {
      breaks.push(body.length)
      for (const c of g.checks) body.push({ cells: [r.name, g.title, c.what, fmt(c.real, c.unit), fmt(c.sim, c.unit), tolerance(c), verdict(c), c.why] })
    }
  }
  return { head, body, breaks }
}

/** Fixed-width text with a rule between windows; the last column (why) is left unpadded. */
export function formatTextTable(results: readonly ScenarioResult[]): string {
  const { head, body, breaks } = rows(results)
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r.cells[i].length)))
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : i >= 3 && i <= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd()
  const rule = widths.map((w, i) => '-'.repeat(i === widths.length - 1 ? Math.min(w, 20) : w)).join('  ')
  const out = [line(head), rule]
  body.forEach((r, i) => {
    if (i > 0 && breaks.includes(i)) out.push('')
    out.push(line(r.cells))
  })
  const all = results.flatMap((r) => r.groups.flatMap((g) => g.checks)).filter((c) => c.tolerance !== null)
  const out_of = all.filter((c) => !passed(c)).length
  out.push('', out_of === 0 ? `all ${all.length} checks within tolerance` : `${out_of} of ${all.length} checks outside tolerance`)
  return out.join('\n')
}

const md = (s: string): string => s.replace(/\|/g, '\\|')

/** One Markdown table per scenario. */
export function formatMarkdownTables(results: readonly ScenarioResult[]): string {
  const out: string[] = []
  for (const r of results) {
    out.push(`### ${r.name}`, '', r.description, '', '| window | check | real | sim | tolerance | | tolerance from |', '|---|---|--:|--:|--:|---|---|')
    for (const g of r.groups) for (const c of g.checks) out.push(`| ${md(g.title)} | ${md(c.what)} | ${fmt(c.real, c.unit)} | ${fmt(c.sim, c.unit)} | ${tolerance(c)} | ${verdict(c)} | ${md(c.why)} |`)
    out.push('')
  }
  return out.join('\n')
}
