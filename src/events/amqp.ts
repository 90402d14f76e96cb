/**
 * AMQP transport (RabbitMQ via amqplib) following the MOX conventions (seed 004): a durable
 * topic exchange, routing key = event type, persistent JSON messages with MOX headers, messageId
 * = event id, publisher confirms, and a dead-letter exchange with one queue for everything that
 * failed permanently.
 */
import amqp, { type ChannelModel, type ConfirmChannel, type Options } from 'amqplib'
import type { DeliveryOutcome, Dispatcher } from './inProcess.ts'
import { eventMetrics } from './metrics.ts'
import type { OutboxMessage } from './outbox.ts'

export const DEFAULT_EXCHANGE = 'tillid.events'
export const DEFAULT_INBOUND_QUEUE = 'tillid.inbound.esdh'

/** Names derived from the exchange name, so one setting moves a whole installation (or a test run). */
export interface Topology {
  exchange: string
  /** Dead-letter exchange (topic): permanent failures, outbound and inbound, keep their routing key. */
  deadLetterExchange: string
  /** Durable queue bound to the dead-letter exchange with `#`. */
  deadLetterQueue: string
}

export function topologyFor(exchange: string = DEFAULT_EXCHANGE): Topology {
  return { exchange, deadLetterExchange: `${exchange}.dlx`, deadLetterQueue: `${exchange}.dead-letter` }
}

export async function assertTopology(ch: ConfirmChannel, t: Topology): Promise<void> {
  await ch.assertExchange(t.exchange, 'topic', { durable: true })
  await ch.assertExchange(t.deadLetterExchange, 'topic', { durable: true })
  await ch.assertQueue(t.deadLetterQueue, { durable: true })
  await ch.bindQueue(t.deadLetterQueue, t.deadLetterExchange, '#')
}

/** A connection with one confirm channel; `closed` flips when either goes away. */
export interface AmqpLink {
  connection: ChannelModel
  channel: ConfirmChannel
  closed: boolean
  close(): Promise<void>
}

export async function openLink(
  url: string,
  name: string,
  onClose?: (err?: Error) => void,
): Promise<AmqpLink> {
  const connection = await amqp.connect(url, { clientProperties: { connection_name: name }, timeout: 5000 })
  let notified = false
  const notify = (err?: Error) => {
    if (notified) return
    notified = true
    onClose?.(err)
  }
  const link: AmqpLink = {
    connection,
    channel: undefined as unknown as ConfirmChannel,
    closed: false,
    async close() {
      link.closed = true
      notify()
      await connection.close().catch(() => {})
    },
  }
  const lost = (err?: Error) => {
    if (!link.closed) {
      link.closed = true
      // A channel error leaves the connection open; close it so the next attempt starts clean.
      connection.close().catch(() => {})
    }
    notify(err)
  }
  // Without 'error' listeners a broker shutdown would be an unhandled error event and crash the process.
  connection.on('error', () => {})
  connection.on('close', (err?: Error) => lost(err))
  try {
    link.channel = await connection.createConfirmChannel()
  } catch (e) {
    await connection.close().catch(() => {})
    throw e
  }
  link.channel.on('error', () => {})
  link.channel.on('close', () => lost())
  return link
}

/** Publishes with a confirm; resolves with the broker's answer or the reason it could not be had. */
export function publishConfirmed(
  ch: ConfirmChannel,
  exchange: string,
  routingKey: string,
  body: Buffer,
  options: Options.Publish,
): { sent: boolean; confirmed: Promise<void> } {
  let sent = true
  const confirmed = new Promise<void>((resolve, reject) => {
    sent = ch.publish(exchange, routingKey, body, options, (err) => (err ? reject(err) : resolve()))
  })
  return { sent, confirmed }
}

export interface AmqpDispatcherOptions {
  url: string
  exchange?: string
  /** Shown in the RabbitMQ management UI and `rabbitmqctl list_connections`. */
  connectionName?: string
  /** A confirm not received within this time counts as a lost connection. Default 15 s. */
  confirmTimeoutMs?: number
  onConnectionLost?: (err?: Error) => void
}

export class AmqpDispatcher implements Dispatcher {
  readonly name = 'amqp'
  readonly topology: Topology
  private link: AmqpLink | null = null
  private connecting: Promise<AmqpLink> | null = null
  private closing = false

