/**
 * Tillid as an OpenID Connect relying party (openid-client 6): authorization code flow with PKCE,
 * state and nonce. The issuer is the embedded development IdP or, in server mode, any issuer given by
 * configuration (TILLID_OIDC_ISSUER, TILLID_OIDC_CLIENT_ID, TILLID_OIDC_CLIENT_SECRET).
 */
import * as client from 'openid-client'

export interface RelyingPartyOptions {
  issuer: () => string
  clientId: string
  clientSecret: string
  redirectUri: () => string
  scopes: string
  /** Ask the IdP to show its login page even with a live IdP session (the persona picker needs it). */
  forceLogin?: boolean
}

/** What /auth/login must remember until /auth/callback (kept in a signed, short-lived cookie). */
export interface PendingLogin {
  codeVerifier: string
  state: string
  nonce: string
  returnTo: string
}

export class LoginError extends Error {
  override name = 'LoginError'
  readonly code = 'login_failed'
}

export interface RelyingParty {
  start(returnTo: string): Promise<{ url: string; pending: PendingLogin }>
  /** Exchanges the code in the callback URL; returns the merged ID-token and userinfo claims. */
  finish(callbackQuery: string, pending: PendingLogin): Promise<Record<string, unknown>>
}

export function relyingParty(options: RelyingPartyOptions): RelyingParty {
  let configuration: Promise<client.Configuration> | null = null
  const config = () => {
    if (!configuration) {
      const issuer = new URL(options.issuer())
      configuration = client
        .discovery(
          issuer,
          options.clientId,
          options.clientSecret,
          undefined,
          // Plain HTTP only for a local issuer (the embedded IdP, or a test IdP).
          issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined,
        )
        .catch((err) => {
          configuration = null
          throw new LoginError(`the identity provider could not be reached (${(err as Error).message})`)
        })
    }
    return configuration
  }

  return {
    async start(returnTo) {
      const cfg = await config()
      const pending: PendingLogin = {
        codeVerifier: client.randomPKCECodeVerifier(),
        state: client.randomState(),
        nonce: client.randomNonce(),
        returnTo,
      }
      const params: Record<string, string> = {
        redirect_uri: options.redirectUri(),
        scope: options.scopes,
        code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
      }
      if (options.forceLogin) params.prompt = 'login'
      return { url: client.buildAuthorizationUrl(cfg, params).href, pending }
    },
    async finish(callbackQuery, pending) {
      const cfg = await config()
      const current = new URL(options.redirectUri())
      current.search = callbackQuery
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>
      try {
        tokens = await client.authorizationCodeGrant(cfg, current, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        })
      } catch (err) {
        const e = err as { error?: string; error_description?: string; message?: string }
        throw new LoginError(e.error_description ?? e.error ?? e.message ?? 'the login was not accepted')
      }
      const idClaims = tokens.claims() as Record<string, unknown> | undefined
      if (!idClaims) throw new LoginError('no ID token')
      let info: Record<string, unknown> = {}
      if (cfg.serverMetadata().userinfo_endpoint && tokens.access_token) {
        try {
          info = (await client.fetchUserInfo(cfg, tokens.access_token, idClaims.sub as string)) as Record<
            string,
            unknown
          >
        } catch {
          // The ID token may carry every claim already; userinfo is a supplement.
        }
      }
      return { ...info, ...idClaims }
    },
  }
}
