/**
 * Inbound MOX messages from the municipality's ESDH system (seed 004, issue 9): "a document was
 * journalised on a case" becomes a status report on the matching agreement. The services layer
 * provides the handler that does that; this module validates, de-duplicates, times and
 * dead-letters. A message is never dropped silently and never crashes the consumer: it is
 * handled, recognised as a redelivery, or dead-lettered with a reason (header x-tillid-reason).
 */
import type { Kysely } from 'kysely'
import pino, { type Logger } from 'pino'
import { z } from 'zod'
import type { Database } from '../store/schema.ts'
import {
  type AmqpLink,
  assertTopology,
  DEFAULT_INBOUND_QUEUE,
  openLink,
  publishConfirmed,
  topologyFor,
} from './amqp.ts'
import { code, isoDate, ref } from './catalogue.ts'
import { eventMetrics, recordInbound } from './metrics.ts'
import { insertDeadLetter } from './outbox.ts'

type Db = Kysely<Database>

export const DOCUMENT_JOURNALISED = 'esdh.document.journalised.v1'

/** Largest document accepted inline (base64 characters): ~15 MB of PDF. */
const MAX_CONTENT_BASE64 = 20 * 1024 * 1024

/** The body of a "document journalised" message. Unknown fields from ESDH systems are ignored. */
export const documentJournalisedSchema = z.object({
  /** Sagsnummer (or case UUID) the document was journalised on. */
  caseRef: ref(),
  /** Set when the ESDH system knows the agreement; otherwise the handler matches by case. */
  agreementId: z.uuid().optional(),
  /** The municipality whose ESDH system sends (3 digits); narrows a sagsnummer that several municipalities use. */
  municipalityCode: z
    .string()
    .regex(/^\d{3}$/)
    .optional(),
  /** CVR of the provider the document came from; picks the agreement when the case has several. */
  providerCvr: z
    .string()
    .regex(/^\d{8}$/)
    .optional(),
  obligationId: ref().optional(),
  /** The document's id in the ESDH system (stable across redeliveries). */
  documentId: ref(),
  journalisedAt: z.iso.datetime({ offset: true }),
  documentDate: isoDate().optional(),
  /** Document kind in the ESDH system's vocabulary (e.g. statusrapport). */
  documentKind: code().optional(),
  /** Title as journalised; personal data may occur, so it is stored only encrypted with the case. */
  title: z.string().max(500).optional(),
  contentType: z.string().min(1).max(100).default('application/pdf'),
  contentBase64: z.base64().min(1).max(MAX_CONTENT_BASE64),
})

export type DocumentJournalisedBody = z.output<typeof documentJournalisedSchema>

export interface DocumentJournalised extends DocumentJournalisedBody {
  /** The AMQP messageId: use it as the idempotency key of what the handler does. */
  messageId: string
  receivedAt: Date
}

/** What a handled message led to (stored with the message id, returned by the API). */
export interface HandledDetails {
  reportId?: string
  agreementId?: string
  /** Withheld months the report released. */
  released?: { period: string; amountOre: string }[]
  /** The report was on the agreement already (the same document delivered again under a new message id). */
  alreadyDelivered?: boolean
}

/**
 * What the handler found: handled (a status report exists now), unmatched (no agreement matches)
 * or refused (the agreement matches but takes no report now, e.g. none is due). The last two are
 * dead-lettered with their reason and can be replayed when the cause is gone.
 */
export type InboundResult =
  | ({ status: 'handled' } & HandledDetails)
  | { status: 'unmatched'; reason: string }
  | { status: 'refused'; reason: string }

export interface InboundHandlers {
  /**
   * Turns a journalised document into a status report on the matching agreement (services layer).
   * Return `unmatched` or `refused` with a reason for a document that cannot become a report; throw
   * only for passing trouble (it is retried, then dead-lettered with reason handler-error).
   */
  onDocumentJournalised(doc: DocumentJournalised): Promise<InboundResult>
}

/** A message as it came off the queue, independent of AMQP (also used to replay dead letters). */
export interface RawInbound {
  queue: string
  messageId: string | undefined
  type: string | undefined
  headers: Record<string, unknown>
  content: Buffer
  receivedAt?: Date
}

export type InboundOutcome =
  | ({ kind: 'handled' } & HandledDetails)
  | { kind: 'duplicate' }
  | { kind: 'dead'; reasonCode: string; reason: string }

export interface ProcessOptions {
  db: Db
  handlers: InboundHandlers
  /** Attempts for a throwing handler before the message is dead-lettered. Default 3. */
  handlerAttempts?: number
  /** Back-off between handler attempts: initial × 4^n ms. Default 100. */
  retryInitialMs?: number
  logger?: Logger
}

const dead = (reasonCode: string, reason: string): InboundOutcome => ({ kind: 'dead', reasonCode, reason })

