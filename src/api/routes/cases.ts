/** Cases: create (caseworker), list (own organisation and KLE subjects), read (access-logged). */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { requirePermission } from '../../identity/authorise.ts'
import { createCase, getCase, listCases } from '../../services/cases.ts'
import type { ServiceContext } from '../../services/context.ts'
import type { ZodTypeProvider } from '../plugins/zod.ts'
import { actorOf } from './actor.ts'

const cpr = z.string().regex(/^\d{6}-?\d{4}$/, 'CPR-nummer som 10 cifre (ddmmåå-xxxx)')
const createBody = z.object({
  cpr,
  name: z.string().trim().min(1).max(200),
  kle: z.string().regex(/^\d{2}\.\d{2}(\.\d{2})?$/, 'KLE-nummer som NN.NN eller NN.NN.NN'),
  title: z.string().trim().min(1).max(200),
  parentCpr: cpr.optional(),
})

export function registerCaseRoutes(root: FastifyInstance, ctx: ServiceContext): void {
  const app = root.withTypeProvider<ZodTypeProvider>()
  const tags = ['sager']
  app.get(
    '/api/cases',
    { onRequest: requirePermission('case.read'), schema: { tags, summary: 'Sager' } },
    async (request) => listCases(ctx, actorOf(root, request)),
  )
  app.post(
    '/api/cases',
    { onRequest: requirePermission('case.create'), schema: { tags, summary: 'Opret sag', body: createBody } },
    async (request, reply) =>
      reply.code(201).send(await createCase(ctx, actorOf(root, request), request.body)),
  )
  app.get(
    '/api/cases/:id',
    {
      onRequest: requirePermission('case.read'),
      schema: {
        tags,
        summary: 'En sag (skriver i adgangsloggen)',
        params: z.object({ id: z.string().min(1).max(80) }),
      },
    },
    async (request) => getCase(ctx, actorOf(root, request), request.params.id),
  )
}
