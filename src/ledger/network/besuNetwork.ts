/**
 * The files of a Hyperledger Besu QBFT network for Tillid, built as plain values (no I/O):
 * genesis, node permissioning, static nodes and a start script per validator. Writing them to
 * disk is services/networkInit.ts; the format follows Besu's QBFT and free-gas documentation
 * (docs/network.md says which Besu version and why).
 *
 * Choices, each for a reason:
 * - QBFT with block-header validator selection: validators are the genesis `extraData` list and
 *   change by `qbft_proposeValidatorVote`; no validator contract to deploy and govern.
 * - Every milestone up to Cancun at genesis: the contracts are compiled for evmVersion cancun
 *   (PUSH0, MCOPY), so the chain must run that EVM from block 0. London brings EIP-1559, so
 *   `zeroBaseFee` keeps the base fee at 0; together with `--min-gas-price=0` transactions cost
 *   nothing and no account needs a balance (free-gas network).
 * - `contractSizeLimit` raised: gas is free, so the 24 KiB mainnet limit (EIP-170) protects
 *   nothing here and only blocks larger contracts later.
 * - Node permissioning by enode allowlist; no account allowlist, because Tillid signs with a
 *   custodial key per member (created at runtime) and the contracts' Directory already decides
 *   who may do what.
 */
import { fromRlp, type Hex, hexToBytes, isHex, toRlp } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

export interface NetworkParams {
  chainId: number
  /** Seconds between blocks: QBFT seals a block this long after the previous one. */
  blockPeriodSeconds: number
  /**
   * Seconds between blocks while no transaction waits (Besu ≥ 24.7, PR #6965): Tillid is idle most
   * of the time, and an empty block every 2 s would be 15.8 M headers a year (docs/capacity.md).
   */
  emptyBlockPeriodSeconds: number
  /** Blocks after which pending validator votes are discarded. */
  epochLength: number
  /** Round timeout: a proposer that does not deliver within it is replaced. */
  requestTimeoutSeconds: number
  /** Unix seconds of the genesis block. */
  genesisTimestamp: number
  contractSizeLimit: number
  /** Block gas limit (gas is free, so this bounds work per block, not cost). */
  gasLimit: bigint
}

export const DEFAULT_NETWORK_PARAMS: Omit<NetworkParams, 'chainId' | 'genesisTimestamp'> = {
  blockPeriodSeconds: 2,
  emptyBlockPeriodSeconds: 60,
  epochLength: 30_000,
  requestTimeoutSeconds: 4,
  // Besu's documented maximum for free-gas networks.
  contractSizeLimit: 2_147_483_647,
  // 1e9 gas per 2 s block: ~500 agreement writes a block at the measured ~2 M gas per 1,000 (docs/gas.md).
  gasLimit: 1_000_000_000n,
}

export interface ValidatorNode {
  /** 1-based, used in directory names and port offsets. */
  index: number
  name: string
  privateKey: Hex
  /** 64-byte uncompressed public key without the 0x04 prefix, as in an enode URL. */
  publicKey: Hex
  address: Hex
  host: string
  p2pPort: number
  rpcPort: number
  metricsPort: number
  enode: string
}

export interface NodeEndpoint {
  name: string
  host: string
  p2pPort: number
  rpcPort: number
  metricsPort: number
}

/** The validator's identity as Besu derives it from its node key. */
export function validatorNode(privateKey: Hex, endpoint: NodeEndpoint & { index: number }): ValidatorNode {
  const account = privateKeyToAccount(privateKey)
  const publicKey = `0x${account.publicKey.slice(4)}` as Hex
  return {
    ...endpoint,
    privateKey,
    publicKey,
    address: account.address,
    enode: `enode://${publicKey.slice(2)}@${endpoint.host}:${endpoint.p2pPort}`,
  }
}

/**
 * Default endpoints: every node on one host with its own ports, so the network runs on one
 * machine for a trial; give `hosts` to spread it over machines (same ports on each).
 */
export function nodeEndpoints(
  count: number,
  hosts?: readonly string[],
): (NodeEndpoint & { index: number })[] {
  return Array.from({ length: count }, (_, i) => {
    const host = hosts?.[i] ?? '127.0.0.1'
    const offset = hosts ? 0 : i
    return {
      index: i + 1,
      name: `node-${i + 1}`,
      host,
      p2pPort: 30303 + offset,
      rpcPort: 8545 + offset,
      metricsPort: 9545 + offset,
    }
  })
}

const VANITY = `0x${'00'.repeat(32)}` as Hex

/** QBFT extraData: RLP([32-byte vanity, [validators], vote (empty list), round (empty), seals (empty list)]). */
export function qbftExtraData(validators: readonly Hex[]): Hex {
  return toRlp([VANITY, [...validators].map((v) => v.toLowerCase() as Hex), [], '0x', []])
}

