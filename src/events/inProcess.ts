/**
 * The dispatcher contract, and the in-process dispatcher (embedded default): subscribers in
 * this process receive each event once the relay takes it from the outbox.
 */
import type { EventEnvelope, EventType, MoxHeaders } from './catalogue.ts'
import { eventMetrics } from './metrics.ts'
import type { OutboxMessage } from './outbox.ts'

/**
 * confirmed: delivered (broker confirm); unavailable: the transport is down (retry later, does
 * not count as an attempt); rejected: the broker refused this message (counts as an attempt);
 * invalid: can never be delivered (dead-letter now).
 */
export type DeliveryOutcome =
  | { kind: 'confirmed' }
  | { kind: 'unavailable'; error: string }
  | { kind: 'rejected'; error: string }
  | { kind: 'invalid'; error: string }

export interface Dispatcher {
  readonly name: string
  /** Delivers the messages in order; one outcome per message. Never throws. */
  deliver(messages: OutboxMessage[]): Promise<DeliveryOutcome[]>
  /** Puts a message that failed permanently on the dead-letter exchange, if the transport has one. */
  deadLetter?(message: { routingKey: string; messageId: string; body: Buffer; reason: string }): Promise<void>
  close(): Promise<void>
}

export type EventListener = (event: EventEnvelope, headers: MoxHeaders) => void | Promise<void>

/** AMQP topic semantics: words separated by dots, `*` matches one word, `#` zero or more. */
export function topicMatcher(pattern: string): (routingKey: string) => boolean {
  if (pattern === '#') return () => true
  const words = pattern.split('.')
  const match = (i: number, key: string[], j: number): boolean => {
    if (i === words.length) return j === key.length
    const w = words[i]
    if (w === '#') {
      for (let k = j; k <= key.length; k++) if (match(i + 1, key, k)) return true
      return false
    }
    if (j === key.length) return false
    return (w === '*' || w === key[j]) && match(i + 1, key, j + 1)
  }
  return (routingKey) => match(0, routingKey.split('.'), 0)
}

interface Subscription {
  pattern: string
  matches: (key: string) => boolean
  listener: EventListener
}

export class InProcessBus implements Dispatcher {
  readonly name = 'in-process'
  private subs: Subscription[] = []

  constructor(private readonly onListenerError: (error: unknown, event: EventEnvelope) => void = () => {}) {}

  /**
   * Subscribes to events whose type matches the topic pattern (`payment.*.v1`, `agreement.#`, `#`).
   * Listeners run in order per event and are awaited; a throwing listener is reported and counted,
   * it does not stop delivery to the others. Returns the unsubscribe function.
   */
  subscribe<T extends EventType>(pattern: T | (string & {}), listener: EventListener): () => void {
    const sub: Subscription = { pattern, matches: topicMatcher(pattern), listener }
    this.subs.push(sub)
    return () => {
      this.subs = this.subs.filter((s) => s !== sub)
    }
  }

  /** Delivers one event to the matching listeners. */
  async emit(event: EventEnvelope, headers: MoxHeaders): Promise<void> {
    for (const s of this.subs) {
      if (!s.matches(event.type)) continue
      try {
        await s.listener(event, headers)
      } catch (e) {
        eventMetrics.failed.inc({ type: event.type, dispatcher: this.name, kind: 'listener' })
        this.onListenerError(e, event)
      }
    }
  }

  async deliver(messages: OutboxMessage[]): Promise<DeliveryOutcome[]> {
    const out: DeliveryOutcome[] = []
    for (const m of messages) {
      eventMetrics.published.inc({ type: m.envelope.type, dispatcher: this.name })
      await this.emit(m.envelope, m.headers)
      out.push({ kind: 'confirmed' })
    }
    return out
  }

  async close(): Promise<void> {
    this.subs = []
  }
}
