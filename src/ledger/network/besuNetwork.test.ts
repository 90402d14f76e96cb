import { fromRlp, type Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import {
  besuArgs,
  besuGenesis,
  DEFAULT_NETWORK_PARAMS,
  decodeQbftExtraData,
  nodeEndpoints,
  permissionsConfigToml,
  qbftExtraData,
  startScript,
  validatorNode,
} from './besuNetwork.ts'

const params = { ...DEFAULT_NETWORK_PARAMS, chainId: 45054, genesisTimestamp: 1_767_225_600 }

describe('Besu QBFT network files', () => {
  it('matches the extraData of Besu’s documented QBFT genesis for the same validators', () => {
    // Besu docs, "Configure QBFT consensus", block header validator selection example.
    const documented =
      '0xf87aa00000000000000000000000000000000000000000000000000000000000000000f8549464a702e6263b7297a96638cac6ae65e6541f4169943923390ad55e90c237593b3b0e401f3b08a0318594aefdb9a738c9f433e5b6b212a6d62f6370c2f69294c7eeb9a4e00ce683cf93039b212648e01c6c6b78c080c0'
    const { validators } = decodeQbftExtraData(documented)
    expect(validators).toHaveLength(4)
    expect(qbftExtraData(validators)).toBe(documented)
  })

  it('puts the validator addresses into extraData as RLP([vanity, validators, [], 0x, []])', () => {
    const nodes = nodeEndpoints(4).map((e) => validatorNode(generatePrivateKey(), e))
    const genesis = besuGenesis(
      params,
      nodes.map((n) => n.address),
    )
    const decoded = fromRlp(genesis.extraData as Hex, 'hex') as unknown[]
    expect(decoded[0]).toBe(`0x${'00'.repeat(32)}`)
    expect(decoded[1]).toEqual(nodes.map((n) => n.address.toLowerCase()))
    expect(decoded.slice(2)).toEqual([[], '0x', []])
    expect(decodeQbftExtraData(genesis.extraData as Hex).validators).toEqual(
      nodes.map((n) => n.address.toLowerCase()),
    )
  })

  it('configures a free-gas QBFT chain running the EVM the contracts are compiled for', () => {
    const genesis = besuGenesis(params, [privateKeyToAccount(generatePrivateKey()).address])
    const config = genesis.config as Record<string, unknown>
    expect(config.chainId).toBe(45054)
    expect(config.qbft).toEqual({
      blockperiodseconds: 2,
      emptyblockperiodseconds: 60,
      epochlength: 30000,
      requesttimeoutseconds: 4,
    })
    expect(config).toMatchObject({ londonBlock: 0, shanghaiTime: 0, cancunTime: 0, zeroBaseFee: true })
    expect(config.contractSizeLimit).toBe(2147483647)
    expect(genesis.baseFeePerGas).toBe('0x0')
    expect(genesis.timestamp).toBe('0x6955b900')
  })

  it('derives the enode from the node key and allowlists exactly the validators', () => {
    const key = generatePrivateKey()
    const node = validatorNode(key, nodeEndpoints(1, ['10.0.0.7'])[0]!)
    const account = privateKeyToAccount(key)
    expect(node.address).toBe(account.address)
    expect(node.enode).toBe(`enode://${account.publicKey.slice(4)}@10.0.0.7:30303`)
    expect(node.publicKey).toHaveLength(2 + 128)
    const toml = permissionsConfigToml([node])
    expect(toml).toContain(`nodes-allowlist=[\n  "${node.enode}"\n]`)
  })

  it('starts every node with gas price 0 and no admin API on its RPC interface', () => {
    const nodes = nodeEndpoints(3).map((e) => validatorNode(generatePrivateKey(), e))
    expect(new Set(nodes.map((n) => n.rpcPort)).size).toBe(3)
    for (const node of nodes) {
      const args = besuArgs(node)
      expect(args).toContain('--min-gas-price=0')
      expect(args).toContain('--rpc-http-api=ETH,NET,QBFT,WEB3')
      expect(args.join(' ')).not.toMatch(/ADMIN|PERM|DEBUG|MINER/)
      expect(args).toContain(`--node-private-key-file=${node.name}/key`)
      expect(startScript(node).startsWith('#!/bin/sh\n')).toBe(true)
    }
  })

  it('refuses an extraData that is not QBFT', () => {
    expect(() => decodeQbftExtraData('0xc0')).toThrow(/5 fields/)
  })
})
