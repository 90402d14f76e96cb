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
    const res = await this.fetch(persona, method, url, body)
    const text = await res.text()
    const parsed = text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text
    if (!res.ok) throw this.failure(persona, method, url, res, parsed)
    return parsed
  }

  /**
   * A call answered as NDJSON (`Accept: application/x-ndjson`): each line is handed to `onLine` as it
   * arrives; a refusal before the stream starts is thrown like {@link call}'s.
   */
  async lines(
    persona: string,
    method: string,
    url: string,
    // biome-ignore lint/suspicious/noExplicitAny: each line's shape is the route's
    onLine: (line: any) => void,
  ): Promise<void> {
    const res = await this.fetch(persona, method, url, undefined, 'application/x-ndjson')
    if (!res.ok || !res.body) {
      const text = await res.text()
      throw this.failure(persona, method, url, res, text ? JSON.parse(text) : {})
    }
    let buffered = ''
    const decoder = new TextDecoder()
    const reader = res.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      buffered += decoder.decode(value, { stream: true })
      let nl = buffered.indexOf('\n')
      while (nl >= 0) {
        const line = buffered.slice(0, nl).trim()
        buffered = buffered.slice(nl + 1)
        if (line) onLine(JSON.parse(line))
        nl = buffered.indexOf('\n')
      }
    }
    if (buffered.trim()) onLine(JSON.parse(buffered))
  }

  private async fetch(persona: string, method: string, url: string, body?: unknown, accept?: string) {
    const s = await this.as(persona)
    return fetch(this.baseUrl + url, {
      method,
      headers: {
        ...s.headers,
        ...(accept ? { accept } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(method === 'POST' ? { 'idempotency-key': crypto.randomUUID() } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  }

  private failure(
    persona: string,
    method: string,
    url: string,
    res: Response,
    parsed: unknown,
  ): ApiCallError {
    const p = parsed as {
      title?: string
      detail?: string
      code?: string
      errors?: { field: string; message: string }[]
    }
    const fields = (p.errors ?? []).map((e) => `${e.field}: ${e.message}`).join('; ')
    return new ApiCallError(
      `${method} ${url} as ${persona} failed (${res.status} ${p.code ?? ''}): ${p.title ?? ''} ${p.detail ?? ''} ${fields}`.trim(),
    )
  }
}
