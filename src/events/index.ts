/**
 * Public API of the events module (docs/events.md). Services append events with `appendEvent`
 * inside their transaction; `startEvents` runs the relay and, with a broker, the ESDH consumer.
 */
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '../store/schema.ts'
import { AmqpDispatcher, DEFAULT_EXCHANGE } from './amqp.ts'
import { InboundConsumer, type InboundHandlers } from './inbound.ts'
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
  /** Handlers for inbound ESDH messages; without them (or without a broker) no consumer runs. */
  inbound?: InboundHandlers
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
  consumer: InboundConsumer | null
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
  const consumer =
    o.amqpUrl && o.inbound
      ? new InboundConsumer({
          url: o.amqpUrl,
          exchange: o.amqpExchange ?? DEFAULT_EXCHANGE,
          queue: o.inboundQueue,
          db: o.db,
          handlers: o.inbound,
          logger: o.logger,
        })
      : null
  consumer?.start()
  return {
    bus,
    relay,
    dispatcher,
    consumer,
    async stop() {
      await consumer?.stop()
      await relay.stop()
      await dispatcher.close()
    },
  }
}
