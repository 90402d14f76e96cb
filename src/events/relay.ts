/**
 * The outbox relay: reads pending events in outbox order, hands them to a dispatcher, and marks
 * them dispatched only after the dispatcher confirms. Run ONE relay per store.
 *
 * Ordering: within a batch only the longest confirmed prefix is marked; everything from the first
 * unconfirmed event on is sent again in the next round. Consumers may therefore see an event twice
 * (at-least-once) but, after de-duplicating by messageId, in outbox order — and so in order per
 * aggregate, whose sequence follows the outbox order (outbox.ts).
 */
import { type Kysely, sql } from 'kysely'
import pino, { type Logger } from 'pino'
import type { Database } from '../store/schema.ts'
import type { DeliveryOutcome, Dispatcher, InProcessBus } from './inProcess.ts'
import { eventMetrics, recordDelivery } from './metrics.ts'
import {
  fetchPending,
  fetchPendingAfter,
  markDead,
  markDispatched,
  type OutboxMessage,
  outboxSignal,
  type PendingRow,
  pendingStats,
  pruneDispatched,
  recordAttempt,
  toMessage,
} from './outbox.ts'

export interface RelayOptions {
  db: Kysely<Database>
  dispatcher: Dispatcher
  /** Local subscribers notified after the dispatcher confirmed (when the dispatcher is not the bus itself). */
  bus?: InProcessBus
  /** Events per round. Default 200. */
  batchSize?: number
  /** Poll interval when idle, ms. Default 250. */
  pollIntervalMs?: number
  /** Back-off after a failed round: initial × 2^n, capped, with ±20 % jitter. Defaults 100 ms and 5 s. */
  backoffInitialMs?: number
  backoffMaxMs?: number
  /** A message the broker rejected this many times is dead-lettered. Default 5. */
  maxAttempts?: number
  /** Dispatched events are deleted from the outbox after this many days (checked hourly). Default 30; 0 keeps them. */
  retainDays?: number
  logger?: Logger
}

export interface RelayStatus {
  running: boolean
  dispatcher: string
  consecutiveFailures: number
  lastError: string | null
  delivered: number
}

export class OutboxRelay {
  private readonly db: Kysely<Database>
  private readonly dispatcher: Dispatcher
  private readonly bus: InProcessBus | undefined
  private readonly batchSize: number
  private readonly pollIntervalMs: number
  private readonly backoffInitialMs: number
  private readonly backoffMaxMs: number
  private readonly maxAttempts: number
  private readonly log: Logger
  private running = false
  private loop: Promise<void> | null = null
  private wake: (() => void) | null = null
  private stopWake: (() => void) | null = null
  private signalled = false
  private failures = 0
  private lastError: string | null = null
  private delivered = 0
  private lastStatsAt = 0
  private lastPruneAt = 0
  private lastAnalyzeAt = 0
  private readonly retainDays: number
  private readonly onSignal = () => {
    this.signalled = true
    this.wake?.()
  }

  constructor(o: RelayOptions) {
    this.db = o.db
    this.dispatcher = o.dispatcher
    this.bus = o.bus && (o.bus as unknown) !== o.dispatcher ? o.bus : undefined
    this.batchSize = o.batchSize ?? 200
    this.pollIntervalMs = o.pollIntervalMs ?? 250
    this.backoffInitialMs = o.backoffInitialMs ?? 100
    this.backoffMaxMs = o.backoffMaxMs ?? 5000
    this.maxAttempts = o.maxAttempts ?? 5
    this.retainDays = o.retainDays ?? 30
    this.log = o.logger ?? pino({ level: 'silent' })
  }

  start(): void {
    if (this.running) return
    this.running = true
    outboxSignal.on('appended', this.onSignal)
    this.loop = this.run()
  }

