/** Talks to a running Tillid through its HTTP API, logged in through its IdP like a browser. */
import { type LoginResult, loginAs } from '../identity/loginAs.ts'

/** A refused or failed API call, as one line for the terminal. */
export class ApiCallError extends Error {
  override name = 'ApiCallError'
}

/** A running Tillid's HTTP API as demo persons: one OIDC session per persona, problem+json turned into one readable line. */
export class ApiClient {
  private sessions = new Map<string, LoginResult>()
  constructor(readonly baseUrl: string) {}

  async as(persona: string): Promise<LoginResult> {
    let s = this.sessions.get(persona)
    if (!s) {
      s = await loginAs(this.baseUrl, persona)
      this.sessions.set(persona, s)
    }
    return s
  }

  // biome-ignore lint/suspicious/noExplicitAny: responses are JSON of many shapes; callers read what they need
  async call(persona: string, method: string, url: string, body?: unknown): Promise<any> {
    const s = await this.as(persona)
    const res = await fetch(this.baseUrl + url, {
      method,
      headers: {
        ...s.headers,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(method === 'POST' ? { 'idempotency-key': crypto.randomUUID() } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    const parsed = text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text
    if (!res.ok) {
      const p = parsed as {
        title?: string
        detail?: string
        code?: string
        errors?: { field: string; message: string }[]
      }
      const fields = (p.errors ?? []).map((e) => `${e.field}: ${e.message}`).join('; ')
      throw new ApiCallError(
        `${method} ${url} as ${persona} failed (${res.status} ${p.code ?? ''}): ${p.title ?? ''} ${p.detail ?? ''} ${fields}`.trim(),
      )
    }
    return parsed
  }
}
