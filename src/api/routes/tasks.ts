/** GET /api/tasks: what waits for the logged-in person. */
import type { FastifyInstance } from 'fastify'
import { requirePermission } from '../../identity/authorise.ts'
import { listTasks } from '../../services/agreements/tasks.ts'
import { contributionTasks } from '../../services/citizen/contributions.ts'
import type { ServiceContext } from '../../services/context.ts'
import { actorOf } from './actor.ts'

export function registerTaskRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get(
    '/api/tasks',
    { onRequest: requirePermission('task.read'), schema: { tags: ['opgaver'], summary: 'Mine opgaver' } },
    async (request) => {
      const actor = actorOf(app, request)
      // Agreement work first, then citizens' comments and correction requests waiting for an answer.
      return [...(await listTasks(ctx, actor)), ...(await contributionTasks(ctx, actor))]
    },
  )
}
