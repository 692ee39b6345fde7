// The simulated side of a validation: the mirroring experiment run in this thread, sampled finely
// enough that its RSS can be read at the real samples' own times, with every report() call.
import { dirname } from 'node:path'
import { COL, NR_ORDERS } from '../../common/samples'
import type { Experiment } from '../../common/experiment'
import { createSimulation } from '../../engine/simulation'
import { formatLabError, loadExperimentFile } from '../experiment_io'
import { resolveRunInputs } from '../run_inputs'
import type { BuddySample, Point, Trace } from './figures'

/** Simulated sample interval of a validation run: a twentieth of the guest's 200 ms. */
export const VALIDATION_SAMPLE_MS = 10

export interface SimSide {
  readonly experiment: Experiment
  readonly trace: Trace
  /** The simulated guest's /proc/zoneinfo lines at time 0. */
  readonly zoneinfo: string
}

export class ValidationInputError extends Error {}

/** Loads an experiment file and its named inputs as `prlab run` does. */
export async function loadValidationExperiment(file: string): Promise<{ experiment: Experiment; inputs: Awaited<ReturnType<typeof resolveRunInputs>> }> {
  const loaded = await loadExperimentFile(file)
  if (!loaded.ok) throw new ValidationInputError(formatLabError(loaded.error))
  const experiment = loaded.value.experiment
  return { experiment, inputs: await resolveRunInputs(experiment, { baseDir: dirname(file) }) }
}

/** Runs the experiment at VALIDATION_SAMPLE_MS and keeps what the figures need; `change` alters the experiment first (what-if runs, tests). */
export async function simSide(file: string, change: (e: Experiment) => Experiment = (e) => e): Promise<SimSide> {
  const { experiment: loaded, inputs } = await loadValidationExperiment(file)
  if (!inputs.ok) throw new ValidationInputError(formatLabError(inputs.error))
  const changed = change(loaded)
  const experiment: Experiment = { ...changed, recorder: { ...changed.recorder, sampleIntervalMs: VALIDATION_SAMPLE_MS, events: false, allocEvents: false } }
  const rss: Point[] = []
  const pcp: Point[] = []
  const reports: Point[] = []
  const buddy: BuddySample[] = []
  const sim = createSimulation(
    experiment,
    {
      sample: (row) => {
        const t_ms = row[COL.t_ms]
        rss.push({ t_ms, v: row[COL.host_rss_kib] / 1024 })
        pcp.push({ t_ms, v: row[COL.pcp_kib] / 1024 })
        buddy.push({ t_ms, nr_free: Array.from({ length: NR_ORDERS }, (_, o) => row[COL.nr_free_0 + o]) })
      },
      event: () => undefined,
    },
    {
      ...(inputs.value === undefined ? {} : { inputs: inputs.value }),
      // as the recordings' kprobe sees each call: nents x the first entry's length
      probeReport: (call) => reports.push({ t_ms: call.t_ms, v: (call.nents * call.len0_bytes) / (1024 * 1024) }),
    },
  )
  const zoneinfo = sim.zoneinfo()
  sim.advanceTo(sim.end_ms)
  return { experiment, trace: { reports, rss, pcp, buddy }, zoneinfo }
}
