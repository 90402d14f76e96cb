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
import type { Config } from '../config.ts'
import type { Persona } from '../identity/personas.ts'
import type { ServiceContext } from '../services/context.ts'
import type { Store } from '../store/database.ts'
import { problemFor, sendProblem, toProblem } from './errors.ts'
import { registerIdentity } from './plugins/identity.ts'
import { registerApiPlatform } from './plugins/platform.ts'
import { registerRoutes } from './routes/index.ts'

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
  /**
   * The API platform (problem+json, zod, helmet, rate limit, idempotency, OpenAPI) needs the store;
   * login and sessions also need config and the key-encryption key. Without them only the health
   * routes exist (the lead's shell tests).
   */
  store?: Store
  config?: Config
  kek?: Uint8Array
  /** The running instance's services; with them the resource routes (cases, agreements, …) exist. */
  services?: ServiceContext
  /** The embedded development IdP's people (default: the scenario's); tests add people of their own. */
  personas?: readonly Persona[]
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const defaultWebDist = path.join(repoRoot, 'web', 'dist')

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: (deps.logger || undefined) as FastifyBaseLogger | undefined,
    logger: deps.logger === false ? false : undefined,
    trustProxy: false,
    bodyLimit: 12 * 1024 * 1024,
    // The router's own refusals (a path parameter over maxParamLength, a malformed URL) bypass the error
    // handler; without this they answer plain JSON with a status the error table does not know.
    frameworkErrors: (err, _request, reply) => {
      const { problem, headers } = toProblem(err)
      return sendProblem(reply, problem, headers)
    },
  })

  const webApp = !!deps.webDist && existsSync(path.join(deps.webDist, 'index.html'))
  if (deps.store) {
    // Before any route: swagger collects routes as they are added, and every route gets the hooks.
    await registerApiPlatform(app, {
      db: deps.store.db,
      notFound: !webApp,
      rateLimit: deps.config?.rateLimit === 0 ? false : { max: deps.config?.rateLimit ?? 1200 },
    })
  }
  if (deps.store && deps.config && deps.kek) {
    const config = deps.config
    await registerIdentity(app, {
      db: deps.store.db,
      config,
      kek: deps.kek,
      // With TILLID_PORT=0 the port is known only after listen, so the URL is asked for when needed.
      publicUrl: () => config.publicUrl ?? listeningUrl(app, config.host),
      ...(deps.personas ? { personas: deps.personas } : {}),
    })
  }

  if (deps.services) await registerRoutes(app, deps.services)

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }))

  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
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

  if (webApp && deps.webDist) {
    await app.register(fastifyStatic, { root: deps.webDist, wildcard: false })
    // Client-side routes: any GET that is not an API/auth path gets the app shell.
    app.setNotFoundHandler((req, reply) => {
      const apiLike = /^\/(api|auth|oidc|healthz|readyz|metrics|openapi\.json|docs)(\/|$)/.test(req.url)
      if (req.method === 'GET' && !apiLike) return reply.sendFile('index.html')
      return sendProblem(reply, problemFor('not_found'))
    })
  }
  return app
}

function listeningUrl(app: FastifyInstance, host: string): string {
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host
  return `http://${shown}:${port}`
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
