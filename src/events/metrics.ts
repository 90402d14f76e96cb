/**
 * Metrics of the integration (architecture.md §6) and the seed's business case: time per
 * transaction. Everything is registered on `eventsRegistry`; the API merges it into /metrics
 * (`Registry.merge([appRegistry, eventsRegistry])` or `eventsRegistry.metrics()`).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client'

export const eventsRegistry = new Registry()

// Seconds from 1 ms to 5 minutes: confirms take milliseconds, an outage can hold events for minutes.
const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]

export const eventMetrics = {
  published: new Counter({
    name: 'tillid_events_published_total',
    help: 'Events handed to the dispatcher (AMQP publish or in-process emit), retries included',
    labelNames: ['type', 'dispatcher'] as const,
    registers: [eventsRegistry],
  }),
  confirmed: new Counter({
    name: 'tillid_events_confirmed_total',
    help: 'Events confirmed delivered (broker publisher confirm, or in-process emit) and marked dispatched',
    labelNames: ['type', 'dispatcher'] as const,
    registers: [eventsRegistry],
  }),
  failed: new Counter({
    name: 'tillid_events_failed_total',
    help: 'Failed delivery attempts (broker down, nack, channel closed) and permanent failures',
    labelNames: ['type', 'dispatcher', 'kind'] as const,
    registers: [eventsRegistry],
  }),
  outboxDepth: new Gauge({
    name: 'tillid_outbox_depth',
    help: 'Events in the outbox not yet dispatched',
    registers: [eventsRegistry],
  }),
  outboxLag: new Gauge({
    name: 'tillid_outbox_lag_seconds',
    help: 'Age of the oldest undispatched event in the outbox (0 when empty)',
    registers: [eventsRegistry],
  }),
  deadLetters: new Counter({
    name: 'tillid_dead_letters_total',
    help: 'Messages dead-lettered, by direction and reason code',
    labelNames: ['direction', 'reason'] as const,
    registers: [eventsRegistry],
  }),
  inboundHandled: new Counter({
    name: 'tillid_inbound_handled_total',
    help: 'Inbound messages handled (result=handled) or recognised as redeliveries (result=duplicate)',
    labelNames: ['queue', 'result'] as const,
    registers: [eventsRegistry],
  }),
  inboundFailed: new Counter({
    name: 'tillid_inbound_failed_total',
    help: 'Inbound messages that could not be handled and were dead-lettered, by reason code',
    labelNames: ['queue', 'reason'] as const,
    registers: [eventsRegistry],
  }),
  deliverySeconds: new Histogram({
    name: 'tillid_event_delivery_seconds',
    help: 'Time per outbound transaction: event appended to the outbox → delivery confirmed',
    buckets,
    registers: [eventsRegistry],
  }),
  inboundSeconds: new Histogram({
    name: 'tillid_inbound_handling_seconds',
    help: 'Time per inbound transaction: message received → handled (status report created)',
    buckets,
    registers: [eventsRegistry],
  }),
}

export interface Percentiles {
  count: number
  p50: number | null
  p90: number | null
  p95: number | null
  p99: number | null
  max: number | null
}

/**
 * Exact percentiles over the most recent samples (a ring buffer), beside the Prometheus histogram
 * whose buckets only give approximations. Seconds.
 */
export class LatencyWindow {
  private readonly samples: Float64Array
  private next = 0
  private filled = 0
  total = 0

  constructor(readonly size = 10_000) {
    this.samples = new Float64Array(size)
  }

  record(seconds: number): void {
    this.samples[this.next] = seconds
    this.next = (this.next + 1) % this.size
    if (this.filled < this.size) this.filled++
    this.total++
  }

  percentiles(): Percentiles {
    if (this.filled === 0) return { count: 0, p50: null, p90: null, p95: null, p99: null, max: null }
    const sorted = Array.from(this.samples.subarray(0, this.filled)).sort((a, b) => a - b)
    // Nearest-rank percentile: the smallest sample with at least q of the samples at or below it.
    const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? null
    return {
      count: this.total,
      p50: at(0.5),
      p90: at(0.9),
      p95: at(0.95),
      p99: at(0.99),
      max: sorted[sorted.length - 1] ?? null,
    }
  }

  reset(): void {
    this.next = 0
    this.filled = 0
    this.total = 0
  }
}

const outboundWindow = new LatencyWindow()
const inboundWindow = new LatencyWindow()

export function recordDelivery(seconds: number): void {
  eventMetrics.deliverySeconds.observe(seconds)
  outboundWindow.record(seconds)
}

export function recordInbound(seconds: number): void {
  eventMetrics.inboundSeconds.observe(seconds)
  inboundWindow.record(seconds)
}

/** The business-case measure (seed 004): time per transaction, in seconds, over the last 10 000 of each (since start). */
export function transactionTimes(): { outbound: Percentiles; inbound: Percentiles } {
  return { outbound: outboundWindow.percentiles(), inbound: inboundWindow.percentiles() }
}

/** For tests and benchmarks that measure one run. */
export function resetTransactionTimes(): void {
  outboundWindow.reset()
  inboundWindow.reset()
}
