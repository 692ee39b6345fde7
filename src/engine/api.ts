// What the engine offers its host (the worker in src/host). Pure TypeScript: no Node, no DOM.
import type { Experiment } from '../common/experiment'
import type { SimEvent } from '../common/samples'
import type { FreeAreaCounts, MemoryMap, PageInfo, RunSummary } from '../common/api'
import type { FtraceReplay } from '../common/imports'
import type { FreeStateTarget } from '../common/initial_free_state'
import type { Checkpoint } from './checkpoint'
import type { ReportProbe } from './page_reporting'

/** Where the engine writes its output. `row` is reused by the engine: copy it before returning. */
export interface EngineOutput {
  sample(row: Float64Array): void
  event(event: SimEvent): void
}

/** A /proc/buddyinfo snapshot to start from (experiment guest.initialFreeState), parsed. */
export interface InitialFreeInput {
  /** Where the counts come from, for messages: `buddyinfo.txt, snapshot 2`. */
  readonly source: string
  /** free_area[order].nr_free per zone, zones named as /proc/buddyinfo names them. */
  readonly zones: readonly FreeStateTarget[]
}

/**
 * The real data an experiment names, parsed by the host (src/host/run_inputs.ts). Plain data and
 * typed arrays: it crosses to the engine worker by structured clone.
 */
export interface SimulationInputs {
  /** The trace of each replay phase, indexed like experiment.workload.phases; null for other phases. */
  readonly replays: readonly (FtraceReplay | null)[]
  /** Required when experiment.guest.initialFreeState is set. */
  readonly initialFree: InitialFreeInput | null
}

export interface SimulationOptions {
  /** Run the invariant checker after every event batch (slow; `prlab run --check`). */
  readonly check?: boolean
  /** Required when the experiment replays a trace or starts from a snapshot. */
  readonly inputs?: SimulationInputs
  /** Sees every report() call as a kprobe on the driver's report function would: entries and sg[0]'s length (the validation compares these with a real guest's). */
  readonly probeReport?: ReportProbe
}

/** The experiment's real data does not fit the simulated guest, or is missing. `path` names the field. */
export class SimulationInputError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`)
    this.name = 'SimulationInputError'
  }
}

export interface Simulation {
  /** Simulated time in ms (integer ns inside, exposed as ms). */
  readonly now_ms: number
  readonly end_ms: number
  readonly done: boolean
  readonly events_processed: number
  /** Process events in time order until simulated time reaches `t_ms` (capped at end_ms). */
  advanceTo(t_ms: number): void
  /** Single step: advance until the next reporting pass has ended (or the end). */
  advanceToNextPass(): void
  /**
   * Advance until the sample at `t_ms` has been taken and stop right there: the state that sample
   * row recorded (events at the same instant queued after it stay queued). False, with the clock
   * at `t_ms`, when no sample is taken at that time (not a sample time, or already past).
   */
  advanceToSample(t_ms: number): boolean
  /**
   * The whole engine state now (src/engine/checkpoint.ts): restore() puts it back. With `previous`
   * (an earlier checkpoint of this simulation), unchanged chunks of large arrays are shared with it.
   */
  checkpoint(previous?: Checkpoint | null): Checkpoint
  /**
   * Puts back the state of a checkpoint taken of a simulation of the same experiment and inputs;
   * this one then continues byte-identically to that one. Throws CheckpointError (leaving this
   * simulation unusable) when the checkpoint holds what cannot be restored.
   */
  restore(checkpoint: Checkpoint): void
  /** /proc/buddyinfo, byte-exact format (kernel-spec §4.1). */
  buddyinfo(): string
  /** /proc/pagetypeinfo, byte-exact format (kernel-spec §4.2). */
  pagetypeinfo(): string
  /** Free and PG_reported blocks per zone, migratetype and order, pageblocks per migratetype (pagetypeinfo's counts, plus the Reported flag). */
  freeArea(): FreeAreaCounts
  /** The zone lines of /proc/zoneinfo the model knows: watermarks, sizes, per-CPU pagesets (kernel-spec §4.3). */
  zoneinfo(): string
  memoryMap(startPfn: number, endPfn: number, cells: number): MemoryMap
  pageInfo(pfn: number): PageInfo
  summary(wall_ms: number): RunSummary
  /** Invariant checker: recomputes every counter, flag and list from the raw state; throws on a mismatch. */
  check(): void
}

export type CreateSimulation = (experiment: Experiment, output: EngineOutput, options?: SimulationOptions) => Simulation
