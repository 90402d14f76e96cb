/**
 * The only module that reads process.env. Every setting is a TILLID_* variable with a documented
 * default (docs/configuration.md); a bad value stops start-up with one line naming the variable.
 */
import { resolve } from 'node:path'
import { z } from 'zod'

const port = z.coerce.number().int().min(0).max(65535).describe('an integer from 0 to 65535')
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')

/** Describes each setting once: schema, default and the text shown in docs and errors. */
const settings = {
  TILLID_MODE: {
    schema: z.enum(['embedded', 'server']),
    default: 'embedded',
    doc: 'embedded: anvil, PGlite and in-process events inside Tillid; server: external PostgreSQL, AMQP and RPC',
  },
  TILLID_DATA_DIR: {
    schema: z.string().min(1),
    default: './.tillid-data',
    doc: 'directory for all local state',
  },
  TILLID_HOST: { schema: z.string().min(1), default: '127.0.0.1', doc: 'address the API listens on' },
  TILLID_PORT: { schema: port, default: '8080', doc: 'port of the API and web app (0 picks a free port)' },
  TILLID_PUBLIC_URL: {
    schema: z.url().optional(),
    default: undefined,
    doc: 'public base URL (default http://HOST:PORT)',
  },
  TILLID_CHAIN_ID: {
    schema: z.coerce.number().int().positive().describe('a positive integer'),
    default: '45054',
    doc: 'EVM chain id of the ledger',
  },
  TILLID_ANVIL_PORT: {
    schema: port,
    default: '0',
    doc: 'port of the embedded anvil (0 picks a free port)',
  },
  TILLID_GENESIS_TIMESTAMP: {
    schema: z.coerce.number().int().positive().describe('Unix seconds'),
    default: '1767225600',
    doc: 'Unix time of the embedded ledger genesis (2026-01-01T00:00:00Z), so the scenario can run from its first date',
  },
  TILLID_SNAPSHOT_EVERY: {
    schema: z.coerce.number().int().positive().describe('a positive integer'),
    default: '200',
    doc: 'take a ledger snapshot after this many journaled transactions',
  },
  TILLID_RPC_URL: {
    schema: z.string().optional(),
    default: undefined,
    doc: 'server mode: comma-separated EVM JSON-RPC URLs (failover in order)',
  },
  TILLID_DATABASE_URL: {
    schema: z.string().optional(),
    default: undefined,
    doc: 'server mode: PostgreSQL connection URL',
  },
  TILLID_AMQP_URL: {
    schema: z.string().optional(),
    default: undefined,
    doc: 'AMQP broker URL for MOX events (in-process events when unset)',
  },
  TILLID_AMQP_EXCHANGE: {
    schema: z.string().min(1),
    default: 'tillid.events',
    doc: 'topic exchange that events are published to',
  },
  TILLID_AMQP_INBOUND_QUEUE: {
    schema: z
      .string()
      .regex(/^[\w.:-]{1,200}$/)
      .describe('a queue name of letters, digits and . _ : -'),
    default: 'tillid.inbound.esdh',
    doc: 'durable queue Tillid consumes ESDH messages from (a document journalised on a case becomes a status report)',
  },
  TILLID_KEK_FILE: {
    schema: z.string().optional(),
    default: undefined,
    doc: 'file with the 32-byte key-encryption key (hex); embedded mode generates DATA_DIR/kek.hex',
  },
  TILLID_OPERATOR_KEY_FILE: {
    schema: z.string().optional(),
    default: undefined,
    doc: 'server mode: file with the operator key (32-byte hex, mode 0600) that deploys the contracts and registers organisations; embedded mode uses a fixed development key',
  },
  TILLID_LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    doc: 'pino log level',
  },
  TILLID_DEMO: {
    schema: bool,
    default: 'true',
    doc: 'load the scenario’s organisations and people, and allow moving ledger time forward (embedded only)',
  },
  TILLID_OIDC_ISSUER: {
    schema: z.url().optional(),
    default: undefined,
    doc: 'server mode: OpenID Connect issuer URL (embedded mode runs its own development IdP)',
  },
  TILLID_OIDC_CLIENT_ID: {
    schema: z.string().min(1),
    default: 'tillid',
    doc: 'client id of Tillid at the OpenID Connect issuer',
  },
  TILLID_OIDC_CLIENT_SECRET: {
    schema: z.string().optional(),
    default: undefined,
    doc: 'server mode: client secret at the OpenID Connect issuer (embedded mode derives one from the KEK)',
  },
  TILLID_OIDC_SCOPES: {
    schema: z.string().min(1),
    default: 'openid profile tillid',
    doc: 'scopes asked for at login; the claims they give are mapped as in docs/authorisation.md',
  },
  TILLID_RATE_LIMIT: {
    schema: z.coerce.number().int().min(0),
    default: '6000',
    doc: 'API requests per minute per client address (0 turns rate limiting off)',
  },
} as const

