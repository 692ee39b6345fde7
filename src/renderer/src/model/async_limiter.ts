// One request at a time, and of those waiting only the latest (Perfetto's AsyncLimiter): a view
// that follows the time cursor asks for the state at every cursor move, but only the last move
// matters once the one in flight is answered.

export class AsyncLimiter {
  private running = false
  private next: (() => Promise<void>) | null = null

  /** Runs `task` now, or once the running one ends, unless a later `schedule` replaces it first. */
  schedule(task: () => Promise<void>): void {
    this.next = task
    if (!this.running) void this.drain()
  }

  /** Drops the waiting task (the one running finishes). */
  clear(): void {
    this.next = null
  }

  get busy(): boolean {
    return this.running
  }

  private async drain(): Promise<void> {
    this.running = true
    try {
      while (this.next !== null) {
        const task = this.next
        this.next = null
        try {
          await task()
        } catch {
          // a task reports its own failure; the queue goes on
        }
      }
    } finally {
      this.running = false
    }
  }
}
