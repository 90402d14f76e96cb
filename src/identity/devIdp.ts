/**
 * The embedded development IdP (oidc-provider) with the scenario's people, mounted under /oidc in the
 * same Fastify process. Its login page is a Danish persona picker without passwords, marked
 * "Udviklings-login"; it is only mounted in embedded mode. Tillid logs in against it as an ordinary
 * OpenID Connect relying party, so the code path is the one a municipality's own IdP uses.
 *
 * The provider is created on the first request, because its issuer URL contains the listening port,
 * which is only known once the server listens (port 0 in tests).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
// Imported only when the development IdP is mounted (embedded mode): server mode never loads it.
import type Provider from 'oidc-provider'
import type { InteractionDetails } from 'oidc-provider'
import { type Persona, personas } from './personas.ts'

export const DEV_IDP_PATH = '/oidc'
export const DEV_CLIENT_ID = 'tillid'
export const DEV_SCOPES = 'openid profile tillid'
const tillidClaims = [
  'tillid_role',
  'tillid_org_kind',
  'tillid_org_code',
  'tillid_org_name',
  'tillid_kle',
  'tillid_cpr',
  'tillid_custody',
]

export interface DevIdpOptions {
  /** e.g. http://127.0.0.1:8080 — the issuer becomes `${publicUrl}/oidc` */
  publicUrl: () => string
  clientSecret: string
  redirectPath: string
  /** Redirect URIs of the client when Tillid runs elsewhere (a stand-alone test IdP); default: this app's. */
  redirectUris?: string[]
  people?: readonly Persona[]
}

export function devIssuer(publicUrl: string): string {
  return `${publicUrl.replace(/\/$/, '')}${DEV_IDP_PATH}`
}

function createProvider(ProviderClass: typeof Provider, options: DevIdpOptions): Provider {
  const publicUrl = options.publicUrl().replace(/\/$/, '')
  const people = options.people ?? personas
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `dev-${Date.now()}`, alg: 'RS256', use: 'sig' }
  const provider = new ProviderClass(devIssuer(publicUrl), {
    clients: [
      {
        client_id: DEV_CLIENT_ID,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris ?? [`${publicUrl}${options.redirectPath}`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], profile: ['name'], tillid: tillidClaims },
    scopes: ['openid', 'profile', 'tillid'],
    // The relying party maps claims from the ID token; putting them there saves a userinfo round trip.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    adapter: MemoryAdapter,
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 900,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
    features: { devInteractions: { enabled: false } },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `${DEV_IDP_PATH}/interaction/${interaction.uid}`,
    },
    async findAccount(_ctx: unknown, sub: string) {
      const p = people.find((x) => x.login === sub)
      if (!p) return undefined
      return { accountId: p.login, claims: async () => ({ ...p.claims, sub: p.login }) }
    },
    // Tillid is the only (first-party) client: consent is implied, so no consent page.
    async loadExistingGrant(ctx: {
      oidc: {
        client: { clientId: string }
        session: { accountId: string; grantIdFor(id: string): string | undefined }
        result?: { consent?: { grantId?: string } }
        provider: Provider
      }
    }) {
      const { client, session, result } = ctx.oidc
      const existing = result?.consent?.grantId ?? session.grantIdFor(client.clientId)
      if (existing) {
        const found = await ctx.oidc.provider.Grant.find(existing)
        if (found) return found
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId })
      grant.addOIDCScope(DEV_SCOPES)
      grant.addOIDCClaims(['name', ...tillidClaims])
      await grant.save()
      return grant
    },
    async renderError(ctx: { type: string; body: string; status: number }, out: Record<string, string>) {
      ctx.type = 'html'
      ctx.body = page(
        'Login mislykkedes',
        `<h1>Login mislykkedes</h1><p>${escapeHtml(out.error_description ?? out.error ?? 'Ukendt fejl')}</p><p><a href="/">Til forsiden</a></p>`,
      )
    },
  })
  return provider
}

