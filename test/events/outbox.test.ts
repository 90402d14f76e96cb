/**
 * The transactional outbox and its relay against the store (PGlite always, PostgreSQL when
 * reachable), delivering in-process. The broker-facing behaviour is in amqp.test.ts.
 */
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  appendEvent,
  type DeliveryOutcome,
  type Dispatcher,
  type EventEnvelope,
  eventMetrics,
  InProcessBus,
  InvalidEventError,
  integrationOverview,
  listDeadLetters,
  NotInTransactionError,
  type OutboxMessage,
  OutboxRelay,
  outboxStats,
  pruneDispatched,
  type RelayOptions,
  replayDeadLetter,
  startEvents,
  transactionTimes,
} from '../../src/events/index.ts'
import { openStore } from '../../src/store/database.ts'
import { sharedStore, storeTargets, waitFor } from './helpers.ts'

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

/** Collects what a bus delivers, per aggregate, in arrival order. */
function collector(bus: InProcessBus, pattern = '#') {
  const seen: EventEnvelope[] = []
  bus.subscribe(pattern, (e) => {
    seen.push(e)
  })
  /** What a consumer that de-duplicates by message id sees: first occurrences, in arrival order. */
  const unique = () => {
    const ids = new Set<string>()
    return seen.filter((e) => !ids.has(e.id) && ids.add(e.id))
  }
  const byAggregate = () => {
    const m = new Map<string, number[]>()
    for (const e of unique()) m.set(e.aggregateId, [...(m.get(e.aggregateId) ?? []), e.sequence])
    return m
  }
  return { seen, unique, byAggregate }
}

const targets = await storeTargets()

