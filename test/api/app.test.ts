/**
 * The whole API as buildApp assembles it, listening on port 0 (the IdP's issuer URL needs a real port):
 * - the OpenID Connect login against the embedded development IdP over real HTTP, as a browser (and the
 *   demo command) does it, and server mode against an IdP on another origin;
 * - every documented operation fed requests generated from its OpenAPI schema, mixed with hostile
 *   values (SQL, script, path traversal, oversize, wrong types): none may answer 5xx;
 * - every route guarded by requirePermission tried as every scenario person: 403 exactly where
 *   docs/authorisation.md says the role may not.
 * One file, because opening the store is the slow part.
 */
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import fc from 'fast-check'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/api/app.ts'
import { loadConfig } from '../../src/config.ts'
import { mountDevIdp } from '../../src/identity/devIdp.ts'
import { loginAs } from '../../src/identity/loginAs.ts'
import { personas } from '../../src/identity/personas.ts'
import { mapClaims } from '../../src/identity/principal.ts'
import { openStore, type Store } from '../../src/store/database.ts'
import { routePermissionMismatches } from './harness.ts'
import { arbitraryFor, operations, toText } from './openapiFuzz.ts'

let app: FastifyInstance
let store: Store
let base: string
const sessions = new Map<string, Record<string, string>>()

beforeAll(async () => {
  store = await openStore({ kind: 'pglite', dir: null })
  const config = loadConfig({ TILLID_PORT: '0', TILLID_RATE_LIMIT: '0' })
  app = await buildApp({ logger: false, readiness: [], store, config, kek: new Uint8Array(randomBytes(32)) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
})

/** New sessions for everyone (the fuzzing may log people out through POST /auth/logout). */
async function freshSessions(): Promise<void> {
  for (const p of personas) {
    const principal = await app.identity.directory.resolve(mapClaims(p.claims))
    const { token, session } = await app.identity.sessions.create(principal)
    sessions.set(p.login, { cookie: `tillid_session=${token}`, 'x-csrf-token': session.csrfToken })
  }
}
afterAll(async () => {
  await app?.close()
  await store?.close()
})

const hostile = fc.constantFrom<unknown>(
  "' OR 1=1; DROP TABLE cases; --",
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '%00',
  '\u0000\u202e',
  'x'.repeat(70_000),
  '1408154233',
  -1,
  1e308,
  Number.MAX_SAFE_INTEGER + 2,
  null,
  true,
  [],
  {},
  { __proto__: { admin: true } },
  '00000000-0000-0000-0000-000000000000',
)

describe('every documented operation with generated and hostile input', () => {
  it('never answers 5xx, and answers 4xx with problem+json', async () => {
    await freshSessions()
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json()
    const ops = operations(doc)
    expect(ops.length).toBeGreaterThan(0)
    const logins = ['anonymous', ...personas.map((p) => p.login)]
    const failures: string[] = []
    for (const op of ops) {
      const query = op.parameters.filter((p) => p.in === 'query')
      const params = op.parameters.filter((p) => p.in === 'path')
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...logins),
          fc.record(Object.fromEntries(query.map((p) => [p.name, arbitraryFor(p.schema, { hostile })]))),
          fc.record(Object.fromEntries(params.map((p) => [p.name, arbitraryFor(p.schema, { hostile })]))),
          op.body ? arbitraryFor(op.body, { hostile }) : fc.constant(undefined),
          async (login, q, pathParams, body) => {
            let url = op.path
            for (const [k, v] of Object.entries(pathParams))
              url = url.replace(`{${k}}`, encodeURIComponent(toText(v)))
            const search = new URLSearchParams(Object.entries(q).map(([k, v]) => [k, toText(v)])).toString()
            const res = await app.inject({
              method: op.method as 'GET',
              url: search ? `${url}?${search}` : url,
              headers: login === 'anonymous' ? {} : sessions.get(login),
              ...(body === undefined ? {} : { payload: body as object }),
            })
            if (res.statusCode >= 500)
              failures.push(`${op.method} ${op.path} → ${res.statusCode}: ${res.body.slice(0, 200)}`)
            if (
              res.statusCode >= 400 &&
              !String(res.headers['content-type']).startsWith('application/problem+json')
            ) {
              failures.push(`${op.method} ${op.path} → ${res.statusCode} without problem+json`)
            }
            return true
          },
        ),
        { numRuns: 25, seed: 20260112 },
      )
    }
    expect(failures.slice(0, 10)).toEqual([])
  })
})

describe('every guarded route as every scenario person', () => {
  it('refuses exactly the roles the table refuses', async () => {
    await freshSessions()
    expect(await routePermissionMismatches(app, (login) => sessions.get(login)!)).toEqual([])
  })
})

