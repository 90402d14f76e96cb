/**
 * A chart with its accessible alternative: the drawing is an image described by `summary`, and the
 * same numbers are always available as a table (`children`) under "Vis som tabel".
 */
import type { EChartsCoreOption } from 'echarts/core'
import { type ReactNode, useEffect, useRef } from 'react'

export function Chart({
  title,
  summary,
  option,
  height = 260,
  children,
}: {
  title: string
  /** One or two sentences that say what the chart shows, for screen readers. */
  summary: string
  option: EChartsCoreOption
  height?: number
  /** The chart's numbers as a table. */
  children: ReactNode
}) {
  const box = useRef<HTMLDivElement>(null)
  // Options are rebuilt on every render: redraw only when what they say changes.
  const key = JSON.stringify(option)
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for `option`
  useEffect(() => {
    let disposed = false
    let cleanup = () => {}
    import('../echartsSetup.ts').then(({ echarts }) => {
      if (disposed || !box.current) return
      const chart = echarts.init(box.current, null, { renderer: 'svg' })
      chart.setOption({
        animation: false,
        textStyle: { fontFamily: 'IBM Plex Sans, Arial, sans-serif' },
        ...option,
      })
      const resize = new ResizeObserver(() => chart.resize())
      resize.observe(box.current)
      cleanup = () => {
        resize.disconnect()
        chart.dispose()
      }
    })
    return () => {
      disposed = true
      cleanup()
    }
  }, [key])
  return (
    <figure className="rollout-figure">
      <figcaption className="h4">{title}</figcaption>
      <div
        ref={box}
        className="rollout-chart"
        style={{ height }}
        role="img"
        aria-label={`${title}: ${summary}`}
      />
      <details className="rollout-details">
        <summary>Vis som tabel</summary>
        {children}
      </details>
    </figure>
  )
}
