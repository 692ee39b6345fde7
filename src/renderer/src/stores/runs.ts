// The runs beyond the current one: the run library (finished runs the host keeps on disk, listed
// with name, date and key figures; renamed, deleted, reopened) and the runs loaded for
// comparison (their samples as markRaw column stores, fetched from the library in slices when
// not already in this window). Compare overlays the selected runs; the first is the baseline.
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef } from 'vue'
import { RUN_ROWS_PER_CALL, type RunInfo, type RunLibraryListing, type RunState, type RunSummary, type StoredRun } from '../../../common/api'
import type { ExperimentInput } from '../../../common/experiment'
import { SampleSeries } from '../model/sample_series'
import { SERIES_COLORS } from '../charts/chart_theme'
import { useLab } from '../lab'
import { useUiStore } from './ui'
import { useRunStore } from './run'

export const RUN_COLORS = SERIES_COLORS
/** Runs overlaid at once in Compare. */
export const MAX_COMPARED = 6

export interface RunRecord {
  readonly runId: string
  readonly name: string
  readonly label: string
  readonly color: string
  readonly state: RunState
  readonly series: SampleSeries
  readonly summary: RunSummary | null
  readonly document: ExperimentInput | null
}

/** A kept run with its samples, read from the library in slices of RUN_ROWS_PER_CALL rows. */
export async function fetchStoredRun(id: string, onProgress: (fraction: number) => void): Promise<{ stored: StoredRun; series: SampleSeries } | null> {
  const lab = useLab()
  const head = await lab.openRun(id)
  if (!head.ok) {
    useUiStore().notifyError('Could not open the run', head.error)
    return null
  }
  const rows = head.value.info.rows
  const series = new SampleSeries(rows)
  for (let first = 0; first < rows; first += RUN_ROWS_PER_CALL) {
    const n = Math.min(RUN_ROWS_PER_CALL, rows - first)
    const slice = await lab.runRows(id, first, n)
    if (!slice.ok) {
      useUiStore().notifyError(`Could not read the samples of ${head.value.info.name}`, slice.error)
      return null
    }
    series.append(n, slice.value)
    onProgress((first + n) / rows)
  }
  return { stored: head.value, series: markRaw(series) }
}

