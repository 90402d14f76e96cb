/**
 * One read for the Integrationer page (administrator): delivery state, counters, dead letters and
 * the business-case percentiles, so the API route only calls this and replayDeadLetter.
 */
import type { Kysely } from 'kysely'
import type { Counter } from 'prom-client'
import type { Database } from '../store/schema.ts'
import { type DeadLetter, listDeadLetters } from './deadLetters.ts'
import { eventMetrics, type Percentiles, transactionTimes } from './metrics.ts'
import { type OutboxStats, outboxStats } from './outbox.ts'
import type { RelayStatus } from './relay.ts'

export interface IntegrationOverview {
  outbox: OutboxStats
  relay: RelayStatus | null
  counters: {
    published: number
    confirmed: number
    failed: number
    deadLetters: number
    inboundHandled: number
    inboundFailed: number
  }
  /** The ESDH queue and the messages handled on it since the store began (the counters count since start). */
  inbound: { queue: string | null; handledTotal: number }
  /** Seconds: outbound = appended → confirmed; inbound = received → handled. */
  transactionTimes: { outbound: Percentiles; inbound: Percentiles }
  deadLetters: DeadLetter[]
}

async function total(c: Counter<string>, only?: (labels: Record<string, string | number>) => boolean) {
  const { values } = await c.get()
  return values
    .filter((v) => !only || only(v.labels as Record<string, string | number>))
    .reduce((s, v) => s + v.value, 0)
}

export async function integrationOverview(
  db: Kysely<Database>,
  relay?: { status(): RelayStatus },
  inboundQueue?: string,
  deadLetterLimit = 50,
): Promise<IntegrationOverview> {
  const handled = await db
    .selectFrom('event_inbound_handled')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
  return {
    outbox: await outboxStats(db),
    relay: relay?.status() ?? null,
    counters: {
      published: await total(eventMetrics.published),
      confirmed: await total(eventMetrics.confirmed),
      // Listener errors of in-process subscribers are not delivery failures.
      failed: await total(eventMetrics.failed, (l) => l.kind !== 'listener'),
      deadLetters: await total(eventMetrics.deadLetters),
      inboundHandled: await total(eventMetrics.inboundHandled, (l) => l.result === 'handled'),
      inboundFailed: await total(eventMetrics.inboundFailed),
    },
    inbound: { queue: inboundQueue ?? null, handledTotal: Number(handled.n) },
    transactionTimes: transactionTimes(),
    deadLetters: await listDeadLetters(db, { limit: deadLetterLimit }),
  }
}
