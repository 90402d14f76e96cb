import type { ColumnType, Generated } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string | null>

export interface EventsTables {
  /** Transactional outbox: written in the caller's transaction, drained by the relay (docs/events.md). */
  event_outbox: {
    seq: Generated<string>
    id: string
    type: string
    aggregate_id: string
    aggregate_seq: string
    /** The event envelope as JSON (the message body). */
    body: string
    status: ColumnType<'pending' | 'dispatched' | 'dead', 'pending' | 'dispatched' | 'dead' | undefined>
    attempts: Generated<number>
    last_error: string | null
    created_at: Timestamp
    dispatched_at: Timestamp | null
  }
  /** Last sequence number handed out per aggregate (the ordering key). */
  event_aggregate_seq: {
    aggregate_id: string
    last_seq: string
  }
  /** Inbound messages that were handled, by AMQP messageId: redeliveries are recognised and skipped. */
  event_inbound_handled: {
    message_id: string
    queue: string
    handled_at: Timestamp
    result: string
  }
  /** Messages that failed permanently (outbound and inbound), with the reason, for listing and replay. */
  event_dead_letter: {
    id: Generated<string>
    direction: 'outbound' | 'inbound'
    message_id: string
    routing_key: string
    reason: string
    headers: string
    body: string
    created_at: Timestamp
    replayed_at: Timestamp | null
  }
}
