import { toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LedgerRevertError } from '../../src/ledger/index.ts'
import { readContract, writeContract } from '../../src/services/ledgerWrites.ts'
import { asMember, orgIdOf } from '../../src/services/membership.ts'
import { scanChain } from '../../src/services/scanChain.ts'
import { openTestInstance, testActor } from '../support/instance.ts'

const htk = { id: 'x', kind: 'municipality' as const, name: 'Høje-Taastrup Kommune', code: '169' }

describe('ledger writes through the service context', () => {
  let ctx: Awaited<ReturnType<typeof openTestInstance>>
  beforeAll(async () => {
    ctx = await openTestInstance()
  })
  afterAll(async () => {
    await ctx?.close()
  })

  it('registers a person in the on-chain directory on their first action, with their role', async () => {
    const sara = testActor({ role: 'caseworker', organisation: htk })
    await asMember(ctx, sara, async () => {})
    const [org, roles] = (await readContract(ctx, 'directory', 'memberOf', [sara.account.address])) as [
      number,
      number,
    ]
    expect(BigInt(org)).toBe(orgIdOf('municipality', '169'))
    expect(roles & 1).toBe(1)
    const events = await ctx.db.selectFrom('ledger_events').select('event').execute()
    expect(events.map((e) => e.event)).toEqual(
      expect.arrayContaining(['OrganisationRegistered', 'MemberSet']),
    )
  })

  it('refuses a payload with a CPR number before it reaches the chain', async () => {
    const before = await ctx.ledger.publicClient.getBlockNumber()
    // A CVR-sized number goes through; a number that is a valid CPR does not.
    await writeContract(ctx, ctx.operator, 'directory', 'registerProvider', [
      31457823,
      testActor({ role: 'admin' }).account.address,
    ])
    await expect(
      writeContract(ctx, ctx.operator, 'directory', 'registerProvider', [
        1408154233,
        testActor({ role: 'admin' }).account.address,
      ]),
    ).rejects.toThrow(/personal|CPR|cpr/i)
    expect(await ctx.ledger.publicClient.getBlockNumber()).toBe(before + 1n)
  })

  it('decodes a contract refusal into its custom error', async () => {
    const stranger = testActor({ role: 'caseworker' })
    const err = await writeContract(ctx, stranger.account, 'directory', 'registerMunicipality', [
      200,
      stranger.account.address,
    ]).catch((e) => e)
    expect(err).toBeInstanceOf(LedgerRevertError)
    expect((err as LedgerRevertError).errorName).toBe('AccessControlUnauthorizedAccount')
  })

  it('scan-chain finds nothing after guarded writes, and finds a CPR number someone slipped past the guard', async () => {
    const clean = await scanChain(ctx)
    expect(clean.transactions).toBeGreaterThan(3)
    expect(clean.findings, JSON.stringify(clean.findings)).toEqual([])
    // A raw transaction straight to the ledger, bypassing the services' guard.
    await ctx.ledger.send({
      account: ctx.operator,
      to: ctx.operator.address,
      data: toHex('cpr 140815-4233'),
    })
    const dirty = await scanChain(ctx)
    expect(dirty.findings.map((f) => [f.kind, f.where])).toEqual([['cpr', 'input']])
  })
})
