/**
 * A minimal JSON-RPC client for the ledger's own calls. The supervisor needs to tell "anvil is
 * gone" (transport) apart from "anvil answered with an error" (a rejected transaction), which
 * viem's transports blur; reads by the rest of the app go through viem's publicClient.
 */
import type { Hex } from 'viem'

/** The node could not be reached or did not answer (process gone, connection refused or reset). */
export class RpcTransportError extends Error {
  override name = 'RpcTransportError'
}

/** The node answered with a JSON-RPC error. */
export class RpcResponseError extends Error {
  override name = 'RpcResponseError'
  readonly code: number
  readonly data: unknown

  constructor(method: string, error: { code: number; message: string; data?: unknown }) {
    super(`${method}: ${error.message} (code ${error.code})`)
    this.code = error.code
    this.data = error.data
  }

  /** Revert data when the error is an execution revert (eth_call, eth_estimateGas). */
  get revertData(): Hex | undefined {
    const d = this.data as unknown
    if (typeof d === 'string' && d.startsWith('0x')) return d as Hex
    if (d && typeof d === 'object' && typeof (d as { data?: unknown }).data === 'string') {
      return (d as { data: Hex }).data
    }
    return undefined
  }
}

export interface RpcCaller {
  call<T = unknown>(method: string, params?: unknown[]): Promise<T>
}

export class JsonRpc implements RpcCaller {
  private id = 0

  constructor(
    readonly url: string,
    private readonly timeoutMs = 60_000,
  ) {}

  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    let response: Response
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++this.id, method, params }),
        signal: AbortSignal.timeout(this.timeoutMs),
      })
    } catch (e) {
      throw new RpcTransportError(`${method}: ${this.url} did not answer (${describe(e)})`, { cause: e })
    }
    let body: { result?: T; error?: { code: number; message: string; data?: unknown } }
    try {
      body = (await response.json()) as typeof body
    } catch (e) {
      throw new RpcTransportError(`${method}: bad answer from ${this.url} (HTTP ${response.status})`, {
        cause: e,
      })
    }
    if (body.error) throw new RpcResponseError(method, body.error)
    return body.result as T
  }
}

function describe(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause
  return cause?.code ?? cause?.message ?? (e as Error).message ?? String(e)
}

/** Tries each endpoint in order when one cannot be reached; remembers the one that answered. */
export class FailoverRpc implements RpcCaller {
  private readonly endpoints: JsonRpc[]
  private current = 0

  constructor(urls: readonly string[], timeoutMs?: number) {
    if (urls.length === 0) throw new Error('no JSON-RPC URL given')
    this.endpoints = urls.map((u) => new JsonRpc(u, timeoutMs))
  }

  get url(): string {
    return this.endpoints[this.current]?.url ?? ''
  }

  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    let last: unknown
    for (let i = 0; i < this.endpoints.length; i++) {
      const index = (this.current + i) % this.endpoints.length
      try {
        const result = await (this.endpoints[index] as JsonRpc).call<T>(method, params)
        this.current = index
        return result
      } catch (e) {
        if (!(e instanceof RpcTransportError)) throw e
        last = e
      }
    }
    throw last
  }
}