type Settings = typeof settings
type Key = keyof Settings
export type RawConfig = { [K in Key]: z.output<Settings[K]['schema']> }

export interface Config {
  mode: 'embedded' | 'server'
  dataDir: string
  host: string
  port: number
  publicUrl: string | undefined
  chainId: number
  anvilPort: number
  genesisTimestamp: number
  snapshotEvery: number
  rpcUrls: string[]
  databaseUrl: string | undefined
  amqpUrl: string | undefined
  amqpExchange: string
  amqpInboundQueue: string
  kekFile: string | undefined
  operatorKeyFile: string | undefined
  logLevel: RawConfig['TILLID_LOG_LEVEL']
  demo: boolean
  oidcIssuer: string | undefined
  oidcClientId: string
  oidcClientSecret: string | undefined
  oidcScopes: string
  rateLimit: number
}

/** Thrown for a bad setting; its message is the one line shown to the operator. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

function allowed(schema: z.ZodType): string {
  const inner = schema instanceof z.ZodOptional ? schema.unwrap() : schema
  if (inner instanceof z.ZodEnum) return `one of ${inner.options.join(', ')}`
  if (inner instanceof z.ZodPipe) return 'true or false'
  return (inner as { description?: string }).description ?? 'see docs/configuration.md'
}

/** Reads and validates the configuration from an environment (process.env by default). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {}
  for (const [key, s] of Object.entries(settings) as [Key, Settings[Key]][]) {
    const given = env[key]
    const value = given === undefined || given === '' ? s.default : given
    const parsed = (s.schema as z.ZodType).safeParse(value)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new ConfigError(
        `${key}=${JSON.stringify(given)} is not valid: ${issue?.message ?? 'invalid'} (allowed: ${allowed(s.schema)})`,
      )
    }
    raw[key] = parsed.data
  }
  const r = raw as RawConfig
  const config: Config = {
    mode: r.TILLID_MODE,
    dataDir: resolve(r.TILLID_DATA_DIR),
    host: r.TILLID_HOST,
    port: r.TILLID_PORT,
    publicUrl: r.TILLID_PUBLIC_URL,
    chainId: r.TILLID_CHAIN_ID,
    anvilPort: r.TILLID_ANVIL_PORT,
    genesisTimestamp: r.TILLID_GENESIS_TIMESTAMP,
    snapshotEvery: r.TILLID_SNAPSHOT_EVERY,
    rpcUrls: (r.TILLID_RPC_URL ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    databaseUrl: r.TILLID_DATABASE_URL,
    amqpUrl: r.TILLID_AMQP_URL,
    amqpExchange: r.TILLID_AMQP_EXCHANGE,
    amqpInboundQueue: r.TILLID_AMQP_INBOUND_QUEUE,
    kekFile: r.TILLID_KEK_FILE,
    operatorKeyFile: r.TILLID_OPERATOR_KEY_FILE,
    logLevel: r.TILLID_LOG_LEVEL,
    demo: r.TILLID_DEMO,
    oidcIssuer: r.TILLID_OIDC_ISSUER,
    oidcClientId: r.TILLID_OIDC_CLIENT_ID,
    oidcClientSecret: r.TILLID_OIDC_CLIENT_SECRET,
    oidcScopes: r.TILLID_OIDC_SCOPES,
    rateLimit: r.TILLID_RATE_LIMIT,
  }
  if (config.mode === 'server') {
    const missing = [
      config.databaseUrl ? null : 'TILLID_DATABASE_URL',
      config.rpcUrls.length ? null : 'TILLID_RPC_URL',
    ].filter(Boolean)
    if (missing.length) throw new ConfigError(`TILLID_MODE=server needs ${missing.join(' and ')} to be set`)
  }
  return config
}

/** The settings table for docs/configuration.md, generated so docs and code cannot drift. */
export function describeSettings(): { name: string; default: string; description: string }[] {
  return Object.entries(settings).map(([name, s]) => ({
    name,
    default: s.default ?? '(unset)',
    description: s.doc,
  }))
}
