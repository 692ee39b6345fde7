// Samples of the current run as they stream in. The buffer is a plain column store held with
// markRaw (megabytes of typed arrays must never become deep-reactive); `revision` is the one
// reactive signal charts watch before they read the buffer imperatively. A frame replaces the
// rows from its first t_ms on (LabEvents.frame): a flat-out run's preview is overwritten by the
// full rows when the run ends or pauses.
import { defineStore } from 'pinia'
import { markRaw, ref, shallowRef } from 'vue'
import { COL, NR_SAMPLE_COLUMNS, SAMPLE_COLUMNS, type SimEvent } from '../../../common/samples'
import { SampleSeries } from '../model/sample_series'
import { addToPasses, NOTABLE_INFO, NOTABLE_KINDS, toNotable, type NotableEvent, type NotableKind, type PassBand } from '../model/run_events'
import { useUiStore } from './ui'
import type { PhaseStart } from '../model/phase_band'
import type { TimeMark } from '../charts/time_option'


export const useSeriesStore = defineStore('series', () => {
  const runId = ref<string | null>(null)
  const series = shallowRef<SampleSeries | null>(null)
  const revision = ref(0)
  /** Workload phases in time order (the phase band). */
  const phases = shallowRef<readonly PhaseStart[]>([])
  /** Failures and notable changes as marks on the time axis. */
  const eventMarks = shallowRef<readonly TimeMark[]>([])
  const reportEvents = ref(0)
  /** Failures and notable changes, in time order (the event list, the marks, the notices). */
  const notable = shallowRef<readonly NotableEvent[]>([])
  /** Reporting passes as bands; the list is mutated in place and `passRevision` signals it. */
  const passes = shallowRef<PassBand[]>([])
  const passRevision = ref(0)
  /** Failure kinds already announced with a notice in this run (one notice per kind). */
  const announced = new Set<NotableKind>()
  /** Frames that arrived for a run before startRun() answered with its id. */
  const early = new Map<string, { rows: number; data: Float64Array }[]>()

  function reset(id: string, expectedRows: number): void {
    runId.value = id
    series.value = markRaw(new SampleSeries(expectedRows))
    phases.value = []
    eventMarks.value = []
    reportEvents.value = 0
    notable.value = []
    passes.value = []
    announced.clear()
    for (const frame of early.get(id) ?? []) series.value = place(series.value, frame.rows, frame.data)
    early.clear()
    revision.value++
  }

  function append(id: string, rows: number, data: Float64Array): void {
    if (id !== runId.value || !series.value) {
      const held = early.get(id) ?? []
      if (held.length < 64) held.push({ rows, data })
      early.set(id, held)
      return
    }
    series.value = place(series.value, rows, data)
    revision.value++
  }

  /** A kept run shown again: its rows and events, without the notices a live run gives. */
  function loadStored(id: string, stored: SampleSeries, events: readonly SimEvent[]): void {
    reset(id, 0)
    series.value = stored
    for (const kind of NOTABLE_KINDS) announced.add(kind)
    addEvents(id, events)
    revision.value++
  }

  function addEvents(id: string, events: readonly SimEvent[]): void {
    if (id !== runId.value) return
    const marks: TimeMark[] = []
    const started: PhaseStart[] = []
    const found: NotableEvent[] = []
    let passChanged = false
    for (const e of events) {
      const n = toNotable(e)
      if (n !== null) {
        found.push(n)
        const info = NOTABLE_INFO[n.kind]
        if (n.kind === 'phase') started.push({ t_ms: e.t_ms, label: e.detail ?? 'phase' })
        else if (n.kind !== 'register') marks.push({ t_ms: e.t_ms, label: info.label, color: info.color })
        if ((info.failure || n.kind === 'order-change') && !announced.has(n.kind)) {
          announced.add(n.kind)
          useUiStore().notify(info.failure ? 'error' : 'info', `${info.label[0].toUpperCase()}${info.label.slice(1)} at ${(e.t_ms / 1000).toFixed(1)} s`, n.text, [info.rule])
        }
      }
      if (e.kind === 'report') reportEvents.value++
      if (addToPasses(passes.value, e)) passChanged = true
    }
    if (marks.length > 0) eventMarks.value = [...eventMarks.value, ...marks]
    if (started.length > 0) phases.value = [...phases.value, ...started]
    if (found.length > 0) notable.value = [...notable.value, ...found]
    if (passChanged) passRevision.value++
  }

  return { runId, series, revision, phases, eventMarks, reportEvents, notable, passes, passRevision, reset, append, addEvents, loadStored }
})

/**
 * Puts a frame into the series: rows at or after the frame's first t_ms go, the frame's rows
 * follow. Usually nothing goes (a plain append); after a preview the series is rebuilt from the
 * rows it keeps, once per resync.
 */
export function place(series: SampleSeries, rows: number, data: Float64Array): SampleSeries {
  if (rows === 0) return series
  const first_ms = data[COL.t_ms]
  const atOrBefore = series.indexAtOrBefore(first_ms)
  const keep = atOrBefore >= 0 && series.column('t_ms')[atOrBefore] === first_ms ? atOrBefore : atOrBefore + 1
  if (keep === series.rows) {
    series.append(rows, data)
    return series
  }
  const rebuilt = markRaw(new SampleSeries(series.capacity))
  const kept = new Float64Array(keep * NR_SAMPLE_COLUMNS)
  SAMPLE_COLUMNS.forEach((name, c) => {
    const column = series.column(name)
    for (let r = 0; r < keep; r++) kept[r * NR_SAMPLE_COLUMNS + c] = column[r]
  })
  rebuilt.append(keep, kept)
  rebuilt.append(rows, data)
  return rebuilt
}