/**
 * oidc-provider's storage: in memory, because the development IdP's sessions need not survive a
 * restart (Tillid's own sessions are in the store).
 */
class MemoryAdapter {
  private static readonly items = new Map<string, { value: Record<string, unknown>; expires: number }>()
  constructor(private readonly model: string) {}
  private key(id: string) {
    return `${this.model}:${id}`
  }
  private get(key: string) {
    const item = MemoryAdapter.items.get(key)
    if (!item) return undefined
    if (item.expires < Date.now()) {
      MemoryAdapter.items.delete(key)
      return undefined
    }
    return item.value
  }
  async upsert(id: string, payload: Record<string, unknown>, expiresIn: number) {
    MemoryAdapter.items.set(this.key(id), {
      value: payload,
      expires: Date.now() + (expiresIn || 3600) * 1000,
    })
    for (const [k, v] of MemoryAdapter.items) if (v.expires < Date.now()) MemoryAdapter.items.delete(k)
    if (payload.uid)
      MemoryAdapter.items.set(`uid:${this.model}:${payload.uid}`, {
        value: { id },
        expires: Date.now() + (expiresIn || 3600) * 1000,
      })
    if (payload.userCode)
      MemoryAdapter.items.set(`user:${this.model}:${payload.userCode}`, {
        value: { id },
        expires: Date.now() + (expiresIn || 3600) * 1000,
      })
  }
  async find(id: string) {
    return this.get(this.key(id))
  }
  async findByUid(uid: string) {
    const ref = this.get(`uid:${this.model}:${uid}`)
    return ref ? this.find(ref.id as string) : undefined
  }
  async findByUserCode(code: string) {
    const ref = this.get(`user:${this.model}:${code}`)
    return ref ? this.find(ref.id as string) : undefined
  }
  async consume(id: string) {
    const v = this.get(this.key(id))
    if (v) v.consumed = Math.floor(Date.now() / 1000)
  }
  async destroy(id: string) {
    MemoryAdapter.items.delete(this.key(id))
  }
  async revokeByGrantId(grantId: string) {
    for (const [k, v] of MemoryAdapter.items) if (v.value.grantId === grantId) MemoryAdapter.items.delete(k)
  }
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="da"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – Tillid</title><link rel="stylesheet" href="${DEV_IDP_PATH}/assets/login.css"></head>
<body><main>${body}</main></body></html>`
}

const css = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f5f5f5;color:#1a1a1a}
main{max-width:40rem;margin:2rem auto;padding:0 1rem}
.dev{background:#fff3cd;border-left:6px solid #b78a00;padding:1rem;margin-bottom:1.5rem}
ul{list-style:none;padding:0;margin:0}li{margin:.5rem 0}
button{width:100%;text-align:left;padding:.75rem 1rem;border:1px solid #747474;border-radius:4px;background:#fff;font:inherit;cursor:pointer}
button:hover,button:focus{border-color:#004993;outline:3px solid #004993;outline-offset:1px}
.name{display:block;font-weight:600}.role{display:block;color:#454545;font-size:.9rem}
fieldset{border:0;padding:0;margin:0}legend{font-weight:600;margin-bottom:.5rem}a{color:#004993}`

function pickerPage(uid: string, people: readonly Persona[]): string {
  const items = people
    .map(
      (p) =>
        `<li><button type="submit" name="persona" value="${escapeHtml(p.login)}"><span class="name">${escapeHtml(p.name)}</span>` +
        `<span class="role">${escapeHtml(p.description)}</span></button></li>`,
    )
    .join('\n')
  const base = `${DEV_IDP_PATH}/interaction/${encodeURIComponent(uid)}`
  return page(
    'Udviklings-login',
    `<div class="dev" role="note"><strong>Udviklings-login.</strong> Kun til udvikling og demonstration: vælg en person fra
scenariet – der kræves ingen adgangskode. I drift logger man ind via kommunens eget login (fx MitID eller AD FS).</div>
<h1>Log ind i Tillid</h1>
<form method="post" action="${base}/login"><fieldset><legend>Vælg hvem du vil logge ind som</legend>
<ul>${items}</ul></fieldset></form>
<p><a href="${base}/abort">Annullér login</a></p>`,
  )
}

/**
 * Mounts the IdP: its own routes (interaction pages) plus a catch-all that hands /oidc/* to
 * oidc-provider untouched (before Fastify parses the body, which oidc-provider reads itself).
 */
export async function mountDevIdp(app: FastifyInstance, options: DevIdpOptions): Promise<void> {
  const { default: ProviderClass } = await import('oidc-provider')
  let provider: Provider | null = null
  let handler: ReturnType<Provider['callback']> | null = null
  const people = options.people ?? personas
  const getProvider = () => {
    if (!provider) {
      provider = createProvider(ProviderClass, options)
      handler = provider.callback()
    }
    return provider
  }

  const forward = (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    getProvider()
    reply.hijack()
    const raw = request.raw as typeof request.raw & { originalUrl?: string }
    raw.originalUrl = raw.url
    raw.url = raw.url!.slice(DEV_IDP_PATH.length) || '/'
    handler!(raw, reply.raw)
    done()
  }

  const loginRate = { rateLimit: { max: 300, timeWindow: '1 minute' } }
  for (const url of [DEV_IDP_PATH, `${DEV_IDP_PATH}/*`]) {
    app.route({
      method: ['GET', 'POST', 'HEAD', 'OPTIONS', 'DELETE', 'PUT'],
      url,
      schema: { hide: true },
      config: loginRate,
      onRequest: forward,
      handler: async () => undefined,
    })
  }

  app.get(`${DEV_IDP_PATH}/assets/login.css`, { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
  )

  const details = async (
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<InteractionDetails | null> => {
    try {
      return await getProvider().interactionDetails(request.raw, reply.raw)
    } catch {
      return null
    }
  }
  const expired = (reply: FastifyReply) =>
    reply
      .code(400)
      .type('text/html; charset=utf-8')
      .send(
        page(
          'Login udløbet',
          '<h1>Login udløbet</h1><p>Loginforsøget er udløbet eller ukendt.</p><p><a href="/auth/login">Start forfra</a></p>',
        ),
      )

  await app.register(async (scope) => {
    // Only this scope accepts HTML form posts; the API itself speaks JSON.
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 4096 },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    )
    scope.get<{ Params: { uid: string } }>(
      `${DEV_IDP_PATH}/interaction/:uid`,
      { schema: { hide: true }, config: loginRate },
      async (request, reply) => {
        const d = await details(request, reply)
        if (!d || d.uid !== request.params.uid) return expired(reply)
        return reply
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(pickerPage(d.uid, people))
      },
    )
    scope.post<{ Params: { uid: string }; Body: { persona?: string } }>(
      `${DEV_IDP_PATH}/interaction/:uid/login`,
      { schema: { hide: true }, config: loginRate },
      async (request, reply) => {
        const d = await details(request, reply)
        if (!d || d.uid !== request.params.uid) return expired(reply)
        const chosen = people.find((p) => p.login === request.body?.persona)
        if (!chosen) {
          return reply.code(400).type('text/html; charset=utf-8').send(pickerPage(d.uid, people))
        }
        const to = await getProvider().interactionResult(
          request.raw,
          reply.raw,
          { login: { accountId: chosen.login } },
          { mergeWithLastSubmission: false },
        )
        return reply.redirect(to, 303)
      },
    )
    scope.get<{ Params: { uid: string } }>(
      `${DEV_IDP_PATH}/interaction/:uid/abort`,
      { schema: { hide: true }, config: loginRate },
      async (request, reply) => {
        const d = await details(request, reply)
        if (!d || d.uid !== request.params.uid) return expired(reply)
        const to = await getProvider().interactionResult(
          request.raw,
          reply.raw,
          { error: 'access_denied', error_description: 'Login annulleret' },
          { mergeWithLastSubmission: false },
        )
        return reply.redirect(to, 303)
      },
    )
  })
}
