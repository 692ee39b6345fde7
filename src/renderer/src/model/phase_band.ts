// The workload's phases as a band under the time axis: each phase a segment from its start to
// the next phase's start (or the run's end), its name written inside when it fits, cut with an
// ellipsis when it nearly does, and left to the tooltip when it does not. Phases that start
// within the same pixel (a free right after an alloc, a zero-length drop-caches) share one
// segment and one label, so labels never overlap.

export interface PhaseStart {
  readonly t_ms: number
  readonly label: string
}

export interface PhaseSegment {
  readonly t0_ms: number
  readonly t1_ms: number
  /** Pixels from the plot's left edge. */
  readonly x0: number
  readonly x1: number
  /** Every phase in the segment, in order. */
  readonly labels: readonly string[]
  /** What fits inside the segment ('' when nothing does). */
  readonly text: string
}

/** Average advance of a 10 px UI font character, px (the band measures text with it). */
export const CHAR_PX = 6
const PADDING_PX = 6

/** `text` cut to `width_px` with an ellipsis; '' when not even two characters and the ellipsis fit. */
export function fitText(text: string, width_px: number, charPx = CHAR_PX): string {
  const room = Math.floor((width_px - PADDING_PX) / charPx)
  if (text.length <= room) return text
  if (room < 3) return ''
  return `${text.slice(0, room - 1)}…`
}

/**
 * Segments of the phases visible in [t0, t1] drawn `width_px` wide; `end_ms` closes the last
 * phase. Phases must be in time order (the engine emits them so).
 */
export function phaseSegments(phases: readonly PhaseStart[], t0_ms: number, t1_ms: number, end_ms: number, width_px: number, charPx = CHAR_PX): PhaseSegment[] {
  const span = t1_ms - t0_ms
  if (!(span > 0) || width_px <= 0) return []
  const px = (t: number): number => ((Math.min(Math.max(t, t0_ms), t1_ms) - t0_ms) / span) * width_px
  // group the phases that start in the same pixel column
  const groups: { t0_ms: number; labels: string[] }[] = []
  for (const p of phases) {
    const last = groups[groups.length - 1]
    if (last && Math.abs(((p.t_ms - last.t0_ms) / span) * width_px) < 1) last.labels.push(p.label)
    else groups.push({ t0_ms: p.t_ms, labels: [p.label] })
  }
  const out: PhaseSegment[] = []
  groups.forEach((g, i) => {
    const t1 = i + 1 < groups.length ? groups[i + 1].t0_ms : Math.max(end_ms, g.t0_ms)
    if (t1 < t0_ms || g.t0_ms > t1_ms) return
    const x0 = px(g.t0_ms)
    const x1 = Math.max(px(t1), x0)
    out.push({ t0_ms: g.t0_ms, t1_ms: t1, x0, x1, labels: g.labels, text: fitText(g.labels.join(' · '), x1 - x0, charPx) })
  })
  return out
}
