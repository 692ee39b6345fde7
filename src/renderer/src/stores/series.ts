// Samples of the current run as they stream in. The buffer is a plain column store held with
// markRaw (megabytes of typed arrays must never become deep-reactive); `revision` is the one
// reactive signal charts watch before they read the buffer imperatively. A frame replaces the
// rows from its first t_ms on (LabEvents.frame): a flat-out run's preview is overwritten by the
// full rows when the run ends or pauses.
import { defineStore } from 'pinia'
import { markRaw, ref, shallowRef } from 'vue'
import { COL, NR_SAMPLE_COLUMNS, SAMPLE_COLUMNS, type SimEvent } from '../../../common/samples'
import { SampleSeries } from '../model/sample_series'

export interface PhaseMark {
  readonly t_ms: number
  readonly label: string
}

export const useSeriesStore = defineStore('series', () => {
  const runId = ref<string | null>(null)
  const series = shallowRef<SampleSeries | null>(null)
  const revision = ref(0)
  const phaseMarks = shallowRef<readonly PhaseMark[]>([])
  const reportEvents = ref(0)
  /** Frames that arrived for a run before startRun() answered with its id. */
  const early = new Map<string, { rows: number; data: Float64Array }[]>()

  function reset(id: string, expectedRows: number): void {
    runId.value = id
    series.value = markRaw(new SampleSeries(expectedRows))
    phaseMarks.value = []
    reportEvents.value = 0
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

  function addEvents(id: string, events: readonly SimEvent[]): void {
    if (id !== runId.value) return
    const marks: PhaseMark[] = []
    for (const e of events) {
      if (e.kind === 'phase') marks.push({ t_ms: e.t_ms, label: e.detail ?? 'phase' })
      else if (e.kind === 'report') reportEvents.value++
    }
    if (marks.length > 0) phaseMarks.value = [...phaseMarks.value, ...marks]
  }

  return { runId, series, revision, phaseMarks, reportEvents, reset, append, addEvents }
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
