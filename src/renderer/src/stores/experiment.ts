// The experiment being edited: the document as the user wrote it (defaults not filled in), its
// file, the dirty flag, and live validation with the schema the files use.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { EXPERIMENT_FORMAT, EXPERIMENT_VERSION, type ExperimentInput } from '../../../common/experiment'
import type { LoadedExperiment } from '../../../common/api'
import { getAt, setAt, type DocPath } from '../model/document_path'
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

  const dirty = computed(() => stable(document.value) !== savedJson.value)
  const validation = computed(() => validateDocument(document.value))
  const valid = computed(() => validation.value.issues.length === 0)
  const phases = computed(() => (document.value.workload?.phases ?? []) as Record<string, unknown>[])

  function edit(next: ExperimentInput): void {
    document.value = next
  }

  function setField(fieldPath: DocPath, value: unknown): void {
    edit(setAt(document.value, fieldPath, value))
  }

  function field(fieldPath: DocPath): unknown {
    return getAt(document.value, fieldPath)
  }

  function setPhases(next: Record<string, unknown>[]): void {
    setField(['workload', 'phases'], next)
  }

  function addPhase(op: PhaseOp): void {
    setPhases([...phases.value, newPhase(op)])
  }

  function removePhase(index: number): void {
    setPhases(phases.value.filter((_, i) => i !== index))
  }

  function movePhase(index: number, to: number): void {
    if (to < 0 || to >= phases.value.length || to === index) return
    const next = [...phases.value]
    const [moved] = next.splice(index, 1)
    next.splice(to, 0, moved)
    setPhases(next)
  }

  /** Switch a phase to another kind, keeping its label. */
  function changePhaseOp(index: number, op: PhaseOp): void {
    const label = phases.value[index]?.label
    const phase = newPhase(op)
    setPhases(phases.value.map((p, i) => (i === index ? (label === undefined ? phase : { ...phase, label }) : p)))
  }

  function usePreset(preset: Preset): void {
    edit(applyPreset(document.value, preset))
  }

  function load(loadedExperiment: LoadedExperiment): void {
    document.value = loadedExperiment.document
    fileName.value = loadedExperiment.fileName
    path.value = loadedExperiment.path ?? null
    fileId.value = loadedExperiment.fileId ?? null
    savedJson.value = stable(loadedExperiment.document)
    migratedFrom.value = loadedExperiment.migratedFrom ?? null
    loaded.value = true
  }

  function reset(): void {
    document.value = blankDocument()
    fileName.value = UNTITLED
    path.value = null
    fileId.value = null
    savedJson.value = stable(document.value)
    migratedFrom.value = null
    loaded.value = true
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
    validation,
    valid,
    phases,
    edit,
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