/** The validator addresses in a QBFT extraData (for checks and for reading an existing genesis). */
export function decodeQbftExtraData(extraData: Hex): { vanity: Hex; validators: Hex[]; round: Hex } {
  const decoded = fromRlp(extraData, 'hex')
  if (!Array.isArray(decoded) || decoded.length !== 5)
    throw new Error('not a QBFT extraData: expected 5 fields')
  const [vanity, validators, , round] = decoded as [Hex, Hex[], unknown, Hex, unknown]
  if (!Array.isArray(validators) || validators.some((v) => !isHex(v) || hexToBytes(v).length !== 20)) {
    throw new Error('not a QBFT extraData: the validator list is not a list of 20-byte addresses')
  }
  return { vanity, validators, round }
}

const hexQuantity = (n: number | bigint) => `0x${n.toString(16)}`

export function besuGenesis(params: NetworkParams, validators: readonly Hex[]): Record<string, unknown> {
  return {
    config: {
      chainId: params.chainId,
      berlinBlock: 0,
      londonBlock: 0,
      shanghaiTime: 0,
      cancunTime: 0,
      zeroBaseFee: true,
      contractSizeLimit: params.contractSizeLimit,
      qbft: {
        blockperiodseconds: params.blockPeriodSeconds,
        emptyblockperiodseconds: params.emptyBlockPeriodSeconds,
        epochlength: params.epochLength,
        requesttimeoutseconds: params.requestTimeoutSeconds,
      },
    },
    nonce: '0x0',
    timestamp: hexQuantity(params.genesisTimestamp),
    extraData: qbftExtraData(validators),
    gasLimit: hexQuantity(params.gasLimit),
    baseFeePerGas: '0x0',
    difficulty: '0x1',
    // QBFT's fixed mixHash ("Istanbul" BFT marker, as in Besu's examples).
    mixHash: '0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365',
    coinbase: '0x0000000000000000000000000000000000000000',
    alloc: {},
  }
}

/** permissions_config.toml: only these nodes may connect (every node loads the same file). */
export function permissionsConfigToml(nodes: readonly ValidatorNode[]): string {
  const list = nodes.map((n) => `  "${n.enode}"`).join(',\n')
  return [
    '# Node allowlist for Besu (--permissions-nodes-config-file). Add a node here on every',
    '# node, or at runtime with perm_addNodesToAllowlist on a node bound to localhost only.',
    `nodes-allowlist=[\n${list}\n]`,
    '',
  ].join('\n')
}

export function staticNodesJson(nodes: readonly ValidatorNode[]): string {
  return `${JSON.stringify(
    nodes.map((n) => n.enode),
    null,
    2,
  )}\n`
}

/** The RPC APIs exposed on the node's HTTP interface; ADMIN and PERM stay off it (docs/network.md). */
export const PUBLIC_RPC_APIS = ['ETH', 'NET', 'QBFT', 'WEB3'] as const

/** The besu command line for one validator; the script runs from the network directory. */
export function besuArgs(node: ValidatorNode): string[] {
  return [
    `--data-path=${node.name}/data`,
    '--genesis-file=genesis.json',
    `--node-private-key-file=${node.name}/key`,
    `--p2p-host=${node.host}`,
    `--p2p-port=${node.p2pPort}`,
    '--static-nodes-file=static-nodes.json',
    '--discovery-enabled=false',
    '--permissions-nodes-config-file-enabled',
    '--permissions-nodes-config-file=permissions_config.toml',
    '--min-gas-price=0',
    '--rpc-http-enabled',
    `--rpc-http-host=${node.host}`,
    `--rpc-http-port=${node.rpcPort}`,
    `--rpc-http-api=${PUBLIC_RPC_APIS.join(',')}`,
    `--host-allowlist=${node.host},localhost,127.0.0.1`,
    '--metrics-enabled',
    `--metrics-host=${node.host}`,
    `--metrics-port=${node.metricsPort}`,
    // Full history: the indexer reads every event from the first block.
    '--data-storage-format=FOREST',
    '--sync-mode=FULL',
  ]
}

export function startScript(node: ValidatorNode): string {
  return [
    '#!/bin/sh',
    `# Starts validator ${node.name} (${node.address}) of the Tillid QBFT network.`,
    '# Written by "tillid network init"; run from anywhere, it changes to the network directory.',
    'set -eu',
    'cd "$(dirname "$0")/.."',
    `exec besu \\\n  ${besuArgs(node).join(' \\\n  ')}`,
    '',
  ].join('\n')
}

/** Summary for operators and for `tillid` configuration (no private keys). */
export function networkSummary(params: NetworkParams, nodes: readonly ValidatorNode[]) {
  return {
    chainId: params.chainId,
    consensus: 'qbft',
    blockPeriodSeconds: params.blockPeriodSeconds,
    validators: nodes.map((n) => ({
      name: n.name,
      address: n.address,
      enode: n.enode,
      rpcUrl: `http://${n.host}:${n.rpcPort}`,
    })),
    tillidRpcUrl: nodes.map((n) => `http://${n.host}:${n.rpcPort}`).join(','),
  }
}
