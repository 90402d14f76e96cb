/** GET /api/organisations: the municipalities and providers known to this installation (for pickers). */
import type { FastifyInstance } from 'fastify'
import { requirePermission } from '../../identity/authorise.ts'
import type { ServiceContext } from '../../services/context.ts'

export function registerOrganisationRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get(
    '/api/organisations',
    {
      onRequest: requirePermission('organisation.read'),
      schema: { tags: ['organisationer'], summary: 'Organisationer' },
    },
    async () =>
      // The id the agreement draft accepts as providerId; the code is the CVR or municipality code.
      (await ctx.repos.organisations.list()).map((o) => ({
        id: o.id,
        kind: o.kind,
        name: o.name,
        code: o.cvr ?? o.municipalityCode ?? '',
      })),
  )
}
