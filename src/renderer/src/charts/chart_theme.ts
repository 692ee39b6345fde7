// Chart chrome colours per theme (the series colours are the same in both).
import type { Theme } from '../model/memory_map_palette'

export interface ChartChrome {
  readonly text: string
  readonly muted: string
  readonly grid: string
  readonly axis: string
  readonly tooltipBg: string
  readonly tooltipBorder: string
  readonly cursor: string
  readonly mark: string
  /** Fill of the reporting-pass bands. */
  readonly band: string
  readonly sliderFill: string
}

export const CHART_CHROME: Readonly<Record<Theme, ChartChrome>> = {
  light: { text: '#1f2328', muted: '#656d76', grid: '#eaeef2', axis: '#afb8c1', tooltipBg: '#ffffff', tooltipBorder: '#d0d7de', cursor: '#cf222e', mark: '#8c959f', band: 'rgba(84, 112, 198, 0.22)', sliderFill: 'rgba(84,112,198,0.15)' },
  dark: { text: '#e6edf3', muted: '#8d96a0', grid: '#262c36', axis: '#3d444d', tooltipBg: '#161b22', tooltipBorder: '#3d444d', cursor: '#ff7b72', mark: '#6e7681', band: 'rgba(88, 166, 255, 0.24)', sliderFill: 'rgba(88,166,255,0.18)' },
}

/** Colours of lines that stand for runs or groups (compared runs, a sweep's lines), distinct in both themes. */
export const SERIES_COLORS = ['#2b8fe0', '#e8590c', '#2f9e44', '#ae3ec9', '#f59f00', '#0ca678', '#e64980', '#5c7cfa'] as const
