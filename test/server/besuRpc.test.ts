/**
 * Tillid in server mode uses only JSON-RPC that a Besu node serves with ETH,NET,WEB3 enabled
 * (the APIs `tillid network init` turns on): no anvil_/evm_/hardhat_/debug_ methods and nothing
 * outside Besu's method list, across deploy, directory, agreement, report, keeper, payment run
 * and indexing.
 */
import { type Hex, keccak256, stringToHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AnvilProcess } from '../../src/ledger/anvilProcess.ts'
import { tick } from '../../src/services/keeper.ts'
import { writeContract } from '../../src/services/ledgerWrites.ts'
import { asMember } from '../../src/services/membership.ts'
import { runPaymentMonth } from '../../src/services/payments/paymentRun.ts'
import {
  BESU_METHODS,
  NON_BESU_METHOD,
  openServerInstance,
  type ServerInstance,
  serverModeAvailable,
  startExternalAnvil,
} from '../support/externalChain.ts'
import { testActor } from '../support/instance.ts'
import { type RecordingProxy, recordingRpcProxy } from '../support/rpcProxy.ts'
import {
  AGREEMENT_ACTIVE,
  agreementStatus,
  firstOfNextMonth,
  liveAgreement,
  municipalityActors,
  org,
} from '../support/serverFlow.ts'

const CHAIN_ID = 45060
const run = await serverModeAvailable()

describe.runIf(run)('server mode uses only Besu JSON-RPC', () => {
  let node: AnvilProcess
  let proxy: RecordingProxy
  let ctx: ServerInstance
  const htk = org('municipality', '169', 'Høje-Taastrup Kommune')
  const provider = org('provider', '31457823', 'Østervold')
  const m = municipalityActors(htk)
  const ole = testActor({ role: 'provider_signatory', organisation: provider })
  const id = keccak256(stringToHex('server-mode agreement')) as Hex

  beforeAll(async () => {
    node = await startExternalAnvil(CHAIN_ID)
    proxy = await recordingRpcProxy(node.url)
    ctx = await openServerInstance(proxy.url, CHAIN_ID)
  }, 240_000)
  afterAll(async () => {
    await ctx?.close()
    await proxy?.close()
    await node?.stop()
  })

  it('runs an agreement from draft to a payment run through the proxy', async () => {
    expect(ctx.ledger.kind).toBe('external')
    await liveAgreement(ctx, id, htk, m, provider, ole)
    expect(await agreementStatus(ctx, id)).toBe(AGREEMENT_ACTIVE)
    // A refused write is decoded from the node's eth_estimateGas error, without a trace API.
    const early = await asMember(ctx, ole, (acc) =>
      writeContract(ctx, acc, 'obligations', 'submitReport', [id, keccak256(stringToHex('report'))]),
    ).catch((e) => e)
    expect(early).toMatchObject({ errorName: 'ReportPeriodNotStarted' })
    await tick(ctx)
    await ctx.indexer.syncOnce()
    const drafted = await ctx.db
      .selectFrom('ledger_events')
      .select('agreement_id')
      .where('event', '=', 'AgreementDrafted')
      .execute()
    expect(drafted.map((r) => r.agreement_id)).toEqual([id])
    const period = firstOfNextMonth().slice(0, 7) as `${number}-${number}`
    const result = await asMember(ctx, m.finance, (acc) => runPaymentMonth(ctx, acc, 169, period))
    expect(result.skipped).toEqual([{ agreementId: id, reason: 'PeriodNotPayableYet' }])
    expect(proxy.methods).toContain('eth_sendRawTransaction')
    expect(proxy.methods).toContain('eth_getLogs')
  })

  it('called no method Besu lacks', () => {
    const calls = new Set(proxy.methods)
    expect(calls.size).toBeGreaterThan(5)
    expect([...calls].filter((m) => NON_BESU_METHOD.test(m))).toEqual([])
    expect([...calls].filter((m) => !BESU_METHODS.has(m))).toEqual([])
  })
})
