import { describe, expect, it } from 'vitest'
import { eventsRegistry, LatencyWindow } from './metrics.ts'

describe('LatencyWindow', () => {
  it('gives nearest-rank percentiles of the samples', () => {
    const w = new LatencyWindow(1000)
    for (let i = 1; i <= 100; i++) w.record(i / 1000)
    expect(w.percentiles()).toEqual({ count: 100, p50: 0.05, p90: 0.09, p95: 0.095, p99: 0.099, max: 0.1 })
  })

  it('keeps only the most recent samples but counts all', () => {
    const w = new LatencyWindow(10)
    for (let i = 0; i < 10; i++) w.record(100)
    for (let i = 0; i < 10; i++) w.record(1)
    const p = w.percentiles()
    expect(p.count).toBe(20)
    expect(p.max).toBe(1)
  })

  it('reports nothing for an empty window', () => {
    expect(new LatencyWindow().percentiles()).toEqual({
      count: 0,
      p50: null,
      p90: null,
      p95: null,
      p99: null,
      max: null,
    })
  })
})

describe('eventsRegistry', () => {
  it('exposes the integration metrics in Prometheus text format', async () => {
    const text = await eventsRegistry.metrics()
    for (const name of [
      'tillid_events_published_total',
      'tillid_events_confirmed_total',
      'tillid_events_failed_total',
      'tillid_outbox_depth',
      'tillid_outbox_lag_seconds',
      'tillid_dead_letters_total',
      'tillid_inbound_handled_total',
      'tillid_inbound_failed_total',
      'tillid_event_delivery_seconds',
      'tillid_inbound_handling_seconds',
    ])
      expect(text).toContain(`# TYPE ${name}`)
  })
})