describe.each(targets)('outbox on $name', (target) => {
  let store: Awaited<ReturnType<typeof target.open>>
  beforeAll(async () => {
    store = await target.open()
    await sql`create table if not exists events_test_state (id text primary key, status text not null)`.execute(
      store.db,
    )
  })
  afterAll(async () => {
    await store?.drop()
  })
  const relays: OutboxRelay[] = []
  const relayFor = (o: Omit<RelayOptions, 'db'>): OutboxRelay => {
    const r = new OutboxRelay({ db: store.db, ...o })
    relays.push(r)
    return r
  }
  afterEach(async () => {
    for (const r of relays.splice(0)) await r.stop()
  })
  beforeEach(async () => {
    await store.db.deleteFrom('event_outbox').execute()
    await store.db.deleteFrom('event_dead_letter').execute()
  })

  it('refuses to append outside a transaction', async () => {
    await expect(appendEvent(store.db, withheld(randomUUID(), 1))).rejects.toThrow(NotInTransactionError)
  })

  it('commits the event with the state change, and rolls both back together', async () => {
    const committed = randomUUID()
    const rolledBack = randomUUID()
    await store.db.transaction().execute(async (trx) => {
      await sql`insert into events_test_state values (${committed}, 'withheld')`.execute(trx)
      await appendEvent(trx, withheld(committed, 1))
    })
    await expect(
      store.db.transaction().execute(async (trx) => {
        await sql`insert into events_test_state values (${rolledBack}, 'withheld')`.execute(trx)
        await appendEvent(trx, withheld(rolledBack, 1))
        throw new Error('ledger transaction reverted')
      }),
    ).rejects.toThrow('reverted')
    const states = await sql<{ id: string }>`select id from events_test_state`.execute(store.db)
    const events = await store.db.selectFrom('event_outbox').select('aggregate_id').execute()
    expect(states.rows.map((r) => r.id)).toContain(committed)
    expect(states.rows.map((r) => r.id)).not.toContain(rolledBack)
    expect(events.map((e) => e.aggregate_id)).toEqual([committed])
  })

  it('appends an event with a caller-chosen id once, however often the projection replays', async () => {
    const agg = randomUUID()
    const id = randomUUID()
    const first = await store.db.transaction().execute((trx) => appendEvent(trx, withheld(agg, 1), { id }))
    const again = await store.db.transaction().execute((trx) => appendEvent(trx, withheld(agg, 1), { id }))
    const next = await store.db.transaction().execute((trx) => appendEvent(trx, withheld(agg, 2)))
    expect(again).toEqual(first)
    expect(next.sequence).toBe(2)
    expect(
      await store.db.selectFrom('event_outbox').select('id').where('aggregate_id', '=', agg).execute(),
    ).toHaveLength(2)
  })

  it('rejects an invalid payload before anything is written', async () => {
    const id = randomUUID()
    await expect(
      store.db.transaction().execute(async (trx) => {
        await appendEvent(trx, {
          type: 'payment.withheld.v1',
          payload: { ...withheld(id, 1).payload, reasonCode: 'Borgeren Jens Jensen udeblev' },
        })
      }),
    ).rejects.toThrow(InvalidEventError)
    expect(await store.db.selectFrom('event_outbox').selectAll().execute()).toEqual([])
  })

  it('numbers events per aggregate without gaps, also under concurrent transactions', async () => {
    const a = randomUUID()
    const b = randomUUID()
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        store.db.transaction().execute(async (trx) => {
          await appendEvent(trx, withheld(i % 2 ? a : b, i))
        }),
      ),
    )
    const rows = await store.db
      .selectFrom('event_outbox')
      .select(['aggregate_id', 'aggregate_seq'])
      .orderBy('seq')
      .execute()
    for (const agg of [a, b]) {
      const seqs = rows.filter((r) => r.aggregate_id === agg).map((r) => Number(r.aggregate_seq))
      // Outbox order follows the aggregate's sequence: the relay's order is the aggregate's order.
      expect(seqs).toEqual([1, 2, 3, 4, 5, 6])
    }
  })

  it('relays every event in order per aggregate to in-process subscribers, and marks them dispatched', async () => {
    const bus = new InProcessBus()
    const all = collector(bus)
    const payments = collector(bus, 'payment.*.v1')
    const failing = bus.subscribe('#', () => {
      throw new Error('a broken subscriber does not stop delivery')
    })
    const relay = relayFor({ dispatcher: bus, batchSize: 7, pollIntervalMs: 20 })
    const before = transactionTimes().outbound.count
    relay.start()
    const aggs = [randomUUID(), randomUUID(), randomUUID()]
    for (let i = 0; i < 30; i++)
      await store.db.transaction().execute(async (trx) => {
        await appendEvent(trx, withheld(aggs[i % 3] as string, i))
      })
    await store.db.transaction().execute(async (trx) => {
      await appendEvent(trx, {
        type: 'agreement.activated.v1',
        payload: { agreementId: aggs[0] as string, version: 1, effectiveFrom: '2026-02-01' },
      })
    })
    await waitFor('31 events', () => all.seen.length === 31)
    await relay.stop()
    failing()
    for (const agg of aggs)
      expect(all.byAggregate().get(agg)).toEqual(
        Array.from({ length: agg === aggs[0] ? 11 : 10 }, (_, i) => i + 1),
      )
    expect(payments.seen).toHaveLength(30)
    expect(new Set(all.seen.map((e) => e.id)).size).toBe(31)
    const stats = await outboxStats(store.db)
    expect(stats).toMatchObject({ depth: 0, dispatched: 31, dead: 0 })
    expect(transactionTimes().outbound.count - before).toBe(31)
  })

  it('keeps events while the transport is down and delivers them, in order, when it returns', async () => {
    const bus = new InProcessBus()
    const got = collector(bus)
    let up = false
    let refusedRounds = 0
    const flaky: Dispatcher = {
      name: 'flaky',
      async deliver(ms: OutboxMessage[]): Promise<DeliveryOutcome[]> {
        if (!up) {
          refusedRounds++
          return ms.map(() => ({ kind: 'unavailable', error: 'ECONNREFUSED' }))
        }
        // The connection drops after the first two messages of the batch.
        const out = await bus.deliver(ms.slice(0, 2))
        return [...out, ...ms.slice(2).map(() => ({ kind: 'unavailable', error: 'closed' }) as const)]
      },
      async close() {},
    }
    const relay = relayFor({ dispatcher: flaky, backoffInitialMs: 5, backoffMaxMs: 40 })
    const agg = randomUUID()
    for (let i = 0; i < 9; i++)
      await store.db.transaction().execute(async (trx) => {
        await appendEvent(trx, withheld(agg, i))
      })
    relay.start()
    await waitFor('several failed rounds', () => relay.status().consecutiveFailures >= 3)
    expect(refusedRounds).toBeGreaterThanOrEqual(3)
    expect((await outboxStats(store.db)).depth).toBe(9)
    up = true
    await waitFor('all 9 delivered', () => got.seen.length === 9)
    await relay.stop()
    expect(got.byAggregate().get(agg)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(relay.status().consecutiveFailures).toBe(0)
  })

  it('dead-letters an event the broker keeps rejecting, lets the rest through, and replays it', async () => {
    const bus = new InProcessBus()
    const got = collector(bus)
    const agg = randomUUID()
    let poison = ''
    let accept = false
    const picky: Dispatcher = {
      name: 'picky',
      async deliver(ms) {
        const out: DeliveryOutcome[] = []
        for (const m of ms) {
          if (m.envelope.id === poison && !accept) out.push({ kind: 'rejected', error: 'nack' })
          else out.push(...(await bus.deliver([m])))
        }
        return out
      },
      async close() {},
    }
    for (let i = 0; i < 4; i++)
      await store.db.transaction().execute(async (trx) => {
        const e = await appendEvent(trx, withheld(agg, i))
        if (i === 1) poison = e.id
      })
    const deadBefore = (await eventMetrics.deadLetters.get()).values.reduce((s, v) => s + v.value, 0)
    const relay = relayFor({ dispatcher: picky, maxAttempts: 3, backoffInitialMs: 5 })
    relay.start()
    await waitFor('dead letter', async () => (await listDeadLetters(store.db)).length === 1)
    await waitFor('the others delivered', () => got.unique().length === 3)
    const letters = await listDeadLetters(store.db)
    expect(letters).toHaveLength(1)
    expect(letters[0]).toMatchObject({
      direction: 'outbound',
      messageId: poison,
      routingKey: 'payment.withheld.v1',
    })
    expect(letters[0]?.reason).toMatch(/^rejected 3 times/)
    const deadAfter = (await eventMetrics.deadLetters.get()).values.reduce((s, v) => s + v.value, 0)
    expect(deadAfter - deadBefore).toBe(1)
    expect(got.byAggregate().get(agg)).toEqual([1, 3, 4])

    accept = true
    await replayDeadLetter(store.db, letters[0]?.id as string)
    relay.notify()
    await waitFor('replayed event delivered', () => got.unique().length === 4)
    await relay.stop()
    expect(got.unique()[3]?.id).toBe(poison)
    const overview = await integrationOverview(store.db, relay)
    expect(overview.outbox).toMatchObject({ depth: 0, dead: 0 })
    expect(overview.relay).toMatchObject({ running: false, dispatcher: 'picky' })
    expect(overview.counters.deadLetters).toBeGreaterThanOrEqual(1)
    expect(overview.deadLetters).toEqual([])
    expect(await listDeadLetters(store.db)).toEqual([])
    expect((await listDeadLetters(store.db, { includeReplayed: true }))[0]?.replayedAt).toBeInstanceOf(Date)
  })

  it('dead-letters a stored row that no longer parses instead of blocking the outbox', async () => {
    const bus = new InProcessBus()
    const got = collector(bus)
    const agg = randomUUID()
    for (let i = 0; i < 2; i++)
      await store.db.transaction().execute(async (trx) => {
        await appendEvent(trx, withheld(agg, i))
      })
    await store.db
      .updateTable('event_outbox')
      .set({ body: '{"truncated":' })
      .where('aggregate_seq', '=', '1')
      .where('aggregate_id', '=', agg)
      .execute()
    const relay = relayFor({ dispatcher: bus })
    await relay.round()
    expect(got.seen.map((e) => e.sequence)).toEqual([2])
    const [letter] = await listDeadLetters(store.db)
    expect(letter?.reason).toMatch(/^invalid:/)
    expect(await outboxStats(store.db)).toMatchObject({ depth: 0, dead: 1, dispatched: 1 })
  })

  it('reports depth and lag of undelivered events on the metrics', async () => {
    const e = await store.db
      .transaction()
      .execute((trx) => appendEvent(trx, withheld(randomUUID(), 1), { occurredAt: new Date(2026, 0, 1) }))
    // Lag counts from when the event was appended (wall clock), not from its business date.
    await store.db
      .updateTable('event_outbox')
      .set({ created_at: new Date(Date.now() - 90_000) })
      .where('id', '=', e.id)
      .execute()
    const down: Dispatcher = {
      name: 'down',
      deliver: async (ms) => ms.map(() => ({ kind: 'unavailable', error: 'down' })),
      close: async () => {},
    }
    const relay = relayFor({ dispatcher: down })
    await relay.round()
    const depth = (await eventMetrics.outboxDepth.get()).values[0]?.value
    const lag = (await eventMetrics.outboxLag.get()).values[0]?.value ?? 0
    expect(depth).toBe(1)
    expect(lag).toBeGreaterThanOrEqual(90)
    expect(lag).toBeLessThan(3600)
  })
  it('prunes dispatched events past the retention and keeps the rest', async () => {
    const agg = randomUUID()
    for (let i = 0; i < 3; i++)
      await store.db.transaction().execute(async (trx) => {
        await appendEvent(trx, withheld(agg, i))
      })
    await relayFor({ dispatcher: new InProcessBus() }).round()
    await store.db
      .updateTable('event_outbox')
      .set({ dispatched_at: new Date(Date.now() - 40 * 86_400_000) })
      .where('aggregate_seq', '=', '1')
      .execute()
    await store.db.transaction().execute(async (trx) => {
      await appendEvent(trx, withheld(agg, 4))
    })
    expect(await pruneDispatched(store.db, new Date(Date.now() - 30 * 86_400_000))).toBe(1)
    expect(await outboxStats(store.db)).toMatchObject({ depth: 1, dispatched: 2 })
    // Sequence numbers continue after pruning: the counter lives apart from the rows.
    const last = await store.db
      .selectFrom('event_outbox')
      .select('aggregate_seq')
      .where('status', '=', 'pending')
      .execute()
    expect(last).toEqual([{ aggregate_seq: '4' }])
  })

  it('startEvents without a broker delivers to in-process subscribers until stopped', async () => {
    const runtime = startEvents({ db: store.db, pollIntervalMs: 20 })
    const got = collector(runtime.bus, 'agreement.#')
    const agreementId = randomUUID()
    await store.db.transaction().execute(async (trx) => {
      await appendEvent(trx, withheld(agreementId, 1))
      await appendEvent(trx, {
        type: 'agreement.terminated.v1',
        payload: {
          agreementId,
          version: 1,
          effectiveTo: '2026-09-30',
          reasonCode: 'citizen-moved',
          terminatedBy: 'municipality',
        },
      })
    })
    await waitFor('terminated delivered', () => got.seen.length === 1)
    await runtime.stop()
    expect(got.seen[0]).toMatchObject({ type: 'agreement.terminated.v1', sequence: 2 })
    expect(runtime.consumer).toBeNull()
    expect(runtime.relay.status().running).toBe(false)
  })
})

