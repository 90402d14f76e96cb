/** A Fastify app with the API platform and identity plugins on an in-memory store, for test/api/*. */
import { randomBytes } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import { type IdentityHandle, registerIdentity } from '../../src/api/plugins/identity.ts'
import { registerApiPlatform } from '../../src/api/plugins/platform.ts'
import { roleMay } from '../../src/identity/authorise.ts'
import { persona, personas } from '../../src/identity/personas.ts'
import { mapClaims } from '../../src/identity/principal.ts'
import { openStore, type Store } from '../../src/store/database.ts'

export interface Harness {
  app: FastifyInstance
  store: Store
  identity: IdentityHandle
  kek: Uint8Array
  /** http://127.0.0.1:PORT once `listen()` ran */
  baseUrl: () => string
  listen(): Promise<string>
  close(): Promise<void>
}

export async function harness(
  routes: (
    app: FastifyInstance,
    h: { identity: IdentityHandle; store: Store },
  ) => void | Promise<void> = () => {},
  options: { rateLimit?: { max: number } | false; store?: Store } = {},
): Promise<Harness> {
  // Opening PGlite is the slow part of these tests; a file may share one store between apps.
  const store = options.store ?? (await openStore({ kind: 'pglite', dir: null }))
  const kek = new Uint8Array(randomBytes(32))
  const app = Fastify({ logger: false })
  let base = 'http://127.0.0.1:1'
  await registerApiPlatform(app, { db: store.db, rateLimit: options.rateLimit ?? false })
  const identity = await registerIdentity(app, {
    db: store.db,
    config: {
      mode: 'embedded',
      oidcIssuer: undefined,
      oidcClientId: 'tillid',
      oidcClientSecret: undefined,
      oidcScopes: 'openid profile tillid',
    },
    kek,
    publicUrl: () => base,
  })
  await routes(app, { identity, store })
  await app.ready()
  return {
    app,
    store,
    identity,
    kek,
    baseUrl: () => base,
    async listen() {
      await app.listen({ host: '127.0.0.1', port: 0 })
      const addr = app.server.address()
      if (!addr || typeof addr === 'string') throw new Error('no port')
      base = `http://127.0.0.1:${addr.port}`
      return base
    },
    async close() {
      await app.close()
      if (!options.store) await store.close()
    },
  }
}

/** A session for one of the scenario's people without the OIDC round trip (that has its own test). */
export async function sessionFor(h: Harness, login: string) {
  const p = persona(login)
  if (!p) throw new Error(`no persona ${login}`)
  const principal = await h.identity.directory.resolve(mapClaims(p.claims))
  const { token, session } = await h.identity.sessions.create(principal)
  return {
    principal,
    session,
    cookie: `tillid_session=${token}`,
    headers: { cookie: `tillid_session=${token}`, 'x-csrf-token': session.csrfToken },
  }
}

/**
 * Tries every route guarded by requirePermission (app.routePermissions) as every scenario person and
 * anonymously; returns what differs from the role × action table (docs/authorisation.md). A role the
 * table refuses must get `403 forbidden`; a role it allows must not (its request may still fail later,
 * e.g. 400 or 404 for the placeholder ids); nobody may get through without a session (401).
 * Usable with any app built by buildApp — with services, it covers every resource route.
 */
export async function routePermissionMismatches(
  app: FastifyInstance,
  headersFor: (login: string) => Record<string, string>,
): Promise<string[]> {
  const mismatches: string[] = []
  for (const route of app.routePermissions) {
    const url = route.url.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000')
    for (const p of personas) {
      const res = await app.inject({ method: route.method as 'GET', url, headers: headersFor(p.login) })
      // HEAD answers carry no body; their status says it.
      const refused = res.statusCode === 403 && (route.method === 'HEAD' || res.json().code === 'forbidden')
      if (refused === roleMay(p.role, route.action)) {
        mismatches.push(`${p.login} ${route.method} ${route.url} (${route.action}) → ${res.statusCode}`)
      }
    }
    const anonymous = await app.inject({ method: route.method as 'GET', url })
    if (anonymous.statusCode !== 401)
      mismatches.push(`anonymous ${route.method} ${route.url} → ${anonymous.statusCode}`)
  }
  return mismatches
}
