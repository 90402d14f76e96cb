/**
 * Two municipalities, each with its own Tillid (own database, own key-encryption key), on one
 * shared chain: a provider serving both has its agreements with both on the chain and in both
 * indexes; neither municipality's Tillid holds or shows the other's cases.
 */
import { type Hex, keccak256, stringToHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Principal } from '../../src/identity/principal.ts'
import type { AnvilProcess } from '../../src/ledger/anvilProcess.ts'
import { draftAgreement, signAgreement } from '../../src/services/agreements/commands.ts'
import { listAgreements } from '../../src/services/agreements/queries.ts'
import { createCase, listCases } from '../../src/services/cases.ts'
import { readContract } from '../../src/services/ledgerWrites.ts'
import {
  openServerInstance,
  type ServerInstance,
  serverModeAvailable,
  startExternalAnvil,
} from '../support/externalChain.ts'
import { testActor } from '../support/instance.ts'
import { firstOfNextMonth } from '../support/serverFlow.ts'

const CHAIN_ID = 45062
const run = await serverModeAvailable()

interface Municipality {
  ctx: ServerInstance
  code: string
  caseworker: ReturnType<typeof testActor>
  signatory: ReturnType<typeof testActor>
}

/** The municipality and the provider as organisations of this installation, and its people. */
async function setUp(ctx: ServerInstance, code: string, name: string): Promise<Municipality> {
  const muni = await ctx.repos.organisations.create({ kind: 'municipality', municipalityCode: code, name })
  const provider = await ctx.repos.organisations.create({
    kind: 'provider',
    cvr: '31457823',
    name: 'Østervold',
  })
  const as = (role: Principal['role'], o: typeof muni, kle: string[] = []) =>
    testActor({
      role,
      kle,
      organisation: {
        id: o.id,
        kind: o.kind,
        code: (o.kind === 'municipality' ? o.municipalityCode : o.cvr)!,
        name: o.name,
      },
    })
  return {
    ctx,
    code,
    caseworker: as('caseworker', muni, ['27']),
    signatory: as('provider_signatory', provider),
  }
}

async function draftFor(m: Municipality, citizen: string, cpr: string): Promise<string> {
  const c = await createCase(m.ctx, m.caseworker, {
    cpr,
    name: citizen,
    kle: '27.24.00',
    title: 'Anbringelse',
  })
  const id = await draftAgreement(m.ctx, m.caseworker, {
    caseId: c.id,
    providerId: '31457823',
    templateId: 'placement',
    lines: [
      {
        name: 'Ophold',
        priceOre: '3000000',
        unit: 'month',
        schedule: { kind: 'monthly' },
        start: firstOfNextMonth(),
        arrangedBy: 'provider',
      },
    ] as never,
  })
  await signAgreement(m.ctx, m.caseworker, id, 1)
  await signAgreement(m.ctx, m.signatory, id, 1)
  return id
}

describe.runIf(run)('two municipalities on one ledger', () => {
  let node: AnvilProcess
  let a: Municipality
  let b: Municipality
  let idA: string
  let idB: string

  beforeAll(async () => {
    node = await startExternalAnvil(CHAIN_ID)
    const ctxA = await openServerInstance(node.url, CHAIN_ID)
    const ctxB = await openServerInstance(node.url, CHAIN_ID, {}, ctxA.contracts)
    a = await setUp(ctxA, '169', 'Høje-Taastrup Kommune')
    b = await setUp(ctxB, '101', 'Københavns Kommune')
  }, 240_000)
  afterAll(async () => {
    await a?.ctx.close()
    await b?.ctx.close()
    await node?.stop()
  })

  it('shares one set of contracts and one directory', () => {
    expect(b.ctx.contracts).toEqual(a.ctx.contracts)
    expect(b.ctx.kek).not.toEqual(a.ctx.kek)
  })

  it('lets the same provider sign agreements with both municipalities', async () => {
    idA = await draftFor(a, 'Preben Hansen', '0101101234')
    idB = await draftFor(b, 'Karen Jensen', '0202202345')
    for (const m of [a, b]) {
      const mine = await listAgreements(m.ctx, m.signatory)
      expect(mine).toHaveLength(1)
    }
  })

  it('indexes the provider’s agreements with both municipalities in both installations', async () => {
    const chainIdOf = async (m: Municipality, id: string) =>
      (
        await m.ctx.db
          .selectFrom('agreements')
          .select('chain_id')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).chain_id as Hex
    const chainA = await chainIdOf(a, idA)
    const chainB = await chainIdOf(b, idB)
    for (const m of [a, b]) {
      await m.ctx.indexer.syncOnce()
      const drafted = await m.ctx.db
        .selectFrom('ledger_events')
        .select(['agreement_id', 'args'])
        .where('event', '=', 'AgreementDrafted')
        .orderBy('block_number')
        .execute()
      expect(drafted.map((r) => r.agreement_id)).toEqual([chainA, chainB])
      expect(drafted.map((r) => Number(JSON.parse(r.args).provider))).toEqual([31457823, 31457823])
      expect(drafted.map((r) => Number(JSON.parse(r.args).municipality))).toEqual([169, 101])
      // Both agreements are signed by both parties on the one chain, whichever Tillid reads it.
      for (const id of [chainA, chainB]) {
        const ag = (await readContract(m.ctx, 'registry', 'getAgreement', [id])) as { provider: number }
        expect(ag.provider).toBe(31457823)
      }
    }
  })

  it('keeps each municipality’s cases and citizens in its own installation', async () => {
    const casesA = await listCases(a.ctx, a.caseworker)
    const casesB = await listCases(b.ctx, b.caseworker)
    expect(casesA).toHaveLength(1)
    expect(casesB).toHaveLength(1)
    // The other municipality's case is on neither the list nor in the database.
    expect(await a.ctx.db.selectFrom('cases').select('id').where('id', '=', casesB[0]!.id).execute()).toEqual(
      [],
    )
    expect(await b.ctx.db.selectFrom('cases').select('id').where('id', '=', casesA[0]!.id).execute()).toEqual(
      [],
    )
    expect((await listAgreements(a.ctx, a.caseworker)).map((x) => x.id)).toEqual([idA])
    expect((await listAgreements(b.ctx, b.caseworker)).map((x) => x.id)).toEqual([idB])
    // The chain knows each case only by its salted anchor: no name or CPR of either citizen.
    const anchorB = keccak256(stringToHex('Karen Jensen'))
    const raw = JSON.stringify(await a.ctx.db.selectFrom('ledger_events').selectAll().execute())
    for (const secret of ['Karen', 'Jensen', '0202202345', 'Preben', '0101101234', anchorB.slice(2)]) {
      expect(raw).not.toContain(secret)
    }
  })
})
