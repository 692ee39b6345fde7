// A view that follows the time cursor (Perfetto's track onUpdate): the memory map and the /proc
// tables read the guest's state at the pinned cursor, or the latest state when none is pinned
// (again every LIVE_REFRESH_MS while the run moves). Requests go through an AsyncLimiter: one in
// flight, only the latest waiting; the host cancels a superseded re-simulation. While a past
// state is recomputed, the host's progress pushes say how far it has come.
import { computed, onBeforeUnmount, ref, shallowRef, watch, type Ref } from 'vue'
import type { GuestState, StateParts, StateProgress } from '../../../common/api'
import { useLab } from '../lab'
import { AsyncLimiter } from '../model/async_limiter'
import { useRunStore } from '../stores/run'
import { useSeriesStore } from '../stores/series'
import { useTimelineStore } from '../stores/timeline'

export const LIVE_REFRESH_MS = 500

/** The host's latest progress push (one re-simulation at a time matters to the user). */
export const stateProgress = shallowRef<StateProgress | null>(null)

export interface PastStateView {
  /** The last state answered (kept while a newer one loads). */
  readonly state: Readonly<Ref<GuestState | null>>
  readonly loading: Readonly<Ref<boolean>>
  readonly error: Readonly<Ref<string | null>>
  /** The time asked for: the pinned cursor, or null for the latest. */
  readonly asked: Readonly<Ref<number | null>>
  /** 0..1 while this view's past state is recomputed, else null. */
  readonly progress: Readonly<Ref<number | null>>
  /** What the progress is of: the run indexed once (the first request) or a recomputation from a checkpoint. */
  readonly stage: Readonly<Ref<'indexing' | 'recomputing'>>
  refresh(): void
}

/** Reads `parts()` of the state at the cursor; null parts (nothing to show yet) asks nothing. */
export function usePastState(parts: () => StateParts | null): PastStateView {
  const run = useRunStore()
  const series = useSeriesStore()
  const timeline = useTimelineStore()
  const state = shallowRef<GuestState | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)
  const limiter = new AsyncLimiter()
  let lastLive = 0
  let liveTimer = 0
  let requested = 0

  const runId = computed(() => run.status?.runId ?? null)
  const asked = computed(() => timeline.cursor_ms)
  const progress = computed(() => {
    const p = stateProgress.value
    return loading.value && p !== null && p.runId === runId.value && asked.value !== null ? p.fraction : null
  })

  function refresh(): void {
    const id = runId.value
    const want = parts()
    if (id === null || want === null) return
    const t = asked.value
    const mine = ++requested
    loading.value = true
    limiter.schedule(async () => {
      const result = await useLab().stateAt(id, t, want)
      // a newer request replaced this one: its answer (or its cancellation) is of no use
      if (id !== runId.value || t !== asked.value) {
        if (mine === requested) loading.value = false
        return
      }
      if (result.ok) {
        state.value = result.value
        error.value = null
      } else if (result.error.code !== 'cancelled') error.value = result.error.message
      if (mine === requested) loading.value = false
    })
  }

  /** The latest state follows a running run at LIVE_REFRESH_MS at most. */
  function liveTick(): void {
    if (asked.value !== null || !run.active) return
    const wait = lastLive + LIVE_REFRESH_MS - performance.now()
    if (wait > 0) {
      if (!liveTimer) liveTimer = window.setTimeout(() => ((liveTimer = 0), liveTick()), wait)
      return
    }
    lastLive = performance.now()
    refresh()
  }

  watch([runId, asked], () => {
    if (runId.value === null) state.value = null
    refresh()
  })
  watch(() => series.revision, liveTick)
  watch(
    () => run.state,
    () => refresh(),
  )
  watch(parts, () => refresh(), { deep: true })
  onBeforeUnmount(() => {
    limiter.clear()
    clearTimeout(liveTimer)
  })
  const stage = computed(() => stateProgress.value?.stage ?? 'recomputing')
  refresh()
  return { state, loading, error, asked, progress, stage, refresh }
}
