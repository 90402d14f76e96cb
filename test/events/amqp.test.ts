/**
 * Against a real RabbitMQ (skipped with a printed line when none answers; CI requires one):
 * publishing with confirms and MOX headers, a broker outage in the middle of a stream, and the
 * ESDH inbound queue with poison messages. Every run uses its own exchange and queue names.
 */
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { promisify } from 'node:util'
import amqp, { type ChannelModel, type ConfirmChannel, type GetMessage } from 'amqplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AmqpDispatcher,
  appendEvent,
  type DocumentJournalised,
  type EventEnvelope,
  eventMetrics,
  InboundConsumer,
  type InboundResult,
  listDeadLetters,
  OutboxRelay,
  outboxStats,
  replayDeadLetter,
  startEvents,
  transactionTimes,
} from '../../src/events/index.ts'
import { AMQP_URL, brokerAvailable, runId, storeTargets, type TestStore, waitFor } from './helpers.ts'

const run = promisify(execFile)
const available = await brokerAvailable('events AMQP tests')
const pgliteTarget = (await storeTargets())[0]!

const withheld = (agreementId: string, i: number) =>
  ({
    type: 'payment.withheld.v1',
    payload: {
      agreementId,
      paymentId: `PAY-${i}`,
      amountOre: String(100_000 + i),
      reasonCode: 'report-overdue',
      withheldOn: '2026-08-06',
    },
  }) as const

/** Reads every message currently in a queue (acking them). */
async function drain(ch: ConfirmChannel, queue: string): Promise<GetMessage[]> {
  const out: GetMessage[] = []
  for (;;) {
    const m = await ch.get(queue, { noAck: true })
    if (!m) return out
    out.push(m)
  }
}

