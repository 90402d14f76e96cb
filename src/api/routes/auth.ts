/**
 * GET /auth/login → the IdP; GET /auth/callback → session cookie; POST /auth/logout.
 * What login must remember until the callback (PKCE verifier, state, nonce, return path) travels in a
 * signed, httpOnly cookie limited to /auth that lives ten minutes.
 */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { Directory } from '../../identity/directory.ts'
import { ClaimsError, mapClaims } from '../../identity/principal.ts'
import type { PendingLogin, RelyingParty } from '../../identity/relyingParty.ts'
import { LoginError } from '../../identity/relyingParty.ts'
import type { SessionStore } from '../../identity/sessions.ts'
import { TillidError } from '../errors.ts'

export const SESSION_COOKIE = 'tillid_session'
const LOGIN_COOKIE = 'tillid_login'

/** Only paths of this site: no scheme, no host, no `//` or `/\` tricks (open redirects). */
export const returnToSchema = z
  .string()
  .max(2000)
  .regex(/^\/(?![/\\])[^\s\\]*$/, 'skal være en sti på dette site, fx /sager')

export interface AuthRouteOptions {
  rp: RelyingParty
  sessions: SessionStore
  directory: Directory
  secureCookies: () => boolean
  publicUrl: () => string
}

export function registerAuthRoutes(app: FastifyInstance, o: AuthRouteOptions): void {
  const loginRate = { rateLimit: { max: 120, timeWindow: '1 minute' } }

  app.get(
    '/auth/login',
    {
      schema: {
        tags: ['login'],
        summary: 'Start login hos identitetsudbyderen (302)',
        querystring: z.object({ returnTo: returnToSchema.optional() }),
      },
      config: loginRate,
    },
    async (request, reply) => {
      const { returnTo } = request.query as { returnTo?: string }
      // Login cookies must be set on the host the IdP sends the browser back to (localhost vs
      // 127.0.0.1), so start over on the public URL's host.
      const canonical = new URL(o.publicUrl())
      if (request.headers.host && request.headers.host !== canonical.host) {
        const again = new URL('/auth/login', canonical)
        if (returnTo) again.searchParams.set('returnTo', returnTo)
        return reply.redirect(again.href, 302)
      }
      const { url, pending } = await o.rp.start(returnTo ?? '/')
      reply.setCookie(LOGIN_COOKIE, Buffer.from(JSON.stringify(pending)).toString('base64url'), {
        path: '/auth',
        httpOnly: true,
        sameSite: 'lax',
        secure: o.secureCookies(),
        signed: true,
        maxAge: 600,
      })
      return reply.header('cache-control', 'no-store').redirect(url, 302)
    },
  )

  app.get(
    '/auth/callback',
    {
      schema: {
        tags: ['login'],
        summary: 'Modtag svaret fra identitetsudbyderen, opret session (302 til returnTo)',
        querystring: z.object({
          code: z.string().max(2000).optional(),
          state: z.string().max(500).optional(),
          iss: z.string().max(2000).optional(),
          error: z.string().max(200).optional(),
          error_description: z.string().max(1000).optional(),
        }),
      },
      config: loginRate,
    },
    async (request, reply) => {
      const raw = request.cookies[LOGIN_COOKIE]
      const unsigned = raw ? request.unsignCookie(raw) : null
      reply.clearCookie(LOGIN_COOKIE, { path: '/auth' })
      if (!unsigned?.valid || !unsigned.value) {
        throw new TillidError('login_failed', 'Loginforsøget er ukendt eller udløbet – start forfra')
      }
      let pending: PendingLogin
      try {
        pending = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as PendingLogin
      } catch {
        throw new TillidError('login_failed', 'Loginforsøget er ukendt eller udløbet – start forfra')
      }
      const query = request.query as { error?: string }
      // The user cancelled at the IdP: back to where they came from, not logged in.
      if (query.error === 'access_denied') return reply.redirect('/', 303)
      try {
        const claims = await o.rp.finish(request.url.split('?')[1] ?? '', pending)
        const principal = await o.directory.resolve(mapClaims(claims))
        // A fresh session id at every login (no fixation); whatever session this browser had ends.
        const previous = request.cookies[SESSION_COOKIE]
        if (previous) await o.sessions.destroy(previous)
        const { token } = await o.sessions.create(principal)
        request.log.info({ personId: principal.personId, role: principal.role }, 'login')
        reply.setCookie(SESSION_COOKIE, token, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: o.secureCookies(),
        })
        return reply.header('cache-control', 'no-store').redirect(returnToSchema.parse(pending.returnTo), 302)
      } catch (err) {
        if (err instanceof LoginError || err instanceof ClaimsError)
          throw new TillidError('login_failed', err.message)
        throw err
      }
    },
  )

  app.post(
    '/auth/logout',
    { schema: { tags: ['login'], summary: 'Log ud (sletter sessionen)' } },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE]
      if (token) await o.sessions.destroy(token)
      reply.clearCookie(SESSION_COOKIE, { path: '/' })
      return reply.code(204).send()
    },
  )
}