  constructor(private readonly options: AmqpDispatcherOptions) {
    this.topology = topologyFor(options.exchange)
  }

  /** The open link, connecting (and declaring the topology) if needed. Throws when the broker is unreachable. */
  async connect(): Promise<AmqpLink> {
    if (this.closing) throw new Error('dispatcher closed')
    if (this.link && !this.link.closed) return this.link
    if (!this.connecting) {
      this.connecting = (async () => {
        const link = await openLink(
          this.options.url,
          this.options.connectionName ?? 'tillid-outbox',
          this.options.onConnectionLost,
        )
        try {
          await assertTopology(link.channel, this.topology)
        } catch (e) {
          await link.close()
          throw e
        }
        this.link = link
        return link
      })().finally(() => {
        this.connecting = null
      })
    }
    return this.connecting
  }

  async deliver(messages: OutboxMessage[]): Promise<DeliveryOutcome[]> {
    let link: AmqpLink
    try {
      link = await this.connect()
    } catch (e) {
      const error = `broker unavailable: ${(e as Error).message}`
      for (const m of messages)
        eventMetrics.failed.inc({ type: m.envelope.type, dispatcher: this.name, kind: 'unavailable' })
      return messages.map(() => ({ kind: 'unavailable', error }))
    }
    const ch = link.channel
    const pending: Promise<DeliveryOutcome>[] = []
    for (const m of messages) {
      if (link.closed) {
        pending.push(Promise.resolve({ kind: 'unavailable', error: 'connection lost' }))
        continue
      }
      try {
        const { sent, confirmed } = publishConfirmed(ch, this.topology.exchange, m.envelope.type, m.body, {
          persistent: true,
          messageId: m.envelope.id,
          contentType: 'application/json',
          contentEncoding: 'utf-8',
          type: m.envelope.type,
          timestamp: Math.floor(new Date(m.envelope.occurredAt).getTime() / 1000),
          appId: 'tillid',
          headers: m.headers,
        })
        eventMetrics.published.inc({ type: m.envelope.type, dispatcher: this.name })
        pending.push(
          confirmed.then(
            (): DeliveryOutcome => ({ kind: 'confirmed' }),
            (err: Error): DeliveryOutcome =>
              link.closed
                ? { kind: 'unavailable', error: `connection lost before confirm: ${err?.message ?? err}` }
                : { kind: 'rejected', error: `broker nack: ${err?.message ?? err}` },
          ),
        )
        // Respect flow control: wait for the socket to drain (or the link to die) before writing more.
        if (!sent) await waitForDrain(link)
      } catch (e) {
        const err = e as Error
        pending.push(
          Promise.resolve(
            err instanceof RangeError
              ? { kind: 'invalid', error: err.message }
              : { kind: 'unavailable', error: err.message },
          ),
        )
      }
    }
    const outcomes = await withTimeout(Promise.all(pending), this.options.confirmTimeoutMs ?? 15_000)
    if (outcomes === 'timeout') {
      // A half-open connection: drop it so the next attempt reconnects; nothing here was confirmed for sure.
      await link.close()
      return messages.map(() => ({ kind: 'unavailable', error: 'no publisher confirm in time' }))
    }
    outcomes.forEach((o, i) => {
      const type = messages[i]?.envelope.type ?? 'unknown'
      if (o.kind !== 'confirmed') eventMetrics.failed.inc({ type, dispatcher: this.name, kind: o.kind })
    })
    return outcomes
  }

  async deadLetter(message: {
    routingKey: string
    messageId: string
    body: Buffer
    reason: string
  }): Promise<void> {
    const link = await this.connect()
    await publishConfirmed(link.channel, this.topology.deadLetterExchange, message.routingKey, message.body, {
      persistent: true,
      messageId: message.messageId,
      contentType: 'application/json',
      headers: { 'x-tillid-reason': message.reason, 'x-tillid-direction': 'outbound' },
    }).confirmed
  }

  async close(): Promise<void> {
    this.closing = true
    await this.connecting?.catch(() => {})
    await this.link?.close()
    this.link = null
  }
}

function waitForDrain(link: AmqpLink): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      link.channel.off('drain', done)
      link.channel.off('close', done)
      resolve()
    }
    link.channel.once('drain', done)
    link.channel.once('close', done)
  })
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined
  const t = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms)
  })
  try {
    return await Promise.race([p, t])
  } finally {
    clearTimeout(timer)
  }
}
