/**
 * Monitoring of the event exchange: Prometheus metrics for the integration, and for the
 * administrator the outbox, relay, dead letters with replay, and time per transaction.
 */
import type { FastifyInstance } from 'fastify'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { z } from 'zod'
import { eventsRegistry, integrationOverview, replayDeadLetter } from '../../events/index.ts'
import { requirePermission } from '../../identity/authorise.ts'
import type { ServiceContext } from '../../services/context.ts'

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
        params: z.object({ id: z.string().min(1).max(80) }),
      },
    },
    async (request) => replayDeadLetter(ctx.db, (request.params as { id: string }).id),
  )
}
