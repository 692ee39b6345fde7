// One animation-frame loop for every chart. Interaction (zoom, pan, cursor) redraws on the next
// frame, at most ~30 times a second. A round of redraws spreads over frames: each frame draws
// charts until FRAME_BUDGET_MS is spent (at least one), the rest on the next frames, so the page
// keeps its frame rate however many charts a zoom moves (a chart asked for again meanwhile goes
// to the back of the queue: round robin). Live data redraws as often as a budget allows: the round
// before took `cost` ms for all charts together, so wait `factor` times that (within the pace's
// floor..max), keeping chart work near a fifth of the main thread however long the run grows and
// however many charts are open. The engine shares the machine's cores with this thread, so while
// it runs flat out (speed: as fast as possible) the pace drops to about one redraw a second and a
// tenth of the thread: progress stays visible, and the cores go to the simulation. While a
// redraw waits for its gap, a timer holds it, not a frame-by-frame poll that would keep the
// page producing frames.

export interface Clock {
  now(): number
  frame(callback: (now: number) => void): number
  cancel(handle: number): void
  later(callback: () => void, ms: number): number
  cancelLater(handle: number): void
}

const MIN_GAP_MS = 33
/** Drawing per frame before the rest of a round waits for the next frame. */
export const FRAME_BUDGET_MS = 8

export type RedrawPace = 'live' | 'flat-out'

interface PaceLimits {
  readonly floor_ms: number
  readonly max_ms: number
  /** Wait this many times the cost of the last round. */
  readonly factor: number
}

export const PACES: Readonly<Record<RedrawPace, PaceLimits>> = {
  live: { floor_ms: MIN_GAP_MS, max_ms: 1000, factor: 4 },
  'flat-out': { floor_ms: 1000, max_ms: 5000, factor: 10 },
}

export class RedrawScheduler {
  private readonly dirty = new Map<object, () => void>()
  private urgent = false
  private handle = 0
  private timer = 0
  private last = Number.NEGATIVE_INFINITY
  private cost_ms = 0
  /** Time spent on the round in progress (it may span frames). */
  private round_ms = 0
  private inRound = false
  private currentPace: RedrawPace = 'live'

  constructor(private readonly clock: Clock) {}

  /** How live data redraws are spaced (interaction is not held back by it). */
  get pace(): RedrawPace {
    return this.currentPace
  }

  set pace(next: RedrawPace) {
    if (next === this.currentPace) return
    this.currentPace = next
    // a redraw waiting on the old pace's gap is looked at again
    if (this.timer) this.wake()
  }

  /** Ask for `draw` to run in a coming frame; the latest draw per key wins (and waits behind the others). */
  request(key: object, draw: () => void, urgent: boolean): void {
    this.dirty.delete(key)
    this.dirty.set(key, draw)
    this.urgent ||= urgent
    if (urgent && this.timer) this.wake()
    else if (!this.handle && !this.timer) this.handle = this.clock.frame((now) => this.tick(now))
  }

  private wake(): void {
    this.clock.cancelLater(this.timer)
    this.timer = 0
    if (!this.handle) this.handle = this.clock.frame((now) => this.tick(now))
  }

  cancel(key: object): void {
    this.dirty.delete(key)
  }

  /** Wait before the next live redraw, from the cost of the last round. */
  get gap_ms(): number {
    if (this.urgent) return MIN_GAP_MS
    const p = PACES[this.pace]
    return Math.min(p.max_ms, Math.max(p.floor_ms, this.cost_ms * p.factor))
  }

  private tick(now: number): void {
    this.handle = 0
    if (this.dirty.size === 0) return
    const wait_ms = this.inRound ? 0 : this.last + this.gap_ms - now
    if (wait_ms > 0) {
      this.timer = this.clock.later(() => {
        this.timer = 0
        this.handle = this.clock.frame((t) => this.tick(t))
      }, wait_ms)
      return
    }
    this.inRound = true
    const t0 = this.clock.now()
    for (const [key, draw] of this.dirty) {
      if (this.clock.now() - t0 >= FRAME_BUDGET_MS) break
      this.dirty.delete(key)
      draw()
    }
    const end = this.clock.now()
    this.round_ms += end - t0
    if (this.dirty.size > 0) {
      // the round goes on in the next frame, without a gap
      this.handle = this.clock.frame((t) => this.tick(t))
      return
    }
    this.inRound = false
    this.urgent = false
    // the gap runs from the end of this round: idle time between rounds, not period
    this.last = end
    this.cost_ms = 0.7 * this.cost_ms + 0.3 * this.round_ms
    this.round_ms = 0
  }
}

export const redrawScheduler = new RedrawScheduler({
  now: () => performance.now(),
  frame: (cb) => requestAnimationFrame(cb),
  cancel: (h) => cancelAnimationFrame(h),
  later: (cb, ms) => window.setTimeout(cb, ms),
  cancelLater: (h) => window.clearTimeout(h),
})
