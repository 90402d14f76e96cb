/**
 * Server mode's start-up checks name every missing setting and every unreachable dependency, each
 * in its own line, and `tillid start` (serve) refuses with all of them at once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serve } from '../../src/cli/serve.ts'
import { loadConfig } from '../../src/config.ts'
import { mountDevIdp } from '../../src/identity/devIdp.ts'
import { type AnvilProcess, findFreePort } from '../../src/ledger/anvilProcess.ts'
import { checkServerMode } from '../../src/services/startupChecks.ts'
import { PG_URL } from '../store/adapters.ts'
import {
  AMQP_URL,
  brokerAvailable,
  serverModeAvailable,
  startExternalAnvil,
} from '../support/externalChain.ts'

const CHAIN_ID = 45063
const run = (await serverModeAvailable()) && (await brokerAvailable())

describe.runIf(run)('server mode start-up checks', () => {
  let node: AnvilProcess
  let idp: FastifyInstance
  let issuer: string
  let closedPort: number
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tillid-checks-'))
  const kekFile = path.join(dir, 'kek.hex')
  const good = () => ({
    TILLID_MODE: 'server',
    TILLID_DATA_DIR: dir,
    TILLID_DATABASE_URL: PG_URL,
    TILLID_RPC_URL: node.url,
    TILLID_CHAIN_ID: String(CHAIN_ID),
    TILLID_AMQP_URL: AMQP_URL,
    TILLID_OIDC_ISSUER: issuer,
    TILLID_OIDC_CLIENT_SECRET: 'secret',
    TILLID_KEK_FILE: kekFile,
  })

  beforeAll(async () => {
    writeFileSync(kekFile, `${'ab'.repeat(32)}\n`, { mode: 0o600 })
    node = await startExternalAnvil(CHAIN_ID)
    idp = Fastify({ logger: false })
    let idpUrl = ''
    await mountDevIdp(idp, {
      publicUrl: () => idpUrl,
      clientSecret: 'secret',
      redirectPath: '/auth/callback',
      redirectUris: [],
    })
    await idp.listen({ host: '127.0.0.1', port: 0 })
    idpUrl = `http://127.0.0.1:${(idp.server.address() as AddressInfo).port}`
    issuer = `${idpUrl}/oidc`
    closedPort = await findFreePort()
  }, 120_000)
  afterAll(async () => {
    await idp?.close()
    await node?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('passes when PostgreSQL, RabbitMQ, the ledger, the issuer and the KEK file are all there', async () => {
    expect(await checkServerMode(loadConfig(good()))).toEqual([])
  })

  it('names each missing setting', async () => {
    const problems = await checkServerMode(
      loadConfig({
        TILLID_MODE: 'server',
        TILLID_DATABASE_URL: PG_URL,
        TILLID_RPC_URL: node.url,
        TILLID_CHAIN_ID: String(CHAIN_ID),
      }),
    )
    expect(problems).toEqual([
      'TILLID_AMQP_URL is not set: server mode needs the AMQP broker for MOX events',
      'TILLID_OIDC_ISSUER is not set: server mode needs the municipality’s OpenID Connect issuer',
      'TILLID_OIDC_CLIENT_SECRET is not set: server mode needs Tillid’s client secret at the issuer',
      'TILLID_KEK_FILE is not set: server mode needs the key-encryption key file',
    ])
  })

  it.each([
    [
      'TILLID_DATABASE_URL',
      (): string => `postgres://tillid:hunter2@127.0.0.1:${closedPort}/test`,
      /^TILLID_DATABASE_URL: PostgreSQL at postgres:\/\/tillid:\*\*\*@127\.0\.0\.1:\d+\/test is unreachable: /,
    ],
    [
      'TILLID_AMQP_URL',
      (): string => `amqp://guest:hunter2@127.0.0.1:${closedPort}`,
      /^TILLID_AMQP_URL: the AMQP broker at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:\d+ is unreachable: /,
    ],
    [
      'TILLID_RPC_URL',
      (): string => `http://127.0.0.1:${closedPort}`,
      /^TILLID_RPC_URL: no ledger node answers: http:\/\/127\.0\.0\.1:\d+\/ \(/,
    ],
    [
      'TILLID_OIDC_ISSUER',
      (): string => `http://127.0.0.1:${closedPort}/oidc`,
      /^TILLID_OIDC_ISSUER: no OpenID Connect discovery document at http:\/\/127\.0\.0\.1:\d+\/oidc\/\.well-known\/openid-configuration: /,
    ],
    [
      'TILLID_KEK_FILE',
      (): string => path.join(dir, 'missing.hex'),
      /^TILLID_KEK_FILE: .*missing\.hex cannot be read: /,
    ],
    [
      'TILLID_CHAIN_ID',
      (): string => '1',
      /^TILLID_CHAIN_ID: the ledger node at .* has chain id 45063, but TILLID_CHAIN_ID is 1$/,
    ],
  ] as const)('names %s when what it points to is unreachable or wrong', async (name, value, message) => {
    const problems = await checkServerMode(loadConfig({ ...good(), [name]: value() }))
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(message)
    expect(problems[0]).not.toContain('hunter2')
  })

  it('makes tillid start refuse with every problem at once, before opening anything', async () => {
    const config = loadConfig({
      ...good(),
      TILLID_AMQP_URL: `amqp://127.0.0.1:${closedPort}`,
      TILLID_RPC_URL: `http://127.0.0.1:${closedPort}`,
      TILLID_OIDC_ISSUER: '',
    })
    const error = await serve(config, pino({ level: 'silent' })).catch((e) => e)
    expect(error.name).toBe('StartError')
    expect(error.message).toMatch(/^server mode cannot start \(3 problems\):/)
    for (const name of ['TILLID_AMQP_URL', 'TILLID_RPC_URL', 'TILLID_OIDC_ISSUER']) {
      expect(error.message).toContain(`\n  - ${name}`)
    }
  })
})
