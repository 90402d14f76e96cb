/** The auditor's integrity check: store against chain, and the access log's hash chain. */
import type { FastifyInstance } from 'fastify'
import { requirePermission } from '../../identity/authorise.ts'
import type { ServiceContext } from '../../services/context.ts'
import { verifyAs } from '../../services/integrity/verify.ts'
import { actorOf } from './actor.ts'

export function registerIntegrityRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post(
    '/api/integrity/verify',
    {
      onRequest: requirePermission('integrity.verify'),
      schema: { tags: ['revision'], summary: 'Integritetskontrol: lageret sammenholdt med kæden' },
    },
    async (request) => verifyAs(ctx, actorOf(app, request)),
  )
}
