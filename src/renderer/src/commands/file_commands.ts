// File commands, the same for the File menu, the browser toolbar, shortcuts and drag and drop.
// Desktop (Capabilities.nativeFiles): the host shows native dialogs and writes the files.
// Browser mode: files come in by upload or drop (parseExperiment) and go out as downloads.
import { ok, type ExampleInfo, type ExportKind, type ExportedFile, type LoadedExperiment, type Result } from '../../../common/api'
import type { LoadedLabDocument } from '../../../common/host_api'
import { useLab } from '../lab'
import { UNTITLED, useExperimentStore } from '../stores/experiment'
import { useRunStore } from '../stores/run'
import { useUiStore } from '../stores/ui'
import { useRunsStore } from '../stores/runs'
import { useHostStore } from '../features/multi_guest/host_store'

const native = (): boolean => useUiStore().capabilities?.nativeFiles === true

/** Ask before the unsaved document is replaced. Resolves true when it is fine to go on. */
export async function confirmDiscard(action: string): Promise<boolean> {
  const experiment = useExperimentStore()
  if (!experiment.dirty) return true
  const answer = await useUiStore().confirm(
    'Unsaved changes',
    `${experiment.fileName} has changes that are not saved. Save them before you ${action}?`,
    'Save',
    'Discard changes',
  )
  if (answer === 'cancel') return false
  if (answer === 'alternative') return true
  return save()
}

function accept(result: Result<LoadedExperiment> | null, what: string): void {
  if (result === null) return
  const ui = useUiStore()
  if (!result.ok) {
    ui.notifyError(`Could not open ${what}`, result.error)
    return
  }
  useExperimentStore().load(result.value)
  if (result.value.migratedFrom !== undefined) {
    ui.notify('info', `${result.value.fileName} was written for format version ${result.value.migratedFrom}`, 'It was migrated; saving writes the current version.')
  }
  void refreshRecent()
}

export async function newDocument(): Promise<void> {
  if (await confirmDiscard('start a new experiment')) useExperimentStore().reset()
}

/** A guest example opens in the editor; a host example (kind 'host') in the Host view, leaving the editor as it is. */
export async function openExample(name: string, kind: ExampleInfo['kind'] = 'guest'): Promise<void> {
  if (kind === 'host') {
    useUiStore().view = 'host'
    await useHostStore().openExample(name)
    return
  }
  if (!(await confirmDiscard('open the example'))) return
  accept(await useLab().openExample(name), `example ${name}`)
}

/** Browser mode: a file chosen in the upload dialog or dropped on the window. */
export async function openUploadedFile(file: File): Promise<void> {
  if (!(await confirmDiscard(`open ${file.name}`))) return
  let text: string
  try {
    text = await file.text()
  } catch (error) {
    useUiStore().notify('error', `Could not read ${file.name}`, error instanceof Error ? error.message : String(error))
    return
  }
  accept(await useLab().parseExperiment(file.name, text), file.name)
}

/** Browser mode: a hidden file input, clicked; its files, or null when the user cancels. */
function pickFiles(setup: (input: HTMLInputElement) => void): Promise<File[] | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input')
    input.type = 'file'
    setup(input)
    input.style.display = 'none'
    input.addEventListener('change', () => {
      resolve(input.files ? [...input.files] : null)
      input.remove()
    })
    input.addEventListener('cancel', () => {
      resolve(null)
      input.remove()
    })
    document.body.append(input)
    input.click()
  })
}

async function pickFile(): Promise<File | null> {
  const files = await pickFiles((input) => {
    input.accept = '.json,application/json'
    input.dataset.testid = 'open-file-input'
  })
  return files?.[0] ?? null
}

/** Desktop: a file of either kind read from disk; a host experiment opens in the Host view, the editor kept as it is. */
async function acceptLabFile(result: Result<LoadedLabDocument> | null, what: string): Promise<void> {
  if (result === null) return
  if (!result.ok) return accept(result, what)
  if (result.value.kind === 'guest') return accept(ok(result.value.loaded), what)
  useUiStore().view = 'host'
  useHostStore().openLoaded(result.value.loaded)
  await refreshRecent()
}

export async function openFile(): Promise<void> {
  if (native()) {
    if (!(await confirmDiscard('open another file'))) return
    await acceptLabFile(await useLab().openLabFile(), 'the file')
    return
  }
  const file = await pickFile()
  if (file) await openUploadedFile(file)
}

/** Desktop: a file the host handed out by id (Open Recent, the command line, the OS). */
export async function openKnownFile(fileId: string): Promise<void> {
  if (!(await confirmDiscard('open another file'))) return
  const recent = useUiStore().recent.find((f) => f.id === fileId)
  await acceptLabFile(await useLab().openLabFile(fileId), recent?.path ?? 'the file')
}

