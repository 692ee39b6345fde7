// A validation scenario opened in the app: the recording read through the recording importer
// (recording_import.ts: every file checked against its header, errors name the file and line),
// put on the mirroring experiment's time axis (recording_trace.ts), and turned into what the
// charts overlay: the real host RSS (real-host-rss.csv through the RSS importer), the real
// /proc/buddyinfo per zone over time, and the real report() calls grouped into passes.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fail, ok, type Result } from '../../common/api'
import type { BuddyinfoSeries } from '../../common/imports'
import type { RealReportPass, ValidationScenario, ValidationScenarioInfo } from '../../common/validation_api'
import { loadExperimentFile } from '../experiment_io'
import { importFile } from '../import/index'
import { loadRecording, RecordingError, type Recording } from '../guest/recording_import'
import { PASS_GAP_MS, type Point } from './figures'
import { realSide } from './recording_trace'
import { VALIDATION_EXPERIMENT, validationScenarios } from './validate'

/** The real host RSS already on the experiment's axis, written by `npm run validate:docs`. */
export const REAL_RSS_FILE = 'real-host-rss.csv'
/** The guest's free memory when the script started, which the experiment names as its initial free state. */
export const INITIAL_BUDDYINFO_FILE = 'initial-buddyinfo.txt'

/** Scenario names are folder names: letters, digits, '_' and '-'. Anything else never reaches the file system. */
export const isScenarioName = (name: string): boolean => /^[A-Za-z0-9][A-Za-z0-9_-]{0,80}$/.test(name)

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '')

/** A scenario's card in the list, from its meta.json (nothing else is read). */
export function scenarioInfo(dir: string, name: string): ValidationScenarioInfo {
  const path = join(dir, name, 'meta.json')
  let meta: Record<string, unknown>
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'))
    meta = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
  } catch (e) {
    return { name, description: `${path}: ${e instanceof Error ? e.message : String(e)}`, script: '', kernel: '', accel: '', qemu: '', memory: '', cpus: 0, recordedAt: '' }
  }
  const guest = typeof meta.guest === 'object' && meta.guest !== null ? (meta.guest as Record<string, unknown>) : {}
  return {
    name,
    description: text(meta.description),
    script: text(meta.script),
    kernel: text(guest.kernel) || text(meta.guest_kernel),
    accel: text(meta.accel),
    qemu: text(meta.qemu_version).replace(/^QEMU emulator version /, ''),
    memory: text(meta.mem),
    cpus: typeof meta.smp === 'number' ? meta.smp : Number(text(meta.smp)) || 0,
    recordedAt: text(meta.recorded_at),
  }
}

export function listScenarioInfos(dir: string): ValidationScenarioInfo[] {
  if (!existsSync(dir)) return []
  return validationScenarios(dir)
    .filter(isScenarioName)
    .map((name) => scenarioInfo(dir, name))
}

/** report() calls less than PASS_GAP_MS apart are one pass, as the validation's figures group them. */
export function groupPasses(reports: readonly Point[]): RealReportPass[] {
  const passes: { t_ms: number; last_ms: number; calls: number; mib: number }[] = []
  for (const r of reports) {
    const last = passes[passes.length - 1]
    if (last !== undefined && r.t_ms - last.last_ms < PASS_GAP_MS) {
      last.calls++
      last.mib += r.v
      last.last_ms = r.t_ms
    } else passes.push({ t_ms: r.t_ms, last_ms: r.t_ms, calls: 1, mib: r.v })
  }
  return passes.map(({ t_ms, calls, mib }) => ({ t_ms, calls, mib }))
}

/**
 * buddyinfo.csv as a buddyinfo series: one snapshot per sample time (a row per zone), zones in the
 * order the file names them; snapshot times relative to the first, which lies at `origin_ms` on
 * the experiment's axis.
 */
export function recordingBuddyinfo(rec: Recording, name: string, t0_guest_ms: number): BuddyinfoSeries {
  const fileName = `${name}/buddyinfo.csv`
  const zones: string[] = []
  for (const row of rec.buddy) if (!zones.includes(row.zone)) zones.push(row.zone)
  const times: number[] = []
  const snapshots: number[][][] = []
  const problems: { line: number; message: string }[] = []
  rec.buddy.forEach((row, i) => {
    const z = zones.indexOf(row.zone)
    if (times[times.length - 1] !== row.guest_ms) {
      times.push(row.guest_ms)
      snapshots.push(zones.map(() => row.nr_free.map(() => 0)))
    }
    const snap = snapshots[snapshots.length - 1]
    snap[z] = [...row.nr_free]
    if (row.guest_ms < (times[times.length - 2] ?? -Infinity)) problems.push({ line: i + 2, message: 'guest_ms earlier than the row before' })
  })
  if (times.length === 0) throw new RecordingError(`${join(rec.dir, 'buddyinfo.csv')}: no rows (expected one per zone at each sample time)`)
  return {
    kind: 'buddyinfo',
    fileName,
    lines: rec.buddy.length + 1,
    problems,
    problemCount: problems.length,
    zones,
    nodes: zones.map(() => 0),
    orders: rec.buddy[0]?.nr_free.length ?? 0,
    t_ms: times.map((t) => t - times[0]),
    timestamped: true,
    start_unix_ms: null,
    nr_free: snapshots,
    origin_ms: times[0] - t0_guest_ms,
  }
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** Everything the app needs to show scenario `name` of `dir`; errors name the file and what was wrong. */
export async function openScenario(dir: string, name: string): Promise<Result<ValidationScenario>> {
  if (!isScenarioName(name) || !validationScenarios(dir).includes(name)) {
    return fail({ code: 'not-found', message: `no validation scenario named ${JSON.stringify(name)} (a folder of ${dir} with meta.json and ${VALIDATION_EXPERIMENT})` })
  }
  const folder = join(dir, name)
  const loaded = await loadExperimentFile(join(folder, VALIDATION_EXPERIMENT))
  if (!loaded.ok) return loaded
  let recording: Recording
  let real: ReturnType<typeof realSide>
  try {
    recording = loadRecording(folder)
    real = realSide(recording)
  } catch (e) {
    return fail({ code: 'invalid', file: `${name}/`, message: message(e) })
  }
  const rss = await importFile('rss', join(folder, REAL_RSS_FILE))
  if (!rss.ok) return rss
  if (rss.value.kind !== 'rss') return fail({ code: 'internal', message: `${REAL_RSS_FILE}: not an RSS series` })
  let buddyinfo: BuddyinfoSeries
  try {
    buddyinfo = recordingBuddyinfo(recording, name, real.t0_guest_ms)
  } catch (e) {
    return fail({ code: 'invalid', file: `${name}/buddyinfo.csv`, message: message(e) })
  }
  return ok({
    info: scenarioInfo(dir, name),
    // the shipped file is not the user's to overwrite: it opens as an unsaved document named after the scenario
    loaded: { ...loaded.value, path: undefined, fileId: undefined, fileName: `${name}.prlab.json` },
    rss: { ...rss.value, fileName: `${name}/${REAL_RSS_FILE}` },
    buddyinfo,
    passes: groupPasses(real.trace.reports),
  })
}
