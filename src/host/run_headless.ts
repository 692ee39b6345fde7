// A run without a UI (prlab run, prlab sweep): the engine in this thread, every row and event
// kept by the recorder, then the DESIGN.md output files written into outDir, each atomically,
// with the experiment as run (experiment.prlab.json), so the folder opens as a run in the lab.
// Between slices the event loop turns, so Ctrl-C and the caller's AbortSignal stop the run; a
// recorder that cannot spill (a full disk) ends it with what was recorded written out.
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Experiment } from '../common/experiment'
import type { RunSummary } from '../common/api'
import type { SimEvent } from '../common/samples'
import type { SimulationInputs } from '../engine/api'
import { createSimulation } from '../engine/simulation'
import { Recorder, RecorderSpillError, type RecorderOptions } from './recorder'
import { SampleBatch } from './sample_batch'
import { writeEventsCsv, writeSamplesCsv } from './export_csv'
import { makeDirs, writeFileAtomic } from './atomic_write'
import { yieldToEventLoop } from './export_sink'
import { FileWriteError, errnoOf, ioReason } from './io_error'
import { experimentToText } from './experiment_io'

export interface HeadlessOptions {
  /** Run the invariant checker after every engine event (slow). */
  readonly check?: boolean
  /** The files the experiment names, parsed (resolveRunInputs in run_inputs.ts). */
  readonly inputs?: SimulationInputs
  readonly onProgress?: (sim_ms: number, end_ms: number) => void
  /** Aborting stops the run between slices: runHeadless rejects with the signal's reason, nothing written. */
  readonly signal?: AbortSignal
  /** The recorder's spill folder and budget (tests). */
  readonly recorder?: RecorderOptions
  /** Also write experiment.prlab.json, the experiment as run (prlab run; a sweep writes each point's own). */
  readonly writeExperiment?: boolean
}

/** The run ended early because the recorder could not spill; what it recorded was written out. */
export class HeadlessRunFailed extends Error {
  constructor(
    message: string,
    readonly summary: RunSummary,
  ) {
    super(message)
    this.name = 'HeadlessRunFailed'
  }
}

/** Simulated time per slice between progress reports, recorder flushes and abort checks. */
const SLICE_MS = 250

/** The DESIGN.md output files of a run; a file that cannot be written throws FileWriteError naming it. */
async function writeOutputs(outDir: string, experiment: Experiment, recorder: Recorder, summary: RunSummary, buddyinfo: string, writeExperiment: boolean): Promise<void> {
  try {
    await makeDirs(outDir)
  } catch (e) {
    throw new FileWriteError(outDir, ioReason(e), errnoOf(e))
  }
  await writeSamplesCsv(recorder, join(outDir, 'samples.csv'))
  if (experiment.recorder.events) await writeEventsCsv(recorder, join(outDir, 'events.csv'))
  await writeFileAtomic(join(outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n')
  await writeFileAtomic(join(outDir, 'buddyinfo.txt'), buddyinfo)
  // the experiment as run (defaults filled in, --set applied): the folder opens as a run in the lab
  if (writeExperiment) await writeFileAtomic(join(outDir, 'experiment.prlab.json'), experimentToText(experiment))
}

export async function runHeadless(experiment: Experiment, outDir: string | null, options: HeadlessOptions = {}): Promise<RunSummary> {
  const recorder = new Recorder(options.recorder)
  try {
    const batch = new SampleBatch(1024)
    let events: SimEvent[] = []
    const t0 = performance.now()
    const sim = createSimulation(
      experiment,
      { sample: (row) => batch.push(row), event: (e) => events.push(e) },
      { check: options.check ?? false, ...(options.inputs !== undefined ? { inputs: options.inputs } : {}) },
    )
    let failure: RecorderSpillError | null = null
    while (!sim.done) {
      options.signal?.throwIfAborted()
      sim.advanceTo(sim.now_ms + SLICE_MS)
      const { rows, data } = batch.take()
      try {
        if (rows > 0) recorder.appendRows(data, rows)
        if (events.length > 0 && experiment.recorder.events) recorder.appendEvents(events)
      } catch (e) {
        if (!(e instanceof RecorderSpillError)) throw e
        failure = e
        break
      }
      events = []
      options.onProgress?.(sim.now_ms, sim.end_ms)
      await yieldToEventLoop()
    }
    options.signal?.throwIfAborted()
    const summary = sim.summary(performance.now() - t0)
    if (failure !== null) {
      // the summary of a failed run says so (run_status), and what was recorded is still written
      const failed: RunSummary = { ...summary, run_status: 'failed', run_error: failure.message }
      if (outDir !== null) await writeOutputs(outDir, experiment, recorder, failed, sim.buddyinfo(), options.writeExperiment === true)
      throw new HeadlessRunFailed(failure.message, failed)
    }
    if (outDir !== null) await writeOutputs(outDir, experiment, recorder, summary, sim.buddyinfo(), options.writeExperiment === true)
    return summary
  } finally {
    recorder.close()
  }
}
