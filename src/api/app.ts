/**
 * Builds the Fastify application as a plugin-style factory: no port is opened here, so tests
 * use `app.inject`. server.ts (or `tillid start`) listens.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'

/** A dependency that /readyz asks; it resolves when healthy and throws with a reason otherwise. */
export interface ReadinessCheck {
  name: string
  check(): Promise<void>
}

export interface AppDeps {
  logger?: Logger | false
  readiness: ReadinessCheck[]
  /** Directory of the built web app; omitted in API-only tests. */
  webDist?: string
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const defaultWebDist = path.join(repoRoot, 'web', 'dist')

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: (deps.logger || undefined) as FastifyBaseLogger | undefined,
    logger: deps.logger === false ? false : undefined,
    trustProxy: false,
    bodyLimit: 12 * 1024 * 1024,
  })

  app.get('/healthz', async () => ({ status: 'ok' }))

  app.get('/readyz', async (_req, reply) => {
    const failures: { name: string; reason: string }[] = []
    await Promise.all(
      deps.readiness.map(async (r) => {
        try {
          await withTimeout(r.check(), 3000)
        } catch (err) {
          failures.push({ name: r.name, reason: (err as Error).message })
        }
      }),
    )
    if (failures.length) return reply.code(503).send({ status: 'unavailable', failures })
    return { status: 'ready', checks: deps.readiness.map((r) => r.name) }
  })

  if (deps.webDist && existsSync(path.join(deps.webDist, 'index.html'))) {
    await app.register(fastifyStatic, { root: deps.webDist, wildcard: false })
    // Client-side routes: any GET that is not an API/auth path gets the app shell.
    app.setNotFoundHandler((req, reply) => {
      const apiLike = /^\/(api|auth|oidc|healthz|readyz|metrics|openapi\.json|docs)(\/|$)/.test(req.url)
      if (req.method === 'GET' && !apiLike) return reply.sendFile('index.html')
      return reply
        .code(404)
        .type('application/problem+json')
        .send({ type: 'about:blank', title: 'Ikke fundet', status: 404, code: 'not_found' })
    })
  }
  return app
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
    p.then(
      (v) => {
        clearTimeout(t)
        resolve(v)
      },
      (e) => {
        clearTimeout(t)
        reject(e)
      },
    )
  })
}
