/**
 * The auditor's integrity check: store against chain, and the access log's hash chain. JSON by
 * default; with `Accept: application/x-ndjson` the answer streams `{"type":"progress","done","total"}`
 * lines while anchors are checked and ends with `{"type":"result", ...}` (or `{"type":"error"}`).
 */
import { PassThrough } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { requirePermission } from '../../identity/authorise.ts'
import type { ServiceContext } from '../../services/context.ts'
import { verifyAs } from '../../services/integrity/verify.ts'
import { actorOf } from './actor.ts'

const NDJSON = 'application/x-ndjson'

/** Whether the client asked for the streamed form (the CLI's and the web page's progress bar). */
function wantsProgress(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((t) => t.trim().split(';')[0] === NDJSON)
}

export function registerIntegrityRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post(
    '/api/integrity/verify',
    {
      onRequest: requirePermission('integrity.verify'),
      schema: { tags: ['revision'], summary: 'Integritetskontrol: lageret sammenholdt med kæden' },
    },
    async (request, reply) => {
      const actor = actorOf(app, request)
      if (!wantsProgress(request.headers.accept)) return verifyAs(ctx, actor)
      // NDJSON: progress lines while the check runs, then the result (or an error) as the last line.
      // verifyAs checks the permission synchronously, so a refusal is still a plain problem+json.
      const lines = new PassThrough()
      const write = (line: object) => lines.write(`${JSON.stringify(line)}\n`)
      let last = 0
      const check = verifyAs(ctx, actor, {
        onProgress: (done, total) => {
          // At most ten lines a second, and always the last one.
          const now = Date.now()
          if (done < total && now - last < 100) return
          last = now
          write({ type: 'progress', done, total })
        },
      })
      check.then(
        (result) => lines.end(`${JSON.stringify({ type: 'result', ...result })}\n`),
        (err: unknown) => {
          request.log.error({ err }, 'integrity check failed while streaming')
          lines.end(
            `${JSON.stringify({ type: 'error', title: 'Integritetskontrollen kunne ikke gennemføres / The integrity check failed' })}\n`,
          )
        },
      )
      return reply.type(NDJSON).header('cache-control', 'no-store').send(lines)
    },
  )
}
