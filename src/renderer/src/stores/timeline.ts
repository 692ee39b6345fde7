// The time axes: per chart stack (the current run's Charts, and Compare), the visible window in
// ms within the run's bounds, changed only through the verbs of model/time_window.ts; and the
// time cursor of the current run, which the memory map and the /proc tables follow. A null
// window shows the whole run (and keeps doing so as the run grows).
import { defineStore } from 'pinia'
import { reactive, ref } from 'vue'
import { clampWindow, panWindow, sameWindow, windowBetween, zoomWindow, type TimeWindow } from '../model/time_window'

export type TimeScope = 'run' | 'compare'

interface ScopeState {
  bounds: TimeWindow
  window: TimeWindow | null
}

export const useTimelineStore = defineStore('timeline', () => {
  const scopes = reactive<Record<TimeScope, ScopeState>>({
    run: { bounds: { t0_ms: 0, t1_ms: 60_000 }, window: null },
    compare: { bounds: { t0_ms: 0, t1_ms: 60_000 }, window: null },
  })
  /** The pinned time cursor of the current run (ms), or null: the latest state. */
  const cursor_ms = ref<number | null>(null)

  /** The window shown: the zoom, or the whole run. */
  function windowOf(scope: TimeScope): TimeWindow {
    const s = scopes[scope]
    return s.window ?? s.bounds
  }

  function zoomed(scope: TimeScope): boolean {
    return scopes[scope].window !== null
  }

  function setBounds(scope: TimeScope, end_ms: number): void {
    const s = scopes[scope]
    const bounds = { t0_ms: 0, t1_ms: Math.max(1, end_ms) }
    if (sameWindow(bounds, s.bounds)) return
    s.bounds = bounds
    if (s.window) s.window = clampWindow(s.window, bounds)
  }

  function apply(scope: TimeScope, next: TimeWindow): void {
    const s = scopes[scope]
    const full = sameWindow(next, s.bounds)
    if (full) {
      if (s.window !== null) s.window = null
    } else if (s.window === null || !sameWindow(next, s.window)) s.window = next
  }

  const zoom = (scope: TimeScope, ratio: number, center_ms: number): void => apply(scope, zoomWindow(windowOf(scope), ratio, center_ms, scopes[scope].bounds))
  const pan = (scope: TimeScope, d_ms: number): void => apply(scope, panWindow(windowOf(scope), d_ms, scopes[scope].bounds))
  const select = (scope: TimeScope, a_ms: number, b_ms: number): void => apply(scope, windowBetween(a_ms, b_ms, scopes[scope].bounds))
  const reset = (scope: TimeScope): void => apply(scope, scopes[scope].bounds)

  /** Pan so `t_ms` is in view (an event row, a jump): the window keeps its span. */
  function reveal(scope: TimeScope, t_ms: number): void {
    const w = windowOf(scope)
    if (t_ms >= w.t0_ms && t_ms <= w.t1_ms) return
    const span = w.t1_ms - w.t0_ms
    apply(scope, clampWindow({ t0_ms: t_ms - span / 2, t1_ms: t_ms + span / 2 }, scopes[scope].bounds))
  }

  /** A new run: the whole of it, no cursor. */
  function startRun(end_ms: number): void {
    scopes.run.window = null
    setBounds('run', end_ms)
    cursor_ms.value = null
  }

  return { scopes, cursor_ms, windowOf, zoomed, setBounds, zoom, pan, select, reset, reveal, startRun }
})
