// The sizing answer (prlab fit, the Sweep view): the largest number of copies of a guest that a
// host runs while an objective holds (src/common/fit_objective.ts).
//
// The search assumes more copies never make things better. It evaluates counts in rounds, each
// round's counts in parallel worker threads, and each round's counts depend only on the results
// so far, so the answer does not depend on timing:
// - until a count fails: `width` counts ahead of the best count so far, growing by a factor
//   (width + 1) per round (1, 2, 4, 8, ... with one worker);
// - then: `width` counts spread evenly between the largest count that met the objective and the
//   smallest that did not, until they are adjacent.
// The answer is the largest count that met the objective below the smallest that did not. A count
// above that which met it is reported (the runs were not monotonic). Large searches are sharded
// instead: every count of a list (--counts a..b), split over shards as sweep points are.
import { stringify } from 'csv-stringify/sync'
import type { Experiment } from '../common/experiment'
import { FIT_FIGURES, meets, type FitFigure, type FitObjective } from '../common/fit_objective'
import type { HostExperiment, HostGuestEntry, InlineGuest } from '../common/host_experiment'
import type { PointFigures } from './sweep'

export interface FitCopies {
  /** Host time the first copy starts, ms. */
  readonly startMs: number
  /** Time between the copies' starts, ms. */
  readonly staggerMs: number
}

/** One evaluated count. */
export interface FitPoint {
  readonly count: number
  /** The objective held (false also when the run failed). */
  readonly ok: boolean
  /** Why it held (the figures) or the first condition that did not. */
  readonly why: string
  readonly figures: PointFigures | null
  /** The run failed (an error, not a verdict). */
  readonly error?: string
}

export interface FitAnswer {
  /** The largest count that met the objective below the smallest that did not (0: not even one). */
  readonly largest: number
  /** The smallest count that did not, or null when every count up to max met it. */
  readonly firstFailing: number | null
  /** Counts above `largest` that met the objective after a smaller one had not. */
  readonly nonMonotonic: readonly number[]
}

/** The guest experiment as a host entry's inline experiment. */
function inlineOf(guest: Experiment): InlineGuest {
  const { $schema: _s, format: _f, version: _v, ...inline } = guest
  return inline
}

/** The host experiment of `count` copies of `guest`, after the host's own guests (if any). */
export function fitPointHost(host: HostExperiment, guest: Experiment, count: number, copies: FitCopies): HostExperiment {
  const entry: HostGuestEntry = { name: guest.name, experiment: inlineOf(guest), count, startMs: copies.startMs, staggerMs: copies.staggerMs, seedStride: 1 }
  return { ...host, name: `${host.name}: ${count} × ${guest.name}`, guests: [...host.guests, entry] }
}

/** `host` with every guest inline: a `file` entry takes the experiment it resolved to (`entries`, by index). */
export function inlineGuests(host: HostExperiment, entries: readonly { readonly experiment: Experiment }[]): HostExperiment {
  const guests = host.guests.map((entry, i): HostGuestEntry => {
    if (entry.file === undefined) return entry
    const { file: _file, ...rest } = entry
    return { ...rest, experiment: inlineOf(entries[i].experiment) }
  })
  return { ...host, guests }
}

/** A point's verdict from its run's figures. */
export function judge(objective: FitObjective, count: number, figures: PointFigures): FitPoint {
  const values = {} as Record<FitFigure, number>
  for (const f of Object.keys(FIT_FIGURES) as FitFigure[]) {
    const v = figures[f]
    values[f] = typeof v === 'number' ? v : NaN
  }
  const m = meets(objective, values)
  return { count, ok: m.ok, why: m.why, figures }
}