  /** Stops after the round in flight; events not confirmed stay pending for the next start. */
  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    outboxSignal.off('appended', this.onSignal)
    this.stopWake?.()
    await this.loop
    this.loop = null
  }

  /** Polls at once (e.g. after a commit that appended events). */
  notify(): void {
    this.onSignal()
  }

  status(): RelayStatus {
    return {
      running: this.running,
      dispatcher: this.dispatcher.name,
      consecutiveFailures: this.failures,
      lastError: this.lastError,
      delivered: this.delivered,
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.signalled = false
      let wait: number
      let interruptible = true
      try {
        const r = await this.pump()
        if (r.failed) {
          this.failures++
          const base = Math.min(this.backoffMaxMs, this.backoffInitialMs * 2 ** (this.failures - 1))
          wait = Math.round(base * (0.8 + Math.random() * 0.4))
          // New appends must not cut the back-off short while the broker is down.
          interruptible = false
        } else {
          this.failures = 0
          if (this.signalled)
            // An empty read right after a signal may have raced the appending transaction's commit.
            wait = r.fetched === 0 ? 5 : 0
          else wait = this.pollIntervalMs
        }
      } catch (e) {
        // The store itself failed (e.g. PostgreSQL restarting): back off like a broker outage.
        this.failures++
        this.lastError = (e as Error).message
        this.log.error({ err: e }, 'outbox relay round failed')
        wait = Math.min(this.backoffMaxMs, this.backoffInitialMs * 2 ** (this.failures - 1))
        interruptible = false
      }
      if (this.running && wait > 0) await this.sleep(wait, interruptible)
    }
  }

  private sleep(ms: number, interruptible: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.wake = null
        this.stopWake = null
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.stopWake = done
      this.wake = interruptible ? done : null
    })
  }

  /** One round: fetch a batch, deliver, record outcomes. Exposed for tests and the CLI. */
  async round(): Promise<{ fetched: number; confirmed: number; failed: boolean }> {
    const rows = await fetchPending(this.db, this.batchSize)
    if (rows.length === 0) {
      await this.idle()
      return { fetched: 0, confirmed: 0, failed: false }
    }
    const { messages, rowOf } = await this.prepare(rows)
    const outcomes = messages.length ? await this.dispatcher.deliver(messages) : []
    const { confirmed, failed } = await this.settle(messages, outcomes, rowOf)
    await this.finish(confirmed, failed)
    return { fetched: rows.length, confirmed: confirmed.length, failed }
  }

  /**
   * Rounds back to back while batches come full, overlapping the store work with the broker: the
   * next batch is read while this one waits for its confirms, and this one is marked while the next
   * is published. A batch is only published after the one before it was fully confirmed, so the
   * ordering rule of round() holds.
   */
  private async pump(): Promise<{ fetched: number; failed: boolean }> {
    let rows = await fetchPending(this.db, this.batchSize)
    if (rows.length === 0) {
      await this.idle()
      return { fetched: 0, failed: false }
    }
    if (rows.length === this.batchSize && Date.now() - this.lastAnalyzeAt > 60_000) {
      // A backlog (e.g. after an outage). Without fresh statistics the planner expects few pending
      // rows and sorts them all for every batch; with them it walks the pending index in order.
      this.lastAnalyzeAt = Date.now()
      await sql`analyze event_outbox`.execute(this.db)
    }
    let fetched = 0
    let marking: Promise<void> = Promise.resolve()
    try {
      for (;;) {
        fetched += rows.length
        const full = rows.length === this.batchSize
        const lastSeq = (rows[rows.length - 1] as PendingRow).seq
        const { messages, rowOf } = await this.prepare(rows)
        const delivering = messages.length ? this.dispatcher.deliver(messages) : Promise.resolve([])
        const next = full && this.running ? fetchPendingAfter(this.db, lastSeq, this.batchSize) : null
        next?.catch(() => {})
        const { confirmed, failed } = await this.settle(messages, await delivering, rowOf)
        await marking
        marking = this.finish(confirmed, failed)
        if (failed || !next) return { fetched, failed }
        rows = await next
        if (rows.length === 0) return { fetched, failed: false }
      }
    } finally {
      await marking
    }
  }

  private async idle(): Promise<void> {
    await this.updateGauges(false)
    await this.prune()
  }

  /** Turns rows into messages; a row that no longer parses is dead-lettered here. */
  private async prepare(rows: PendingRow[]) {
    const messages: OutboxMessage[] = []
    const rowOf = new Map<string, PendingRow>()
    for (const row of rows) {
      const m = toMessage(row)
      if ('error' in m) {
        await this.deadLetter(row, `invalid: ${m.error}`)
        continue
      }
      messages.push(m)
      rowOf.set(m.envelope.id, row)
    }
    return { messages, rowOf }
  }

  /** The confirmed prefix of a batch; dead-letters what can never go and counts rejections. */
  private async settle(
    messages: OutboxMessage[],
    outcomes: DeliveryOutcome[],
    rowOf: Map<string, PendingRow>,
  ): Promise<{ confirmed: OutboxMessage[]; failed: boolean }> {
    const confirmed: OutboxMessage[] = []
    let failed = false
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i] as OutboxMessage
      const o = outcomes[i] ?? { kind: 'unavailable', error: 'no outcome' }
      if (o.kind === 'confirmed') {
        confirmed.push(m)
        continue
      }
      const row = rowOf.get(m.envelope.id) as PendingRow
      if (o.kind === 'invalid') {
        await this.deadLetter(row, `invalid: ${o.error}`)
        continue
      }
      failed = true
      this.lastError = o.error
      if (o.kind === 'rejected') {
        const attempts = await recordAttempt(this.db, m.envelope.id, o.error)
        if (attempts >= this.maxAttempts) {
          await this.deadLetter(row, `rejected ${attempts} times: ${o.error}`)
          // Taken out of the stream, so the events after it may go on.
          failed = false
          continue
        }
      }
      this.log.warn(
        { event: m.envelope.id, type: m.envelope.type, error: o.error },
        'event not delivered; will retry',
      )
      break
    }
    return { confirmed, failed }
  }

  /** Marks the confirmed events dispatched, then tells metrics and local subscribers. */
  private async finish(confirmed: OutboxMessage[], failed: boolean): Promise<void> {
    await markDispatched(
      this.db,
      confirmed.map((m) => m.seq),
    )
    const now = Date.now()
    for (const m of confirmed) {
      eventMetrics.confirmed.inc({ type: m.envelope.type, dispatcher: this.dispatcher.name })
      recordDelivery(Math.max(0, now - m.createdAt.getTime()) / 1000)
      if (this.bus) await this.bus.emit(m.envelope, m.headers)
    }
    this.delivered += confirmed.length
    await this.updateGauges(failed)
  }

  private async deadLetter(row: PendingRow, reason: string): Promise<void> {
    this.log.error({ event: row.id, type: row.type, reason }, 'event dead-lettered')
    await markDead(this.db, row, reason)
    eventMetrics.deadLetters.inc({ direction: 'outbound', reason: reason.split(':')[0] ?? 'unknown' })
    eventMetrics.failed.inc({ type: row.type, dispatcher: this.dispatcher.name, kind: 'dead' })
    // The store holds the dead letter for listing and replay; the broker copy is for other MOX tooling.
    await this.dispatcher
      .deadLetter?.({ routingKey: row.type, messageId: row.id, body: Buffer.from(row.body, 'utf8'), reason })
      .catch(() => {})
  }

  private async prune(): Promise<void> {
    const now = Date.now()
    if (this.retainDays <= 0 || now - this.lastPruneAt < 3_600_000) return
    this.lastPruneAt = now
    const n = await pruneDispatched(this.db, new Date(now - this.retainDays * 86_400_000))
    if (n) this.log.info({ deleted: n }, 'pruned dispatched events from the outbox')
  }

  private async updateGauges(force: boolean): Promise<void> {
    const now = Date.now()
    if (!force && now - this.lastStatsAt < 1000) return
    this.lastStatsAt = now
    const s = await pendingStats(this.db)
    eventMetrics.outboxDepth.set(s.depth)
    eventMetrics.outboxLag.set(s.lagSeconds)
  }
}