describe('process killed between the state change and publishing', () => {
  it('delivers the committed events when Tillid starts again on the same store', async () => {
    const dir = mkdtempSync(path.join(import.meta.dirname, '../../.test-tmp/crash-'))
    // The child opens the store itself, so it must be one a second process can open.
    let store = await sharedStore(dir)
    try {
      if (store.kind === 'pglite') await store.close()
      const agreementId = randomUUID()
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          path.join(import.meta.dirname, 'fixtures/crashBeforePublish.ts'),
          store.spec,
          agreementId,
          '5',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      )
      let out = ''
      child.stdout.on('data', (d) => {
        out += d
      })
      child.stderr.on('data', (d) => {
        out += d
      })
      const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_c, s) => resolve(s)),
      )
      expect(out).toContain('committed')
      expect(signal).toBe('SIGKILL')
      if (store.kind === 'pglite')
        store = Object.assign(await openStore({ kind: 'pglite', dir }), {
          drop: store.drop,
          spec: store.spec,
        })

      const state = await sql<{
        status: string
      }>`select status from events_test_state where id = ${agreementId}`.execute(store.db)
      expect(state.rows).toEqual([{ status: 'withheld' }])
      const bus = new InProcessBus()
      const got = collector(bus)
      const relay = new OutboxRelay({ db: store.db, dispatcher: bus })
      relay.start()
      await waitFor('5 events after restart', () => got.unique().length === 5)
      await relay.stop()
      expect(got.seen).toHaveLength(5)
      expect(got.byAggregate().get(agreementId)).toEqual([1, 2, 3, 4, 5])
      expect((await outboxStats(store.db)).depth).toBe(0)
    } finally {
      await store.drop()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
