import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tinyAbi, tinyBytecode, tinyCall } from '../../test/fixtures/ledger/tinyContract.ts'
import { recordingRpcProxy } from '../../test/support/rpcProxy.ts'
import {
  type AnvilProcess,
  findFreePort,
  PINNED_HARDFORK,
  resolveAnvilBinary,
  startAnvil,
} from './anvilProcess.ts'
import { type LedgerError, LedgerRevertError } from './errors.ts'
import { connectExternalLedger } from './externalLedger.ts'
import { deployerAccount, LEDGER_MNEMONIC, randomCustodialKey } from './keys.ts'
import type { LedgerClient } from './ledgerClient.ts'

// Stands in for a Besu network: the external client uses only standard JSON-RPC methods.
describe('external ledger', () => {
  let node: AnvilProcess
  let ledger: LedgerClient
  beforeAll(async () => {
    node = await startAnvil({
      bin: resolveAnvilBinary(),
      params: {
        chainId: 45055,
        genesisTimestamp: 1_767_225_600,
        hardfork: PINNED_HARDFORK,
        mnemonic: LEDGER_MNEMONIC,
      },
      port: await findFreePort(),
      logger: pino({ level: 'silent' }),
    })
    ledger = await connectExternalLedger([`http://127.0.0.1:${await findFreePort()}`, node.url], {
      chainId: 45055,
    })
  })
  afterAll(async () => {
    await ledger?.stop()
    await node?.stop()
  })

  it('fails over to the next URL, deploys, sends and decodes reverts', async () => {
    expect(ledger.rpcUrl).toBe(node.url)
    const deployer = deployerAccount()
    const tiny = await ledger.deploy({ account: deployer, abi: tinyAbi, bytecode: tinyBytecode })
    const custodial = randomCustodialKey().account
    const [a, b] = await Promise.all([
      ledger.send({ account: deployer, to: tiny, data: tinyCall(3n) }),
      ledger.send({ account: custodial, to: tiny, data: tinyCall(4n) }),
    ])
    expect([a.status, b.status]).toEqual(['success', 'success'])
    const error = await ledger
      .send({ account: deployer, to: tiny, data: tinyCall(0n), abi: tinyAbi })
      .catch((e) => e)
    expect(error).toBeInstanceOf(LedgerRevertError)
    expect((error as LedgerRevertError).errorName).toBe('Nope')
    expect((await ledger.health()).ok).toBe(true)
  })

  it('decodes a mined revert by replaying it with eth_call, not a debug_ trace Besu does not serve', async () => {
    const proxy = await recordingRpcProxy(node.url)
    const viaProxy = await connectExternalLedger([proxy.url], { chainId: 45055 })
    try {
      const deployer = deployerAccount()
      const tiny = await viaProxy.deploy({ account: deployer, abi: tinyAbi, bytecode: tinyBytecode })
      // An explicit gas limit skips the estimate, so the revert happens in a mined block.
      const error = await viaProxy
        .send({ account: deployer, to: tiny, data: tinyCall(0n), abi: tinyAbi, gas: 100_000n })
        .catch((e) => e)
      expect(error).toBeInstanceOf(LedgerRevertError)
      expect((error as LedgerRevertError).errorName).toBe('Nope')
      expect((error as LedgerRevertError).transactionHash).toMatch(/^0x[0-9a-f]{64}$/)
      expect(proxy.methods).toContain('eth_getTransactionByHash')
      expect(proxy.methods.filter((m) => /^(debug|anvil|evm)_/.test(m))).toEqual([])
    } finally {
      await viaProxy.stop()
      await proxy.close()
    }
  })

  it('cannot move time on a real network', async () => {
    const error = await ledger.advanceTo(ledger.now() + 60).catch((e) => e)
    expect((error as LedgerError).code).toBe('LEDGER_NOT_SUPPORTED')
  })

  it('refuses a node with another chain id', async () => {
    const error = await connectExternalLedger([node.url], { chainId: 1 }).catch((e) => e)
    expect((error as LedgerError).code).toBe('LEDGER_PARAMS_CHANGED')
  })
})
