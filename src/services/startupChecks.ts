/**
 * Server mode's start-up checks: before anything is opened, every external dependency is checked
 * at once and each problem is named in one line — which setting is missing, or which address does
 * not answer and what it said — so an operator fixes them all in one go instead of one per restart.
 */
import { promises as fs } from 'node:fs'
import amqp from 'amqplib'
import pg from 'pg'
import type { Config } from '../config.ts'

const TIMEOUT_MS = 4000

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`no answer within ${TIMEOUT_MS / 1000} s (${what})`)),
        TIMEOUT_MS,
      ).unref(),
    ),
  ])
}

/** Hides a password in a URL shown in a message. */
export function redact(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return url
  }
}

const reason = (e: unknown) => {
  const err = e as { message?: string; code?: string }
  return err.message || err.code || String(e)
}

async function checkDatabase(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: TIMEOUT_MS })
  try {
    await withTimeout(client.connect(), 'connect')
    await withTimeout(client.query('select 1'), 'select 1')
    return null
  } catch (e) {
    return `TILLID_DATABASE_URL: PostgreSQL at ${redact(url)} is unreachable: ${reason(e)}`
  } finally {
    await client.end().catch(() => {})
  }
}

async function checkBroker(url: string): Promise<string | null> {
  try {
    const connection = await withTimeout(amqp.connect(url, { timeout: TIMEOUT_MS }), 'connect')
    await connection.close().catch(() => {})
    return null
  } catch (e) {
    return `TILLID_AMQP_URL: the AMQP broker at ${redact(url)} is unreachable: ${reason(e)}`
  }
}

async function checkLedger(urls: readonly string[], chainId: number): Promise<string | null> {
  const failures: string[] = []
  for (const url of urls) {
    try {
      const res = await withTimeout(
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
        }),
        'eth_chainId',
      )
      const body = (await res.json()) as { result?: string; error?: { message?: string } }
      if (!body.result) throw new Error(body.error?.message ?? `HTTP ${res.status}`)
      const id = Number(BigInt(body.result))
      if (id !== chainId) {
        return `TILLID_CHAIN_ID: the ledger node at ${redact(url)} has chain id ${id}, but TILLID_CHAIN_ID is ${chainId}`
      }
      return null
    } catch (e) {
      failures.push(`${redact(url)} (${reason(e)})`)
    }
  }
  return `TILLID_RPC_URL: no ledger node answers: ${failures.join('; ')}`
}

async function checkIssuer(issuer: string): Promise<string | null> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`
  try {
    const res = await withTimeout(fetch(url), 'discovery')
    if (!res.ok) throw new Error(`HTTP ${res.status}`)
    const doc = (await res.json()) as { issuer?: string }
    if (!doc.issuer) throw new Error('the discovery document names no issuer')
    return null
  } catch (e) {
    return `TILLID_OIDC_ISSUER: no OpenID Connect discovery document at ${url}: ${reason(e)}`
  }
}

async function checkFile(setting: string, file: string): Promise<string | null> {
  try {
    await fs.access(file, fs.constants.R_OK)
    return null
  } catch (e) {
    return `${setting}: ${file} cannot be read: ${reason(e)}`
  }
}

/** Every problem with server mode's settings and dependencies; empty when it can start. */
export async function checkServerMode(config: Config): Promise<string[]> {
  if (config.mode !== 'server') return []
  const missing = (
    [
      ['TILLID_DATABASE_URL', config.databaseUrl, 'the PostgreSQL connection URL'],
      ['TILLID_RPC_URL', config.rpcUrls.length ? 'set' : undefined, 'the ledger nodes’ JSON-RPC URLs'],
      ['TILLID_AMQP_URL', config.amqpUrl, 'the AMQP broker for MOX events'],
      ['TILLID_OIDC_ISSUER', config.oidcIssuer, 'the municipality’s OpenID Connect issuer'],
      ['TILLID_OIDC_CLIENT_SECRET', config.oidcClientSecret, 'Tillid’s client secret at the issuer'],
      ['TILLID_KEK_FILE', config.kekFile, 'the key-encryption key file'],
    ] as const
  )
    .filter(([, value]) => !value)
    .map(([name, , what]) => `${name} is not set: server mode needs ${what}`)
  const checks = await Promise.all([
    config.databaseUrl ? checkDatabase(config.databaseUrl) : null,
    config.rpcUrls.length ? checkLedger(config.rpcUrls, config.chainId) : null,
    config.amqpUrl ? checkBroker(config.amqpUrl) : null,
    config.oidcIssuer ? checkIssuer(config.oidcIssuer) : null,
    config.kekFile ? checkFile('TILLID_KEK_FILE', config.kekFile) : null,
    config.operatorKeyFile ? checkFile('TILLID_OPERATOR_KEY_FILE', config.operatorKeyFile) : null,
  ])
  return [...missing, ...checks.filter((c): c is string => c !== null)]
}
