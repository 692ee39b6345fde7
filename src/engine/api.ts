// What the engine offers its host (the worker in src/host). Pure TypeScript: no Node, no DOM.
import type { Experiment } from '../common/experiment'
import type { SimEvent } from '../common/samples'
import type { MemoryMap, PageInfo, RunSummary } from '../common/api'

/** Where the engine writes its output. `row` is reused by the engine: copy it before returning. */
export interface EngineOutput {
  sample(row: Float64Array): void
  event(event: SimEvent): void
}

export interface SimulationOptions {
  /** Run the invariant checker after every event batch (slow; `prlab run --check`). */
  readonly check?: boolean
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
  /** /proc/buddyinfo, byte-exact format (kernel-spec §4.1). */
  buddyinfo(): string
  /** /proc/pagetypeinfo, byte-exact format (kernel-spec §4.2). */
  pagetypeinfo(): string
  memoryMap(startPfn: number, endPfn: number, cells: number): MemoryMap
  pageInfo(pfn: number): PageInfo
  summary(wall_ms: number): RunSummary
  /** Invariant checker: recomputes every counter, flag and list from the raw state; throws on a mismatch. */
  check(): void
}

export type CreateSimulation = (experiment: Experiment, output: EngineOutput, options?: SimulationOptions) => Simulation
