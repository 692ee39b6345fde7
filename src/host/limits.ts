// Limits that protect the user's machine: before anything is allocated, estimate what a run needs
// (engine memory, recorder disk, wall time) and refuse one that does not fit, saying what would.
// The estimates are deliberately pessimistic and documented in docs/experiment-file.md ("Limits").
import { totalmem, cpus as osCpus, tmpdir } from 'node:os'
import { statfsSync } from 'node:fs'
import { fail, ok } from '../common/api'
import type { Issue, Result } from '../common/api'
import type { Experiment } from '../common/experiment'
import { NR_SAMPLE_COLUMNS } from '../common/samples'
import { DEFAULT_RECORDER_BUDGET_BYTES } from './recorder'

export interface Machine {
  readonly totalMemBytes: number
  readonly cpus: number
  /** Free space where the recorder spills; unknown: not checked. */
  readonly tmpFreeBytes?: number
  /** Longest estimated wall time accepted. Default MAX_RUN_WALL_SECONDS. */
  readonly maxWallSeconds?: number
}

/** Engine state per 4 KiB guest page: flags, order, list links, host residency (16 B). */
export const ENGINE_BYTES_PER_PAGE = 16
/** Node, the worker and the engine's fixed tables. */
export const RUNTIME_OVERHEAD_BYTES = 256 * 1024 * 1024
/** Share of the machine's RAM a run may use; the rest is the OS, the UI and everything else. */
export const USABLE_MEMORY_FRACTION = 0.5
/** Share of the free temp space the recorder may fill. */
export const USABLE_DISK_FRACTION = 0.5
/** Conservative engine speed: simulated events per wall second on a slow core. */
export const EVENTS_PER_SECOND = 1_000_000
/** Conservative sample rows per wall second (each row sums ~80 counters and is recorded). */
export const ROWS_PER_SECOND = 200_000
/** Runs estimated to take longer than this are refused. */
export const MAX_RUN_WALL_SECONDS = 6 * 3600
/** Bytes of one event in the recorder's spill file (JSON). */
const EVENT_DISK_BYTES = 100
const ROW_BYTES = NR_SAMPLE_COLUMNS * 8
const PAGES_PER_MIB = 256

export function defaultMachine(): Machine {
  let tmpFreeBytes: number | undefined
  try {
    const stat = statfsSync(tmpdir())
    tmpFreeBytes = stat.bavail * stat.bsize
  } catch {
    tmpFreeBytes = undefined
  }
  return { totalMemBytes: totalmem(), cpus: Math.max(1, osCpus().length), ...(tmpFreeBytes !== undefined ? { tmpFreeBytes } : {}) }
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}

export function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${Math.ceil(seconds)} s`
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`
  if (seconds < 3 * 86400) return `${(seconds / 3600).toFixed(1)} h`
  if (seconds < 730 * 86400) return `${Math.round(seconds / 86400)} days`
  return `${Math.round(seconds / (365 * 86400))} years`
}

const formatCount = (n: number): string => (n < 1e6 ? `${Math.round(n)}` : n.toExponential(1).replace('e+', 'e'))

/** Something that costs simulated events, with the field a user would change to make it cheaper. */
export interface Contributor {
  readonly path: string
  readonly events: number
  /** The field value; fits = value * (allowed / events). */
  readonly value: number
  readonly unit: string
  readonly what: string
}

export interface RunEstimate {
  readonly engineBytes: number
  readonly memoryBytes: number
  readonly rows: number
  readonly diskBytes: number
  readonly events: number
  readonly wallSeconds: number
  readonly contributors: readonly Contributor[]
}

/** Allocation requests for `mib` at `order`: one event to allocate (the free is counted by its phase). */
const requests = (mib: number, order: number): number => (mib * PAGES_PER_MIB) / 2 ** order

