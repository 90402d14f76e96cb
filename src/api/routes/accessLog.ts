/** One case's access log for staff (tenant and KLE checked; the view is itself logged). */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { requirePermission } from '../../identity/authorise.ts'
import { caseAccessLog } from '../../services/accessLogView.ts'
import type { ServiceContext } from '../../services/context.ts'
import type { ZodTypeProvider } from '../plugins/zod.ts'
import { actorOf } from './actor.ts'

export function registerAccessLogRoutes(root: FastifyInstance, ctx: ServiceContext): void {
  const app = root.withTypeProvider<ZodTypeProvider>()
  app.get(
    '/api/access-log',
    {
      onRequest: requirePermission('accesslog.read'),
      schema: {
        tags: ['sager'],
        summary: 'Adgangsloggen for en sag (skriver selv i loggen)',
        querystring: z.object({ caseId: z.uuid() }),
      },
    },
    async (request) => caseAccessLog(ctx, actorOf(root, request), request.query.caseId),
  )
}
