/**
 * Everything every route gets, registered once on the root instance before any route:
 * problem+json errors, zod validation/serialisation, security headers (helmet, CSP), rate limiting,
 * Idempotency-Key, OpenAPI 3.1 at /openapi.json with a reference page at /docs, and the catalogue of
 * which action each route requires (for the role × route test).
 */
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance, RouteOptions } from 'fastify'
import type { Kysely } from 'kysely'
import type { Action } from '../../identity/authorise.ts'
import type { Database } from '../../store/schema.ts'
import { registerErrorHandling, TillidError } from '../errors.ts'
import { type IdempotencyOptions, registerIdempotency } from './idempotency.ts'
import { registerZod, swaggerTransform } from './zod.ts'

export interface ApiPlatformOptions {
  db: Kysely<Database>
  /** Requests per minute per client address; false turns limiting off (benchmarks). Default 6000. */
  rateLimit?: { max: number; timeWindow?: string } | false
  /** Install the problem+json not-found handler (false when app.ts installs its own). Default true. */
  notFound?: boolean
  /** API version shown in the OpenAPI document. */
  version?: string
  idempotency?: IdempotencyOptions
  /** Extra origins forms may be submitted to (CSP form-action), e.g. an external IdP. */
  formActionOrigins?: string[]
}

export interface RoutePermission {
  method: string
  url: string
  action: Action
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route guarded by requirePermission, with the action it requires. */
    routePermissions: RoutePermission[]
  }
}

/** The Content-Security-Policy: only the app's own scripts, styles and (dkfds) fonts. */
export function cspDirectives(formActionOrigins: string[] = []): Record<string, string[] | null> {
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    // React and ECharts set style attributes; inline styles cannot run code.
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'frame-ancestors': ["'none'"],
    'form-action': ["'self'", ...formActionOrigins],
    // Embedded mode serves plain HTTP on localhost; upgrading would break it.
    'upgrade-insecure-requests': null,
  }
}

export async function registerApiPlatform(app: FastifyInstance, options: ApiPlatformOptions): Promise<void> {
  registerErrorHandling(app, { notFound: options.notFound })
  registerZod(app)

  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(options.formActionOrigins) },
    crossOriginEmbedderPolicy: false,
  })

  if (options.rateLimit !== false) {
    await app.register(rateLimit, {
      global: true,
      max: options.rateLimit?.max ?? 6000,
      timeWindow: options.rateLimit?.timeWindow ?? '1 minute',
      errorResponseBuilder: (_req, ctx) =>
        new TillidError('rate_limited', `Prøv igen om ${Math.ceil(ctx.ttl / 1000)} sekunder`, {
          headers: { 'retry-after': String(Math.ceil(ctx.ttl / 1000)) },
        }),
    })
  }

  app.decorate('routePermissions', [] as RoutePermission[])
  app.addHook('onRoute', (route: RouteOptions) => {
    const handlers = [route.onRequest ?? [], route.preValidation ?? [], route.preHandler ?? []].flat() as (
      | { action?: Action }
      | undefined
    )[]
    for (const h of handlers) {
      if (h?.action) {
        for (const method of [route.method].flat())
          app.routePermissions.push({ method, url: route.url, action: h.action })
      }
    }
  })

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tillid API',
        version: options.version ?? '0.1.0',
        description:
          'Aftaler om sociale ydelser mellem kommuner og leverandører. Fejl er RFC 9457 problem+json; ' +
          'tilstandsændrende kald kræver headeren x-csrf-token (fra GET /api/me) og accepterer Idempotency-Key.',
      },
      components: {
        securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'tillid_session' } },
      },
      security: [{ session: [] }],
    },
    transform: swaggerTransform as never,
  })
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // The reference page gets the app's policy too (its own default adds upgrade-insecure-requests,
    // which breaks plain-HTTP embedded mode).
    staticCSP: Object.entries(cspDirectives())
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `${k} ${v!.join(' ')}`)
      .join('; '),
    uiConfig: { validatorUrl: null } as never,
  })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  registerIdempotency(app, options.db, options.idempotency)
}