export async function refreshRecent(): Promise<void> {
  if (native()) useUiStore().recent = await useLab().recentFiles()
}

export function download(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** Hand an exported file to the user: downloaded in browser mode (under `name` if given). */
function deliver(result: Result<ExportedFile> | null, what: string, type: string, name?: string): string | null {
  if (result === null) return null
  const ui = useUiStore()
  if (!result.ok) {
    if (result.error.code === 'cancelled') ui.notify('info', 'Export cancelled', result.error.message)
    else ui.notifyError(`Could not ${what}`, result.error)
    return null
  }
  const fileName = name ?? result.value.fileName
  if (result.value.text !== undefined) download(fileName, result.value.text, type)
  ui.notify('info', result.value.path ? `Wrote ${result.value.path}` : `Downloaded ${fileName}`)
  return fileName
}

async function saveWith(saveAs: boolean): Promise<boolean> {
  const experiment = useExperimentStore()
  const result = await useLab().saveExperiment(experiment.document, native() ? experiment.fileId : null, saveAs)
  // browser mode: Save keeps the document's file name; Save As (and untitled) take the host's
  const keepName = !native() && !saveAs && experiment.fileName !== UNTITLED ? experiment.fileName : undefined
  const fileName = deliver(result, 'save the experiment', 'application/json', keepName)
  if (fileName === null || !result?.ok) return false
  const { path, fileId } = result.value
  experiment.markSaved(fileName, path !== undefined && fileId !== undefined ? { path, fileId } : null)
  void refreshRecent()
  return true
}

export const save = (): Promise<boolean> => saveWith(false)
export const saveAs = (): Promise<boolean> => saveWith(true)

const EXPORT_TYPES: Readonly<Record<ExportKind, string>> = {
  'samples-csv': 'text/csv',
  'events-csv': 'text/csv',
  perfetto: 'application/json',
  buddyinfo: 'text/plain',
  pagetypeinfo: 'text/plain',
  summary: 'application/json',
}

export async function exportRun(kind: ExportKind, atMs: number | null = null): Promise<void> {
  const runId = useRunStore().status?.runId
  if (!runId) {
    useUiStore().notify('error', 'Nothing to export yet', 'Run the experiment first; exports come from the current run.')
    return
  }
  deliver(await useLab().exportRun(runId, kind, atMs), 'export the run', EXPORT_TYPES[kind])
}

/** Picks a run folder in browser mode: the top-level files a `prlab run --out` folder holds. */
function pickRunFolder(): Promise<File[] | null> {
  return pickFiles((input) => {
    input.webkitdirectory = true
    input.dataset.testid = 'run-folder-input'
  })
}

const RUN_FOLDER_FILES = new Set(['samples.csv', 'events.csv', 'summary.json', 'experiment.prlab.json'])
/** Browser mode sends a folder in one message (websocket_limits.ts): a larger one opens in the desktop app. */
const MAX_FOLDER_UPLOAD_BYTES = 60 * 1024 * 1024

/** A `prlab run --out` folder kept in the run library and opened as a run. */
export async function openRunFolder(): Promise<void> {
  const ui = useUiStore()
  let result
  if (native()) result = await useLab().importRunFolder(null)
  else {
    const picked = await pickRunFolder()
    if (picked === null) return
    // the folder's own files, not those of folders inside it (a sweep's point-<k>)
    const files = picked.filter((f) => RUN_FOLDER_FILES.has(f.name) && (f.webkitRelativePath || f.name).split('/').length <= 2)
    if (files.length === 0) {
      ui.notify('error', 'Not a run folder', 'Pick the folder `prlab run --out` wrote: it holds samples.csv (and events.csv, summary.json, experiment.prlab.json).')
      return
    }
    const bytes = files.reduce((n, f) => n + f.size, 0)
    if (bytes > MAX_FOLDER_UPLOAD_BYTES) {
      ui.notify('error', 'This run folder is too large for browser mode', `${(bytes / 1024 / 1024).toFixed(0)} MiB: open it in the desktop app (File > Open Run Folder).`)
      return
    }
    result = await useLab().importRunFolder(await Promise.all(files.map(async (f) => ({ name: f.name, text: await f.text() }))))
  }
  if (result === null) return
  if (!result.ok) {
    ui.notifyError('Could not open the run folder', result.error)
    return
  }
  // shown first, then said: the notice means the run is on screen
  await useRunsStore().open(result.value.id)
  ui.notify('info', `Kept “${result.value.name}” in the run library`, `${result.value.rows.toLocaleString('en-US')} samples${result.value.hasExperiment ? '' : '; without experiment.prlab.json its past states cannot be recomputed'}.`)
}