/** Pessimistic run estimate: every allocation and free is an event, reporting work per freed MiB. */
export function estimateRun(experiment: Experiment): RunEstimate {
  const contributors: Contributor[] = []
  const sets = new Map<string, number>()
  let pageCacheMiB = 0
  let freedMiB = 0
  let churnMs = 0
  const eventFactor = experiment.recorder.allocEvents ? 2 : 1
  experiment.workload.phases.forEach((phase, i) => {
    const path = `workload.phases[${i}]`
    switch (phase.op) {
      case 'alloc': {
        sets.set(phase.tag, (sets.get(phase.tag) ?? 0) + phase.mib)
        contributors.push({ path: `${path}.mib`, events: requests(phase.mib, phase.order) * eventFactor, value: phase.mib, unit: 'MiB', what: `alloc of ${phase.mib} MiB` })
        break
      }
      case 'free': {
        const held = sets.get(phase.tag) ?? 0
        const mib = phase.mib ?? held * (phase.fraction ?? 0)
        sets.set(phase.tag, Math.max(0, held - mib))
        freedMiB += mib
        contributors.push({ path: phase.mib !== undefined ? `${path}.mib` : `${path}.fraction`, events: requests(mib, 0) * eventFactor, value: phase.mib ?? phase.fraction ?? 0, unit: phase.mib !== undefined ? 'MiB' : '', what: `free of ${Math.round(mib)} MiB` })
        break
      }
      case 'churn': {
        const weights = phase.orders.reduce((s, o) => s + o.weight, 0)
        const pagesPerRequest = phase.orders.reduce((s, o) => s + (o.weight / weights) * 2 ** o.order, 0)
        const mib = (phase.rateMiBps * phase.durationMs) / 1000
        freedMiB += mib
        churnMs += phase.durationMs
        contributors.push({
          path: `${path}.durationMs`,
          events: ((2 * mib * PAGES_PER_MIB) / pagesPerRequest) * eventFactor,
          value: phase.durationMs,
          unit: 'ms',
          what: `churn of ${phase.rateMiBps} MiB/s for ${phase.durationMs} ms`,
        })
        break
      }
      case 'pagecache':
        pageCacheMiB += phase.mib
        contributors.push({ path: `${path}.mib`, events: requests(phase.mib, 0) * eventFactor, value: phase.mib, unit: 'MiB', what: `page cache read of ${phase.mib} MiB` })
        break
      case 'drop-caches':
        freedMiB += pageCacheMiB
        contributors.push({ path, events: requests(pageCacheMiB, 0) * eventFactor, value: pageCacheMiB, unit: 'MiB', what: `drop-caches of ${pageCacheMiB} MiB` })
        pageCacheMiB = 0
        break
      default:
        break
    }
  })
  // Reporting: at worst every freed MiB and the boot-time free memory is reported in order-9
  // blocks (two per MiB), plus one pass per delay while churn keeps freeing.
  const durationMs = experiment.durationMs
  const passes = Math.min(churnMs, durationMs) / experiment.reporting.delayMs
  contributors.push({
    path: 'reporting.delayMs',
    events: 2 * (freedMiB + experiment.guest.memoryMiB) + passes,
    value: experiment.reporting.delayMs,
    unit: 'ms',
    what: 'reporting passes and reports',
  })
  const events = contributors.reduce((s, c) => s + c.events, 0)
  const rows = Math.ceil(durationMs / experiment.recorder.sampleIntervalMs) + 1
  const pages = experiment.guest.memoryMiB * PAGES_PER_MIB
  const engineBytes = pages * ENGINE_BYTES_PER_PAGE
  const reportEvents = experiment.recorder.events ? 2 * (freedMiB + experiment.guest.memoryMiB) + passes : 0
  const allocEventRecords = experiment.recorder.allocEvents ? events / 2 : 0
  return {
    engineBytes,
    memoryBytes: engineBytes + DEFAULT_RECORDER_BUDGET_BYTES + RUNTIME_OVERHEAD_BYTES,
    rows,
    diskBytes: rows * ROW_BYTES + (reportEvents + allocEventRecords) * EVENT_DISK_BYTES,
    events,
    wallSeconds: events / EVENTS_PER_SECOND + rows / ROWS_PER_SECOND,
    contributors,
  }
}

/** Largest sample interval the schema accepts (recorder.sampleIntervalMs). */
const MAX_SAMPLE_INTERVAL_MS = 3_600_000
const MIN_GUEST_MIB = 64

/**
 * "a sample interval of at least N ms fits", or what else to do when no value of that field can
 * fit (a full disk, a tiny machine): never Infinity, never a value the schema refuses.
 */
function intervalThatFits(interval_ms: number, factor: number, otherwise: string): string {
  const fits = Math.ceil(interval_ms * factor)
  return Number.isFinite(fits) && fits <= MAX_SAMPLE_INTERVAL_MS ? `a sample interval of at least ${fits} ms fits` : otherwise
}

function limitError(issue: Issue): Result<void> {
  return fail({ code: 'limit', message: `too big for this machine: ${issue.path}: ${issue.message}`, issues: [issue] })
}

/**
 * Refuses an experiment that needs more memory, disk or time than `machine` has, with the field
 * to change and the largest value that fits. Runs on the validated experiment, before any
 * allocation.
 */