export const useRunsStore = defineStore('runs', () => {
  const listing = shallowRef<RunLibraryListing | null>(null)
  /** Loaded runs by id (markRaw records; `loadedRevision` signals a change). */
  const loaded = new Map<string, RunRecord>()
  const loadedRevision = ref(0)
  const selected = ref<string[]>([])
  /** Runs being read from the library: id -> fraction read. */
  const loading = ref<Record<string, number>>({})
  let counter = 0

  /** Every kept run, newest first; runs of this window not (yet) in the library are listed too. */
  const runs = computed<readonly RunInfo[]>(() => {
    void loadedRevision.value
    const kept = listing.value?.runs ?? []
    const ids = new Set(kept.map((r) => r.id))
    const own = [...loaded.values()].filter((r) => !ids.has(r.runId)).map(infoOfRecord)
    return [...own.reverse(), ...kept]
  })

  const compared = computed(() => {
    void loadedRevision.value
    return selected.value.map((id) => loaded.get(id)).filter((r): r is RunRecord => r !== undefined)
  })

  function record(id: string): RunRecord | undefined {
    void loadedRevision.value
    return loaded.get(id)
  }

  function remember(r: Omit<RunRecord, 'color' | 'label'>): RunRecord {
    const existing = loaded.get(r.runId)
    if (existing) return existing
    counter++
    const kept: RunRecord = markRaw({ ...r, label: `#${counter} ${r.name}`, color: RUN_COLORS[(counter - 1) % RUN_COLORS.length] })
    loaded.set(r.runId, kept)
    loadedRevision.value++
    return kept
  }

  /** A run of this window ended: it is compared with the others at once. */
  function add(r: Omit<RunRecord, 'color' | 'label'>): RunRecord {
    const kept = remember(r)
    selected.value = [...selected.value.filter((id) => id !== kept.runId), kept.runId].slice(-4)
    return kept
  }

  async function refresh(): Promise<void> {
    const result = await useLab().listRuns()
    if (result.ok) listing.value = result.value
  }

  /** A push from the host: a run was kept, renamed or deleted. */
  function onLibrary(info: RunInfo, removed: boolean): void {
    const current = listing.value
    const others = (current?.runs ?? []).filter((r) => r.id !== info.id)
    const next = removed ? others : [info, ...others].sort((a, b) => b.created_ms - a.created_ms)
    listing.value = current ? { ...current, runs: next, usedBytes: next.reduce((n, r) => n + r.bytes, 0) } : { runs: next, usedBytes: info.bytes, policy: { maxRuns: 0, maxBytes: 0 }, location: null }
    if (removed) forget(info.id)
    // a new run may have pushed old ones out: the host's list is the truth
    if (!removed) void refresh()
  }

  function forget(id: string): void {
    if (loaded.delete(id)) loadedRevision.value++
    selected.value = selected.value.filter((x) => x !== id)
  }

  /** A kept run's record, read from the library when this window does not have it. */
  async function ensureLoaded(id: string): Promise<{ record: RunRecord; stored: StoredRun | null } | null> {
    const have = loaded.get(id)
    if (have) return { record: have, stored: null }
    if (id in loading.value) return null
    loading.value = { ...loading.value, [id]: 0 }
    try {
      const got = await fetchStoredRun(id, (f) => (loading.value = { ...loading.value, [id]: f }))
      if (got === null) return null
      const { info, summary, document } = got.stored
      return { record: remember({ runId: id, name: info.name, state: info.state, series: got.series, summary, document }), stored: got.stored }
    } finally {
      loading.value = Object.fromEntries(Object.entries(loading.value).filter(([k]) => k !== id))
    }
  }

  async function toggle(id: string): Promise<void> {
    if (selected.value.includes(id)) {
      selected.value = selected.value.filter((x) => x !== id)
      return
    }
    if (selected.value.length >= MAX_COMPARED) {
      useUiStore().notify('info', `At most ${MAX_COMPARED} runs are compared at once`, 'Clear one first.')
      return
    }
    selected.value = [...selected.value, id]
    if (!(await ensureLoaded(id))) selected.value = selected.value.filter((x) => x !== id)
  }

  async function rename(id: string, name: string): Promise<void> {
    const result = await useLab().renameRun(id, name)
    if (!result.ok) useUiStore().notifyError('Could not rename the run', result.error)
  }

  async function remove(id: string, name: string): Promise<void> {
    const answer = await useUiStore().confirm('Delete the run', `Delete “${name}” from the run library? Its samples and events are removed from disk.`, 'Delete')
    if (answer !== 'confirm') return
    const result = await useLab().deleteRun(id)
    if (!result.ok) useUiStore().notifyError('Could not delete the run', result.error)
    else forget(id)
  }

  /** Reopens a kept run as the current run (its charts, events, past states), without an engine. */
  async function open(id: string): Promise<void> {
    const run = useRunStore()
    if (run.active) {
      useUiStore().notify('error', 'A run is going', 'Stop it before opening another run: the charts show one run at a time.')
      return
    }
    const got = await ensureLoaded(id)
    if (!got) return
    let stored = got.stored
    if (stored === null) {
      const head = await useLab().openRun(id)
      stored = head.ok ? head.value : null
    }
    run.showStored(got.record, stored)
  }

  return { listing, runs, compared, selected, loading, record, add, refresh, onLibrary, ensureLoaded, toggle, rename, remove, open }
})

function infoOfRecord(r: RunRecord): RunInfo {
  const t = r.series.last('t_ms')
  return { id: r.runId, name: r.name, created_ms: Date.now(), state: r.state, source: 'lab', sim_ms: t, end_ms: t, rows: r.series.rows, events: 0, bytes: 0, figures: null, hasExperiment: r.document !== null }
}
