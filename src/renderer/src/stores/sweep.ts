// The Sweep view's searches. A search has a kind (today a grid: every combination of the rows'
// values; issue 15 adds multi-guest fits beside it), runs as a host task with progress and
// Cancel, and fills a table of points, any of which opens as a run. A sweep.csv that
// `prlab sweep` wrote opens in the same table and chart (data store).
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef, watch } from 'vue'
import type { SweepStarted, SweepStatus } from '../../../common/api'
import type { SweepTable } from '../../../common/imports'
import { gridArgs, gridSize, sweepablePaths, type GridRow } from '../features/sweep/sweep_grid'
import { useLab } from '../lab'
import { useDataStore } from './data'
import { useExperimentStore } from './experiment'
import { useRunsStore } from './runs'
import { useTasksStore } from './tasks'
import { useUiStore } from './ui'

export type SearchKind = 'grid'

/** Least time between two reads of a running sweep's table. */
const STATUS_EVERY_MS = 500

export const useSweepStore = defineStore('sweep', () => {
  const kind = ref<SearchKind>('grid')
  const rows = ref<GridRow[]>([
    { path: 'reporting.order', values: '5,7,9' },
    { path: 'reporting.delayMs', values: '500,2000' },
  ])
  const started = shallowRef<SweepStarted | null>(null)
  const status = shallowRef<SweepStatus | null>(null)
  /** What the table and chart show: the sweep run here, or a sweep.csv opened. */
  const shown = ref<'lab' | 'file'>('lab')
  const starting = ref(false)
  let lastRead = 0
  let readTimer = 0

  const size = computed(() => gridSize(rows.value, sweepablePaths(useExperimentStore().document)))
  const running = computed(() => status.value?.state === 'running' || (started.value !== null && status.value === null))
  const task = computed(() => useTasksStore().running.find((t) => t.id === started.value?.taskId) ?? null)
  const table = computed<SweepTable | null>(() => (shown.value === 'file' ? useDataStore().sweep : (status.value?.table ?? null)))

  async function read(): Promise<void> {
    const s = started.value
    if (!s) return
    lastRead = performance.now()
    const result = await useLab().sweepStatus(s.sweepId)
    if (result.ok && started.value?.sweepId === s.sweepId) status.value = markRaw(result.value)
  }

  /** The table follows the task's progress pushes, at most every STATUS_EVERY_MS, and once more at its end. */
  function readSoon(final: boolean): void {
    clearTimeout(readTimer)
    const wait = final ? 0 : lastRead + STATUS_EVERY_MS - performance.now()
    if (wait <= 0) void read()
    else readTimer = window.setTimeout(() => void read(), wait)
  }

  watch(task, (t, before) => {
    if (t !== null) readSoon(false)
    else if (before !== null) readSoon(true)
  })

  async function run(): Promise<void> {
    const ui = useUiStore()
    const experiment = useExperimentStore()
    const n = size.value
    if ('error' in n) return ui.notify('error', 'The grid is not ready', n.error)
    if (!experiment.valid) return ui.notify('error', 'The experiment has errors', 'Fix the fields marked in the editor: every point starts from it.')
    starting.value = true
    try {
      const result = await useLab().startSweep(experiment.document, gridArgs(rows.value), experiment.fileId)
      if (!result.ok) return ui.notifyError('Could not start the sweep', result.error)
      started.value = result.value
      status.value = null
      shown.value = 'lab'
      readSoon(false)
    } finally {
      starting.value = false
    }
  }

  async function cancel(): Promise<void> {
    const s = started.value
    if (s) await useLab().cancelTask(s.taskId)
  }

  /** Point `k` kept in the run library and opened as the current run. */
  async function openPoint(k: number): Promise<void> {
    const ui = useUiStore()
    const s = started.value
    if (shown.value === 'file' || !s) {
      ui.notify('info', 'This sweep was run by prlab sweep', `Open point ${k} from its folder: File > Open a run folder…, then pick point-${k} in the sweep's output folder.`)
      return
    }
    const result = await useLab().openSweepPoint(s.sweepId, k)
    if (!result.ok) return ui.notifyError(`Could not open point ${k}`, result.error)
    await useRunsStore().open(result.value.id)
  }

  function addRow(path = '', values = ''): void {
    rows.value = [...rows.value, { path, values }]
  }

  function removeRow(i: number): void {
    rows.value = rows.value.filter((_, j) => j !== i)
  }

  watch(
    () => useDataStore().sweep,
    (t) => {
      if (t !== null) shown.value = 'file'
    },
  )

  return { kind, rows, started, status, shown, starting, size, running, task, table, run, cancel, openPoint, addRow, removeRow }
})
