// The experiment being edited: the document as the user wrote it (defaults not filled in), its
// file, the dirty flag, live validation with the schema the files use, and undo/redo of every
// change (VS Code's edit stack: typing in one field within a second is one step; opening or
// creating a document starts a new history).
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { EXPERIMENT_FORMAT, EXPERIMENT_VERSION, type ExperimentInput } from '../../../common/experiment'
import type { LoadedExperiment } from '../../../common/api'
import { getAt, pathKey, setAt, type DocPath } from '../model/document_path'
import { newPhase, type PhaseOp } from '../model/experiment_form'
import { applyPreset, type Preset } from '../model/presets'
import { validateDocument } from '../model/validation'

export const UNTITLED = 'untitled.prlab.json'

export function blankDocument(): ExperimentInput {
  return {
    format: EXPERIMENT_FORMAT,
    version: EXPERIMENT_VERSION,
    name: 'untitled',
    durationMs: 60_000,
    guest: { memoryMiB: 2048 },
    workload: {
      phases: [
        { op: 'alloc', mib: 1024, label: 'allocate' },
        { op: 'free', fraction: 1, label: 'free' },
      ],
    },
  }
}

const stable = (doc: unknown): string => JSON.stringify(doc)

/** One undoable change. */
interface EditStep {
  readonly label: string
  /** Steps with the same code less than COALESCE_MS apart are one step (typing in one field). */
  readonly code: string | null
  readonly before: ExperimentInput
  after: ExperimentInput
  at: number
}

export const COALESCE_MS = 1000
const MAX_STEPS = 200

export const useExperimentStore = defineStore('experiment', () => {
  const document = shallowRef<ExperimentInput>(blankDocument())
  const fileName = ref(UNTITLED)
  /** Desktop: the file's path, to show; browser mode and unsaved documents: null. */
  const path = ref<string | null>(null)
  /** Desktop: the file's opaque id, which Save and runs give the host; else null. */
  const fileId = ref<string | null>(null)
  const savedJson = ref(stable(document.value))
  /** Whether a document is open at all (the start screen shows examples until then). */
  const loaded = ref(false)
  const migratedFrom = ref<number | null>(null)

  const undoStack = shallowRef<EditStep[]>([])
  const redoStack = shallowRef<EditStep[]>([])

  const dirty = computed(() => stable(document.value) !== savedJson.value)
  const canUndo = computed(() => undoStack.value.length > 0)
  const canRedo = computed(() => redoStack.value.length > 0)
  const undoLabel = computed(() => undoStack.value[undoStack.value.length - 1]?.label ?? null)
  const redoLabel = computed(() => redoStack.value[redoStack.value.length - 1]?.label ?? null)
  const validation = computed(() => validateDocument(document.value))
  const valid = computed(() => validation.value.issues.length === 0)
  const phases = computed(() => (document.value.workload?.phases ?? []) as Record<string, unknown>[])

  /** Every change of the document goes through here, as one undoable step. */
  function edit(next: ExperimentInput, label = 'Edit', code: string | null = null): void {
    const before = document.value
    if (stable(next) === stable(before)) return
    const now = Date.now()
    const last = undoStack.value[undoStack.value.length - 1]
    if (last !== undefined && code !== null && last.code === code && now - last.at < COALESCE_MS && redoStack.value.length === 0) {
      last.after = next
      last.at = now
    } else {
      undoStack.value = [...undoStack.value, { label, code, before, after: next, at: now }].slice(-MAX_STEPS)
    }
    redoStack.value = []
    document.value = next
  }

  function undo(): void {
    const step = undoStack.value[undoStack.value.length - 1]
    if (!step) return
    undoStack.value = undoStack.value.slice(0, -1)
    redoStack.value = [...redoStack.value, step]
    document.value = step.before
  }

  function redo(): void {
    const step = redoStack.value[redoStack.value.length - 1]
    if (!step) return
    redoStack.value = redoStack.value.slice(0, -1)
    // a redone step is closed: the next keystroke starts a new one
    undoStack.value = [...undoStack.value, { ...step, at: 0 }]
    document.value = step.after
  }

  function clearHistory(): void {
    undoStack.value = []
    redoStack.value = []
  }

  function setField(fieldPath: DocPath, value: unknown): void {
    const key = pathKey(fieldPath)
    edit(setAt(document.value, fieldPath, value), `Set ${key}`, `set:${key}`)
  }

  function field(fieldPath: DocPath): unknown {
    return getAt(document.value, fieldPath)
  }

  function setPhases(next: Record<string, unknown>[], label: string): void {
    edit(setAt(document.value, ['workload', 'phases'], next), label)
  }

  function addPhase(op: PhaseOp): void {
    setPhases([...phases.value, newPhase(op)], `Add a ${op} phase`)
  }

  function removePhase(index: number): void {
    setPhases(
      phases.value.filter((_, i) => i !== index),
      `Remove phase ${index + 1}`,
    )
  }

  function movePhase(index: number, to: number): void {
    if (to < 0 || to >= phases.value.length || to === index) return
    const next = [...phases.value]
    const [moved] = next.splice(index, 1)
    next.splice(to, 0, moved)
    setPhases(next, `Move phase ${index + 1}`)
  }

  /** Switch a phase to another kind, keeping its label. */
  function changePhaseOp(index: number, op: PhaseOp): void {
    const label = phases.value[index]?.label
    const phase = newPhase(op)
    setPhases(
      phases.value.map((p, i) => (i === index ? (label === undefined ? phase : { ...phase, label }) : p)),
      `Make phase ${index + 1} ${op}`,
    )
  }

  function usePreset(preset: Preset): void {
    edit(applyPreset(document.value, preset), `Apply preset ${preset.title}`)
  }

  function load(loadedExperiment: LoadedExperiment): void {
    document.value = loadedExperiment.document
    fileName.value = loadedExperiment.fileName
    path.value = loadedExperiment.path ?? null
    fileId.value = loadedExperiment.fileId ?? null
    savedJson.value = stable(loadedExperiment.document)
    migratedFrom.value = loadedExperiment.migratedFrom ?? null
    loaded.value = true
    clearHistory()
  }

  function reset(): void {
    document.value = blankDocument()
    fileName.value = UNTITLED
    path.value = null
    fileId.value = null
    savedJson.value = stable(document.value)
    migratedFrom.value = null
    loaded.value = true
    clearHistory()
  }

  function markSaved(name: string, saved: { readonly path: string; readonly fileId: string } | null): void {
    fileName.value = name
    path.value = saved?.path ?? null
    fileId.value = saved?.fileId ?? null
    savedJson.value = stable(document.value)
  }

  return {
    document,
    fileName,
    path,
    fileId,
    savedJson,
    loaded,
    migratedFrom,
    dirty,
    canUndo,
    canRedo,
    undoLabel,
    redoLabel,
    validation,
    valid,
    phases,
    edit,
    undo,
    redo,
    setField,
    field,
    addPhase,
    removePhase,
    movePhase,
    changePhaseOp,
    usePreset,
    load,
    reset,
    markSaved,
  }
})
