// The run being driven: its status pushes, the controls (start, pause, resume, step to the next
// reporting pass, stop) and the speed. A run that ends is handed to the runs store for comparison.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { RunCommand, RunStatus, StoredRun } from '../../../common/api'
import type { ExperimentInput } from '../../../common/experiment'
import { useLab } from '../lab'
import { inputBaseFile } from '../model/imported_inputs'
import { LatestPacer } from '../model/latest_pacer'
import { runProgress } from '../model/run_progress'
import { useDataStore } from './data'
import { useValidationStore } from '../features/validation/validation_store'
import { useExperimentStore } from './experiment'
import { useRunsStore, type RunRecord } from './runs'
import { useSeriesStore } from './series'
import { useUiStore } from './ui'
import { useTimelineStore } from './timeline'

const ENDED = new Set(['finished', 'stopped', 'error'])
/** Least wait between progress updates while the engine runs flat out (state changes go at once). */
export const FLAT_OUT_STATUS_GAP_MS = 250

export const useRunStore = defineStore('run', () => {
  const status = shallowRef<RunStatus | null>(null)
  const speed = ref<number | null>(null)
  const busy = ref(false)
  /** The document the current run was started from (the editor may change meanwhile). */
  const runDocument = shallowRef<ExperimentInput | null>(null)
  const archived = new Set<string>()
  const pacer = new LatestPacer<RunStatus>(FLAT_OUT_STATUS_GAP_MS, { now: () => performance.now(), setTimeout: (cb, ms) => setTimeout(cb, ms), clearTimeout: (h) => clearTimeout(h) }, apply)

  const state = computed(() => status.value?.state ?? 'idle')
  const active = computed(() => status.value !== null && !ENDED.has(status.value.state))
  const progress = computed(() => runProgress(status.value))
  /** Running as fast as possible: the UI holds back its redraws so the engine gets the cores. */
  const flatOut = computed(() => status.value?.state === 'running' && status.value.speed === null)
  const canStart = computed(() => !busy.value && !active.value && useExperimentStore().valid)
  const canPause = computed(() => !busy.value && state.value === 'running')
  const canResume = computed(() => !busy.value && state.value === 'paused')
  const canStep = computed(() => !busy.value && state.value === 'paused')
  const canStop = computed(() => !busy.value && active.value)

  async function start(): Promise<void> {
    const experiment = useExperimentStore()
    const ui = useUiStore()
    if (!canStart.value) {
      if (!experiment.valid) ui.notify('error', 'The experiment has errors', 'Fix the fields marked in the editor, then run.')
      return
    }
    busy.value = true
    try {
      const document = experiment.document
      const result = await useLab().startRun(document, speed.value, inputBaseFile(document, experiment.fileId, useDataStore().fileNames))
      if (!result.ok) {
        ui.notifyError('Could not start the run', result.error)
        return
      }
      const v = experiment.validation.experiment
      const expectedRows = v ? v.durationMs / v.recorder.sampleIntervalMs + 2 : 1024
      runDocument.value = document
      useSeriesStore().reset(result.value.runId, expectedRows)
      useDataStore().claim(result.value.runId)
      useValidationStore().claim(result.value.runId)
      useTimelineStore().startRun(result.value.end_ms)
      pacer.cancel()
      status.value = result.value
      ui.view = ui.view === 'compare' ? 'charts' : ui.view
    } finally {
      busy.value = false
    }
  }

  async function control(command: RunCommand): Promise<void> {
    const current = status.value
    if (!current) return
    busy.value = true
    try {
      const result = await useLab().control(current.runId, command)
      if (result.ok) onStatus(result.value)
      else useUiStore().notifyError(`Could not ${command} the run`, result.error)
    } finally {
      busy.value = false
    }
  }

  async function setSpeed(next: number | null): Promise<void> {
    speed.value = next
    const current = status.value
    if (!current || !active.value) return
    const result = await useLab().setSpeed(current.runId, next)
    if (result.ok) onStatus(result.value)
    else useUiStore().notifyError('Could not change the speed', result.error)
  }

  /** Status push from the host (or a control's answer). */
  function onStatus(next: RunStatus): void {
    if (status.value && next.runId !== status.value.runId) return
    if (status.value && status.value.runId === next.runId && ENDED.has(status.value.state) && !ENDED.has(next.state)) return
    const progressOnly = status.value !== null && status.value.runId === next.runId && status.value.state === next.state
    pacer.push(next, !(progressOnly && next.state === 'running' && next.speed === null))
  }

  function apply(next: RunStatus): void {
    status.value = next
    if (ENDED.has(next.state)) void archive(next)
  }

  async function archive(ended: RunStatus): Promise<void> {
    if (archived.has(ended.runId)) return
    archived.add(ended.runId)
    const series = useSeriesStore()
    if (ended.state === 'error') useUiStore().notify('error', 'The run failed', ended.error ?? 'The engine stopped with an error.')
    if (series.runId !== ended.runId || !series.series || series.series.rows === 0) return
    const summary = await useLab().summary(ended.runId)
    useRunsStore().add({
      runId: ended.runId,
      name: ended.name,
      state: ended.state,
      series: series.series,
      summary: summary.ok ? summary.value : null,
      document: runDocument.value ?? useExperimentStore().document,
    })
  }

  /** A kept run becomes the current one: its charts and events, its past states; no engine runs it. */
  function showStored(record: RunRecord, stored: StoredRun | null): void {
    pacer.cancel()
    archived.add(record.runId)
    runDocument.value = record.document
    useSeriesStore().loadStored(record.runId, record.series, stored?.events ?? [])
    const t = record.series.last('t_ms')
    const end_ms = stored?.info.end_ms ?? t
    status.value = { runId: record.runId, name: record.name, state: record.state, sim_ms: Number.isFinite(t) ? t : 0, end_ms, wall_ms: 0, speed: null, events_processed: stored?.events.length ?? 0, rows: record.series.rows }
    useTimelineStore().startRun(end_ms)
    useUiStore().view = 'charts'
  }

  return { status, speed, busy, runDocument, state, active, progress, flatOut, canStart, canPause, canResume, canStep, canStop, start, control, setSpeed, onStatus, showStored }
})
