/**
 * Monitoring of the event exchange: Prometheus metrics for the integration, and for the
 * administrator the outbox, relay, dead letters with replay, and time per transaction.
 */
import type { FastifyInstance } from 'fastify'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { z } from 'zod'
import { DeadLetterNotFoundError } from '../../events/deadLetters.ts'
import { eventsRegistry, integrationOverview, replayDeadLetter } from '../../events/index.ts'
import { requirePermission } from '../../identity/authorise.ts'
import type { ServiceContext } from '../../services/context.ts'
import { TillidError } from '../errors.ts'

const processRegistry = new Registry()
collectDefaultMetrics({ register: processRegistry, prefix: 'tillid_' })
const metrics = Registry.merge([processRegistry, eventsRegistry])

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
    async () => integrationOverview(ctx.db, ctx.events.relay),
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
        return await replayDeadLetter(ctx.db, (request.params as { id: string }).id)
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
