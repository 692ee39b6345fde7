// Messages between the host and the engine worker (src/host/engine_worker.ts).
// Sample frames travel as transferable ArrayBuffers (zero copy).
import type { Experiment } from '../common/experiment'
import type { SimulationInputs } from '../engine/api'
import type { SimEvent } from '../common/samples'
import type { GuestState, MemoryMap, PageInfo, RunSummary, Snapshot, StateParts } from '../common/api'

export type WorkerQuery =
  | { readonly kind: 'memoryMap'; readonly startPfn: number; readonly endPfn: number; readonly cells: number }
  | { readonly kind: 'pageInfo'; readonly pfn: number }
  | { readonly kind: 'snapshot' }
  | { readonly kind: 'state'; readonly parts: StateParts }

export type WorkerQueryResult = MemoryMap | PageInfo | Snapshot | GuestState

export type ToWorker =
  | {
      readonly type: 'start'
      readonly experiment: Experiment
      readonly check: boolean
      readonly speed: number | null
      readonly paused: boolean
      /** The files the experiment names, parsed; typed arrays are structured-cloned. */
      readonly inputs?: SimulationInputs
    }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'step' }
  | { readonly type: 'stop' }
  | { readonly type: 'speed'; readonly speed: number | null }
  | { readonly type: 'query'; readonly id: number; readonly query: WorkerQuery }
  /** Answered with 'synced' once every message before it is handled (messages keep their order both ways). */
  | { readonly type: 'sync'; readonly id: number }

export interface WorkerProgress {
  readonly sim_ms: number
  readonly end_ms: number
  readonly wall_ms: number
  readonly events_processed: number
  readonly paused: boolean
}

export type FromWorker =
  | ({ readonly type: 'frame'; readonly rows: number; readonly data: Float64Array; readonly events: SimEvent[] } & WorkerProgress)
  | ({ readonly type: 'progress' } & WorkerProgress)
  | { readonly type: 'done'; readonly summary: RunSummary; readonly stopped: boolean }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'answer'; readonly id: number; readonly ok: boolean; readonly value?: WorkerQueryResult; readonly message?: string }
  | { readonly type: 'synced'; readonly id: number }