/** Which kind of message this is: the AMQP type property, or the MOX headers of a journalised document. */
function isDocumentJournalised(raw: RawInbound): boolean {
  if (raw.type) return raw.type === DOCUMENT_JOURNALISED
  const h = raw.headers
  return h.objekttype === 'Dokument' && (h.operation === 'journaliser' || h.operation === 'opret')
}

/**
 * Validates, de-duplicates and hands one inbound message to its handler. Never throws for a bad
 * message; the caller acts on the outcome (ack, or dead-letter then ack).
 */
export async function processInbound(o: ProcessOptions, raw: RawInbound): Promise<InboundOutcome> {
  const receivedAt = raw.receivedAt ?? new Date()
  const messageId = raw.messageId
  if (!messageId)
    return dead('missing-message-id', 'missing-message-id: messageId is required for de-duplication')
  if (messageId.length > 200)
    return dead('missing-message-id', 'missing-message-id: messageId longer than 200')
  const seen = await o.db
    .selectFrom('event_inbound_handled')
    .select('message_id')
    .where('message_id', '=', messageId)
    .executeTakeFirst()
  if (seen) return { kind: 'duplicate' }
  if (!isDocumentJournalised(raw))
    return dead(
      'unsupported-type',
      `unsupported-type: ${raw.type ?? JSON.stringify(raw.headers.objekttype ?? null)}`,
    )

  let json: unknown
  try {
    json = JSON.parse(raw.content.toString('utf8'))
  } catch {
    // JSON.parse quotes the input in its message; the body may hold personal data, so say only where.
    return dead('malformed', `malformed: body is not JSON (${raw.content.length} bytes)`)
  }
  const parsed = documentJournalisedSchema.safeParse(json)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
    return dead('invalid', `invalid: ${issues.join('; ').slice(0, 800)}`)
  }

  const attempts = o.handlerAttempts ?? 3
  const initial = o.retryInitialMs ?? 100
  let lastError = ''
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const result = await o.handlers.onDocumentJournalised({ ...parsed.data, messageId, receivedAt })
      if (result.status !== 'handled') return dead(result.status, `${result.status}: ${result.reason}`)
      await o.db
        .insertInto('event_inbound_handled')
        .values({
          message_id: messageId,
          queue: raw.queue,
          handled_at: new Date(),
          result: JSON.stringify(result),
        })
        .onConflict((oc) => oc.column('message_id').doNothing())
        .execute()
      recordInbound(Math.max(0, Date.now() - receivedAt.getTime()) / 1000)
      const { status: _, ...details } = result
      return { kind: 'handled', ...details }
    } catch (e) {
      lastError = (e as Error)?.message ?? String(e)
      o.logger?.warn({ messageId, attempt, error: lastError }, 'inbound handler failed')
      if (attempt < attempts) await new Promise((r) => setTimeout(r, initial * 4 ** (attempt - 1)))
    }
  }
  return dead('handler-error', `handler-error: ${lastError.slice(0, 500)}`)
}

export interface InboundConsumerOptions extends ProcessOptions {
  url: string
  /** Exchange whose dead-letter exchange receives the rejects. Default tillid.events. */
  exchange?: string
  queue?: string
  prefetch?: number
  backoffInitialMs?: number
  backoffMaxMs?: number
  connectionName?: string
}

/**
 * Consumes the ESDH queue with reconnects (exponential back-off while the broker is away).
 * Messages are processed one at a time, in queue order.
 */
export class InboundConsumer {
  readonly queue: string
  private link: AmqpLink | null = null
  private running = false
  private loop: Promise<void> | null = null
  private wake: (() => void) | null = null
  private chain: Promise<void> = Promise.resolve()
  private readonly log: Logger
  private readyResolvers: (() => void)[] = []

  constructor(private readonly o: InboundConsumerOptions) {
    this.queue = o.queue ?? DEFAULT_INBOUND_QUEUE
    this.log = o.logger ?? pino({ level: 'silent' })
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.loop = this.run()
  }

