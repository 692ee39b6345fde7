// Reporting passes drawn as bands at the window's resolution: only those in the window, each at
// least MIN_BAND_PX wide (a pass of a few ms on an hour-long axis stays visible), and passes
// closer than that merged into one band that says how many it holds. A 1-hour run has ~1,800
// passes; the charts draw a few hundred bands at most whatever the zoom.

export interface TimeBand {
  readonly t0_ms: number
  readonly t1_ms: number
  /** Drawn at the top of the band. */
  readonly label: string
  /** Tooltip line while the pointer is inside the band. */
  readonly detail: string
  readonly failed: boolean
}

export const MIN_BAND_PX = 3

/** The bands to draw for the window [t0, t1] across `width_px`; `bands` in time order. */
export function bandsForWindow(bands: readonly TimeBand[], t0_ms: number, t1_ms: number, width_px: number): TimeBand[] {
  const span = t1_ms - t0_ms
  if (!(span > 0) || width_px <= 0) return []
  const minMs = (MIN_BAND_PX * span) / width_px
  const out: TimeBand[] = []
  let group: TimeBand[] = []
  const flush = (): void => {
    if (group.length === 0) return
    const first = group[0]
    const last = group[group.length - 1]
    const t1 = Math.max(last.t1_ms, first.t0_ms + minMs)
    out.push(
      group.length === 1
        ? { ...first, t1_ms: t1 }
        : { t0_ms: first.t0_ms, t1_ms: t1, label: `${first.label}–${last.label.replace(/^#/, '')}`, detail: `${group.length} passes (${first.label} to ${last.label}): zoom in to see each`, failed: group.some((b) => b.failed) },
    )
    group = []
  }
  for (const b of bands) {
    if (b.t1_ms < t0_ms - minMs || b.t0_ms > t1_ms) continue
    const open = group[0]
    if (open !== undefined && b.t0_ms - Math.max(group[group.length - 1].t1_ms, open.t0_ms + minMs) >= minMs) flush()
    group.push(b)
  }
  flush()
  return out
}

/** The band under time `t` (bands as drawn, so a narrow pass is found across its drawn width). */
export function bandAt(bands: readonly TimeBand[], t_ms: number): TimeBand | null {
  return bands.find((b) => t_ms >= b.t0_ms && t_ms <= b.t1_ms) ?? null
}
