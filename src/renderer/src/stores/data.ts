// Real data of this session: the files imported (buddyinfo, pagetypeinfo, ftrace, RSS), the one
// shown beside the run, the last import's error, and the sweep result opened in the sweep view.
// Imports are held with markRaw (traces carry megabytes of typed arrays).
//
// An import belongs to the run that was current when it was opened (or, with no run yet, to the
// next run that starts): a measured RSS series is drawn over that run only, unless it is pinned
// on purpose, and then over every run. Each can be removed.
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef } from 'vue'
import type { LabError, Result } from '../../../common/api'
import type { BuddyinfoSeries, ImportKind, ImportedData, RssSeries, SweepTable } from '../../../common/imports'
import { useLab } from '../lab'
import { useSeriesStore } from './series'

/** Imports listed, newest last; the host keeps about as many for runs to name. */
export const MAX_LISTED_IMPORTS = 8

export const useDataStore = defineStore('data', () => {
  const imports = shallowRef<readonly ImportedData[]>([])
  const selected = ref<string | null>(null)
  const error = shallowRef<LabError | null>(null)
  const busy = ref(false)
  /** Shift of the measured RSS series on the run's time axis, ms. */
  const rssOffset_ms = ref(0)
  /** The run each import belongs to (null: the next run to start claims it). */
  const owners = ref<Record<string, string | null>>({})
  /** Imports drawn over every run. */
  const pinned = ref<readonly string[]>([])
  const sweep = shallowRef<SweepTable | null>(null)
  const sweepError = shallowRef<LabError | null>(null)

  const current = computed(() => imports.value.find((d) => d.fileName === selected.value) ?? null)
  const fileNames = computed(() => new Set(imports.value.map((d) => d.fileName)))

  /** Whether an import is drawn over the run `runId`: its own run's, or pinned. */
  const belongsTo = (fileName: string, runId: string | null): boolean => pinned.value.includes(fileName) || (runId !== null && owners.value[fileName] === runId)

  /** The measured RSS drawn over run `runId`: the one selected if it belongs there, else the latest that does. */
  function rssFor(runId: string | null): RssSeries | null {
    const c = current.value
    if (c?.kind === 'rss' && belongsTo(c.fileName, runId)) return c
    return imports.value.findLast((d): d is RssSeries => d.kind === 'rss' && belongsTo(d.fileName, runId)) ?? null
  }

  /**
   * A real buddyinfo series placed on the run's time axis (a validation recording's), drawn over the
   * free-blocks chart of the run `runId` it belongs to.
   */
  function buddyinfoFor(runId: string | null): BuddyinfoSeries | null {
    return imports.value.findLast((d): d is BuddyinfoSeries => d.kind === 'buddyinfo' && d.origin_ms !== undefined && belongsTo(d.fileName, runId)) ?? null
  }

  /** Keeps an import; it belongs to the current run, or with `owner` null to the next run to start. */
  function keep(data: ImportedData, owner: string | null = useSeriesStore().runId): void {
    const raw = markRaw(data)
    imports.value = [...imports.value.filter((d) => d.fileName !== data.fileName), raw].slice(-MAX_LISTED_IMPORTS)
    owners.value = { ...owners.value, [data.fileName]: owner }
    selected.value = data.fileName
    if (data.kind === 'rss') rssOffset_ms.value = 0
  }

  /** A run started: imports that waited for one are its own. */
  function claim(runId: string): void {
    const next = { ...owners.value }
    for (const d of imports.value) if (next[d.fileName] === null || next[d.fileName] === undefined) next[d.fileName] = runId
    owners.value = next
  }

  function remove(fileName: string): void {
    imports.value = imports.value.filter((d) => d.fileName !== fileName)
    pinned.value = pinned.value.filter((f) => f !== fileName)
    owners.value = Object.fromEntries(Object.entries(owners.value).filter(([name]) => name !== fileName))
    if (selected.value === fileName) selected.value = imports.value[imports.value.length - 1]?.fileName ?? null
  }

  function togglePin(fileName: string): void {
    pinned.value = pinned.value.includes(fileName) ? pinned.value.filter((f) => f !== fileName) : [...pinned.value, fileName]
  }

  async function settle(call: Promise<Result<ImportedData> | null>): Promise<ImportedData | null> {
    busy.value = true
    try {
      const result = await call
      if (result === null) return null
      if (!result.ok) {
        error.value = result.error
        return null
      }
      error.value = null
      keep(result.value)
      return result.value
    } finally {
      busy.value = false
    }
  }

  /** A file the user uploaded or dropped. */
  function importText(kind: ImportKind, fileName: string, text: string): Promise<ImportedData | null> {
    return settle(useLab().importData(kind, fileName, text))
  }

  /** Desktop: the native open dialog. */
  function importWithDialog(kind: ImportKind): Promise<ImportedData | null> {
    return settle(useLab().openImportFile(kind))
  }

  function select(fileName: string): void {
    selected.value = fileName
  }

  async function settleSweep(call: Promise<Result<SweepTable> | null>): Promise<void> {
    busy.value = true
    try {
      const result = await call
      if (result === null) return
      if (result.ok) {
        sweep.value = markRaw(result.value)
        sweepError.value = null
      } else {
        sweepError.value = result.error
      }
    } finally {
      busy.value = false
    }
  }

  const openSweepText = (fileName: string, text: string): Promise<void> => settleSweep(useLab().parseSweep(fileName, text))
  const openSweepWithDialog = (): Promise<void> => settleSweep(useLab().openSweep())

  return { imports, selected, owners, pinned, error, busy, rssOffset_ms, sweep, sweepError, current, fileNames, belongsTo, rssFor, buddyinfoFor, keep, claim, remove, togglePin, importText, importWithDialog, select, openSweepText, openSweepWithDialog }
})
