// The one time axis all charts share: the zoom window (percent of the run length, as dataZoom
// reports it) and the time cursor the snapshot tables read.
import { defineStore } from 'pinia'
import { ref } from 'vue'

export interface ZoomWindow {
  readonly start: number
  readonly end: number
}

export const useTimelineStore = defineStore('timeline', () => {
  const zoom = ref<ZoomWindow>({ start: 0, end: 100 })
  const cursor_ms = ref<number | null>(null)

  function setZoom(next: ZoomWindow): void {
    const start = Math.max(0, Math.min(100, next.start))
    const end = Math.max(start, Math.min(100, next.end))
    if (Math.abs(start - zoom.value.start) > 1e-9 || Math.abs(end - zoom.value.end) > 1e-9) zoom.value = { start, end }
  }

  function resetZoom(): void {
    zoom.value = { start: 0, end: 100 }
  }

  return { zoom, cursor_ms, setZoom, resetZoom }
})
