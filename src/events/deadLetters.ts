/**
 * Dead letters for operators (the Integrationer page): list them with their reason and replay one.
 * The store is the record; the broker's dead-letter queue holds copies for other MOX tooling.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../store/schema.ts'
import { type InboundOutcome, type ProcessOptions, processInbound } from './inbound.ts'
import { eventMetrics } from './metrics.ts'

type Db = Kysely<Database>

export interface DeadLetter {
  id: string
  direction: 'outbound' | 'inbound'
  messageId: string
  /** Event type (outbound) or queue name (inbound). */
  routingKey: string
  reason: string
  headers: Record<string, unknown>
  /** Size of the body in bytes (the body itself can be large and may hold a document). */
  size: number
  createdAt: Date
  replayedAt: Date | null
}

export interface ListDeadLettersOptions {
  direction?: 'outbound' | 'inbound'
  /** Include letters already replayed successfully. Default false. */
  includeReplayed?: boolean
  limit?: number
}

export async function listDeadLetters(db: Db, o: ListDeadLettersOptions = {}): Promise<DeadLetter[]> {
  let q = db
    .selectFrom('event_dead_letter')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(o.limit ?? 100)
  if (o.direction) q = q.where('direction', '=', o.direction)
  if (!o.includeReplayed) q = q.where('replayed_at', 'is', null)
  const rows = await q.execute()
  return rows.map((r) => ({
    id: r.id,
    direction: r.direction,
    messageId: r.message_id,
    routingKey: r.routing_key,
    reason: r.reason,
    headers: JSON.parse(r.headers) as Record<string, unknown>,
    size: Math.floor((r.body.length * 3) / 4) - (r.body.endsWith('==') ? 2 : r.body.endsWith('=') ? 1 : 0),
    createdAt: new Date(r.created_at),
    replayedAt: r.replayed_at ? new Date(r.replayed_at) : null,
  }))
}

export class DeadLetterNotFoundError extends Error {
  readonly code = 'DEAD_LETTER_NOT_FOUND'
  constructor(readonly id: string) {
    super(`no dead letter ${id}, or it was replayed already`)
  }
}

export type ReplayResult =
  | { direction: 'outbound'; requeued: true }
  | { direction: 'inbound'; outcome: InboundOutcome; replayed: boolean }

/**
 * Replays one dead letter. Outbound: the event goes back into the outbox as pending (with its
 * original id, so consumers that saw it before drop it) and the relay delivers it. Inbound: the
 * message is processed again now with the given handlers; if it fails again the letter stays,
 * with the new reason.
 */
export async function replayDeadLetter(
  db: Db,
  id: string,
  inbound?: Omit<ProcessOptions, 'db'>,
): Promise<ReplayResult> {
  const row = await db
    .selectFrom('event_dead_letter')
    .selectAll()
    .where('id', '=', id)
    .where('replayed_at', 'is', null)
    .executeTakeFirst()
  if (!row) throw new DeadLetterNotFoundError(id)
  if (row.direction === 'outbound') {
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('event_outbox')
        .set({ status: 'pending', attempts: 0, last_error: null })
        .where('id', '=', row.message_id)
        .where('status', '=', 'dead')
        .execute()
      await trx
        .updateTable('event_dead_letter')
        .set({ replayed_at: new Date() })
        .where('id', '=', id)
        .execute()
    })
    return { direction: 'outbound', requeued: true }
  }
  if (!inbound) throw new Error('replaying an inbound dead letter needs the inbound handlers')
  const headers = JSON.parse(row.headers) as Record<string, unknown>
  const type = typeof headers['x-tillid-type'] === 'string' ? (headers['x-tillid-type'] as string) : undefined
  const outcome = await processInbound(
    { ...inbound, db },
    {
      queue: row.routing_key,
      messageId: row.message_id || undefined,
      type,
      headers,
      content: Buffer.from(row.body, 'base64'),
    },
  )
  if (outcome.kind === 'dead') {
    await db.updateTable('event_dead_letter').set({ reason: outcome.reason }).where('id', '=', id).execute()
    return { direction: 'inbound', outcome, replayed: false }
  }
  await db.updateTable('event_dead_letter').set({ replayed_at: new Date() }).where('id', '=', id).execute()
  eventMetrics.inboundHandled.inc({ queue: row.routing_key, result: outcome.kind })
  return { direction: 'inbound', outcome, replayed: true }
}