describe('OIDC login round trip', () => {
  it('logs Sara in through the persona picker and gives her session', async () => {
    const sara = await loginAs(base, 'sara')
    expect(sara.me.person).toMatchObject({ name: 'Sara', role: 'caseworker', kind: 'staff' })
    expect(sara.me.organisation).toMatchObject({
      kind: 'municipality',
      code: '169',
      name: 'Høje-Taastrup Kommune',
    })
    expect(sara.me.kle).toEqual(['27.24'])
    expect(sara.cookie).toMatch(/^tillid_session=/)
    const again = await loginAs(base, 'sara')
    // The same person, a new session.
    expect(again.me.person.id).toBe(sara.me.person.id)
    expect(again.csrfToken).not.toBe(sara.csrfToken)
  })

  it('logs in a provider signatory and a citizen with their own tenants', async () => {
    const ole = await loginAs(base, 'ole')
    expect(ole.me.organisation).toMatchObject({ kind: 'provider', name: 'Østervold' })
    const mor = await loginAs(base, 'mor')
    expect(mor.me.person).toMatchObject({ role: 'citizen', kind: 'citizen' })
    expect(mor.me.organisation).toBeNull()
  })

  it('sets a httpOnly SameSite=Lax session cookie and redirects to returnTo', async () => {
    // Walk the flow by hand to see the headers the browser sees.
    const jar = new Map<string, string>()
    const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
    const go = async (url: string, init: RequestInit = {}) => {
      const res = await fetch(url, {
        ...init,
        redirect: 'manual',
        headers: { ...(init.headers ?? {}), cookie: cookieHeader() },
      })
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';')
        const i = pair!.indexOf('=')
        jar.set(pair!.slice(0, i), pair!.slice(i + 1))
      }
      return res
    }
    let res = await go(`${base}/auth/login?returnTo=/sager/123`)
    expect(res.status).toBe(302)
    const authUrl = new URL(res.headers.get('location')!)
    expect(authUrl.pathname).toBe('/oidc/auth')
    expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256')
    expect(authUrl.searchParams.get('state')).toBeTruthy()
    res = await go(authUrl.href)
    const picker = new URL(res.headers.get('location')!, base)
    res = await go(picker.href)
    const html = await res.text()
    expect(html).toContain('Udviklings-login')
    expect(html).toContain('lang="da"')
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    res = await go(`${picker.href}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'persona=dorte',
    })
    let location = res.headers.get('location')!
    let final: Response | null = null
    for (let i = 0; i < 5 && location; i++) {
      const url = new URL(location, base)
      if (!url.pathname.startsWith('/oidc') && !url.pathname.startsWith('/auth')) break
      final = await go(url.href)
      location = final.headers.get('location') ?? ''
    }
    expect(location).toBe('/sager/123')
    const setCookie = final!.headers.getSetCookie().find((c) => c.startsWith('tillid_session='))!
    expect(setCookie).toMatch(/HttpOnly/i)
    expect(setCookie).toMatch(/SameSite=Lax/i)
    const me = await fetch(`${base}/api/me`, { headers: { cookie: cookieHeader() } })
    expect((await me.json()).person.role).toBe('director')
  })

  it('starts login on the public URL’s host, so the login cookie comes back with the callback', async () => {
    const port = new URL(base).port
    const res = await fetch(`http://localhost:${port}/auth/login?returnTo=/sager`, { redirect: 'manual' })
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe(`${base}/auth/login?returnTo=%2Fsager`)
    const bo = await loginAs(`http://localhost:${port}`, 'bo')
    expect(bo.me.person.role).toBe('centre_chief')
  })

  it('refuses an open redirect in returnTo', async () => {
    for (const bad of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
      const res = await fetch(`${base}/auth/login?returnTo=${encodeURIComponent(bad)}`, {
        redirect: 'manual',
      })
      expect(res.status, bad).toBe(400)
      expect((await res.json()).errors[0].field).toBe('returnTo')
    }
  })

  it('refuses a callback that did not start at /auth/login', async () => {
    const res = await fetch(`${base}/auth/callback?code=forged&state=forged`, { redirect: 'manual' })
    expect(res.status).toBe(401)
    expect((await res.json()).code).toBe('login_failed')
  })

  it('ends the session at logout', async () => {
    const lis = await loginAs(base, 'lis')
    const out = await fetch(`${base}/auth/logout`, { method: 'POST', headers: lis.headers })
    expect(out.status).toBe(204)
    const me = await fetch(`${base}/api/me`, { headers: { cookie: lis.cookie } })
    expect(me.status).toBe(401)
  })

  it('keeps the health routes of the shell', async () => {
    const res = await fetch(`${base}/healthz`)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  it('does not know people who are not in the scenario', async () => {
    await expect(loginAs(base, 'mallory')).rejects.toThrow(/no persona 'mallory'/)
  })
})

describe('server mode against an external issuer', () => {
  it('logs in through an IdP on another origin, configured only by issuer, client id and secret', async () => {
    // A stand-alone IdP (the development one, on its own port) plays the municipality's IdP.
    const idp = Fastify({ logger: false })
    const idpRedirects: string[] = []
    let idpUrl = ''
    let appUrl = ''
    await mountDevIdp(idp, {
      publicUrl: () => idpUrl,
      clientSecret: 'external-secret',
      redirectPath: '/auth/callback',
      redirectUris: idpRedirects,
    })
    await idp.listen({ host: '127.0.0.1', port: 0 })
    idpUrl = `http://127.0.0.1:${(idp.server.address() as AddressInfo).port}`
    const config = loadConfig({
      TILLID_MODE: 'server',
      TILLID_DATABASE_URL: 'postgres://unused',
      TILLID_RPC_URL: 'http://unused',
      TILLID_OIDC_ISSUER: `${idpUrl}/oidc`,
      TILLID_OIDC_CLIENT_ID: 'tillid',
      TILLID_OIDC_CLIENT_SECRET: 'external-secret',
    })
    const server = await buildApp({
      logger: false,
      readiness: [],
      store,
      config,
      kek: new Uint8Array(randomBytes(32)),
    })
    try {
      await server.listen({ host: '127.0.0.1', port: 0 })
      appUrl = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`
      // The IdP must know the app's callback before the first login.
      idpRedirects.push(`${appUrl}/auth/callback`)
      const oidcRoutes = await fetch(`${appUrl}/oidc/.well-known/openid-configuration`)
      expect(oidcRoutes.status, 'no development IdP in server mode').toBe(404)
      const finn = await loginAs(appUrl, 'finn')
      expect(finn.me.person).toMatchObject({ name: 'Finn', role: 'finance' })
      expect(finn.me.organisation).toMatchObject({ code: '169' })
    } finally {
      await server.close()
      await idp.close()
    }
  })
})
