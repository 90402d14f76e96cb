/**
 * Monitoring of the event exchange: Prometheus metrics for the integration, and for the
 * administrator the outbox, relay, dead letters with replay, and time per transaction.
 */
import type { FastifyInstance } from 'fastify'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { z } from 'zod'
import { DeadLetterNotFoundError } from '../../events/deadLetters.ts'
import {
  DOCUMENT_JOURNALISED,
  eventsRegistry,
  integrationOverview,
  replayDeadLetter,
} from '../../events/index.ts'
import { requirePermission } from '../../identity/authorise.ts'
import type { ServiceContext } from '../../services/context.ts'
import { TillidError } from '../errors.ts'

const processRegistry = new Registry()
collectDefaultMetrics({ register: processRegistry, prefix: 'tillid_' })
const metrics = Registry.merge([processRegistry, eventsRegistry])

/** Largest inbound message accepted over HTTP, as JSON text: the schema's 20 MB of base64 and some fields. */
const MAX_INBOUND_BYTES = 21 * 1024 * 1024

/**
 * An ESDH message as the AMQP consumer would receive it: the body (a JSON object, or text that is
 * kept as it is so a malformed body can be dead-lettered like one off the queue), the messageId and
 * the AMQP type or MOX headers.
 */
const inboundBody = z.object({
  messageId: z.string().min(1).max(200),
  type: z.string().min(1).max(100).default(DOCUMENT_JOURNALISED),
  headers: z.record(z.string().max(100), z.union([z.string().max(500), z.number(), z.boolean()])).optional(),
  message: z.union([z.record(z.string(), z.unknown()), z.string().min(1).max(MAX_INBOUND_BYTES)]),
})

export function registerIntegrationRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.header('content-type', metrics.contentType).send(await metrics.metrics()),
  )
  app.get(
    '/api/integrations',
    {
      onRequest: requirePermission('integration.manage'),
      schema: { tags: ['integrationer'], summary: 'Udgående og indgående beskeder, fejl og svartider' },
    },
    async () => integrationOverview(ctx.db, ctx.events.relay, ctx.events.inboundQueue),
  )
  app.post(
    '/api/integrations/inbound/esdh',
    {
      onRequest: requirePermission('integration.manage'),
      bodyLimit: MAX_INBOUND_BYTES + 64 * 1024,
      schema: {
        tags: ['integrationer'],
        summary:
          'Modtag en ESDH-besked (journaliseret dokument) uden for AMQP-køen: 200 behandlet, 202 lagt til fejlede beskeder med årsag',
        body: inboundBody,
      },
    },
    async (request, reply) => {
      const b = request.body as z.output<typeof inboundBody>
      const outcome = await ctx.events.receiveInbound({
        messageId: b.messageId,
        type: b.type,
        headers: b.headers ?? {},
        content: Buffer.from(typeof b.message === 'string' ? b.message : JSON.stringify(b.message), 'utf8'),
      })
      return reply.code(outcome.kind === 'dead' ? 202 : 200).send(outcome)
    },
  )
  app.post(
    '/api/integrations/dead-letters/:id/replay',
    {
      onRequest: requirePermission('integration.manage'),
      schema: {
        tags: ['integrationer'],
        summary: 'Send en fejlet besked igen',
        // event_dead_letter.id is a bigserial: anything else would reach PostgreSQL as a cast error (500).
        params: z.object({ id: z.string().regex(/^[1-9][0-9]{0,17}$/, 'ugyldigt id') }),
      },
    },
    async (request) => {
      try {
        const handlers = ctx.events.inbound
        return await replayDeadLetter(
          ctx.db,
          (request.params as { id: string }).id,
          handlers ? { handlers, logger: ctx.logger } : undefined,
        )
      } catch (err) {
        if (err instanceof DeadLetterNotFoundError)
          throw new TillidError('not_found', 'Ingen fejlet besked med det id, eller den er sendt igen', {
            cause: err,
          })
        throw err
      }
    },
  )
}