export function checkLimits(experiment: Experiment, machine: Machine = defaultMachine()): Result<void> {
  const estimate = estimateRun(experiment)
  const usableBytes = machine.totalMemBytes * USABLE_MEMORY_FRACTION
  if (estimate.memoryBytes > usableBytes) {
    const spare = usableBytes - DEFAULT_RECORDER_BUDGET_BYTES - RUNTIME_OVERHEAD_BYTES
    const fitsMiB = Math.floor(spare / (PAGES_PER_MIB * ENGINE_BYTES_PER_PAGE))
    const fits = Number.isFinite(fitsMiB) && fitsMiB >= MIN_GUEST_MIB ? `fits at most ${fitsMiB} MiB` : `cannot run even a ${MIN_GUEST_MIB} MiB guest`
    return limitError({
      path: 'guest.memoryMiB',
      message:
        `${experiment.guest.memoryMiB} MiB of guest RAM needs ${formatBytes(estimate.engineBytes)} of engine state plus ` +
        `${formatBytes(DEFAULT_RECORDER_BUDGET_BYTES + RUNTIME_OVERHEAD_BYTES)} for the recorder and runtime; this machine ` +
        `(${formatBytes(machine.totalMemBytes)} RAM, ${Math.round(USABLE_MEMORY_FRACTION * 100)}% usable) ${fits}`,
    })
  }
  const maxWall = machine.maxWallSeconds ?? MAX_RUN_WALL_SECONDS
  if (estimate.wallSeconds > maxWall) {
    const rowSeconds = estimate.rows / ROWS_PER_SECOND
    if (rowSeconds > estimate.events / EVENTS_PER_SECOND) {
      return limitError({
        path: 'recorder.sampleIntervalMs',
        message:
          `${formatCount(estimate.rows)} samples would take about ${formatSeconds(estimate.wallSeconds)} to run; runs are limited to ` +
          `${formatSeconds(maxWall)}; ${intervalThatFits(experiment.recorder.sampleIntervalMs, estimate.wallSeconds / maxWall, 'shorten durationMs')}`,
      })
    }
    const worst = estimate.contributors.reduce((a, b) => (b.events > a.events ? b : a))
    // The worst contributor dominates the run (and drives the reporting work), so scale it by the overshoot.
    const fits = (worst.value * maxWall) / estimate.wallSeconds
    const fitsText = (worst.unit === 'ms' && worst.path.endsWith('delayMs')) || !(Number.isFinite(fits) && fits > 0) ? '' : `; at most ${fits < 10 ? Number(fits.toPrecision(2)) : Math.floor(fits)}${worst.unit ? ` ${worst.unit}` : ''} fits`
    return limitError({
      path: worst.path,
      message:
        `${worst.what} is about ${formatCount(worst.events)} simulated events, about ${formatSeconds(estimate.wallSeconds)} at ` +
        `${formatCount(EVENTS_PER_SECOND)} events/s for the whole run; runs are limited to ${formatSeconds(maxWall)}${fitsText}`,
    })
  }
  if (machine.tmpFreeBytes !== undefined && estimate.diskBytes > machine.tmpFreeBytes * USABLE_DISK_FRACTION) {
    const allowed = machine.tmpFreeBytes * USABLE_DISK_FRACTION
    const rowBytes = estimate.rows * ROW_BYTES
    const free = `the temp directory has ${formatBytes(machine.tmpFreeBytes)} free (${Math.round(USABLE_DISK_FRACTION * 100)}% usable)`
    // the rows alone do not fit (a full temp disk): the interval, or free space, is what helps
    if (rowBytes >= estimate.diskBytes / 2 || rowBytes > allowed) {
      return limitError({
        path: 'recorder.sampleIntervalMs',
        message:
          `${estimate.rows} samples (every ${experiment.recorder.sampleIntervalMs} ms for ${experiment.durationMs} ms) and the events need ` +
          `${formatBytes(estimate.diskBytes)} of recording; ${free}; ` +
          intervalThatFits(experiment.recorder.sampleIntervalMs, estimate.diskBytes / allowed, 'free space there (or point TMPDIR at a disk that has some) or shorten durationMs'),
      })
    }
    const path = experiment.recorder.allocEvents ? 'recorder.allocEvents' : 'recorder.events'
    return limitError({
      path,
      message: `recording the events needs about ${formatBytes(estimate.diskBytes - rowBytes)}; ${free}; set ${path} to false or shorten the workload`,
    })
  }
  return ok(undefined)
}
