/** GET /api/me: who is logged in, their organisation, KLE subjects and the CSRF token. */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { TillidError } from '../errors.ts'

export const meSchema = z.object({
  person: z.object({
    id: z.string(),
    name: z.string(),
    role: z.string(),
    kind: z.enum(['staff', 'citizen']),
  }),
  organisation: z
    .object({
      id: z.string(),
      kind: z.enum(['municipality', 'provider']),
      name: z.string(),
      code: z.string(),
    })
    .nullable(),
  kle: z.array(z.string()),
  csrfToken: z.string(),
})
export type Me = z.output<typeof meSchema>

export function registerMeRoutes(app: FastifyInstance): void {
  app.get(
    '/api/me',
    { schema: { tags: ['login'], summary: 'Den indloggede person', response: { 200: meSchema } } },
    async (request, reply) => {
      const p = request.principal
      if (!p || !request.session) throw new TillidError('unauthenticated')
      reply.header('cache-control', 'no-store')
      const me: Me = {
        person: { id: p.personId, name: p.name, role: p.role, kind: p.kind },
        organisation: p.organisation,
        kle: p.kle,
        csrfToken: request.session.csrfToken,
      }
      return me
    },
  )
}
