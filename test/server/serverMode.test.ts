/**
 * The whole of Tillid in TILLID_MODE=server, as `tillid start` runs it: PostgreSQL (a schema of its
 * own), RabbitMQ, an external ledger node (anvil standing in for Besu) and the municipality's
 * OpenID Connect issuer on another origin. A subset of the scenario runs through the HTTP API as
 * the people who do it: Sara opens the case and drafts the placement, Sara and Ole sign, Bo and Lis
 * approve; the agreement is active and its events reach the broker. Skips without PostgreSQL or
 * RabbitMQ; fails under CI.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import amqp from 'amqplib'
import Fastify, { type FastifyInstance } from 'fastify'
import { generatePrivateKey } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Served, serve } from '../../src/cli/serve.ts'
import { loadConfig } from '../../src/config.ts'
import { mountDevIdp } from '../../src/identity/devIdp.ts'
import { type LoginResult, loginAs } from '../../src/identity/loginAs.ts'
import { type AnvilProcess, findFreePort } from '../../src/ledger/anvilProcess.ts'
import { createLogger } from '../../src/logger.ts'
import { placementLines } from '../../src/services/demo/scenarioRequests.ts'
import { createTestSchema } from '../store/adapters.ts'
import {
  AMQP_URL,
  brokerAvailable,
  serverModeAvailable,
  startExternalAnvil,
} from '../support/externalChain.ts'
import { firstOfNextMonth } from '../support/serverFlow.ts'

const CHAIN_ID = 45064
const run = (await serverModeAvailable()) && (await brokerAvailable())

describe.runIf(run)('Tillid in server mode through the API', () => {
  let node: AnvilProcess
  let idp: FastifyInstance
  let served: Served
  let schema: Awaited<ReturnType<typeof createTestSchema>>
  let broker: amqp.ChannelModel
  const received: string[] = []
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tillid-servermode-'))
  const exchange = `tillid.events.test.${process.pid}`
  // Its own inbound queue too: the shared default would be redeclared with this test's dead-letter
  // exchange and then refuse every other Tillid's declaration.
  const inboundQueue = `tillid.inbound.test.${process.pid}`
  const as: Record<string, LoginResult> = {}
  const api = async (who: string, method: string, route: string, body?: unknown) => {
    const res = await fetch(served.url + route, {
      method,
      headers: { ...as[who]!.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as any }
  }

  beforeAll(async () => {
    const kekFile = path.join(dir, 'kek.hex')
    const operatorKey = path.join(dir, 'operator.key')
    writeFileSync(kekFile, `${'cd'.repeat(32)}\n`, { mode: 0o600 })
    writeFileSync(operatorKey, `${generatePrivateKey()}\n`, { mode: 0o600 })
    node = await startExternalAnvil(CHAIN_ID)
    schema = await createTestSchema()

    // The municipality's IdP: the development one, on its own origin, as an external issuer.
    idp = Fastify({ logger: false })
    const redirects: string[] = []
    let idpUrl = ''
    await mountDevIdp(idp, {
      publicUrl: () => idpUrl,
      clientSecret: 'server-mode-secret',
      redirectPath: '/auth/callback',
      redirectUris: redirects,
    })
    await idp.listen({ host: '127.0.0.1', port: 0 })
    idpUrl = `http://127.0.0.1:${(idp.server.address() as AddressInfo).port}`

    broker = await amqp.connect(AMQP_URL)
    const channel = await broker.createChannel()
    // Declared as Tillid declares it (durable topic); deleted again in afterAll.
    await channel.assertExchange(exchange, 'topic', { durable: true })
    const q = await channel.assertQueue('', { exclusive: true })
    await channel.bindQueue(q.queue, exchange, '#')
    await channel.consume(q.queue, (m) => m && received.push(m.fields.routingKey), { noAck: true })

    // The issuer must know Tillid's callback before its first request (the start-up check fetches
    // its discovery document), so the port is chosen up front.
    const port = await findFreePort()
    redirects.push(`http://127.0.0.1:${port}/auth/callback`)
    const config = loadConfig({
      TILLID_MODE: 'server',
      TILLID_DEMO: 'false',
      TILLID_HOST: '127.0.0.1',
      TILLID_PORT: String(port),
      TILLID_RATE_LIMIT: '0',
      TILLID_DATA_DIR: dir,
      TILLID_DATABASE_URL: schema.url,
      TILLID_RPC_URL: node.url,
      TILLID_CHAIN_ID: String(CHAIN_ID),
      TILLID_AMQP_URL: AMQP_URL,
      TILLID_AMQP_EXCHANGE: exchange,
      TILLID_AMQP_INBOUND_QUEUE: inboundQueue,
      TILLID_OIDC_ISSUER: `${idpUrl}/oidc`,
      TILLID_OIDC_CLIENT_SECRET: 'server-mode-secret',
      TILLID_KEK_FILE: kekFile,
      TILLID_OPERATOR_KEY_FILE: operatorKey,
      TILLID_LOG_LEVEL: 'warn',
    })
    served = await serve(config, createLogger('warn'))
    for (const p of ['sara', 'ole', 'bo', 'lis']) as[p] = await loginAs(served.url, p)
  }, 240_000)
  afterAll(async () => {
    await served?.close()
    if (broker) {
      const channel = await broker.createChannel()
      await channel.deleteQueue(inboundQueue).catch(() => {})
      await channel.deleteQueue(`${exchange}.dead-letter`).catch(() => {})
      await channel.deleteExchange(`${exchange}.dlx`).catch(() => {})
      await channel.deleteExchange(exchange).catch(() => {})
      await broker.close().catch(() => {})
    }
    await idp?.close()
    await schema?.drop()
    await node?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('is ready, with its ledger on the external node and no development IdP of its own', async () => {
    const ready = await fetch(`${served.url}/readyz`)
    expect(ready.status).toBe(200)
    expect(served.instance.ledger.kind).toBe('external')
    expect(served.instance.store.kind).toBe('postgres')
    expect((await fetch(`${served.url}/oidc/.well-known/openid-configuration`)).status).toBe(404)
    expect(as.sara!.me.organisation).toMatchObject({ code: '169' })
  })

  it('runs steps 1, 3, 4 and 5 of the scenario: draft, both signatures, two approvals, active', async () => {
    const start = firstOfNextMonth()
    const created = await api('sara', 'POST', '/api/cases', {
      cpr: '0101101234',
      name: 'Preben Hansen',
      kle: '27.24.00',
      title: 'Anbringelse uden for hjemmet',
    })
    expect(created.status).toBe(201)
    const draft = await api('sara', 'POST', '/api/agreements', {
      caseId: created.body.id,
      providerId: as.ole!.me.organisation!.id,
      templateId: 'placement',
      // The scenario's amounts, starting next month: time on a real network cannot be moved.
      lines: placementLines.slice(0, 2).map((l) => ({ ...l, start })),
    })
    expect(draft.status, JSON.stringify(draft.body)).toBe(201)
    expect(draft.body).toMatchObject({ state: 'Draft', monthlyValueOre: '6600000', start })
    const id = draft.body.id as string
    expect((await api('sara', 'POST', `/api/agreements/${id}/sign`, { version: 1 })).status).toBe(200)
    const signed = await api('ole', 'POST', `/api/agreements/${id}/sign`, { version: 1 })
    expect(signed.body.state).toBe('AwaitingApproval')
    expect((await api('bo', 'POST', `/api/agreements/${id}/approve`, { version: 1 })).status).toBe(200)
    const approved = await api('lis', 'POST', `/api/agreements/${id}/approve`, { version: 1 })
    expect(approved.status).toBe(200)
    expect(approved.body).toMatchObject({ state: 'Active', start, version: 1 })
    expect(approved.body.proof.txHash).toMatch(/^0x[0-9a-f]{64}$/)
    const seenByOle = await api('ole', 'GET', `/api/agreements/${id}`)
    expect(seenByOle.body.state).toBe('Active')
  }, 120_000)

  it('publishes the agreement’s events to the broker', async () => {
    const deadline = Date.now() + 30_000
    while (!received.some((k) => /activated/i.test(k)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200))
    }
    expect(
      received.some((k) => /activated/i.test(k)),
      received.join(', '),
    ).toBe(true)
  }, 60_000)
})
