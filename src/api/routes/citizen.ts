/** The citizen's own pages: overview, access log, export (JSON and PDF), contributions. */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { requirePermission } from '../../identity/authorise.ts'
import { citizenAccessLog } from '../../services/citizen/accessLog.ts'
import { addContribution, MAX_CONTRIBUTION_CHARS } from '../../services/citizen/contributions.ts'
import { citizenExport, citizenExportPdf } from '../../services/citizen/export.ts'
import { citizenOverview } from '../../services/citizen/overview.ts'
import type { ServiceContext } from '../../services/context.ts'
import type { ZodTypeProvider } from '../plugins/zod.ts'
import { actorOf } from './actor.ts'

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'dato som ÅÅÅÅ-MM-DD')

export function registerCitizenRoutes(root: FastifyInstance, ctx: ServiceContext): void {
  const app = root.withTypeProvider<ZodTypeProvider>()
  const tags = ['borger']
  app.get(
    '/api/citizen/overview',
    { onRequest: requirePermission('citizen.overview'), schema: { tags, summary: 'Mit overblik' } },
    async (request) => citizenOverview(ctx, actorOf(root, request)),
  )
  app.get(
    '/api/citizen/access-log',
    {
      onRequest: requirePermission('citizen.overview'),
      schema: {
        tags,
        summary: 'Hvem har set mine data (skriver i adgangsloggen)',
        querystring: z.object({
          caseId: z.uuid().optional(),
          from: isoDate.optional(),
          to: isoDate.optional(),
          organisation: z.string().max(200).optional(),
          q: z.string().max(200).optional(),
        }),
      },
    },
    async (request) => citizenAccessLog(ctx, actorOf(root, request), request.query),
  )
  app.get(
    '/api/citizen/export.json',
    {
      onRequest: requirePermission('citizen.export'),
      schema: { tags, summary: 'Eksport som JSON (skriver i adgangsloggen)' },
    },
    async (request, reply) => {
      const data = await citizenExport(ctx, actorOf(root, request))
      return reply
        .header('cache-control', 'private, no-store')
        .header('content-disposition', 'attachment; filename="tillid-eksport.json"')
        .send(data)
    },
  )
  app.get(
    '/api/citizen/export.pdf',
    {
      onRequest: requirePermission('citizen.export'),
      schema: { tags, summary: 'Eksport som PDF (skriver i adgangsloggen)' },
    },
    async (request, reply) => {
      const pdf = await citizenExportPdf(ctx, actorOf(root, request))
      return reply
        .header('content-type', 'application/pdf')
        .header('cache-control', 'private, no-store')
        .header('content-disposition', 'attachment; filename="tillid-eksport.pdf"')
        .send(pdf)
    },
  )
  app.post(
    '/api/citizen/contributions',
    {
      onRequest: requirePermission('citizen.contribute'),
      schema: {
        tags,
        summary: 'Bemærkning eller rettelse til egen sag',
        body: z.object({
          caseId: z.string().min(1).max(80),
          kind: z.enum(['comment', 'correction']),
          text: z.string().min(1).max(MAX_CONTRIBUTION_CHARS),
        }),
      },
    },
    async (request, reply) =>
      reply.code(201).send(await addContribution(ctx, actorOf(root, request), request.body)),
  )
}