/** The answer from the points evaluated so far (`max`: the largest count searched). */
export function fitAnswer(points: Iterable<FitPoint>, max: number): FitAnswer {
  const sorted = [...points].sort((a, b) => a.count - b.count)
  const failing = sorted.find((p) => !p.ok && p.count <= max)
  const firstFailing = failing?.count ?? null
  const hi = firstFailing ?? max + 1
  const largest = sorted.filter((p) => p.ok && p.count < hi).reduce((n, p) => Math.max(n, p.count), 0)
  return { largest, firstFailing, nonMonotonic: sorted.filter((p) => p.ok && p.count > hi).map((p) => p.count) }
}

/** The counts of the next round, given what is known; empty when the answer is settled. */
export function nextCounts(known: ReadonlyMap<number, FitPoint>, width: number, max: number): number[] {
  const { largest: lo, firstFailing } = fitAnswer(known.values(), max)
  const hi = firstFailing ?? max + 1
  if (hi - lo <= 1) return []
  const out = new Set<number>()
  if (firstFailing === null) {
    const step = Math.max(1, lo)
    for (let i = 1; i <= width; i++) out.add(Math.min(max, lo + i * step))
  } else {
    for (let i = 1; i <= width; i++) out.add(lo + Math.round((i * (hi - lo)) / (width + 1)))
  }
  return [...out].filter((c) => c > lo && c < hi && !known.has(c)).sort((a, b) => a - b)
}

/**
 * Runs the search: `evaluate` runs one round's counts (in parallel) and returns their points.
 * `onRound` hears each round's counts before they run.
 */
export async function searchFit(evaluate: (counts: readonly number[]) => Promise<FitPoint[]>, width: number, max: number, onRound?: (counts: readonly number[]) => void): Promise<{ answer: FitAnswer; points: FitPoint[] }> {
  const known = new Map<number, FitPoint>()
  for (;;) {
    const counts = nextCounts(known, width, max)
    if (counts.length === 0) break
    onRound?.(counts)
    for (const p of await evaluate(counts)) known.set(p.count, p)
  }
  const points = [...known.values()].sort((a, b) => a.count - b.count)
  return { answer: fitAnswer(points, max), points }
}

/** fit.csv: one row per evaluated count, in count order, with the objective's verdict and the host figures. */
export function fitCsv(points: readonly FitPoint[]): string {
  const figures = Object.keys(FIT_FIGURES) as FitFigure[]
  const header = ['count', 'status', 'why', ...figures, 'wall_ms', 'error']
  const cell = (v: number | string | null | undefined): string => (v === undefined || v === null ? '' : String(v))
  const body = [...points]
    .sort((a, b) => a.count - b.count)
    .map((p) => [String(p.count), p.error !== undefined ? 'failed' : p.ok ? 'meets' : 'fails', p.why, ...figures.map((f) => cell(p.figures?.[f])), cell(p.figures?.wall_ms), p.error ?? ''])
  return stringify([header, ...body], { record_delimiter: 'unix' })
}

/** The answer in words. */
export function fitAnswerText(answer: FitAnswer, objective: FitObjective, points: readonly FitPoint[], guestName: string, max: number): string {
  const at = (n: number): FitPoint | undefined => points.find((p) => p.count === n)
  const lines: string[] = []
  if (answer.largest === 0) lines.push(`not even 1 × ${guestName} meets ${objective.text}: ${at(answer.firstFailing ?? 1)?.why ?? ''}`)
  else lines.push(`${answer.largest} × ${guestName} ${answer.largest === 1 ? 'fits' : 'fit'} (${objective.text}): ${at(answer.largest)?.why ?? ''}`)
  if (answer.firstFailing !== null && answer.largest > 0) lines.push(`${answer.firstFailing} do not: ${at(answer.firstFailing)?.why ?? ''}`)
  if (answer.firstFailing === null) lines.push(`every count up to --max ${max} meets the objective; raise --max to look further`)
  if (answer.nonMonotonic.length > 0) lines.push(`note: ${answer.nonMonotonic.join(', ')} also met it although ${answer.firstFailing} did not; the runs are not monotonic in the count`)
  return lines.join('\n')
}
