// The checkpoint index of one run (docs/past-state.md): the run simulated once more, sample by
// sample, with no recorder, taking an engine checkpoint (src/engine/checkpoint.ts) each time the
// re-simulation since the last one has cost `spacing_ms` of wall time. A past state is then a
// restore of the nearest checkpoint at or before its time plus at most that much re-simulation,
// whatever the time. Spacing by measured cost rather than by simulated seconds keeps the bound
// where the engine is slow (a memhog filling 16 GiB) without wasting memory where it is fast
// (idle minutes). Unchanged chunks of the large arrays are shared with the previous checkpoint;
// when the index holds more than `budget_bytes`, every other checkpoint goes and the spacing doubles.
import { performance } from 'node:perf_hooks'
import { CheckpointError, heldBytes, type Checkpoint } from '../engine/checkpoint'
import { NS_PER_MS } from '../engine/event_queue'
import type { Simulation } from '../engine/api'

export interface IndexedCheckpoint {
  /** The sample the checkpoint was taken right after. */
  readonly t_ms: number
  readonly cp: Checkpoint
}

export interface IndexOptions {
  /** Wall time of re-simulation between two checkpoints. */
  readonly spacing_ms: number
  /** Memory the checkpoints may hold. */
  readonly budget_bytes: number
}

/** Re-simulation between checkpoints: a past state costs a restore plus at most this. */
export const SPACING_MS = 50
/** Per run; at most MAX_STATE_WORKERS runs are indexed at once. */
export const BUDGET_BYTES = 1024 * 2 ** 20

export class CheckpointIndex {
  private readonly list: IndexedCheckpoint[] = []
  private readonly interval_ns: number
  private readonly end_ns: number
  /** The next sample the indexer takes. */
  private nextSample = 0
  /** Wall time spent re-simulating since the last checkpoint. */
  private since_ms = 0
  private spacing_ms: number
  private held_bytes = 0
  /** The sample the indexer stopped after (-1 before the first), or the end once `done`. */
  frontier_ms = -1
  /** The indexer reached the run's end: every event of its last instant processed. */
  done = false
  /** Why checkpoints are no longer taken (the snapshot refused the state); the index still re-simulates. */
  refused: string | null = null

  constructor(
    /** The indexer: a simulation of the run's experiment and inputs, at t = 0. */
    readonly sim: Simulation,
    sampleIntervalMs: number,
    private readonly options: IndexOptions = { spacing_ms: SPACING_MS, budget_bytes: BUDGET_BYTES },
  ) {
    this.interval_ns = Math.round(sampleIntervalMs * NS_PER_MS)
    this.end_ns = Math.round(sim.end_ms * NS_PER_MS)
    this.spacing_ms = options.spacing_ms
  }

  get checkpoints(): readonly IndexedCheckpoint[] {
    return this.list
  }

  /** Memory the checkpoints hold (shared chunks counted once). */
  get bytes(): number {
    return this.held_bytes
  }

  /** Whether the indexer has reached `t_ms` (a sample time), or the end with `end`. */
  covers(t_ms: number, end: boolean): boolean {
    return this.done || (!end && this.frontier_ms >= t_ms)
  }

  /** Whether the indexer stands right after the sample at `t_ms`, or at the end with `end`. */
  at(t_ms: number, end: boolean): boolean {
    return end ? this.done : !this.done && this.frontier_ms === t_ms
  }

  /** The latest checkpoint at or before `t_ms`. */
  nearest(t_ms: number): IndexedCheckpoint | null {
    let lo = 0
    let hi = this.list.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.list[mid].t_ms <= t_ms) lo = mid + 1
      else hi = mid
    }
    return lo === 0 ? null : this.list[lo - 1]
  }

  /** Indexes for about `wall_ms`, or until the indexer stands right after the sample at `stop_ms`. */
  step(wall_ms: number, stop_ms = -1): void {
    const t0 = performance.now()
    let t = t0
    while (!this.done && t - t0 < wall_ms) {
      const at_ns = this.nextSample * this.interval_ns
      if (at_ns > this.end_ns) {
        this.sim.advanceTo(this.sim.end_ms)
        this.done = true
        this.frontier_ms = this.sim.end_ms
        return
      }
      const at_ms = at_ns / NS_PER_MS
      if (!this.sim.advanceToSample(at_ms)) throw new Error(`the indexer found no sample at ${at_ms} ms`)
      this.nextSample++
      this.frontier_ms = at_ms
      const now = performance.now()
      this.since_ms += now - t
      t = now
      if (this.list.length === 0 || this.since_ms >= this.spacing_ms) {
        this.take(at_ms)
        t = performance.now()
      }
      if (at_ms === stop_ms) return
    }
  }

  private take(t_ms: number): void {
    if (this.refused !== null) return
    this.since_ms = 0
    try {
      const cp = this.sim.checkpoint(this.list.at(-1)?.cp ?? null)
      this.list.push({ t_ms, cp })
      this.held_bytes += cp.bytes
    } catch (e) {
      if (!(e instanceof CheckpointError)) throw e
      this.refused = e.message
      return
    }
    if (this.held_bytes > this.options.budget_bytes && this.list.length > 2) this.thin()
  }

  /** Over budget: every other checkpoint goes (the first and the latest stay), and the spacing doubles. */
  private thin(): void {
    const kept = this.list.filter((_, i) => i % 2 === 0 || i === this.list.length - 1)
    this.list.length = 0
    this.list.push(...kept)
    this.spacing_ms *= 2
    this.held_bytes = heldBytes(this.list.map((c) => c.cp))
  }
}
