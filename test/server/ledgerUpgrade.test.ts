/**
 * `tillid ledger deploy` to an external ledger with an operator key file, then `tillid ledger
 * upgrade` with a live agreement on it: the old agreement stays readable (v1 contracts, indexed
 * events), new agreements go to v2, and the Directory (organisations, members) carries over.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type Hex, keccak256, stringToHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AnvilProcess } from '../../src/ledger/anvilProcess.ts'
import { abis, listDeployments } from '../../src/services/contracts.ts'
import { deployToLedger, LedgerDeployError, upgradeLedger } from '../../src/services/ledgerDeploy.ts'
import { openStore } from '../../src/store/database.ts'
import { createTestSchema } from '../store/adapters.ts'
import {
  openServerInstance,
  type ServerInstance,
  serverModeAvailable,
  startExternalAnvil,
} from '../support/externalChain.ts'
import { testActor } from '../support/instance.ts'
import {
  AGREEMENT_ACTIVE,
  agreementStatus,
  liveAgreement,
  municipalityActors,
  org,
} from '../support/serverFlow.ts'

const CHAIN_ID = 45061
const run = await serverModeAvailable()

describe.runIf(run)('contract deployment and upgrade on an external ledger', () => {
  let node: AnvilProcess
  let schema: Awaited<ReturnType<typeof createTestSchema>>
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tillid-deploy-'))
  const keyFile = path.join(dir, 'operator.key')
  const operatorKey = generatePrivateKey()
  const htk = org('municipality', '169', 'Høje-Taastrup Kommune')
  const provider = org('provider', '31457823', 'Østervold')
  const m = municipalityActors(htk)
  const ole = testActor({ role: 'provider_signatory', organisation: provider })
  const OLD = keccak256(stringToHex('agreement before the upgrade')) as Hex
  const NEW = keccak256(stringToHex('agreement after the upgrade')) as Hex
  const withStore = async <T>(fn: (db: Awaited<ReturnType<typeof openStore>>['db']) => Promise<T>) => {
    const store = await openStore({ kind: 'postgres', url: schema.url })
    try {
      return await fn(store.db)
    } finally {
      await store.close()
    }
  }
  const openTillid = (): Promise<ServerInstance> =>
    openServerInstance(node.url, CHAIN_ID, {
      TILLID_DATABASE_URL: schema.url,
      TILLID_OPERATOR_KEY_FILE: keyFile,
    })

  beforeAll(async () => {
    writeFileSync(keyFile, `${operatorKey}\n`, { mode: 0o600 })
    node = await startExternalAnvil(CHAIN_ID)
    schema = await createTestSchema()
  }, 120_000)
  afterAll(async () => {
    await schema?.drop()
    await node?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses a key file others can read', async () => {
    const loose = path.join(dir, 'loose.key')
    writeFileSync(loose, operatorKey)
    chmodSync(loose, 0o644)
    const error = await deployToLedger({ rpcUrls: [node.url], keyFile: loose }).catch((e) => e)
    expect(error).toMatchObject({ code: 'LEDGER_KEY_INVALID' })
    expect(error.message).toContain('chmod 600')
  })

  it('deploys v1 with the operator key and records it; a second deploy into the same store is refused', async () => {
    const r = await withStore((db) => deployToLedger({ rpcUrls: [node.url], keyFile, chainId: CHAIN_ID, db }))
    expect(r).toMatchObject({ chainId: CHAIN_ID, version: 1, recorded: true })
    expect(r.operator).toBe(privateKeyToAccount(operatorKey).address)
    const again = await withStore((db) => deployToLedger({ rpcUrls: [node.url], keyFile, db })).catch(
      (e) => e,
    )
    expect(again).toBeInstanceOf(LedgerDeployError)
    // The chain checks the operator: only it may register organisations in this Directory.
    const registrar = await (async () => {
      const ctx = await openTillid()
      try {
        expect(ctx.contracts).toEqual(r.contracts)
        expect(ctx.operator.address).toBe(r.operator)
        return ctx.ledger.publicClient.readContract({
          address: r.contracts.directory,
          abi: abis.directory,
          functionName: 'hasRole',
          args: [
            (await ctx.ledger.publicClient.readContract({
              address: r.contracts.directory,
              abi: abis.directory,
              functionName: 'REGISTRAR_ROLE',
            })) as Hex,
            r.operator,
          ],
        })
      } finally {
        await ctx.close()
      }
    })()
    expect(registrar).toBe(true)
  })

  it('upgrades with a live agreement: the old one stays readable, new agreements go to v2', async () => {
    let ctx = await openTillid()
    try {
      await liveAgreement(ctx, OLD, htk, m, provider, ole)
      expect(await agreementStatus(ctx, OLD)).toBe(AGREEMENT_ACTIVE)
    } finally {
      await ctx.close()
    }

    const up = await withStore((db) => upgradeLedger({ rpcUrls: [node.url], keyFile, chainId: CHAIN_ID, db }))
    expect(up.previous.version).toBe(1)
    expect(up.version).toBe(2)
    expect(up.contracts.directory).toBe(up.previous.contracts.directory)
    expect(up.contracts.registry).not.toBe(up.previous.contracts.registry)

    ctx = await openTillid()
    try {
      expect(ctx.contracts).toEqual(up.contracts)
      // New writes work on v2, with the organisations and members the Directory already had.
      await liveAgreement(ctx, NEW, htk, m, provider, ole)
      expect(await agreementStatus(ctx, NEW)).toBe(AGREEMENT_ACTIVE)
      const readAt = async (registry: Hex, id: Hex) =>
        (
          (await ctx.ledger.publicClient.readContract({
            address: registry,
            abi: abis.registry,
            functionName: 'getAgreement',
            args: [id],
          })) as { status: number }
        ).status
      // The old agreement lives on in v1, untouched; v2 never heard of it.
      expect(await readAt(up.previous.contracts.registry, OLD)).toBe(AGREEMENT_ACTIVE)
      expect(await readAt(up.contracts.registry, OLD)).toBe(0)
      expect(await readAt(up.previous.contracts.registry, NEW)).toBe(0)
      // The indexer reads both versions' events into one history.
      await ctx.indexer.syncOnce()
      const drafted = await ctx.db
        .selectFrom('ledger_events')
        .select('agreement_id')
        .where('event', '=', 'AgreementDrafted')
        .orderBy('block_number')
        .execute()
      expect(drafted.map((r) => r.agreement_id)).toEqual([OLD, NEW])
      expect((await listDeployments(ctx.db)).map((d) => d.version)).toEqual([1, 2])
    } finally {
      await ctx.close()
    }
  })
})
