/**
 * Public API of the events module (docs/events.md). Services append events with `appendEvent`
 * inside their transaction; `startEvents` runs the relay and, with a broker, the ESDH consumer.
 */
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '../store/schema.ts'
import { AmqpDispatcher, DEFAULT_EXCHANGE, DEFAULT_INBOUND_QUEUE } from './amqp.ts'
import {
  InboundConsumer,
  type InboundHandlers,
  type InboundOutcome,
  InProcessInbox,
  type RawInbound,
} from './inbound.ts'
import { InProcessBus } from './inProcess.ts'
import { OutboxRelay } from './relay.ts'

export * from './amqp.ts'
export * from './catalogue.ts'
export * from './deadLetters.ts'
export * from './inbound.ts'
export * from './inProcess.ts'
export * from './metrics.ts'
export * from './outbox.ts'
export * from './relay.ts'
export * from './status.ts'

export interface StartEventsOptions {
  db: Kysely<Database>
  /** config.amqpUrl: unset → in-process delivery only (embedded default). */
  amqpUrl?: string
  /** config.amqpExchange. */
  amqpExchange?: string
  /**
   * Handlers for inbound ESDH messages. They can also be attached later with `attachInbound` (the
   * services build them from the finished instance); until then no consumer runs.
   */
  inbound?: InboundHandlers
  /** config.amqpInboundQueue. */
  inboundQueue?: string
  batchSize?: number
  pollIntervalMs?: number
  logger?: Logger
}

export interface EventsRuntime {
  /** Subscribe here for events in this process; in AMQP mode they arrive after the broker confirmed. */
  bus: InProcessBus
  relay: OutboxRelay
  dispatcher: AmqpDispatcher | InProcessBus
  /** The AMQP consumer of the ESDH queue: only with a broker and once handlers are attached. */
  consumer: InboundConsumer | null
  /** Name of the ESDH queue (also the dead letters' routing key for messages received in-process). */
  inboundQueue: string
  /** The attached handlers (replaying an inbound dead letter needs them). */
  inbound: InboundHandlers | null
  /** Attaches the handlers and, with a broker, starts consuming the ESDH queue. Once. */
  attachInbound(handlers: InboundHandlers): void
  /**
   * Handles one ESDH message in this process, as the consumer would (embedded mode, or posted
   * through the API). Throws only when no handlers are attached or the store fails.
   */
  receiveInbound(raw: Omit<RawInbound, 'queue'>): Promise<InboundOutcome & { deadLetterId?: string }>
  stop(): Promise<void>
}

/** Starts event delivery for a store: call once at start-up, `stop()` at shutdown. */
export function startEvents(o: StartEventsOptions): EventsRuntime {
  const bus = new InProcessBus((error, event) =>
    o.logger?.error({ err: error, event: event.id, type: event.type }, 'event listener failed'),
  )
  const dispatcher = o.amqpUrl
    ? new AmqpDispatcher({
        url: o.amqpUrl,
        exchange: o.amqpExchange ?? DEFAULT_EXCHANGE,
        onConnectionLost: (err) =>
          o.logger?.warn({ err: err?.message }, 'AMQP connection lost; events wait in the outbox'),
      })
    : bus
  const relay = new OutboxRelay({
    db: o.db,
    dispatcher,
    bus,
    batchSize: o.batchSize,
    pollIntervalMs: o.pollIntervalMs,
    logger: o.logger,
  })
  relay.start()
  const inboundQueue = o.inboundQueue ?? DEFAULT_INBOUND_QUEUE
  let consumer: InboundConsumer | null = null
  let inbox: InProcessInbox | null = null
  let handlers: InboundHandlers | null = null
  let stopped = false
  const attachInbound = (h: InboundHandlers) => {
    if (handlers) throw new Error('inbound handlers are attached already')
    if (stopped) return
    handlers = h
    inbox = new InProcessInbox({ db: o.db, handlers: h, logger: o.logger })
    if (o.amqpUrl) {
      consumer = new InboundConsumer({
        url: o.amqpUrl,
        exchange: o.amqpExchange ?? DEFAULT_EXCHANGE,
        queue: inboundQueue,
        db: o.db,
        handlers: h,
        logger: o.logger,
      })
      consumer.start()
      runtime.consumer = consumer
    }
    runtime.inbound = h
  }
  const runtime: EventsRuntime = {
    bus,
    relay,
    dispatcher,
    consumer,
    inboundQueue,
    inbound: null,
    attachInbound,
    async receiveInbound(raw) {
      if (!inbox) throw new Error('no inbound handlers attached')
      return inbox.receive({ ...raw, queue: inboundQueue })
    },
    async stop() {
      stopped = true
      await consumer?.stop()
      await relay.stop()
      await dispatcher.close()
    },
  }
  if (o.inbound) attachInbound(o.inbound)
  return runtime
}