describe.skipIf(!available)('AMQP (RabbitMQ)', () => {
  const id = runId()
  const exchange = `tillid.test.${id}`
  const queues: string[] = []
  let store: TestStore
  let conn: ChannelModel
  let ch: ConfirmChannel

  async function connectTest() {
    conn = await amqp.connect(AMQP_URL)
    conn.on('error', () => {})
    ch = await conn.createConfirmChannel()
    ch.on('error', () => {})
  }

  /** A durable queue bound to the test exchange, to see what consumers of `tillid.events` see. */
  async function tap(pattern = '#'): Promise<string> {
    const q = `${exchange}.tap.${queues.length}`
    await ch.assertExchange(exchange, 'topic', { durable: true })
    await ch.assertQueue(q, { durable: true })
    await ch.bindQueue(q, exchange, pattern)
    queues.push(q)
    return q
  }

  beforeAll(async () => {
    store = await pgliteTarget.open()
    await connectTest()
  })

  afterAll(async () => {
    if (!store) return
    await store.drop()
    // Fresh channel: the outage test may have replaced the connection.
    const c = await amqp.connect(AMQP_URL)
    const cleanup = await c.createChannel()
    for (const q of [...queues, `${exchange}.dead-letter`]) await cleanup.deleteQueue(q).catch(() => {})
    for (const e of [exchange, `${exchange}.dlx`]) await cleanup.deleteExchange(e).catch(() => {})
    await c.close().catch(() => {})
    await conn.close().catch(() => {})
  })

  it('publishes each event persistent, confirmed, with MOX headers and messageId = event id', async () => {
    const q = await tap()
    const dispatcher = new AmqpDispatcher({ url: AMQP_URL, exchange, connectionName: `tillid-test-${id}` })
    const relay = new OutboxRelay({ db: store.db, dispatcher, pollIntervalMs: 20 })
    const agreementId = randomUUID()
    const appended: EventEnvelope[] = []
    const confirmedBefore = (await eventMetrics.confirmed.get()).values
      .filter((v) => v.labels.dispatcher === 'amqp')
      .reduce((s, v) => s + v.value, 0)
    await store.db.transaction().execute(async (trx) => {
      appended.push(
        await appendEvent(trx, {
          type: 'agreement.activated.v1',
          payload: { agreementId, version: 1, effectiveFrom: '2026-02-01' },
        }),
      )
      appended.push(await appendEvent(trx, withheld(agreementId, 1)))
    })
    relay.start()
    await waitFor('outbox empty', async () => (await outboxStats(store.db)).depth === 0)
    await relay.stop()
    await dispatcher.close()

    const got = await drain(ch, q)
    expect(got).toHaveLength(2)
    const [a, p] = got as [GetMessage, GetMessage]
    expect(a.fields.routingKey).toBe('agreement.activated.v1')
    expect(a.fields.exchange).toBe(exchange)
    expect(a.properties).toMatchObject({
      messageId: appended[0]?.id,
      contentType: 'application/json',
      deliveryMode: 2,
      type: 'agreement.activated.v1',
      appId: 'tillid',
    })
    expect(a.properties.headers).toMatchObject({
      objekttype: 'Aftale',
      operation: 'ret',
      objektID: agreementId,
      beskedtype: 'Notification',
      beskedversion: '1',
      'x-tillid-aggregate': agreementId,
      'x-tillid-sequence': 1,
    })
    expect(JSON.parse(a.content.toString())).toEqual(appended[0])
    expect(p.properties.headers).toMatchObject({
      objekttype: 'Betaling',
      operation: 'ret',
      objektID: 'PAY-1',
    })
    const confirmedAfter = (await eventMetrics.confirmed.get()).values
      .filter((v) => v.labels.dispatcher === 'amqp')
      .reduce((s, v) => s + v.value, 0)
    expect(confirmedAfter - confirmedBefore).toBe(2)
    expect(transactionTimes().outbound.p99).not.toBeNull()
  })

  it('survives the broker stopping mid-stream: every event once after de-dup, in order per agreement', async () => {
    const q = await tap('payment.#')
    const dispatcher = new AmqpDispatcher({ url: AMQP_URL, exchange, connectionName: `tillid-test-${id}` })
    const relay = new OutboxRelay({
      db: store.db,
      dispatcher,
      batchSize: 10,
      pollIntervalMs: 20,
      backoffInitialMs: 50,
      backoffMaxMs: 400,
    })
    const aggs = [randomUUID(), randomUUID(), randomUUID()]
    const total = 120
    relay.start()
    let outageSeen = false
    try {
      for (let i = 0; i < total; i++) {
        await store.db.transaction().execute(async (trx) => {
          await appendEvent(trx, withheld(aggs[i % 3] as string, i))
        })
        if (i === 40) {
          await run('rabbitmqctl', ['stop_app'])
        }
        if (i > 40 && i < 80 && relay.status().consecutiveFailures > 0) outageSeen = true
        if (i === 80) await run('rabbitmqctl', ['start_app'])
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 10))
      }
    } finally {
      // Never leave the broker stopped, whatever happened above.
      await run('rabbitmqctl', ['start_app']).catch(() => {})
    }
    await run('rabbitmqctl', ['await_startup'])
    await waitFor(
      'outbox drained after the outage',
      async () => (await outboxStats(store.db)).depth === 0,
      60_000,
    )
    await relay.stop()
    await dispatcher.close()
    expect(outageSeen).toBe(true)

    await connectTest()
    const got = await drain(ch, q)
    const firstSeen = new Map<string, EventEnvelope>()
    for (const m of got) {
      const e = JSON.parse(m.content.toString()) as EventEnvelope
      expect(m.properties.messageId).toBe(e.id)
      if (!firstSeen.has(e.id)) firstSeen.set(e.id, e)
    }
    expect(firstSeen.size).toBe(total)
    for (const agg of aggs) {
      const seqs = [...firstSeen.values()].filter((e) => e.aggregateId === agg).map((e) => e.sequence)
      expect(seqs).toEqual(Array.from({ length: total / 3 }, (_, i) => i + 1))
    }
    console.log(
      `broker outage: ${total} events, ${got.length - total} duplicate deliveries removed by messageId`,
    )
  }, 120_000)

  it('startEvents with a broker publishes, then tells local subscribers, and runs the ESDH consumer', async () => {
    const q = await tap('review.#')
    const inboundQueue = `${exchange}.inbound.wired`
    queues.push(inboundQueue)
    const docs: string[] = []
    const runtime = startEvents({
      db: store.db,
      amqpUrl: AMQP_URL,
      amqpExchange: exchange,
      inboundQueue,
      pollIntervalMs: 20,
      inbound: {
        async onDocumentJournalised(d) {
          docs.push(d.documentId)
          return { status: 'handled' }
        },
      },
    })
    try {
      const local: EventEnvelope[] = []
      runtime.bus.subscribe('review.due.v1', (e) => {
        local.push(e)
      })
      const agreementId = randomUUID()
      await store.db.transaction().execute(async (trx) => {
        await appendEvent(trx, {
          type: 'review.due.v1',
          payload: { agreementId, caseId: randomUUID(), dueDate: '2026-07-31' },
        })
      })
      await waitFor('local subscriber called', () => local.length === 1)
      // Local subscribers hear of an event only after the broker confirmed it, so it is in the queue.
      expect((await ch.checkQueue(q)).messageCount).toBe(1)
      await runtime.consumer?.ready()
      ch.sendToQueue(
        inboundQueue,
        Buffer.from(
          JSON.stringify({
            caseRef: 'SAG-1',
            documentId: 'DOC-WIRED',
            journalisedAt: '2026-05-05T09:30:00Z',
            contentBase64: Buffer.from('pdf').toString('base64'),
          }),
        ),
        { messageId: randomUUID(), type: 'esdh.document.journalised.v1' },
      )
      await waitFor('wired consumer handled the document', () => docs.includes('DOC-WIRED'))
    } finally {
      await runtime.stop()
    }
  })

  describe('ESDH inbound queue', () => {
    const inboundQueue = `${exchange}.inbound.esdh`
    const knownCase = 'SAG-2026-0001'
    const agreementId = randomUUID()
    let matchable = new Set([knownCase])
    let flaky = 0
    const calls: DocumentJournalised[] = []
    let consumer: InboundConsumer

    const onDocumentJournalised = async (doc: DocumentJournalised): Promise<InboundResult> => {
      calls.push(doc)
      if (doc.caseRef === 'SAG-FLAKY' && flaky-- > 0) throw new Error('store busy')
      if (!matchable.has(doc.caseRef))
        return { status: 'unmatched', reason: `no agreement on case ${doc.caseRef}` }
      return { status: 'handled', reportId: randomUUID() }
    }

    const doc = (caseRef: string, documentId = `DOC-${randomUUID()}`) =>
      Buffer.from(
        JSON.stringify({
          caseRef,
          agreementId,
          documentId,
          journalisedAt: '2026-05-05T09:30:00+02:00',
          documentKind: 'statusrapport',
          contentType: 'application/pdf',
          contentBase64: Buffer.from('%PDF-1.7 statusrapport').toString('base64'),
        }),
      )

    function send(body: Buffer, messageId: string | undefined, type = 'esdh.document.journalised.v1') {
      ch.sendToQueue(inboundQueue, body, {
        persistent: true,
        messageId,
        type,
        contentType: 'application/json',
        headers: { objekttype: 'Dokument', operation: 'journaliser', beskedtype: 'Notification' },
      })
    }

    const handled = async () =>
      (await eventMetrics.inboundHandled.get()).values
        .filter((v) => v.labels.queue === inboundQueue)
        .reduce((s, v) => s + v.value, 0)
    const failed = async () =>
      (await eventMetrics.inboundFailed.get()).values
        .filter((v) => v.labels.queue === inboundQueue)
        .reduce((s, v) => s + v.value, 0)

    beforeAll(async () => {
      queues.push(inboundQueue)
      consumer = new InboundConsumer({
        url: AMQP_URL,
        exchange,
        queue: inboundQueue,
        db: store.db,
        handlers: { onDocumentJournalised },
        retryInitialMs: 10,
      })
      consumer.start()
      await consumer.ready()
    })
    afterAll(async () => {
      await consumer?.stop()
    })

    it('turns a journalised document into a handled report once, however often it is delivered', async () => {
      const before = transactionTimes().inbound.count
      const messageId = randomUUID()
      send(doc(knownCase, 'DOC-1'), messageId)
      send(doc(knownCase, 'DOC-1'), messageId)
      await waitFor('both deliveries processed', async () => (await handled()) === 2)
      expect(calls.filter((c) => c.documentId === 'DOC-1')).toHaveLength(1)
      expect(calls[0]).toMatchObject({
        caseRef: knownCase,
        agreementId,
        messageId,
        documentKind: 'statusrapport',
      })
      expect(Buffer.from(calls[0]?.contentBase64 ?? '', 'base64').toString()).toContain('%PDF')
      expect(transactionTimes().inbound.count - before).toBe(1)
    })

    it('dead-letters poison messages with a reason and keeps consuming', async () => {
      const failedBefore = await failed()
      const handledBefore = await handled()
      const ids = {
        malformed: randomUUID(),
        invalid: randomUUID(),
        unmatched: randomUUID(),
        type: randomUUID(),
      }
      send(Buffer.from('{"caseRef": "SAG-2026-0001", '), ids.malformed)
      send(Buffer.from(JSON.stringify({ caseRef: knownCase, contentBase64: 'x' })), ids.invalid)
      send(doc('SAG-UNKNOWN'), ids.unmatched)
      send(doc(knownCase), undefined)
      send(doc(knownCase), ids.type, 'esdh.case.closed.v1')
      const after = randomUUID()
      send(doc(knownCase, 'DOC-AFTER'), after)
      await waitFor('the message after the poison handled', () => calls.some((c) => c.messageId === after))
      await waitFor('five dead letters counted', async () => (await failed()) - failedBefore === 5)
      expect((await handled()) - handledBefore).toBe(1)

      const inBroker = await drain(ch, `${exchange}.dead-letter`)
      const reasons = new Map(
        inBroker.map((m) => [
          m.properties.messageId ?? '(none)',
          String(m.properties.headers?.['x-tillid-reason']),
        ]),
      )
      expect(reasons.get(ids.malformed)).toMatch(/^malformed: body is not JSON/)
      expect(reasons.get(ids.invalid)).toMatch(/^invalid: .*documentId/)
      expect(reasons.get(ids.unmatched)).toBe('unmatched: no agreement on case SAG-UNKNOWN')
      expect(reasons.get(ids.type)).toMatch(/^unsupported-type/)
      expect(reasons.get('(none)')).toMatch(/^missing-message-id/)
      for (const m of inBroker) expect(m.fields.routingKey).toBe(inboundQueue)

      const letters = await listDeadLetters(store.db, { direction: 'inbound' })
      expect(letters.map((l) => l.messageId).sort()).toEqual(
        ['', ids.malformed, ids.invalid, ids.unmatched, ids.type].sort(),
      )
      const unmatched = letters.find((l) => l.messageId === ids.unmatched)!
      expect(unmatched.headers).toMatchObject({ objekttype: 'Dokument', 'x-tillid-reason-code': 'unmatched' })

      // The agreement is registered later; the operator replays the letter from the Integrationer page.
      matchable = new Set([knownCase, 'SAG-UNKNOWN'])
      const replay = await replayDeadLetter(store.db, unmatched.id, { handlers: { onDocumentJournalised } })
      expect(replay).toMatchObject({ direction: 'inbound', replayed: true, outcome: { kind: 'handled' } })
      expect(
        (await listDeadLetters(store.db, { direction: 'inbound' })).map((l) => l.messageId),
      ).not.toContain(ids.unmatched)
    })

    it('retries a handler that fails for a moment, then handles the message', async () => {
      matchable = new Set([knownCase, 'SAG-FLAKY'])
      flaky = 2
      const messageId = randomUUID()
      send(doc('SAG-FLAKY'), messageId)
      await waitFor('flaky document handled', async () =>
        Boolean(
          await store.db
            .selectFrom('event_inbound_handled')
            .select('message_id')
            .where('message_id', '=', messageId)
            .executeTakeFirst(),
        ),
      )
      expect(calls.filter((c) => c.messageId === messageId)).toHaveLength(3)
    })

    it('reconnects after the broker restarts and handles what arrives then', async () => {
      try {
        await run('rabbitmqctl', ['stop_app'])
      } finally {
        await run('rabbitmqctl', ['start_app'])
      }
      await run('rabbitmqctl', ['await_startup'])
      await connectTest()
      const messageId = randomUUID()
      send(doc(knownCase, 'DOC-AFTER-RESTART'), messageId)
      await waitFor(
        'document after restart handled',
        () => calls.some((c) => c.messageId === messageId),
        30_000,
      )
    }, 60_000)
  })
})
