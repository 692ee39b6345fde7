// Samples of the current run as they stream in. The buffer is a plain column store held with
// markRaw (megabytes of typed arrays must never become deep-reactive); `revision` is the one
// reactive signal charts watch before they read the buffer imperatively.
import { defineStore } from 'pinia'
import { markRaw, ref, shallowRef } from 'vue'
import type { SimEvent } from '../../../common/samples'
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
    for (const frame of early.get(id) ?? []) series.value.append(frame.rows, frame.data)
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
    series.value.append(rows, data)
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
