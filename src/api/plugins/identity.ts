/**
 * Login, sessions and CSRF protection for the API: registers the session cookie parser, the hook that
 * resolves `request.principal` from the session cookie, CSRF checking of state-changing requests, the
 * embedded development IdP (embedded mode) and the /auth and /api/me routes.
 */
import { hkdfSync, timingSafeEqual } from 'node:crypto'
import cookie from '@fastify/cookie'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { Config } from '../../config.ts'
import { DEV_CLIENT_ID, devIssuer, mountDevIdp } from '../../identity/devIdp.ts'
import { type Directory, storeDirectory } from '../../identity/directory.ts'
import { type CustodialKeys, custodialKeys } from '../../identity/keys.ts'
import type { Persona } from '../../identity/personas.ts'
import type { Principal } from '../../identity/principal.ts'
import { relyingParty } from '../../identity/relyingParty.ts'
import { type Session, type SessionStore, sessionStore } from '../../identity/sessions.ts'
import type { Actor } from '../../services/context.ts'
import type { Database } from '../../store/schema.ts'
import { TillidError } from '../errors.ts'
import { registerAuthRoutes, SESSION_COOKIE } from '../routes/auth.ts'
import { registerMeRoutes } from '../routes/me.ts'
import { purgeIdempotency } from './idempotency.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in person, or null. Set from the session cookie before anything else runs. */
    principal: Principal | null
    /** The live session (needed by withPersonAccount), or null. */
    session: Session | null
  }
  interface FastifyInstance {
    /** Sessions, custodial keys and the directory, for routes and services that need them. */
    identity: IdentityHandle
  }
}

export interface IdentityOptions {
  db: Kysely<Database>
  config: Pick<Config, 'mode' | 'oidcIssuer' | 'oidcClientId' | 'oidcClientSecret' | 'oidcScopes'>
  /** The 32-byte key-encryption key (store/crypto.ts loadOrCreateKek). */
  kek: Uint8Array
  /** Public base URL, e.g. http://127.0.0.1:8080; a function when the port is known only after listen. */
  publicUrl: string | (() => string)
  sessionTtlSeconds?: number
  /** The embedded IdP's people (default: the scenario's). */
  personas?: readonly Persona[]
}

export interface IdentityHandle {
  sessions: SessionStore
  keys: CustodialKeys
  directory: Directory
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])

function derive(kek: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', kek, new Uint8Array(0), info, 32))
}

function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected))
}

export async function registerIdentity(
  app: FastifyInstance,
  options: IdentityOptions,
): Promise<IdentityHandle> {
  const publicUrl = () =>
    (typeof options.publicUrl === 'function' ? options.publicUrl() : options.publicUrl).replace(/\/$/, '')
  const { config, db, kek } = options
  const embedded = config.mode === 'embedded' && !config.oidcIssuer
  if (!embedded && !config.oidcIssuer) {
    throw new Error('TILLID_OIDC_ISSUER must be set in server mode (there is no embedded IdP there)')
  }
  const clientSecret = embedded
    ? derive(kek, 'tillid/dev-idp-client-secret/v1').toString('base64url')
    : (config.oidcClientSecret ?? '')

  const sessions = sessionStore(db, { ttlSeconds: options.sessionTtlSeconds })
  const keys = custodialKeys(db, kek)
  const directory = storeDirectory(db, kek)

  if (!app.hasDecorator('parseCookie')) {
    await app.register(cookie, { secret: derive(kek, 'tillid/cookie-signing/v1').toString('base64url') })
  }
  app.decorateRequest('principal', null)
  app.decorateRequest('session', null)

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const token = request.cookies[SESSION_COOKIE]
    if (token) {
      const session = await sessions.find(token)
      if (session) {
        request.session = session
        request.principal = session.principal
      }
    }
    // A cookie-authenticated state change must prove it comes from our own pages (synchroniser token
    // from GET /api/me). The IdP's own forms are protected by oidc-provider's interaction cookies.
    if (request.session && !SAFE.has(request.method) && !/^\/oidc(\/|\?|$)/.test(request.url)) {
      if (!sameToken(request.headers['x-csrf-token'], request.session.csrfToken)) {
        throw new TillidError('csrf_failed', 'Send headeren x-csrf-token med værdien fra GET /api/me')
      }
    }
  })

  const redirectPath = '/auth/callback'
  if (embedded) await mountDevIdp(app, { publicUrl, clientSecret, redirectPath, people: options.personas })

  const rp = relyingParty({
    issuer: () => (embedded ? devIssuer(publicUrl()) : config.oidcIssuer!),
    clientId: embedded ? DEV_CLIENT_ID : config.oidcClientId,
    clientSecret,
    redirectUri: () => `${publicUrl()}${redirectPath}`,
    scopes: config.oidcScopes,
    forceLogin: embedded,
  })
  registerAuthRoutes(app, {
    rp,
    sessions,
    directory,
    publicUrl,
    secureCookies: () => publicUrl().startsWith('https:'),
  })
  // Expired sessions and old idempotency records are only clutter; sweep them hourly.
  const sweep = setInterval(() => {
    sessions.purgeExpired().catch(() => {})
    purgeIdempotency(db).catch(() => {})
  }, 3600_000)
  sweep.unref()
  app.addHook('onClose', async () => clearInterval(sweep))
  registerMeRoutes(app)
  const handle = { sessions, keys, directory }
  app.decorate('identity', handle)
  return handle
}

/**
 * The logged-in person as a service Actor: their principal, and their custodial ledger account for the
 * duration of `fn` only, bound to this request's session. 401 without a session.
 */
export function actorOf(request: FastifyRequest): Actor {
  const { principal, session } = request
  if (!principal || !session) throw new TillidError('unauthenticated')
  const keys = request.server.identity.keys
  return { principal, withAccount: (fn) => keys.withPersonAccount(session, fn) }
}
