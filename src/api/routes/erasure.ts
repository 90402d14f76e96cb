/** Erasure of a case's personal data, and the caseworker's side of citizens' contributions. */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { requirePermission } from '../../identity/authorise.ts'
import {
  answerContribution,
  caseContributions,
  MAX_CONTRIBUTION_CHARS,
} from '../../services/citizen/contributions.ts'
import type { ServiceContext } from '../../services/context.ts'
import { eraseCaseAs } from '../../services/integrity/erase.ts'
import type { ZodTypeProvider } from '../plugins/zod.ts'
import { actorOf } from './actor.ts'

export function registerErasureRoutes(root: FastifyInstance, ctx: ServiceContext): void {
  const app = root.withTypeProvider<ZodTypeProvider>()
  const id = z.object({ id: z.string().min(1).max(80) })
  app.post(
    '/api/cases/:id/erase',
    {
      onRequest: requirePermission('case.erase'),
      schema: {
        tags: ['sager'],
        summary: 'Slet sagens personoplysninger (kæden bevares)',
        params: id,
        body: z
          .object({
            legalBasis: z
              .string()
              .regex(/^[A-Za-z0-9][A-Za-z0-9._§-]{0,39}$/)
              .optional(),
          })
          .optional(),
      },
    },
    async (request) => eraseCaseAs(ctx, actorOf(root, request), request.params.id, request.body ?? {}),
  )
  app.get(
    '/api/cases/:id/contributions',
    {
      onRequest: requirePermission('case.read'),
      schema: { tags: ['sager'], summary: 'Borgerens bemærkninger til sagen', params: id },
    },
    async (request) => caseContributions(ctx, actorOf(root, request), request.params.id),
  )
  app.post(
    '/api/cases/:id/contributions/:contributionId/answer',
    {
      onRequest: requirePermission('case.read'),
      schema: {
        tags: ['sager'],
        summary: 'Svar borgeren',
        params: z.object({ id: z.string().min(1).max(80), contributionId: z.string().min(1).max(80) }),
        body: z.object({ text: z.string().min(1).max(MAX_CONTRIBUTION_CHARS) }),
      },
    },
    async (request) =>
      answerContribution(
        ctx,
        actorOf(root, request),
        request.params.id,
        request.params.contributionId,
        request.body,
      ),
  )
}
