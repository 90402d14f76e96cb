/**
 * Events published and confirmed per second through the outbox (relay: read pending rows,
 * publish with confirms, mark dispatched) divided by amqplib publishing the same messages
 * directly on a confirm channel, in the same run, to the same kind of durable queue.
 * Target ≥ 0.5 (issue 9). Run alone: npx tsx bench/outbox.bench.ts [--quick]
 */
import { randomUUID } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import amqp from 'amqplib'
import { AmqpDispatcher } from '../src/events/amqp.ts'
import type { EventEnvelope } from '../src/events/catalogue.ts'
import { examplePayloads } from '../src/events/examples.ts'
import { appendEvent, fetchPending, toMessage } from '../src/events/outbox.ts'
import { OutboxRelay } from '../src/events/relay.ts'
import { openStore } from '../src/store/database.ts'
import type { BenchResult } from './harness.ts'

export type OutboxBenchResult = BenchResult & { direction: 'min' }

const AMQP_URL = process.env.TILLID_AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672'
const TARGET = 0.5

export async function runOutboxBench({ quick }: { quick: boolean }): Promise<OutboxBenchResult> {
  const n = quick ? 2000 : 10_000
  const exchange = `tillid.bench.${Date.now().toString(36)}`
  const queue = `${exchange}.sink`
  const conn = await amqp.connect(AMQP_URL)
  const ch = await conn.createConfirmChannel()
  const store = await openStore({ kind: 'pglite', dir: null })
  try {
    await ch.assertExchange(exchange, 'topic', { durable: true })
    await ch.assertQueue(queue, { durable: true })
    await ch.bindQueue(queue, exchange, '#')

    // The same events both ways: appended to the outbox (not timed: that cost belongs to the
    // service's own transaction), and the identical bodies and headers for the direct baseline.
    const aggregates = Array.from({ length: 50 }, () => randomUUID())
    let appendMs = 0
    for (let i = 0; i < n; i += 100) {
      const t0 = performance.now()
      await store.db.transaction().execute(async (trx) => {
        for (let j = i; j < Math.min(n, i + 100); j++)
          await appendEvent(trx, {
            type: 'payment.withheld.v1',
            payload: {
              ...examplePayloads['payment.withheld.v1'],
              agreementId: aggregates[j % aggregates.length] as string,
              paymentId: `PAY-${j}`,
            },
          })
      })
      appendMs += performance.now() - t0
    }
    const rows = await fetchPending(store.db, n)
    const messages = rows.map((r) => toMessage(r)).filter((m) => !('error' in m))
    if (messages.length !== n) throw new Error(`expected ${n} outbox messages, got ${messages.length}`)

    // Baseline: amqplib straight to the broker with confirms, honouring back-pressure.
    const t0 = performance.now()
    for (const m of messages) {
      if ('error' in m) continue
      const ok = ch.publish(exchange, m.envelope.type, m.body, {
        persistent: true,
        messageId: m.envelope.id,
        contentType: 'application/json',
        contentEncoding: 'utf-8',
        type: m.envelope.type,
        timestamp: Math.floor(Date.parse((m.envelope as EventEnvelope).occurredAt) / 1000),
        appId: 'tillid',
        headers: m.headers,
      })
      if (!ok) await new Promise((r) => ch.once('drain', r))
    }
    await ch.waitForConfirms()
    const directSeconds = (performance.now() - t0) / 1000
    await ch.purgeQueue(queue)

    // Through the outbox: the relay drains everything pending, confirmed and marked dispatched.
    const dispatcher = new AmqpDispatcher({ url: AMQP_URL, exchange, connectionName: 'tillid-bench' })
    await dispatcher.connect()
    const relay = new OutboxRelay({ db: store.db, dispatcher, batchSize: 500, pollIntervalMs: 5 })
    const t1 = performance.now()
    relay.start()
    while (relay.status().delivered < n) await new Promise((r) => setTimeout(r, 2))
    const outboxSeconds = (performance.now() - t1) / 1000
    await relay.stop()
    await dispatcher.close()

    const value = n / outboxSeconds
    const baseline = n / directSeconds
    const ratio = value / baseline
    return {
      name: 'events through the outbox vs direct amqplib (published+confirmed/s)',
      value: Math.round(value),
      unit: 'events/s',
      baseline: Math.round(baseline),
      ratio,
      target: TARGET,
      direction: 'min',
      pass: ratio >= TARGET,
      note: `${n} persistent events to a durable queue, PGlite store; appending them (in the services' transactions, not timed here) ran at ${Math.round((n / appendMs) * 1000)} events/s`,
    }
  } finally {
    await ch.deleteQueue(queue).catch(() => {})
    await ch.deleteExchange(exchange).catch(() => {})
    await ch.deleteExchange(`${exchange}.dlx`).catch(() => {})
    await ch.deleteQueue(`${exchange}.dead-letter`).catch(() => {})
    await conn.close().catch(() => {})
    await store.close()
  }
}

/** For bench/harness.ts. */
export async function run(options: { quick: boolean }): Promise<OutboxBenchResult[]> {
  return [await runOutboxBench(options)]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runOutboxBench({ quick: process.argv.includes('--quick') })
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`)
}
