/** GET /api/documents/:id: download a document (access-logged). */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { requirePermission } from '../../identity/authorise.ts'
import { readDocument } from '../../services/cases.ts'
import type { ServiceContext } from '../../services/context.ts'
import type { ZodTypeProvider } from '../plugins/zod.ts'
import { actorOf } from './actor.ts'

export function registerDocumentRoutes(root: FastifyInstance, ctx: ServiceContext): void {
  const app = root.withTypeProvider<ZodTypeProvider>()
  app.get(
    '/api/documents/:id',
    {
      onRequest: requirePermission('document.read'),
      schema: {
        tags: ['dokumenter'],
        summary: 'Hent dokument',
        params: z.object({ id: z.string().min(1).max(80) }),
      },
    },
    async (request, reply) => {
      const doc = await readDocument(ctx, actorOf(root, request), request.params.id)
      const ascii = doc.filename.replace(/[^\w.-]/g, '_')
      return reply
        .header('content-type', doc.mediaType)
        .header('cache-control', 'private, no-store')
        .header(
          'content-disposition',
          `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(doc.filename)}`,
        )
        .send(Buffer.from(doc.bytes))
    },
  )
}
