// The ECharts parts the import and sweep views draw with (tree-shaken, registered once).
import { use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { LineChart } from 'echarts/charts'
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import type { ComposeOption } from 'echarts/core'
import type { LineSeriesOption } from 'echarts/charts'
import type { DataZoomComponentOption, GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components'

use([CanvasRenderer, LineChart, GridComponent, DataZoomComponent, TooltipComponent, LegendComponent])

export type OverlayOption = ComposeOption<LineSeriesOption | GridComponentOption | DataZoomComponentOption | TooltipComponentOption | LegendComponentOption>
export type { LineSeriesOption }
