// A host experiment without a UI (prlab run on a host file, prlab fit): the host simulation in
// this thread, each guest's rows and events in a recorder of its own (written out as that guest's
// samples.csv, events.csv, summary.json and buddyinfo.txt when its VM ends), the host's rows kept
// for host_samples.csv, host_events.csv and the host's summary.json. Between slices the event
// loop turns, so Ctrl-C and the caller's AbortSignal stop the run (nothing is written then).
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { RunSummary } from '../common/api'
import type { HostExperiment } from '../common/host_experiment'
import type { HostSummary } from '../common/host_summary'
import type { SimEvent } from '../common/samples'
import { HostSimulation, type GuestEnd } from '../engine/machine/host_simulation'
import { makeDirs, writeFileAtomic } from './atomic_write'
import { writeEventsCsv, writeSamplesCsv } from './export_csv'
import { exportToFile, yieldToEventLoop } from './export_sink'
import { guestRecorderBudget, type ResolvedHost } from './host_experiment_io'
import { HostRows } from './host_rows'
import { FileWriteError, errnoOf, ioReason } from './io_error'
import { Recorder, type RecorderOptions } from './recorder'
import { SampleBatch } from './sample_batch'

export interface HostHeadlessOptions {
  readonly check?: boolean
  readonly onProgress?: (sim_ms: number, end_ms: number) => void
  readonly signal?: AbortSignal
  /** The guests' recorders' spill folder (tests). */
  readonly recorder?: Pick<RecorderOptions, 'spillDir'>
  /** Write each guest's own files into guest-<n>/ (default true; prlab fit keeps only the host's). */
  readonly guestFiles?: boolean
}

export interface HostRunResult {
  readonly summary: HostSummary
  readonly rows: HostRows
}

/** Host time per slice between progress reports, recorder flushes and abort checks. */
const SLICE_MS = 250

/** The folder of guest `n`'s own output files. */
export const guestDir = (outDir: string, guest: number): string => join(outDir, `guest-${guest}`)

interface GuestRecording {
  readonly recorder: Recorder
  readonly batch: SampleBatch
  events: SimEvent[]
  readonly keepEvents: boolean
}

async function ensureDir(dir: string): Promise<void> {
  try {
    await makeDirs(dir)
  } catch (e) {
    throw new FileWriteError(dir, ioReason(e), errnoOf(e))
  }
}

export async function runHostHeadless(host: HostExperiment, resolved: ResolvedHost, outDir: string | null, options: HostHeadlessOptions = {}): Promise<HostRunResult> {
  const { plan } = resolved
  const guestFiles = outDir !== null && (options.guestFiles ?? true)
  const rows = new HostRows(plan.guests.length)
  const recordings = new Map<number, GuestRecording>()
  const ended: { guest: number; end: GuestEnd; recording: GuestRecording | undefined }[] = []
  const budget = guestRecorderBudget(plan.guests.length)
  const t0 = performance.now()
  const flush = (r: GuestRecording): void => {
    const { rows: n, data } = r.batch.take()
    if (n > 0) r.recorder.appendRows(data, n)
    if (r.events.length > 0 && r.keepEvents) r.recorder.appendEvents(r.events)
    r.events = []
  }
  const discard = { sample: () => undefined, event: () => undefined }
  try {
    const sim = new HostSimulation(
      plan,
      host.machine,
      host.recorder.sampleIntervalMs,
      {
        sample: (row) => rows.push(row),
        event: (e) => {
          if (host.recorder.events) rows.events.push(e)
        },
        guestOutput: (guest) => {
          if (!guestFiles) return discard
          const experiment = plan.guests[guest - 1].experiment
          const r: GuestRecording = { recorder: new Recorder({ ...options.recorder, memoryBudgetBytes: budget }), batch: new SampleBatch(256), events: [], keepEvents: experiment.recorder.events }
          recordings.set(guest, r)
          return { sample: (row) => r.batch.push(row), event: (e) => r.events.push(e) }
        },
        guestEnded: (guest, end) => ended.push({ guest, end, recording: recordings.get(guest) }),
      },
      { check: options.check ?? false, inputs: resolved.inputs },
    )
    const finishGuests = async (): Promise<void> => {
      while (ended.length > 0) {
        const { guest, end, recording } = ended.shift() as (typeof ended)[number]
        recordings.delete(guest)
        if (recording === undefined || outDir === null) continue
        flush(recording)
        const summary: RunSummary = { ...end.summary, wall_ms: performance.now() - t0 }
        await writeGuestFiles(guestDir(outDir, guest), recording, summary, end.buddyinfo)
        recording.recorder.close()
      }
    }
    while (!sim.done) {
      options.signal?.throwIfAborted()
      sim.advanceTo(sim.now_ms + SLICE_MS)
      for (const r of recordings.values()) flush(r)
      await finishGuests()
      options.onProgress?.(sim.now_ms, sim.end_ms)
      await yieldToEventLoop()
    }
    await finishGuests()
    options.signal?.throwIfAborted()
    const summary = sim.summary(performance.now() - t0)
    if (outDir !== null) {
      await ensureDir(outDir)
      await exportToFile(join(outDir, 'host_samples.csv'), (write) => rows.writeSamples(write))
      if (host.recorder.events) await exportToFile(join(outDir, 'host_events.csv'), (write) => rows.writeEvents(write))
      await writeFileAtomic(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`)
    }
    return { summary, rows }
  } finally {
    for (const r of recordings.values()) r.recorder.close()
    for (const e of ended) e.recording?.recorder.close()
  }
}

/** A guest's own output files, as `prlab run` of its experiment writes them. */
async function writeGuestFiles(dir: string, r: GuestRecording, summary: RunSummary, buddyinfo: string): Promise<void> {
  await ensureDir(dir)
  await writeSamplesCsv(r.recorder, join(dir, 'samples.csv'))
  if (r.keepEvents) await writeEventsCsv(r.recorder, join(dir, 'events.csv'))
  await writeFileAtomic(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`)
  await writeFileAtomic(join(dir, 'buddyinfo.txt'), buddyinfo)
}
