// A disposed run (window closed, SIGTERM, quit) ignores what its worker had already posted: the
// worker's terminate() is asynchronous, and a frame arriving after the recorder closed must not
// throw in the message handler, which would take the whole process down.
import { EventEmitter } from 'node:events'
import type { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { ExperimentSchema } from '../common/experiment'
import { NR_SAMPLE_COLUMNS } from '../common/samples'
import { Run, type RunSink } from './run'

class FakeWorker extends EventEmitter {
  posted = 0
  postMessage(): void {
    this.posted++
  }
  terminate(): Promise<number> {
    return Promise.resolve(0)
  }
}

describe('a disposed run', () => {
  it('drops frames, progress and done messages that arrive after dispose(), without throwing', () => {
    const worker = new FakeWorker()
    const statuses: string[] = []
    const sink: RunSink = { frame: () => undefined, events: () => undefined, status: (s) => statuses.push(s.state) }
    const experiment = ExperimentSchema.parse({ format: 'page-reporting-lab/experiment', version: 2, durationMs: 1000, guest: { memoryMiB: 256 } })
    const run = new Run('r1', experiment, worker as unknown as Worker, sink, { speed: null })
    const frame = { type: 'frame', rows: 1, data: new Float64Array(NR_SAMPLE_COLUMNS), events: [{ t_ms: 0, kind: 'phase', detail: 'x' }], sim_ms: 10, wall_ms: 1, events_processed: 1 }
    worker.emit('message', frame)
    expect(run.status().sim_ms).toBe(10)
    run.dispose()
    const before = statuses.length
    expect(() => worker.emit('message', { ...frame, sim_ms: 20 })).not.toThrow()
    expect(() => worker.emit('message', { type: 'progress', sim_ms: 30, wall_ms: 2, events_processed: 2 })).not.toThrow()
    expect(run.status().sim_ms).toBe(10)
    expect(statuses.length).toBe(before)
  })
})
