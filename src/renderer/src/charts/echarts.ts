// ECharts, tree-shaken to what the lab draws: canvas line charts with a time axis, zoom,
// tooltips, legends and mark lines.
import { use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { LineChart } from 'echarts/charts'
import { DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components'
import type { ComposeOption } from 'echarts/core'
import type { LineSeriesOption } from 'echarts/charts'
import type { DataZoomComponentOption, GridComponentOption, LegendComponentOption, MarkLineComponentOption, TooltipComponentOption } from 'echarts/components'

use([CanvasRenderer, LineChart, GridComponent, DataZoomComponent, TooltipComponent, LegendComponent, MarkLineComponent])

export type ChartOption = ComposeOption<LineSeriesOption | GridComponentOption | DataZoomComponentOption | TooltipComponentOption | LegendComponentOption | MarkLineComponentOption>
export type { LineSeriesOption }
