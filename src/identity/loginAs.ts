/**
 * Logs in as one of the embedded IdP's people by walking the real OpenID Connect flow over HTTP, the
 * way a browser does: /auth/login → IdP authorization endpoint → persona picker → form post → IdP
 * resume → /auth/callback, with a cookie jar per host. Used by the demo command, the CLI and tests.
 * Works only against an instance running the embedded development IdP.
 */

export interface LoginResult {
  /** `Cookie` header value carrying the Tillid session */
  cookie: string
  csrfToken: string
  me: {
    person: { id: string; name: string; role: string; kind: 'staff' | 'citizen' }
    organisation: { id: string; kind: string; name: string; code: string } | null
    kle: string[]
    csrfToken: string
  }
  /** Headers for state-changing API calls: cookie + x-csrf-token */
  headers: Record<string, string>
}

class CookieJar {
  private readonly jars = new Map<string, Map<string, string>>()
  store(url: URL, response: Response): void {
    const jar = this.jars.get(url.host) ?? new Map<string, string>()
    this.jars.set(url.host, jar)
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';')
      const eq = pair!.indexOf('=')
      const name = pair!.slice(0, eq).trim()
      const value = pair!.slice(eq + 1).trim()
      const expired = attrs.some((a) => {
        const [k, v] = a.trim().split('=')
        if (k?.toLowerCase() === 'max-age') return Number(v) <= 0
        if (k?.toLowerCase() === 'expires') return Date.parse(v ?? '') < Date.now()
        return false
      })
      if (expired || value === '') jar.delete(name)
      else jar.set(name, value)
    }
  }
  header(url: URL): string {
    return [...(this.jars.get(url.host) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join('; ')
  }
}

export async function loginAs(
  baseUrl: string,
  login: string,
  options: { fetch?: typeof fetch; maxSteps?: number } = {},
): Promise<LoginResult> {
  const doFetch = options.fetch ?? fetch
  const jar = new CookieJar()
  // Tillid may send the browser to its public URL first (e.g. localhost → 127.0.0.1); follow it.
  let base = new URL(baseUrl)
  const request = async (url: URL, init: RequestInit = {}) => {
    const headers = new Headers(init.headers)
    const cookie = jar.header(url)
    if (cookie) headers.set('cookie', cookie)
    const res = await doFetch(url, { ...init, headers, redirect: 'manual' })
    jar.store(url, res)
    return res
  }

  let url = new URL('/auth/login?returnTo=/', base)
  let res = await request(url)
  let posted = false
  for (let step = 0; step < (options.maxSteps ?? 12); step++) {
    const location = res.headers.get('location')
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel()
      url = new URL(location, url)
      if (url.pathname === '/auth/login') base = new URL(url.origin)
      // Back at Tillid after the callback: the session cookie is set.
      if (url.host === base.host && !url.pathname.startsWith('/oidc') && !url.pathname.startsWith('/auth/'))
        break
      res = await request(url)
      continue
    }
    const html = await res.text()
    if (res.status !== 200 || posted) {
      throw new Error(
        `login as ${login} stopped at ${url.pathname} with HTTP ${res.status}: ${html.slice(0, 200)}`,
      )
    }
    const action = /<form[^>]*method="post"[^>]*action="([^"]+)"/i.exec(html)?.[1]
    if (!action || !html.includes(`value="${login}"`)) {
      throw new Error(`no persona '${login}' on the login page at ${url.pathname}`)
    }
    url = new URL(action.replaceAll('&amp;', '&'), url)
    res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ persona: login }).toString(),
    })
    posted = true
  }
  const cookie = jar.header(base)
  if (!cookie.includes('tillid_session=')) throw new Error(`login as ${login} did not produce a session`)
  const meRes = await doFetch(new URL('/api/me', base), { headers: { cookie } })
  if (!meRes.ok) throw new Error(`GET /api/me after login as ${login} answered ${meRes.status}`)
  const me = (await meRes.json()) as LoginResult['me']
  const session = cookie
    .split('; ')
    .filter((c) => c.startsWith('tillid_session='))
    .join('; ')
  return {
    cookie: session,
    csrfToken: me.csrfToken,
    me,
    headers: { cookie: session, 'x-csrf-token': me.csrfToken },
  }
}
