/**
 * A whole Tillid (embedded instance + HTTP app on a free port) for API tests, with login through
 * the real OIDC flow of the development IdP.
 */
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/api/app.ts'
import { type LoginResult, loginAs } from '../../src/identity/loginAs.ts'
import type { Persona } from '../../src/identity/personas.ts'
import { openTestInstance } from './instance.ts'

export interface TestApp {
  ctx: Awaited<ReturnType<typeof openTestInstance>>
  app: FastifyInstance
  baseUrl: string
  /** Logs in as a demo persona (sara, bo, lis, dorte, finn, ole, sanne, revisor, admin, mor). */
  login(persona: string): Promise<LoginResult>
  /** fetch against the app, as a logged-in persona, with JSON in and out. */
  api(
    as: LoginResult | null,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }>
  close(): Promise<void>
}

/**
 * `webDist`: a built web app (test/e2e/build-web.ts) to serve too, for browser tests against the real
 * API. `personas`: the development IdP's people, when a test needs someone the scenario lacks.
 */
export async function openTestApp(
  env: Record<string, string> = {},
  options: { webDist?: string; personas?: readonly Persona[] } = {},
): Promise<TestApp> {
  const ctx = await openTestInstance({ TILLID_PORT: '0', TILLID_RATE_LIMIT: '0', ...env })
  const app = await buildApp({
    logger: false,
    readiness: [],
    store: ctx.store,
    config: ctx.config,
    kek: ctx.kek,
    services: ctx,
    ...(options.webDist ? { webDist: options.webDist } : {}),
    ...(options.personas ? { personas: options.personas } : {}),
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  const sessions = new Map<string, LoginResult>()
  return {
    ctx,
    app,
    baseUrl,
    async login(persona) {
      const known = sessions.get(persona)
      if (known) return known
      const session = await loginAs(baseUrl, persona)
      sessions.set(persona, session)
      return session
    },
    async api(as, method, path, body) {
      const res = await fetch(baseUrl + path, {
        method,
        headers: {
          ...(as?.headers ?? {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      let parsed: unknown = text
      try {
        parsed = JSON.parse(text)
      } catch {}
      return { status: res.status, body: parsed }
    },
    async close() {
      await app.close()
      await ctx.close()
    },
  }
}
