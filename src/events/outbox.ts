/**
 * The transactional outbox: a service appends its events in the same database transaction as
 * the state change, so both commit or neither does; the relay (relay.ts) delivers them later.
 */
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { type Kysely, sql } from 'kysely'
import type { Database } from '../store/schema.ts'
import {
  aggregateOf,
  type EventEnvelope,
  isEventType,
  type MoxHeaders,
  moxHeaders,
  type NewEvent,
  parsePayload,
} from './catalogue.ts'

type Db = Kysely<Database>

/**
 * Fires after every append so a relay in this process polls at once instead of waiting for
 * its interval. It fires before the caller commits; the relay reads again shortly after an
 * empty read that followed a signal (relay.ts).
 */
export const outboxSignal = new EventEmitter()
outboxSignal.setMaxListeners(0)

export class NotInTransactionError extends Error {
  readonly code = 'EVENT_NOT_IN_TRANSACTION'
  constructor() {
    super('appendEvent must be called with the Kysely transaction of the state change (db.transaction())')
  }
}

export interface AppendOptions {
  /** Event id (UUID) — the AMQP messageId. Default: a fresh UUID. Appending an id again returns the stored event. */
  id?: string
  /** When the event happened. Default: now. */
  occurredAt?: Date
}

/**
 * Appends an event to the outbox inside the caller's transaction. Validates the payload against
 * the catalogue (throws InvalidEventError), gives it the next sequence number of its aggregate,
 * and returns the envelope that will be delivered.
 */
export async function appendEvent(
  trx: Db,
  event: NewEvent,
  options: AppendOptions = {},
): Promise<EventEnvelope> {
  if (!trx.isTransaction) throw new NotInTransactionError()
  const payload = parsePayload(event.type, event.payload)
  if (options.id) {
    // A caller-chosen id (e.g. derived from a ledger log) makes appending idempotent: a replay
    // returns the event already in the outbox instead of a second one with a new sequence number.
    const existing = await trx
      .selectFrom('event_outbox')
      .select('body')
      .where('id', '=', options.id)
      .executeTakeFirst()
    if (existing) return JSON.parse(existing.body) as EventEnvelope
  }
  const aggregateId = aggregateOf(event.type, payload as never)
  // The upsert takes a row lock on the aggregate's counter, so concurrent transactions for the
  // same aggregate serialise here and their outbox seq follows their aggregate sequence.
  const { last_seq } = await trx
    .insertInto('event_aggregate_seq')
    .values({ aggregate_id: aggregateId, last_seq: '1' })
    .onConflict((oc) =>
      oc.column('aggregate_id').doUpdateSet({ last_seq: sql`event_aggregate_seq.last_seq + 1` }),
    )
    .returning('last_seq')
    .executeTakeFirstOrThrow()
  const occurredAt = options.occurredAt ?? new Date()
  const envelope: EventEnvelope = {
    id: options.id ?? randomUUID(),
    type: event.type,
    occurredAt: occurredAt.toISOString(),
    aggregateId,
    sequence: Number(last_seq),
    payload,
  } as EventEnvelope
  await trx
    .insertInto('event_outbox')
    .values({
      id: envelope.id,
      type: envelope.type,
      aggregate_id: aggregateId,
      aggregate_seq: String(last_seq),
      body: JSON.stringify(envelope),
      // Wall clock, not occurredAt: projections date events by block time, which a demo moves months
      // ahead; outbox lag and time per transaction are measured from when the event was appended.
      created_at: new Date(),
      last_error: null,
      dispatched_at: null,
    })
    .execute()
  outboxSignal.emit('appended')
  return envelope
}

/** A pending outbox row ready for a dispatcher: envelope, headers and the exact body bytes. */
export interface OutboxMessage {
  seq: string
  envelope: EventEnvelope
  headers: MoxHeaders & { 'x-tillid-aggregate': string; 'x-tillid-sequence': number }
  body: Buffer
  createdAt: Date
  attempts: number
}

export interface PendingRow {
  seq: string
  id: string
  type: string
  body: string
  created_at: Date
  attempts: number
}

export async function fetchPending(db: Db, limit: number): Promise<PendingRow[]> {
  return db
    .selectFrom('event_outbox')
    .select(['seq', 'id', 'type', 'body', 'created_at', 'attempts'])
    .where('status', '=', 'pending')
    .orderBy('seq')
    .limit(limit)
    .execute()
}

/** Pending rows after a position, for reading the next batch while the current one is in flight. */
export async function fetchPendingAfter(db: Db, afterSeq: string, limit: number): Promise<PendingRow[]> {
  return db
    .selectFrom('event_outbox')
    .select(['seq', 'id', 'type', 'body', 'created_at', 'attempts'])
    .where('status', '=', 'pending')
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute()
}

