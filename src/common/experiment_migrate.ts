// Migration of older experiment files to the current `version`, and refusal of newer ones.
//
// Version history (docs/experiment-file.md, "Versions"):
// - 0: the 0.x prototype format. `reporting.pageReportingOrder` spelled the kernel parameter in
//   camelCase; `host.backing` used the short names "4k", "thp" and "hugetlbfs" (hugetlbfs meant
//   2 MiB pages, the only size then); `recorder.intervalMs` was the sample interval.
// - 1: one guest per file (today's guest experiment).
// - 2: the current format (EXPERIMENT_VERSION). A file is a guest experiment, unchanged from
//   version 1, or a host experiment (`machine` and `guests`, src/common/host_experiment.ts).
// A migration step is a pure function on the parsed JSON document; it never fills in defaults, so
// a migrated file saved again stays as short as the user wrote it.
import { EXPERIMENT_SCHEMA_URL, EXPERIMENT_VERSION } from './experiment'

export type JsonObject = { [key: string]: unknown }

export interface MigrationIssue {
  readonly path: string
  readonly message: string
}

export type MigrationResult =
  | { readonly ok: true; readonly document: JsonObject; readonly from: number; readonly notes: readonly string[] }
  | { readonly ok: false; readonly issues: readonly MigrationIssue[] }

export const OLDEST_SUPPORTED_VERSION = 0

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value)

/** v0 host.backing names and their v1 spelling. */
export const V0_BACKING_NAMES: Readonly<Record<string, string>> = { '4k': 'anon-4k', thp: 'anon-thp', hugetlbfs: 'hugetlb-2m' }

type Step = (document: JsonObject, notes: string[], issues: MigrationIssue[]) => JsonObject

function renameKey(section: JsonObject, sectionPath: string, from: string, to: string, notes: string[], issues: MigrationIssue[]): JsonObject {
  if (!Object.hasOwn(section, from)) return section
  if (Object.hasOwn(section, to)) {
    issues.push({ path: `${sectionPath}.${from}`, message: `both ${from} (version 0 name) and ${to} are given; keep only ${to}` })
    return section
  }
  const renamed: JsonObject = {}
  for (const [key, value] of Object.entries(section)) renamed[key === from ? to : key] = value
  notes.push(`${sectionPath}.${from} is now ${sectionPath}.${to}`)
  return renamed
}

const v0ToV1: Step = (document, notes, issues) => {
  const next: JsonObject = { ...document }
  if (isObject(next.reporting)) next.reporting = renameKey(next.reporting, 'reporting', 'pageReportingOrder', 'order', notes, issues)
  if (isObject(next.recorder)) next.recorder = renameKey(next.recorder, 'recorder', 'intervalMs', 'sampleIntervalMs', notes, issues)
  if (isObject(next.host) && typeof next.host.backing === 'string' && Object.hasOwn(V0_BACKING_NAMES, next.host.backing)) {
    const renamed = V0_BACKING_NAMES[next.host.backing]
    notes.push(`host.backing "${next.host.backing}" is now "${renamed}"`)
    next.host = { ...next.host, backing: renamed }
  }
  next.version = 1
  return next
}

/** The `$schema` URL the lab wrote into version 1 files; migration points it at the current schema. */
export const V1_SCHEMA_URL = 'https://page-reporting-lab.dev/schema/experiment-v1.json'

// Every version 1 file is a valid version 2 guest experiment: only the version (and the lab's own
// $schema URL) change. Host experiments did not exist in version 1.
const v1ToV2: Step = (document, notes, issues) => {
  for (const key of ['machine', 'guests']) {
    if (Object.hasOwn(document, key)) issues.push({ path: key, message: `host experiments (machine, guests) exist from version 2 on; this file says version 1` })
  }
  const next: JsonObject = { ...document, version: 2 }
  if (next.$schema === V1_SCHEMA_URL) {
    next.$schema = EXPERIMENT_SCHEMA_URL
    notes.push(`$schema now names the version 2 schema`)
  }
  return next
}

/** STEPS[v] migrates a version v document to version v + 1. */
const STEPS: readonly Step[] = [v0ToV1, v1ToV2]

/**
 * Brings a parsed document to EXPERIMENT_VERSION. Refuses a missing or non-integer `version`
 * and any version newer than this build understands, with a message saying what to do.
 */
export function migrateExperiment(document: unknown): MigrationResult {
  if (!isObject(document)) {
    const got = Array.isArray(document) ? 'a list' : document === null ? 'null' : `a ${typeof document}`
    return { ok: false, issues: [{ path: '', message: `expected a JSON object { "format": ..., "version": ${EXPERIMENT_VERSION}, ... }, got ${got}` }] }
  }
  const version = document.version
  if (version === undefined) {
    return { ok: false, issues: [{ path: 'version', message: `required field is missing; expected the file format version, ${EXPERIMENT_VERSION}` }] }
  }
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    return { ok: false, issues: [{ path: 'version', message: `expected an integer file format version (${EXPERIMENT_VERSION}), got ${JSON.stringify(version)}` }] }
  }
  if (version > EXPERIMENT_VERSION) {
    return {
      ok: false,
      issues: [{ path: 'version', message: `this file is version ${version}, newer than this Page Reporting Lab understands (${EXPERIMENT_VERSION}); open it with a newer release of the lab` }],
    }
  }
  if (version < OLDEST_SUPPORTED_VERSION) {
    return { ok: false, issues: [{ path: 'version', message: `expected a version from ${OLDEST_SUPPORTED_VERSION} to ${EXPERIMENT_VERSION}, got ${version}` }] }
  }
  let current = document
  const notes: string[] = []
  const issues: MigrationIssue[] = []
  for (let v = version; v < EXPERIMENT_VERSION; v++) current = STEPS[v](current, notes, issues)
  if (issues.length > 0) return { ok: false, issues }
  return { ok: true, document: current, from: version, notes }
}
