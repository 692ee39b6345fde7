// Mounts the RSS overlay on its own, fed by the spec with a parsed import and a run's columns.
import { createApp, h, ref } from 'vue'
import RssOverlayChart from '../../../src/renderer/src/features/imports/RssOverlayChart.vue'
import type { RssSeries } from '../../../src/common/imports'

export interface HarnessGlobal {
  mountOverlay(measured: RssSeries, simulated: { t_ms: number[]; host_rss_kib: number[] } | null): void
}

;(globalThis as unknown as HarnessGlobal).mountOverlay = (measured, simulated) => {
  const offset = ref(0)
  createApp({
    render: () => h(RssOverlayChart, { measured, simulated, offsetMs: offset.value, 'onUpdate:offsetMs': (v: number) => (offset.value = v) }),
  }).mount('#app')
}
