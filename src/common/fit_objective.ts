// The objective of `prlab fit` (and the Sweep view's fit): conditions on a host run's summary
// figures (src/common/host_summary.ts), all of which must hold.
//
//   objective := condition ( ',' condition )*
//   condition := figure op number
//   op        := '<' | '<=' | '>' | '>=' | '=='
//
// e.g. `swapin_ms_per_s<5`, `swapin_ms_per_s_max<=20, min_host_free_kib>=524288`. A run in which
// the OOM killer killed a guest never meets an objective (oom_kills==0 always applies).
import type { HostSummary } from './host_summary'

/** The figures an objective may name, with their unit and meaning (docs, `prlab fit --help`). */
export const FIT_FIGURES = {
  swapin_ms_per_s: 'ms/s: the worst guest’s swap-in stall per second of its life',
  swapin_ms_per_s_max: 'ms/s: the worst guest’s swap-in stall per second over its worst host sample interval',
  swapin_stall_ms: 'ms: swap-in stall of all guests together',
  reclaim_stall_ms: 'ms: direct-reclaim stall of all guests together',
  swapped_out_kib: 'KiB: guest memory the host swapped out',
  swapped_in_kib: 'KiB: guest memory swapped back in',
  peak_swap_used_kib: 'KiB: most host swap in use at once',
  min_host_free_kib: 'KiB: least free host memory',
  peak_guests_rss_kib: 'KiB: the guests’ largest summed RSS',
  mean_guests_rss_kib: 'KiB: the guests’ mean summed RSS',
  alloc_failures: 'count: failed guest allocations, all guests',
  thp_fallbacks: 'count: host THP faults that fell back to 4 KiB',
  oom_kills: 'count: guests the OOM killer killed',
} as const satisfies Partial<Record<keyof HostSummary, string>>

export type FitFigure = keyof typeof FIT_FIGURES

const OPS = ['<=', '>=', '==', '<', '>'] as const
export type FitOp = (typeof OPS)[number]

export interface FitCondition {
  readonly figure: FitFigure
  readonly op: FitOp
  readonly value: number
}

export interface FitObjective {
  readonly text: string
  readonly conditions: readonly FitCondition[]
}

const isFigure = (name: string): name is FitFigure => Object.hasOwn(FIT_FIGURES, name)

/** Parses an objective; throws an Error saying what is wrong and what is expected. */
export function parseObjective(text: string): FitObjective {
  const parts = text.split(',').map((p) => p.trim())
  if (text.trim() === '' || parts.some((p) => p === '')) throw new Error(`--slo ${JSON.stringify(text)}: expected conditions like 'swapin_ms_per_s<5', separated by commas`)
  const conditions = parts.map((part) => {
    const m = /^([a-z_]+)\s*(<=|>=|==|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/i.exec(part)
    if (m === null) throw new Error(`--slo: ${JSON.stringify(part)} is not a condition; expected figure op number with op one of ${OPS.join(' ')}, e.g. swapin_ms_per_s<5`)
    const [, name, op, number] = m
    if (!isFigure(name)) throw new Error(`--slo: unknown figure "${name}"; expected one of ${Object.keys(FIT_FIGURES).join(', ')}`)
    const value = Number(number)
    if (!Number.isFinite(value)) throw new Error(`--slo: ${part}: the number is not finite`)
    return { figure: name, op: op as FitOp, value }
  })
  return { text: parts.join(', '), conditions }
}

export function holds(c: FitCondition, actual: number): boolean {
  switch (c.op) {
    case '<':
      return actual < c.value
    case '<=':
      return actual <= c.value
    case '>':
      return actual > c.value
    case '>=':
      return actual >= c.value
    case '==':
      return actual === c.value
  }
}

/** Whether a run meets the objective, and the first reason it does not. */
export function meets(objective: FitObjective, figures: Readonly<Record<FitFigure, number>>): { readonly ok: boolean; readonly why: string } {
  if (figures.oom_kills > 0) return { ok: false, why: `the OOM killer killed ${figures.oom_kills} guest${figures.oom_kills === 1 ? '' : 's'}` }
  for (const c of objective.conditions) {
    const actual = figures[c.figure]
    if (!holds(c, actual)) return { ok: false, why: `${c.figure} = ${Number(actual.toPrecision(6))}, not ${c.op} ${c.value}` }
  }
  return { ok: true, why: objective.conditions.map((c) => `${c.figure} = ${Number(figures[c.figure].toPrecision(6))}`).join(', ') }
}
