// Real data of this session: the files imported (buddyinfo, pagetypeinfo, ftrace, RSS), the one
// shown beside the run, the last import's error, and the sweep result opened in the sweep view.
// Imports are held with markRaw (traces carry megabytes of typed arrays).
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef } from 'vue'
import type { LabError, Result } from '../../../common/api'
import type { ImportKind, ImportedData, RssSeries, SweepTable } from '../../../common/imports'
import { useLab } from '../lab'

/** Imports listed, newest last; the host keeps about as many for runs to name. */
export const MAX_LISTED_IMPORTS = 8

export const useDataStore = defineStore('data', () => {
  const imports = shallowRef<readonly ImportedData[]>([])
  const selected = ref<string | null>(null)
  const error = shallowRef<LabError | null>(null)
  const busy = ref(false)
  /** Shift of the measured RSS series on the run's time axis, ms. */
  const rssOffset_ms = ref(0)
  const sweep = shallowRef<SweepTable | null>(null)
  const sweepError = shallowRef<LabError | null>(null)

  const current = computed(() => imports.value.find((d) => d.fileName === selected.value) ?? null)
  const fileNames = computed(() => new Set(imports.value.map((d) => d.fileName)))
  /** The measured RSS drawn over the run: the one selected, else the latest imported. */
  const rss = computed<RssSeries | null>(() => {
    const c = current.value
    if (c?.kind === 'rss') return c
    return imports.value.findLast((d): d is RssSeries => d.kind === 'rss') ?? null
  })

  function keep(data: ImportedData): void {
    const raw = markRaw(data)
    imports.value = [...imports.value.filter((d) => d.fileName !== data.fileName), raw].slice(-MAX_LISTED_IMPORTS)
    selected.value = data.fileName
    if (data.kind === 'rss') rssOffset_ms.value = 0
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

  return { imports, selected, error, busy, rssOffset_ms, sweep, sweepError, current, fileNames, rss, importText, importWithDialog, select, openSweepText, openSweepWithDialog }
})
