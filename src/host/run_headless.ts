// A run without a UI (prlab run, prlab sweep): the engine in this thread, every row and event
// kept by the recorder, then the DESIGN.md output files written into outDir.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Experiment } from '../common/experiment'
import type { RunSummary } from '../common/api'
import type { SimEvent } from '../common/samples'
import type { SimulationInputs } from '../engine/api'
import { createSimulation } from '../engine/simulation'
import { Recorder } from './recorder'
import { SampleBatch } from './sample_batch'
import { writeEventsCsv, writeSamplesCsv } from './export_csv'

export interface HeadlessOptions {
  /** Run the invariant checker after every engine event (slow). */
  readonly check?: boolean
  /** The files the experiment names, parsed (resolveRunInputs in run_inputs.ts). */
  readonly inputs?: SimulationInputs
  readonly onProgress?: (sim_ms: number, end_ms: number) => void
}

/** Simulated time per slice between progress reports and recorder flushes. */
const SLICE_MS = 1000

export async function runHeadless(experiment: Experiment, outDir: string | null, options: HeadlessOptions = {}): Promise<RunSummary> {
  const recorder = new Recorder()
  try {
    const batch = new SampleBatch(1024)
    let events: SimEvent[] = []
    const t0 = performance.now()
    const sim = createSimulation(
      experiment,
      { sample: (row) => batch.push(row), event: (e) => events.push(e) },
      { check: options.check ?? false, ...(options.inputs !== undefined ? { inputs: options.inputs } : {}) },
    )
    while (!sim.done) {
      sim.advanceTo(sim.now_ms + SLICE_MS)
      const { rows, data } = batch.take()
      if (rows > 0) recorder.appendRows(data, rows)
      if (events.length > 0) {
        if (experiment.recorder.events) recorder.appendEvents(events)
        events = []
      }
      options.onProgress?.(sim.now_ms, sim.end_ms)
    }
    const summary = sim.summary(performance.now() - t0)
    if (outDir !== null) {
      await mkdir(outDir, { recursive: true })
      await writeSamplesCsv(recorder, join(outDir, 'samples.csv'))
      if (experiment.recorder.events) await writeEventsCsv(recorder, join(outDir, 'events.csv'))
      await writeFile(join(outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n')
      await writeFile(join(outDir, 'buddyinfo.txt'), sim.buddyinfo())
    }
    return summary
  } finally {
    recorder.close()
  }
}
