// The validation suite (issue 13 part 1): every folder of validation/ holds a recording of a real
// guest (the layout of `prlab record-guest`) and the experiment that mirrors it
// (experiment.prlab.json, as `prlab record-guest --mirror` writes it). Each is run and compared.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Experiment } from '../../common/experiment'
import { loadRecording, type Recording } from '../guest/recording_import'
import { type CheckGroup, guestChecks, passed, releaseChecks } from './checks'
import type { Release, Trace } from './figures'
import { realSide } from './recording_trace'
import { simSide } from './sim_trace'

export const VALIDATION_EXPERIMENT = 'experiment.prlab.json'

/** validation/ of the source tree. */
export const defaultValidationDir = (): string => fileURLToPath(new URL('../../../validation', import.meta.url))

/** The scenario folders: a recording (meta.json) with its mirroring experiment. */
export function validationScenarios(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'meta.json')) && existsSync(join(dir, d.name, VALIDATION_EXPERIMENT)))
    .map((d) => d.name)
    .sort()
}

export interface ScenarioResult {
  readonly name: string
  readonly description: string
  readonly recording: Recording
  readonly releases: readonly Release[]
  readonly real: Trace
  readonly sim: Trace
  readonly groups: readonly CheckGroup[]
  /** The script's end on the experiment's axis, ms. */
  readonly end_ms: number
}

export async function validateScenario(dir: string, name: string, change?: (e: Experiment) => Experiment): Promise<ScenarioResult> {
  const folder = join(dir, name)
  const recording = loadRecording(folder)
  const real = realSide(recording)
  const sim = await simSide(join(folder, VALIDATION_EXPERIMENT), change)
  const groups: CheckGroup[] = [{ title: 'guest: zones, watermarks, per-CPU lists', checks: guestChecks(recording.guest, sim.zoneinfo) }]
  for (const release of real.releases) {
    groups.push({ title: `${release.label} at ${(release.done_ms / 1000).toFixed(1)} s`, checks: releaseChecks(real.trace, sim.trace, release) })
  }
  const description = typeof recording.meta.description === 'string' ? recording.meta.description : ''
  return { name, description, recording, releases: real.releases, real: real.trace, sim: sim.trace, groups, end_ms: real.end_ms }
}

export async function validateAll(dir = defaultValidationDir()): Promise<ScenarioResult[]> {
  const out: ScenarioResult[] = []
  for (const name of validationScenarios(dir)) out.push(await validateScenario(dir, name))
  return out
}

export const failures = (results: readonly ScenarioResult[]): { scenario: string; group: string; what: string }[] =>
  results.flatMap((r) => r.groups.flatMap((g) => g.checks.filter((c) => !passed(c)).map((c) => ({ scenario: r.name, group: g.title, what: c.what }))))
