// The time under the pointer, shared by every chart of a stack (Grafana's DataHoverEvent): the
// hovered chart writes it, every chart draws its crosshair there, and only the hovered one shows
// a tooltip. A plain shallowRef outside Pinia: it changes at pointer rate and must not rebuild
// any chart.
import { shallowRef } from 'vue'
import type { TimeScope } from '../stores/timeline'

export interface Hover {
  readonly scope: TimeScope
  readonly t_ms: number
  /** The chart under the pointer (its testid). */
  readonly source: string
}

export const hover = shallowRef<Hover | null>(null)

export function setHover(next: Hover | null): void {
  const h = hover.value
  if (next === null ? h !== null : h === null || h.t_ms !== next.t_ms || h.source !== next.source || h.scope !== next.scope) hover.value = next
}
