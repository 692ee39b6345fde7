// Validation scenarios in the app (issue 13 part 1): the list of real guests' recordings, and the
// one opened with the run it belongs to. Opening a scenario loads its experiment, keeps its real
// measurements as imports of the Data view (real host RSS, real buddyinfo over time) that belong
// to the run about to start (issue 11's overlay rules: drawn over that run only unless pinned,
// each removable), starts that run, and asks the host for the scenario's checks.
import { defineStore } from 'pinia'
import { markRaw, ref, shallowRef } from 'vue'
import type { LabError } from '../../../../common/api'
import type { RealReportPass, ValidationReport, ValidationScenarioInfo } from '../../../../common/validation_api'
import { useLab } from '../../lab'
import { confirmDiscard } from '../../commands/file_commands'
import { useDataStore } from '../../stores/data'
import { useExperimentStore } from '../../stores/experiment'
import { useRunStore } from '../../stores/run'
import { useUiStore } from '../../stores/ui'

/** A scenario opened beside a run: what the charts draw of it and its checks. */
export interface OpenedScenario {
  readonly info: ValidationScenarioInfo
  /** The run it belongs to; null until the next run starts. */
  readonly owner: string | null
  /** The Data view's imports it brought (removing one there removes its overlay). */
  readonly rssFile: string
  readonly buddyinfoFile: string
  /** The real report passes, drawn as marks on the charts until removed. */
  readonly passes: readonly RealReportPass[] | null
  readonly report: ValidationReport | null
  readonly reportError: LabError | null
}

export const useValidationStore = defineStore('validation', () => {
  const scenarios = shallowRef<readonly ValidationScenarioInfo[] | null>(null)
  const listError = ref<string | null>(null)
  /** Scenarios opened in this session, newest last; at most one per run. */
  const opened = shallowRef<readonly OpenedScenario[]>([])
  const busy = ref<string | null>(null)

  async function list(): Promise<readonly ValidationScenarioInfo[]> {
    if (scenarios.value !== null) return scenarios.value
    try {
      scenarios.value = markRaw(await useLab().listValidationScenarios())
      listError.value = null
    } catch (e) {
      listError.value = e instanceof Error ? e.message : String(e)
    }
    return scenarios.value ?? []
  }

  const update = (name: string, owner: string | null, change: Partial<OpenedScenario>): void => {
    opened.value = opened.value.map((o) => (o.info.name === name && o.owner === owner ? { ...o, ...change } : o))
  }

  /** The scenario drawn over run `runId`. */
  const forRun = (runId: string | null): OpenedScenario | null => (runId === null ? null : (opened.value.findLast((o) => o.owner === runId) ?? null))

  /** A run started: a scenario that waited for one is its own. */
  function claim(runId: string): void {
    opened.value = opened.value.map((o) => (o.owner === null ? { ...o, owner: runId } : o))
  }

  /** One click: the experiment in the editor, the real measurements kept for the run, the run started, the checks asked for. */
  async function open(name: string): Promise<void> {
    if (!(await confirmDiscard(`open the validation scenario ${name}`))) return
    const ui = useUiStore()
    busy.value = name
    try {
      const result = await useLab().openValidationScenario(name)
      if (!result.ok) {
        ui.notifyError(`Could not open the validation scenario ${name}`, result.error)
        return
      }
      const s = result.value
      const data = useDataStore()
      useExperimentStore().load(s.loaded)
      // an earlier scenario that never got its run gives way to this one
      for (const o of opened.value.filter((x) => x.owner === null)) remove(o)
      data.keep(s.rss, null)
      data.keep(s.buddyinfo, null)
      opened.value = [...opened.value, { info: s.info, owner: null, rssFile: s.rss.fileName, buddyinfoFile: s.buddyinfo.fileName, passes: markRaw(s.passes), report: null, reportError: null }]
      ui.view = 'charts'
      void loadReport(name)
      await useRunStore().start()
    } finally {
      busy.value = null
    }
  }

  async function loadReport(name: string): Promise<void> {
    const result = await useLab().validationChecks(name)
    for (const o of opened.value.filter((x) => x.info.name === name)) update(name, o.owner, result.ok ? { report: markRaw(result.value), reportError: null } : { report: null, reportError: result.error })
  }

  /** Stops drawing the real report passes over the run. */
  function removePasses(entry: OpenedScenario): void {
    update(entry.info.name, entry.owner, { passes: null })
  }

  /** Everything the scenario drew over its run: both imports, the passes and the checks. */
  function remove(entry: OpenedScenario): void {
    const data = useDataStore()
    if (data.owners[entry.rssFile] === entry.owner) data.remove(entry.rssFile)
    if (data.owners[entry.buddyinfoFile] === entry.owner) data.remove(entry.buddyinfoFile)
    opened.value = opened.value.filter((o) => o !== entry)
  }

  return { scenarios, listError, opened, busy, list, forRun, claim, open, removePasses, remove }
})
