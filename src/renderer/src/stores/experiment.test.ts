import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { COALESCE_MS, useExperimentStore } from './experiment'
import { PRESETS } from '../model/presets'
import type { LoadedExperiment } from '../../../common/api'
import type { Experiment } from '../../../common/experiment'

const loaded: LoadedExperiment = {
  fileName: 'a.prlab.json',
  experiment: {} as Experiment,
  document: { format: 'page-reporting-lab/experiment', version: 2, guest: { memoryMiB: 1024 }, workload: { phases: [{ op: 'idle', ms: 1 }, { op: 'drop-caches' }] } },
}

describe('experiment store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('is clean after load and dirty after an edit, clean again after save', () => {
    const s = useExperimentStore()
    s.load(loaded)
    expect(s.dirty).toBe(false)
    s.setField(['guest', 'cpus'], 4)
    expect(s.dirty).toBe(true)
    s.markSaved('b.prlab.json', null)
    expect(s.dirty).toBe(false)
    expect(s.fileName).toBe('b.prlab.json')
  })

  it('an invalid value blocks the run with an inline error at the field', () => {
    const s = useExperimentStore()
    s.load(loaded)
    s.setField(['guest', 'memoryMiB'], 'lots')
    expect(s.valid).toBe(false)
    expect(s.validation.byPath.get('guest.memoryMiB')).toEqual(['expected a number, got the string "lots"'])
    s.setField(['guest', 'memoryMiB'], 512)
    expect(s.valid).toBe(true)
  })

  it('adds, reorders and removes phases', () => {
    const s = useExperimentStore()
    s.load(loaded)
    s.addPhase('alloc')
    expect(s.phases.map((p) => p.op)).toEqual(['idle', 'drop-caches', 'alloc'])
    s.movePhase(2, 0)
    expect(s.phases.map((p) => p.op)).toEqual(['alloc', 'idle', 'drop-caches'])
    s.movePhase(0, -1)
    expect(s.phases.map((p) => p.op)).toEqual(['alloc', 'idle', 'drop-caches'])
    s.removePhase(1)
    expect(s.phases.map((p) => p.op)).toEqual(['alloc', 'drop-caches'])
    s.changePhaseOp(1, 'idle')
    expect(s.phases[1]).toEqual({ op: 'idle', ms: 10_000 })
    expect(s.valid).toBe(true)
  })

  it('applies a preset as an edit', () => {
    const s = useExperimentStore()
    s.load(loaded)
    const vfio = PRESETS.find((p) => p.id === 'vfio')
    if (!vfio) throw new Error('vfio preset')
    s.usePreset(vfio)
    expect(s.field(['host', 'discard'])).toBe(false)
    expect(s.dirty).toBe(true)
  })

  describe('undo and redo', () => {
    beforeEach(() => vi.useFakeTimers())
    afterEach(() => vi.useRealTimers())

    it('typing in one field within a second is one step; another field is another', () => {
      const s = useExperimentStore()
      s.load(loaded)
      s.setField(['guest', 'cpus'], 4)
      vi.advanceTimersByTime(300)
      s.setField(['guest', 'cpus'], 42)
      s.setField(['guest', 'memoryMiB'], 2048)
      expect(s.undoLabel).toBe('Set guest.memoryMiB')
      s.undo()
      expect(s.field(['guest', 'memoryMiB'])).toBe(1024)
      expect(s.field(['guest', 'cpus'])).toBe(42)
      s.undo()
      expect(s.field(['guest', 'cpus'])).toBeUndefined()
      expect(s.canUndo).toBe(false)
      expect(s.dirty).toBe(false)
      s.redo()
      s.redo()
      expect(s.field(['guest', 'cpus'])).toBe(42)
      expect(s.field(['guest', 'memoryMiB'])).toBe(2048)
    })

    it('the same field after a pause is a new step', () => {
      const s = useExperimentStore()
      s.load(loaded)
      s.setField(['guest', 'cpus'], 4)
      vi.advanceTimersByTime(COALESCE_MS + 1)
      s.setField(['guest', 'cpus'], 8)
      s.undo()
      expect(s.field(['guest', 'cpus'])).toBe(4)
    })

    it('removing a phase, a preset and a reorder each undo, and a new edit drops the redo steps', () => {
      const s = useExperimentStore()
      s.load(loaded)
      s.removePhase(0)
      expect(s.phases.map((p) => p.op)).toEqual(['drop-caches'])
      s.undo()
      expect(s.phases).toEqual([{ op: 'idle', ms: 1 }, { op: 'drop-caches' }])
      s.movePhase(1, 0)
      const vfio = PRESETS.find((p) => p.id === 'vfio')
      if (!vfio) throw new Error('vfio preset')
      s.usePreset(vfio)
      s.undo()
      expect(s.field(['host', 'discard'])).toBeUndefined()
      expect(s.canRedo).toBe(true)
      s.addPhase('alloc')
      expect(s.canRedo).toBe(false)
      s.undo()
      s.undo()
      expect(s.phases.map((p) => p.op)).toEqual(['idle', 'drop-caches'])
    })

    it('opening a document starts a new history; an edit that changes nothing is no step', () => {
      const s = useExperimentStore()
      s.load(loaded)
      s.setField(['guest', 'cpus'], 4)
      s.load(loaded)
      expect(s.canUndo).toBe(false)
      s.setField(['guest', 'memoryMiB'], 1024)
      expect(s.canUndo).toBe(false)
    })
  })
})
