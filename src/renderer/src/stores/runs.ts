// Finished runs kept for comparison: their samples (markRaw buffers), summary and experiment.
// The comparison overlays the selected runs; the first selected is the baseline of the deltas.
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef } from 'vue'
import type { RunState, RunSummary } from '../../../common/api'
import type { ExperimentInput } from '../../../common/experiment'
import type { SampleSeries } from '../model/sample_series'
import { SERIES_COLORS } from '../charts/chart_theme'

export const RUN_COLORS = SERIES_COLORS

export interface RunRecord {
  readonly runId: string
  readonly name: string
  readonly label: string
  readonly color: string
  readonly state: RunState
  readonly series: SampleSeries
  readonly summary: RunSummary | null
  readonly document: ExperimentInput
}

export const MAX_KEPT_RUNS = 8

export const useRunsStore = defineStore('runs', () => {
  const runs = shallowRef<readonly RunRecord[]>([])
  const selected = ref<string[]>([])
  let counter = 0

  const compared = computed(() => selected.value.map((id) => runs.value.find((r) => r.runId === id)).filter((r): r is RunRecord => r !== undefined))

  function add(record: Omit<RunRecord, 'color' | 'label'>): RunRecord {
    counter++
    const kept: RunRecord = markRaw({ ...record, label: `#${counter} ${record.name}`, color: RUN_COLORS[(counter - 1) % RUN_COLORS.length] })
    const next = [...runs.value.filter((r) => r.runId !== record.runId), kept]
    const dropped = next.slice(0, Math.max(0, next.length - MAX_KEPT_RUNS)).map((r) => r.runId)
    runs.value = next.slice(-MAX_KEPT_RUNS)
    selected.value = [...selected.value.filter((id) => !dropped.includes(id)), kept.runId].slice(-4)
    return kept
  }

  function remove(runId: string): void {
    runs.value = runs.value.filter((r) => r.runId !== runId)
    selected.value = selected.value.filter((id) => id !== runId)
  }

  function toggle(runId: string): void {
    selected.value = selected.value.includes(runId) ? selected.value.filter((id) => id !== runId) : [...selected.value, runId]
  }

  return { runs, selected, compared, add, remove, toggle }
})