/** Turns a stored row into a message; a row that no longer parses is reported, not thrown. */
export function toMessage(row: PendingRow): OutboxMessage | { error: string } {
  try {
    if (!isEventType(row.type)) return { error: `unknown event type ${row.type}` }
    const envelope = JSON.parse(row.body) as EventEnvelope
    if (envelope.id !== row.id || envelope.type !== row.type) return { error: 'body does not match its row' }
    // The payload was validated by appendEvent; the relay's hot path checks shape, not schema again.
    if (typeof envelope.payload !== 'object' || envelope.payload === null)
      return { error: 'body has no payload' }
    const mox = moxHeaders(row.type, envelope.payload as never)
    if (typeof mox.objektID !== 'string' || typeof envelope.aggregateId !== 'string')
      return { error: 'body lacks its object or aggregate id' }
    return {
      seq: row.seq,
      envelope,
      headers: {
        ...mox,
        'x-tillid-aggregate': envelope.aggregateId,
        'x-tillid-sequence': envelope.sequence,
      },
      body: Buffer.from(row.body, 'utf8'),
      createdAt: new Date(row.created_at),
      attempts: row.attempts,
    }
  } catch (e) {
    return { error: (e as Error).message }
  }
}

/** Marks events dispatched by outbox seq (one array parameter, not one parameter per event). */
export async function markDispatched(db: Db, seqs: string[]): Promise<void> {
  if (seqs.length === 0) return
  await db
    .updateTable('event_outbox')
    .set({ status: 'dispatched', dispatched_at: new Date() })
    .where('seq', '=', sql<string>`any(${`{${seqs.join(',')}}`}::bigint[])`)
    .where('status', '=', 'pending')
    .execute()
}

export async function recordAttempt(db: Db, id: string, error: string): Promise<number> {
  const r = await db
    .updateTable('event_outbox')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error.slice(0, 1000) }))
    .where('id', '=', id)
    .returning('attempts')
    .executeTakeFirst()
  return r?.attempts ?? 0
}

export interface DeadLetterInput {
  direction: 'outbound' | 'inbound'
  messageId: string
  routingKey: string
  reason: string
  headers: Record<string, unknown>
  body: Buffer
}

export async function insertDeadLetter(db: Db, d: DeadLetterInput): Promise<string> {
  const r = await db
    .insertInto('event_dead_letter')
    .values({
      direction: d.direction,
      message_id: d.messageId,
      routing_key: d.routingKey,
      reason: d.reason.slice(0, 1000),
      headers: JSON.stringify(d.headers),
      body: d.body.toString('base64'),
      created_at: new Date(),
      replayed_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return r.id
}

/** Takes an outbound event out of delivery and records it as a dead letter, atomically. */
export async function markDead(db: Db, row: PendingRow, reason: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('event_outbox')
      .set({ status: 'dead', last_error: reason.slice(0, 1000) })
      .where('id', '=', row.id)
      .execute()
    await insertDeadLetter(trx, {
      direction: 'outbound',
      messageId: row.id,
      routingKey: row.type,
      reason,
      headers: {},
      body: Buffer.from(row.body, 'utf8'),
    })
  })
}

/** Depth and lag only, from the pending rows (partial index): cheap enough for every relay round. */
export async function pendingStats(db: Db, now = new Date()): Promise<{ depth: number; lagSeconds: number }> {
  const r = await db
    .selectFrom('event_outbox')
    .select([(eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.min('created_at').as('oldest')])
    .where('status', '=', 'pending')
    .executeTakeFirst()
  const oldest = r?.oldest ? new Date(r.oldest as Date) : null
  return {
    depth: Number(r?.n ?? 0),
    lagSeconds: oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0,
  }
}

/** Deletes dispatched events older than the retention; the broker and consumers have them. Returns the count. */
export async function pruneDispatched(db: Db, olderThan: Date): Promise<number> {
  const r = await db
    .deleteFrom('event_outbox')
    .where('status', '=', 'dispatched')
    .where('dispatched_at', '<', olderThan)
    .executeTakeFirst()
  return Number(r.numDeletedRows)
}

export interface OutboxStats {
  /** Events not yet dispatched. */
  depth: number
  /** Age in seconds of the oldest undispatched event (0 when none). */
  lagSeconds: number
  dispatched: number
  dead: number
}

export async function outboxStats(db: Db, now = new Date()): Promise<OutboxStats> {
  const rows = await db
    .selectFrom('event_outbox')
    .select([
      'status',
      (eb) => eb.fn.countAll<string>().as('n'),
      (eb) => eb.fn.min('created_at').as('oldest'),
    ])
    .groupBy('status')
    .execute()
  const by = (s: string) => rows.find((r) => r.status === s)
  const pending = by('pending')
  const oldest = pending?.oldest ? new Date(pending.oldest as Date) : null
  return {
    depth: Number(pending?.n ?? 0),
    lagSeconds: oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0,
    dispatched: Number(by('dispatched')?.n ?? 0),
    dead: Number(by('dead')?.n ?? 0),
  }
}
