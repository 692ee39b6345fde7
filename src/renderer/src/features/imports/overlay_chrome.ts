// Theme colours for the overlay and sweep charts, from the same chrome as the live charts, so
// axes, legends and tooltips read in the dark theme too.
import { CHART_CHROME } from '../../charts/chart_theme'
import type { Theme } from '../../model/memory_map_palette'

export function overlayChrome(theme: Theme) {
  const c = CHART_CHROME[theme]
  return {
    textStyle: { fontFamily: 'inherit', color: c.text },
    legend: { textStyle: { color: c.muted, fontSize: 10 }, pageTextStyle: { color: c.muted }, pageIconColor: c.text, pageIconInactiveColor: c.axis },
    tooltip: { backgroundColor: c.tooltipBg, borderColor: c.tooltipBorder, textStyle: { color: c.text, fontSize: 11 } },
    axis: {
      nameTextStyle: { color: c.muted, fontSize: 10 },
      axisLine: { show: true, lineStyle: { color: c.axis } },
      axisLabel: { color: c.muted, fontSize: 10, hideOverlap: true },
      splitLine: { lineStyle: { color: c.grid } },
    },
  } as const
}
