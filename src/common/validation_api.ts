// The validation scenarios in the app (issue 13 part 1): a real guest's recording (validation/<name>/)
// opened with the experiment that mirrors it, its measurements drawn over the run of that
// experiment, and the checks `npm run validate` prints for it. Kept apart from LabApi so the
// transports adopt it in one step (`interface LabApi extends ValidationApi`).
import type { LoadedExperiment, Result } from './api'
import type { BuddyinfoSeries, RssSeries } from './imports'

/** What the scenario list shows of one recording (its meta.json). */
export interface ValidationScenarioInfo {
  /** The folder's name under validation/. */
  readonly name: string
  /** What the workload does, as the recording describes it. */
  readonly description: string
  /** The workload script the guest ran (`idle 20s; alloc 600M; touch; ...`). */
  readonly script: string
  /** The guest kernel's release (`6.1.0-56-amd64`). */
  readonly kernel: string
  /** QEMU's accelerator the recording ran under: `tcg` or `kvm`. */
  readonly accel: string
  readonly qemu: string
  /** Guest RAM as QEMU was given it (`1G`) and its vCPUs. */
  readonly memory: string
  readonly cpus: number
  /** ISO date of the recording. */
  readonly recordedAt: string
}

/** One reporting pass of the real guest: report() calls less than a second apart (figures.ts PASS_GAP_MS). */
export interface RealReportPass {
  /** The pass's first call, ms on the experiment's time axis. */
  readonly t_ms: number
  readonly calls: number
  /** What the calls carried as the kprobe estimates it (nents x the first entry's length), MiB. */
  readonly mib: number
}

/** A scenario opened: its experiment and the real measurements, on the experiment's time axis. */
export interface ValidationScenario {
  readonly info: ValidationScenarioInfo
  readonly loaded: LoadedExperiment
  /** The real host RSS of the guest's memory (real-host-rss.csv): t_ms 0 is the experiment's 0. */
  readonly rss: RssSeries
  /** The real guest's /proc/buddyinfo over time (buddyinfo.csv), per zone; `origin_ms` places it. */
  readonly buddyinfo: BuddyinfoSeries
  readonly passes: readonly RealReportPass[]
}

/** One figure of the validation: simulated against real with its tolerance (src/host/validation/checks.ts). */
export interface ValidationCheck {
  /** What is compared: `pass 2 time`, `DMA32 managed`, ... */
  readonly what: string
  readonly unit: 's' | 'MiB' | 'pages' | 'passes'
  /** null: no value (the simulation made fewer passes than the real guest). */
  readonly real: number | null
  readonly sim: number | null
  /** Largest |sim - real| accepted; null: shown, not checked. */
  readonly tolerance: number | null
  /** Where the tolerance comes from. */
  readonly why: string
  readonly passed: boolean
}

export interface ValidationCheckGroup {
  /** `guest: zones, watermarks, per-CPU lists` or the free the figures are taken around. */
  readonly title: string
  readonly checks: readonly ValidationCheck[]
}

/** The checks of one scenario, as `npm run validate` computes them. */
export interface ValidationReport {
  readonly name: string
  readonly groups: readonly ValidationCheckGroup[]
  /** Checks with a tolerance, and how many of them are within it. */
  readonly checked: number
  readonly passed: number
}

export interface ValidationApi {
  /** The scenarios under validation/ (a recording with its mirroring experiment), by name. */
  listValidationScenarios(): Promise<ValidationScenarioInfo[]>
  /** A scenario's experiment and real measurements; its initial free state becomes a session import. */
  openValidationScenario(name: string): Promise<Result<ValidationScenario>>
  /** Runs the scenario's experiment headless (a worker thread) and compares it with the recording. */
  validationChecks(name: string): Promise<Result<ValidationReport>>
}
