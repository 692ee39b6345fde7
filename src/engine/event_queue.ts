// The simulator's clock: a deterministic discrete-event queue in integer nanoseconds.
// A binary min-heap kept in typed arrays (no per-event objects), ordered by (time, insertion
// sequence) so that events scheduled for the same instant run in the order they were scheduled.
// Idle time costs nothing: the clock jumps straight to the next event.

/** Handler of one event kind; `arg` is the integer the event was scheduled with. */
export type EventHandler = (arg: number) => void

export const NS_PER_US = 1_000
export const NS_PER_MS = 1_000_000
export const NS_PER_S = 1_000_000_000

export class EventQueue {
  private time_ns = new Float64Array(256)
  private seq = new Float64Array(256)
  private handler = new Int32Array(256)
  private arg = new Float64Array(256)
  private length = 0
  private nextSeq = 0
  private readonly handlers: EventHandler[] = []
  /** Simulated time of the event being processed (or of the last one processed). */
  now_ns = 0
  /** Events popped and run so far. */
  processed = 0

  /** Registers a handler once; the returned id is what schedule() takes. */
  register(handler: EventHandler): number {
    this.handlers.push(handler)
    return this.handlers.length - 1
  }

  /** Time of the earliest pending event, or Infinity when none is pending. */
  peekTime(): number {
    return this.length === 0 ? Infinity : this.time_ns[0]
  }

  schedule(at_ns: number, handlerId: number, arg = 0): void {
    if (!Number.isSafeInteger(at_ns) || at_ns < this.now_ns) {
      throw new Error(`EventQueue.schedule: time ${at_ns} ns must be an integer >= now (${this.now_ns} ns)`)
    }
    if (handlerId < 0 || handlerId >= this.handlers.length) {
      throw new Error(`EventQueue.schedule: unknown handler id ${handlerId}`)
    }
    if (this.length === this.time_ns.length) this.grow()
    let i = this.length++
    const s = this.nextSeq++
    // sift up
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.less(at_ns, s, parent)) break
      this.move(parent, i)
      i = parent
    }
    this.time_ns[i] = at_ns
    this.seq[i] = s
    this.handler[i] = handlerId
    this.arg[i] = arg
  }

  /** Runs the earliest event if it is due at or before `limit_ns`; returns false otherwise. */
  runNext(limit_ns: number): boolean {
    if (this.length === 0 || this.time_ns[0] > limit_ns) return false
    const t = this.time_ns[0]
    const h = this.handler[0]
    const a = this.arg[0]
    this.pop()
    this.now_ns = t
    this.processed++
    this.handlers[h](a)
    return true
  }

  /** Runs every event due at or before `t_ns`, then sets the clock to `t_ns`. */
  runUntil(t_ns: number): void {
    while (this.runNext(t_ns));
    if (t_ns > this.now_ns) this.now_ns = t_ns
  }

  private pop(): void {
    const last = --this.length
    if (last === 0) return
    const t = this.time_ns[last]
    const s = this.seq[last]
    const h = this.handler[last]
    const a = this.arg[last]
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= last) break
      const r = l + 1
      const c = r < last && this.lessAt(r, l) ? r : l
      if (!this.lessThan(this.time_ns[c], this.seq[c], t, s)) break
      this.move(c, i)
      i = c
    }
    this.time_ns[i] = t
    this.seq[i] = s
    this.handler[i] = h
    this.arg[i] = a
  }

  private lessThan(t1: number, s1: number, t2: number, s2: number): boolean {
    return t1 < t2 || (t1 === t2 && s1 < s2)
  }

  private less(t: number, s: number, j: number): boolean {
    return this.lessThan(t, s, this.time_ns[j], this.seq[j])
  }

  private lessAt(i: number, j: number): boolean {
    return this.lessThan(this.time_ns[i], this.seq[i], this.time_ns[j], this.seq[j])
  }

  private move(from: number, to: number): void {
    this.time_ns[to] = this.time_ns[from]
    this.seq[to] = this.seq[from]
    this.handler[to] = this.handler[from]
    this.arg[to] = this.arg[from]
  }

  private grow(): void {
    const n = this.time_ns.length * 2
    const t = new Float64Array(n)
    t.set(this.time_ns)
    this.time_ns = t
    const s = new Float64Array(n)
    s.set(this.seq)
    this.seq = s
    const h = new Int32Array(n)
    h.set(this.handler)
    this.handler = h
    const a = new Float64Array(n)
    a.set(this.arg)
    this.arg = a
  }
}