  /** Resolves once the consumer is attached to its queue (after start, or after a reconnect). */
  ready(): Promise<void> {
    if (this.link && !this.link.closed) return Promise.resolve()
    return new Promise((r) => this.readyResolvers.push(r))
  }

  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    this.wake?.()
    await this.chain.catch(() => {})
    await this.link?.close()
    await this.loop
  }

  private async run(): Promise<void> {
    let failures = 0
    while (this.running) {
      try {
        const closed = new Promise<void>((resolve) => {
          this.wake = resolve
        })
        const link = await openLink(this.o.url, this.o.connectionName ?? 'tillid-inbound', () =>
          this.wake?.(),
        )
        this.link = link
        const t = topologyFor(this.o.exchange)
        await assertTopology(link.channel, t)
        await link.channel.assertQueue(this.queue, {
          durable: true,
          arguments: { 'x-dead-letter-exchange': t.deadLetterExchange },
        })
        await link.channel.prefetch(this.o.prefetch ?? 10)
        await link.channel.consume(this.queue, (msg) => {
          // null: the broker cancelled the consumer (queue deleted); reconnecting declares it again.
          if (!msg) {
            link.close()
            return
          }
          // Sequential: one message at a time keeps the queue's order and bounds load on the store.
          this.chain = this.chain.then(() => this.onMessage(link, msg, t.deadLetterExchange))
        })
        failures = 0
        for (const r of this.readyResolvers.splice(0)) r()
        await closed
        // Let the message in hand finish (ack or dead-letter) before the connection goes.
        await this.chain.catch(() => {})
        await link.close()
        this.link = null
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'inbound consumer cannot reach the broker')
      }
      if (!this.running) break
      failures++
      const ms = Math.min(this.o.backoffMaxMs ?? 5000, (this.o.backoffInitialMs ?? 100) * 2 ** (failures - 1))
      await new Promise<void>((r) => {
        const timer = setTimeout(r, ms)
        this.wake = () => {
          clearTimeout(timer)
          r()
        }
      })
    }
  }

  private async onMessage(
    link: AmqpLink,
    msg: import('amqplib').ConsumeMessage,
    deadLetterExchange: string,
  ): Promise<void> {
    const receivedAt = new Date()
    const raw: RawInbound = {
      queue: this.queue,
      messageId: msg.properties.messageId,
      type: msg.properties.type,
      headers: (msg.properties.headers ?? {}) as Record<string, unknown>,
      content: msg.content,
      receivedAt,
    }
    let outcome: InboundOutcome
    try {
      outcome = await processInbound({ ...this.o, logger: this.log }, raw)
    } catch (e) {
      // The store failed: leave the message unacked; it is redelivered after reconnect.
      this.log.error({ err: (e as Error).message }, 'inbound processing failed; message left on the queue')
      await link.close()
      return
    }
    if (link.closed) return
    try {
      await recordOutcome(
        this.o.db,
        raw,
        outcome,
        (headers) =>
          publishConfirmed(link.channel, deadLetterExchange, raw.queue, raw.content, {
            persistent: true,
            messageId: raw.messageId,
            type: raw.type,
            headers,
          }).confirmed,
      )
      if (outcome.kind === 'dead')
        this.log.warn({ messageId: raw.messageId, reason: outcome.reason }, 'inbound message dead-lettered')
      link.channel.ack(msg)
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'could not dead-letter; message left on the queue')
      await link.close()
    }
  }
}

/**
 * Records what became of an inbound message: the counters, and for one that could not be handled
 * the dead letter — first the broker copy (`copy`, confirmed; AMQP only), then the store's record,
 * which the Integrationer page lists and replays. Returns the dead letter's id.
 */
export async function recordOutcome(
  db: Db,
  raw: RawInbound,
  outcome: InboundOutcome,
  copy?: (headers: Record<string, unknown>) => Promise<void>,
): Promise<string | undefined> {
  if (outcome.kind !== 'dead') {
    eventMetrics.inboundHandled.inc({ queue: raw.queue, result: outcome.kind })
    return undefined
  }
  const headers = {
    ...raw.headers,
    'x-tillid-reason': outcome.reason,
    'x-tillid-reason-code': outcome.reasonCode,
    'x-tillid-queue': raw.queue,
    'x-tillid-direction': 'inbound',
  }
  await copy?.(headers)
  const id = await insertDeadLetter(db, {
    direction: 'inbound',
    messageId: raw.messageId ?? '',
    routingKey: raw.queue,
    reason: outcome.reason,
    headers: { ...headers, 'x-tillid-type': raw.type ?? null },
    body: raw.content,
  })
  eventMetrics.deadLetters.inc({ direction: 'inbound', reason: outcome.reasonCode })
  eventMetrics.inboundFailed.inc({ queue: raw.queue, reason: outcome.reasonCode })
  return id
}

/**
 * Receives one inbound message in this process (embedded mode without a broker, or posted through
 * the API): the same validation, de-duplication, handling and dead-lettering as the AMQP consumer.
 * Calls are handled one at a time, like the consumer's queue, so a redelivery racing its original
 * still has exactly one effect.
 */
export class InProcessInbox {
  private chain: Promise<unknown> = Promise.resolve()

  constructor(private readonly o: ProcessOptions) {}

  receive(raw: RawInbound): Promise<InboundOutcome & { deadLetterId?: string }> {
    // Received now: time spent waiting behind another message counts towards its handling time.
    const received = { ...raw, receivedAt: raw.receivedAt ?? new Date() }
    const run = async () => {
      const outcome = await processInbound(this.o, received)
      const deadLetterId = await recordOutcome(this.o.db, raw, outcome)
      if (outcome.kind === 'dead')
        this.o.logger?.warn(
          { messageId: raw.messageId, reason: outcome.reason },
          'inbound message dead-lettered',
        )
      return deadLetterId ? { ...outcome, deadLetterId } : outcome
    }
    const next = this.chain.then(run, run)
    this.chain = next.catch(() => {})
    return next
  }
}
