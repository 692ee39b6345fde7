// One animation-frame loop for every chart. Interaction (zoom, pan, cursor) redraws on the next
// frame, at most ~30 times a second. Live data redraws as often as a budget allows: the round
// before took `cost` ms for all charts together, so wait 4x that (within 33 ms..1 s), keeping
// chart work near a fifth of the main thread however long the run grows and however many
// charts are open. The engine shares the machine's cores with this thread, so while it runs
// flat out (speed: as fast as possible) live redraws also wait at least `liveFloor_ms`.

export interface Clock {
  now(): number
  frame(callback: (now: number) => void): number
  cancel(handle: number): void
}

const MIN_GAP_MS = 33
const MAX_GAP_MS = 1000
const BUDGET_FACTOR = 4

export class RedrawScheduler {
  private readonly dirty = new Map<object, () => void>()
  private urgent = false
  private handle = 0
  private last = Number.NEGATIVE_INFINITY
  private cost_ms = 0
  /** Least wait between live redraws (interaction is not held back by it). */
  liveFloor_ms = MIN_GAP_MS

  constructor(private readonly clock: Clock) {}

  /** Ask for `draw` to run in a coming frame; the latest draw per key wins. */
  request(key: object, draw: () => void, urgent: boolean): void {
    this.dirty.set(key, draw)
    this.urgent ||= urgent
    if (!this.handle) this.handle = this.clock.frame((now) => this.tick(now))
  }

  cancel(key: object): void {
    this.dirty.delete(key)
  }

  /** Wait before the next live redraw, from the cost of the last round. */
  get gap_ms(): number {
    return this.urgent ? MIN_GAP_MS : Math.min(MAX_GAP_MS, Math.max(this.liveFloor_ms, this.cost_ms * BUDGET_FACTOR))
  }

  private tick(now: number): void {
    this.handle = 0
    if (this.dirty.size === 0) return
    if (now - this.last < this.gap_ms) {
      this.handle = this.clock.frame((t) => this.tick(t))
      return
    }
    const draws = [...this.dirty.values()]
    this.dirty.clear()
    this.urgent = false
    const t0 = this.clock.now()
    for (const draw of draws) draw()
    // the gap runs from the end of this round: idle time between rounds, not period
    this.last = this.clock.now()
    this.cost_ms = 0.7 * this.cost_ms + 0.3 * (this.last - t0)
  }
}

export const redrawScheduler = new RedrawScheduler({
  now: () => performance.now(),
  frame: (cb) => requestAnimationFrame(cb),
  cancel: (h) => cancelAnimationFrame(h),
})
