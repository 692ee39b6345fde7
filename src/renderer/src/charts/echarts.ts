// ECharts, tree-shaken to what the lab draws: canvas line charts with a time axis, zoom,
// tooltips, legends, mark lines (phases, events) and mark areas (reporting passes).
import { use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { LineChart } from 'echarts/charts'
import { DataZoomComponent, GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TooltipComponent } from 'echarts/components'
import type { ComposeOption } from 'echarts/core'
import type { LineSeriesOption } from 'echarts/charts'
import type { DataZoomComponentOption, GridComponentOption, LegendComponentOption, MarkAreaComponentOption, MarkLineComponentOption, TooltipComponentOption } from 'echarts/components'

use([CanvasRenderer, LineChart, GridComponent, DataZoomComponent, TooltipComponent, LegendComponent, MarkLineComponent, MarkAreaComponent])

export type ChartOption = ComposeOption<LineSeriesOption | GridComponentOption | DataZoomComponentOption | TooltipComponentOption | LegendComponentOption | MarkLineComponentOption | MarkAreaComponentOption>
export type { LineSeriesOption }
