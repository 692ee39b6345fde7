// Messages between past_state.ts and the thread that recomputes past states (state_worker.ts),
// and how a simulation answers for the parts of its state a request names (the live engine
// worker answers the same way).
import type { GuestState, StateParts } from '../common/api'
import type { Experiment } from '../common/experiment'
import type { Simulation, SimulationInputs } from '../engine/api'

export interface StateJob {
  readonly id: number
  /** The sample time to stop after, or with `end` the run's end (every event of it processed). */
  readonly t_ms: number
  readonly end: boolean
  readonly parts: StateParts
}

export type ToStateWorker =
  | { readonly type: 'init'; readonly experiment: Experiment; readonly inputs?: SimulationInputs }
  | { readonly type: 'query'; readonly job: StateJob }
  | { readonly type: 'cancel'; readonly id: number }

export type FromStateWorker =
  | { readonly type: 'progress'; readonly id: number; readonly fraction: number; readonly stage: 'indexing' | 'recomputing' }
  | { readonly type: 'answer'; readonly id: number; readonly ok: boolean; readonly value?: GuestState; readonly message?: string; readonly cancelled?: boolean }

/** The parts of the simulation's current state a request names. */
export function answerParts(sim: Simulation, parts: StateParts): Omit<GuestState, 't_ms' | 'live'> {
  return {
    ...(parts.tables ? { tables: { buddyinfo: sim.buddyinfo(), pagetypeinfo: sim.pagetypeinfo(), freeArea: sim.freeArea() } } : {}),
    ...(parts.map ? { map: sim.memoryMap(parts.map.startPfn, parts.map.endPfn, parts.map.cells) } : {}),
    ...(parts.pfn !== undefined ? { page: sim.pageInfo(parts.pfn) } : {}),
  }
}
