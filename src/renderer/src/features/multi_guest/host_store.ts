// The Host view's state (issue 15): the host experiment open (an example or an uploaded file),
// its run (a task on the lab: progress, Cancel) and the finished run's view; and the fit search
// the Sweep view starts (its points as they end, then the answer). Results are held with
// markRaw: a host run carries up to MAX_HOST_VIEW_ROWS rows of typed data.
import { defineStore } from 'pinia'
import { markRaw, ref, shallowRef } from 'vue'
import type { LabError, LoadedHostExperiment, Result, TaskStatus, UploadedFile } from '../../../../common/api'
import { MAX_HOST_UPLOAD_FILES, type FitRequest, type FitStatus, type HostRunView, type HostTaskStarted } from '../../../../common/host_api'
import { useLab } from '../../lab'
import { isExperimentFile, namedDataFiles, uploadTooLarge } from './host_upload_choice'

export interface OpenHost {
  readonly loaded: LoadedHostExperiment
  /** The shipped example it came from (its guest files resolve there), or null for an uploaded file. */
  readonly example: string | null
}

export interface Progress {
  readonly taskId: string
  readonly fraction: number
}

/** Fit status is re-read at most this often while the search runs, ms. */
const FIT_POLL_MS = 400

export const useHostStore = defineStore('host', () => {
  const open = shallowRef<OpenHost | null>(null)
  const error = shallowRef<LabError | null>(null)
  const run = shallowRef<Progress | null>(null)
  const view = shallowRef<HostRunView | null>(null)
  const fit = shallowRef<FitStatus | null>(null)
  const fitProgress = shallowRef<Progress | null>(null)
  const fitError = shallowRef<LabError | null>(null)
  const busy = ref(false)
  let fitId: string | null = null
  let unsubscribe: (() => void) | null = null
  let lastFitPoll = 0

  function subscribe(): void {
    if (unsubscribe !== null) return
    unsubscribe = useLab().on('task', (task) => void onTask(task))
  }

  async function onTask(task: TaskStatus): Promise<void> {
    if (run.value?.taskId === task.id) {
      if (task.state === 'running') run.value = { taskId: task.id, fraction: task.total > 0 ? task.done / task.total : 0 }
      else await finishRun()
    }
    if (fitProgress.value?.taskId === task.id) {
      if (task.state === 'running') {
        fitProgress.value = { taskId: task.id, fraction: task.total > 0 ? task.done / task.total : 0 }
        const now = Date.now()
        if (now - lastFitPoll >= FIT_POLL_MS) {
          lastFitPoll = now
          await readFit()
        }
      } else {
        fitProgress.value = null
        await readFit()
      }
    }
  }

  let runId: string | null = null

  async function finishRun(): Promise<void> {
    const id = runId
    run.value = null
    if (id === null) return
    const result = await useLab().hostRun(id)
    if (result.ok) {
      view.value = markRaw(result.value)
      error.value = null
    } else if (result.error.code !== 'cancelled') {
      error.value = result.error
    }
  }

  async function settleOpen(call: Promise<Result<LoadedHostExperiment>>, example: string | null): Promise<boolean> {
    busy.value = true
    try {
      const result = await call
      if (!result.ok) {
        error.value = result.error
        return false
      }
      open.value = { loaded: markRaw(result.value), example }
      error.value = null
      view.value = null
      return true
    } finally {
      busy.value = false
    }
  }

  const openExample = (name: string): Promise<boolean> => settleOpen(useLab().openHostExample(name), name)
  const openText = (fileName: string, text: string): Promise<boolean> => settleOpen(useLab().parseHostExperiment(fileName, text), null)

  /**
   * Browser mode: a host file with its guest files and their data files (multi-select or a
   * folder: a file's name is its path in the folder chosen); the host resolves each guest's
   * `file`, and each data file a guest names, among them (host_upload_choice.ts: which go).
   */
  async function openFiles(files: readonly File[]): Promise<boolean> {
    const json = files.filter((f) => isExperimentFile(f.name))
    if (json.length === 0 || json.length > MAX_HOST_UPLOAD_FILES) {
      error.value = { code: json.length === 0 ? 'invalid' : 'limit', message: json.length === 0 ? `none of the ${files.length} files chosen is an experiment file (.json)` : `${json.length} experiment files chosen; a host file with its guest files is at most ${MAX_HOST_UPLOAD_FILES} (choose the host file's own folder)` }
      return false
    }
    const read = (f: File): Promise<UploadedFile> => f.text().then((text) => ({ name: f.webkitRelativePath || f.name, text }))
    let uploaded: UploadedFile[]
    try {
      const experiments = await Promise.all(json.map(read))
      const data = namedDataFiles(files, experiments.map((e) => e.text))
      const chosen = [...json, ...data]
      const tooLarge = chosen.length > MAX_HOST_UPLOAD_FILES ? `${chosen.length} files chosen (experiments and the data files they name); a host upload is at most ${MAX_HOST_UPLOAD_FILES}` : uploadTooLarge(chosen)
      if (tooLarge !== null) {
        error.value = { code: 'limit', message: tooLarge }
        return false
      }
      uploaded = [...experiments, ...(await Promise.all(data.map(read)))]
    } catch (e) {
      error.value = { code: 'io', message: `could not read the files chosen: ${e instanceof Error ? e.message : String(e)}` }
      return false
    }
    return settleOpen(useLab().openHostFiles(uploaded), null)
  }

  /** Desktop: a host file read from disk (dialog, recent list, command line); its guests resolve next to it. */
  function openLoaded(loaded: LoadedHostExperiment): void {
    open.value = { loaded: markRaw(loaded), example: null }
    error.value = null
    view.value = null
  }

  /** Desktop: the native dialog, for a host file. */
  async function openWithDialog(): Promise<void> {
    const result = await useLab().openLabFile()
    if (result === null) return
    if (!result.ok) error.value = result.error
    else if (result.value.kind === 'host') openLoaded(result.value.loaded)
    else error.value = { code: 'invalid', file: result.value.loaded.fileName, message: 'this is a guest experiment (it has guest, no machine); open it with File > Open, or choose a host experiment here' }
  }

  /** Desktop: lets the open host file name a guest file by its absolute path. */
  async function allowGuestFile(): Promise<string | null> {
    const result = await useLab().allowHostGuestFile()
    if (result === null) return null
    if (!result.ok) {
      error.value = result.error
      return null
    }
    error.value = null
    return result.value
  }

  async function start(call: Promise<Result<HostTaskStarted>>, onError: (e: LabError) => void): Promise<HostTaskStarted | null> {
    subscribe()
    busy.value = true
    try {
      const result = await call
      if (!result.ok) {
        onError(result.error)
        return null
      }
      return result.value
    } finally {
      busy.value = false
    }
  }

  /** Runs the open host experiment. */
  async function runOpen(): Promise<void> {
    const o = open.value
    if (o === null || run.value !== null) return
    const started = await start(useLab().startHostRun(o.loaded.document, o.loaded.fileId ?? null, o.example), (e) => (error.value = e))
    if (started === null) return
    error.value = null
    runId = started.id
    run.value = { taskId: started.taskId, fraction: 0 }
    // a run can end before this call returned (its task's end pushed first): read it once now
    const now = await useLab().hostRun(started.id)
    if (now.ok || now.error.code !== 'busy') await finishRun()
  }

  async function cancel(taskId: string): Promise<void> {
    await useLab().cancelTask(taskId)
  }

  async function readFit(): Promise<void> {
    if (fitId === null) return
    const result = await useLab().fitStatus(fitId)
    if (result.ok) fit.value = markRaw(result.value)
    else fitError.value = result.error
  }

  /** Starts a fit of `request.guest` on the open host experiment. */
  async function startFit(request: Omit<FitRequest, 'host'>): Promise<void> {
    const o = open.value
    if (o === null || fitProgress.value !== null) return
    const started = await start(useLab().startFit({ ...request, host: o.loaded.document }, o.loaded.fileId ?? null, o.example), (e) => (fitError.value = e))
    if (started === null) return
    fitError.value = null
    fit.value = null
    fitId = started.id
    fitProgress.value = { taskId: started.taskId, fraction: 0 }
    await readFit()
  }

  return { open, error, run, view, fit, fitProgress, fitError, busy, openExample, openText, openFiles, openLoaded, openWithDialog, allowGuestFile, runOpen, cancel, startFit }
})
