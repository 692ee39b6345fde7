// Hands on the latest of a stream of values at most once per `gap_ms`, the last one always
// arriving (trailing edge); an urgent value goes through at once and drops what was held. The
// run's status pushes come ~30 times a second; while the engine runs flat out, re-rendering the
// progress that often only takes the cores from it.

export interface PacerClock {
  now(): number
  setTimeout(callback: () => void, ms: number): number
  clearTimeout(handle: number): void
}

export class LatestPacer<T> {
  private last = Number.NEGATIVE_INFINITY
  private held: { value: T } | null = null
  private timer: number | null = null

  constructor(
    private readonly gap_ms: number,
    private readonly clock: PacerClock,
    private readonly apply: (value: T) => void,
  ) {}

  push(value: T, urgent: boolean): void {
    const wait = this.last + this.gap_ms - this.clock.now()
    if (urgent || wait <= 0) {
      this.cancel()
      this.emit(value)
      return
    }
    this.held = { value }
    this.timer ??= this.clock.setTimeout(() => {
      this.timer = null
      const held = this.held
      this.held = null
      if (held) this.emit(held.value)
    }, wait)
  }

  /** Drops a held value (the stream it belonged to is gone). */
  cancel(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer)
    this.timer = null
    this.held = null
  }

  private emit(value: T): void {
    this.last = this.clock.now()
    this.apply(value)
  }
}
