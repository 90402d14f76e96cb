/**
 * Charts as SVG strings, rendered server-side by ECharts (no DOM, no canvas), so the same options
 * serve the PDF reports and the web dashboards.
 */
import * as echarts from 'echarts'
import { formatDecimal, formatInt } from './format.ts'

export interface ChartSize {
  width: number
  height: number
}

const palette = ['#004b87', '#e1a200', '#b8292f', '#9aa5b1', '#2e7d32', '#6a1b9a']
const font = { fontFamily: 'Helvetica', fontSize: 10, color: '#1a1a1a' }

export function renderSvg(option: echarts.EChartsCoreOption, size: ChartSize): string {
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: size.width,
    height: size.height,
  })
  try {
    chart.setOption({ animation: false, color: palette, textStyle: font, ...option })
    return chart.renderToSVGString()
  } finally {
    chart.dispose()
  }
}

const monthNames = ['jan', 'feb', 'mar', 'apr', 'maj', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec']
function monthLabel(month: string): string {
  return `${monthNames[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`
}

/** API calls and events per month of the quarter. */
export function monthlyUsageChart(
  monthly: { month: string; apiCalls: number; events: number }[],
  size: ChartSize = { width: 480, height: 220 },
): string {
  return renderSvg(
    {
      title: {
        text: 'API-kald og hændelser pr. måned',
        left: 0,
        textStyle: { ...font, fontSize: 12, fontWeight: 'bold' },
      },
      legend: { data: ['API-kald', 'Hændelser'], right: 0, top: 0, textStyle: font },
      grid: { left: 70, right: 20, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: monthly.map((m) => monthLabel(m.month)), axisLabel: font },
      yAxis: { type: 'value', axisLabel: { ...font, formatter: (v: number) => formatInt(v) } },
      series: [
        {
          name: 'API-kald',
          type: 'bar',
          data: monthly.map((m) => m.apiCalls),
          label: {
            show: true,
            position: 'top',
            ...font,
            fontSize: 8,
            formatter: (p: { value: number }) => formatInt(p.value),
          },
        },
        { name: 'Hændelser', type: 'bar', data: monthly.map((m) => m.events) },
      ],
    },
    size,
  )
}

/** Connection status (tilslutning) as one horizontal stacked bar per area. */
export function connectionChart(
  areas: { label: string; klarmeldt: number; delvis: number; nej: number; irrelevant: number }[],
  size: ChartSize = { width: 480, height: 140 },
): string {
  const series = (['klarmeldt', 'delvis', 'nej', 'irrelevant'] as const).map((k, i) => ({
    name: ['Klarmeldt', 'Delvis', 'Nej', 'Irrelevant'][i],
    type: 'bar',
    stack: 'status',
    data: areas.map((a) => a[k]),
    label: {
      show: true,
      ...font,
      fontSize: 8,
      color: '#fff',
      formatter: (p: { value: number }) => (p.value ? formatInt(p.value) : ''),
    },
  }))
  return renderSvg(
    {
      color: ['#2e7d32', '#e1a200', '#b8292f', '#9aa5b1'],
      title: {
        text: 'Tilslutning: status pr. leverandør og system',
        left: 0,
        textStyle: { ...font, fontSize: 12, fontWeight: 'bold' },
      },
      legend: { bottom: 0, textStyle: font },
      grid: { left: 90, right: 20, top: 30, bottom: 40 },
      xAxis: { type: 'value', axisLabel: font },
      yAxis: { type: 'category', data: areas.map((a) => a.label), axisLabel: font },
      series,
    },
    size,
  )
}

/** One value per municipality, sorted, with the median as a line; the highlighted one in a strong colour. */
export function comparisonChart(
  title: string,
  values: { label: string; value: number }[],
  median: number | null,
  highlight: string | null,
  size: ChartSize = { width: 480, height: 240 },
): string {
  const sorted = [...values].sort((a, b) => b.value - a.value)
  return renderSvg(
    {
      title: { text: title, left: 0, textStyle: { ...font, fontSize: 12, fontWeight: 'bold' } },
      grid: { left: 60, right: 20, top: 35, bottom: 20 },
      xAxis: {
        type: 'category',
        data: sorted.map((v) => v.label),
        axisLabel: { show: false },
        axisTick: { show: false },
      },
      yAxis: { type: 'value', axisLabel: { ...font, formatter: (v: number) => formatDecimal(v, 0) } },
      series: [
        {
          type: 'bar',
          barCategoryGap: '10%',
          data: sorted.map((v) => ({
            value: v.value,
            itemStyle: { color: v.label === highlight ? '#b8292f' : '#9fb8d0' },
          })),
          markLine:
            median === null
              ? undefined
              : {
                  symbol: 'none',
                  label: {
                    formatter: `Median ${formatDecimal(median, 1)}`,
                    ...font,
                    fontSize: 8,
                    position: 'insideEndTop',
                  },
                  lineStyle: { color: '#1a1a1a', type: 'dashed' },
                  data: [{ yAxis: median }],
                },
        },
      ],
    },
    size,
  )
}
