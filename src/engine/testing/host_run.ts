// Runs a host experiment in memory for tests: every host row and event, and each guest's rows,
// events and end, as the host layer would record them.
import { ExperimentSchema, type ExperimentInput } from '../../common/experiment'
import { HostExperimentSchema, type HostExperiment, type HostExperimentInput } from '../../common/host_experiment'
import { planHost, type HostPlan } from '../../common/host_plan'
import type { HostEvent } from '../../common/host_samples'
import type { SimEvent } from '../../common/samples'
import type { HostSummary } from '../../common/host_summary'
import { createSimulation } from '../simulation'
import { HostSimulation, type GuestEnd, type HostRunOptions } from '../machine/host_simulation'

export interface GuestRecord {
  readonly rows: Float64Array[]
  readonly events: SimEvent[]
  end: GuestEnd | null
}

export interface HostRecord {
  readonly plan: HostPlan
  readonly rows: Float64Array[]
  readonly events: HostEvent[]
  readonly guests: Map<number, GuestRecord>
  readonly summary: HostSummary
}

/** A host experiment document whose guests are all inline. */
export function hostOf(input: Omit<HostExperimentInput, 'format' | 'version'>): HostExperiment {
  return HostExperimentSchema.parse({ format: 'page-reporting-lab/experiment', version: 2, ...input })
}

export function planOf(host: HostExperiment): HostPlan {
  return planHost(
    host,
    host.guests.map((entry) => ({ entry, experiment: ExperimentSchema.parse({ format: 'page-reporting-lab/experiment', version: 2, ...entry.experiment }) })),
  )
}

export function runHost(host: HostExperiment, options: HostRunOptions = {}, sliceMs = 250): HostRecord {
  const plan = planOf(host)
  const rows: Float64Array[] = []
  const events: HostEvent[] = []
  const guests = new Map<number, GuestRecord>()
  const sim = new HostSimulation(
    plan,
    host.machine,
    host.recorder.sampleIntervalMs,
    {
      sample: (row) => rows.push(row.slice()),
      event: (e) => events.push(e),
      guestOutput: (g) => {
        const rec: GuestRecord = { rows: [], events: [], end: null }
        guests.set(g, rec)
        return { sample: (row) => rec.rows.push(row.slice()), event: (e) => rec.events.push(e) }
      },
      guestEnded: (g, end) => {
        ;(guests.get(g) as GuestRecord).end = end
      },
    },
    options,
  )
  while (!sim.done) sim.advanceTo(sim.now_ms + sliceMs)
  return { plan, rows, events, guests, summary: sim.summary(0) }
}

/** A guest experiment run alone, as prlab run runs it. */
export function runAlone(experiment: ExperimentInput | ReturnType<typeof ExperimentSchema.parse>): { rows: Float64Array[]; events: SimEvent[]; buddyinfo: string; summary: Record<string, unknown> } {
  const exp = ExperimentSchema.parse(experiment)
  const rows: Float64Array[] = []
  const events: SimEvent[] = []
  const sim = createSimulation(exp, { sample: (row) => rows.push(row.slice()), event: (e) => events.push(e) })
  while (!sim.done) sim.advanceTo(sim.now_ms + 250)
  return { rows, events, buddyinfo: sim.buddyinfo(), summary: sim.summary(0) }
}
