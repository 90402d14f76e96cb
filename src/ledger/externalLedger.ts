/**
 * An external EVM network (server mode; the reference is Besu QBFT with gas price 0). Only
 * standard JSON-RPC that Besu serves with ETH,NET,WEB3 enabled: no anvil_, evm_ or debug_
 * methods, no journal; the network is durable itself (test/server/besuRpc.test.ts enforces it).
 * Transactions from this process are still sent one at a time, so nonces stay in order.
 */
import type { Logger } from 'pino'
import {
  type Address,
  createPublicClient,
  encodeDeployData,
  fallback,
  formatTransactionReceipt,
  type Hex,
  http,
  keccak256,
  type RpcTransactionReceipt,
  type TransactionReceipt,
} from 'viem'
import { LedgerError } from './errors.ts'
import {
  type DeployRequest,
  estimateGas,
  type LedgerClient,
  type LedgerHealth,
  ledgerChain,
  NonceManager,
  revertError,
  type SendRequest,
} from './ledgerClient.ts'
import { FailoverRpc, RpcResponseError } from './rpc.ts'
import { SerialQueue } from './serialQueue.ts'

export interface ExternalLedgerOptions {
  /** Checked against the node's eth_chainId. */
  chainId?: number | undefined
  logger?: Logger | undefined
  /** How long to wait for a transaction to be mined (default 120 s). */
  receiptTimeoutMs?: number | undefined
}

/**
 * Revert data of a mined, reverted transaction without debug_traceTransaction (Besu serves DEBUG
 * only when enabled, and Tillid's nodes keep it off): the transaction is replayed with eth_call on
 * the state before its block. Transactions earlier in the same block are not applied, so the data
 * can differ when they changed what the call depends on; it is a diagnosis, never a decision.
 */
async function replayedRevertData(rpc: FailoverRpc, hash: Hex): Promise<Hex | undefined> {
  try {
    const tx = await rpc.call<{
      from: Hex
      to: Hex | null
      input: Hex
      value: Hex
      gas: Hex
      blockNumber: Hex
    }>('eth_getTransactionByHash', [hash])
    const parent = `0x${(BigInt(tx.blockNumber) - 1n).toString(16)}`
    const call = {
      from: tx.from,
      ...(tx.to ? { to: tx.to } : {}),
      data: tx.input,
      value: tx.value,
      gas: tx.gas,
    }
    await rpc.call('eth_call', [call, parent])
    return undefined
  } catch (e) {
    return e instanceof RpcResponseError ? e.revertData : undefined
  }
}

export async function connectExternalLedger(
  rpcUrls: readonly string[],
  options: ExternalLedgerOptions = {},
): Promise<LedgerClient> {
  const rpc = new FailoverRpc(rpcUrls)
  let chainId: number
  try {
    chainId = Number(BigInt(await rpc.call<Hex>('eth_chainId')))
  } catch (e) {
    throw new LedgerError(
      'LEDGER_UNAVAILABLE',
      `no ledger node answers at ${rpcUrls.join(', ')}: ${(e as Error).message}`,
    )
  }
  if (options.chainId !== undefined && options.chainId !== chainId) {
    throw new LedgerError(
      'LEDGER_PARAMS_CHANGED',
      `the ledger node at ${rpc.url} has chain id ${chainId}, but TILLID_CHAIN_ID is ${options.chainId}`,
    )
  }
  const chain = ledgerChain(chainId, rpcUrls[0] ?? '')
  const publicClient = createPublicClient({
    chain,
    transport: fallback(rpcUrls.map((u) => http(u))),
    // viem caches eth_blockNumber for 4 s by default: the indexer would then stop short of a
    // block just written and report it indexed (syncTo), so reads right after a write missed it.
    cacheTime: 0,
  })
  const queue = new SerialQueue()
  const nonces = new NonceManager()
  const log = options.logger?.child({ module: 'ledger' })
  const receiptTimeoutMs = options.receiptTimeoutMs ?? 120_000

  async function waitForReceipt(hash: Hex): Promise<RpcTransactionReceipt> {
    const deadline = Date.now() + receiptTimeoutMs
    for (;;) {
      const receipt = await rpc.call<RpcTransactionReceipt | null>('eth_getTransactionReceipt', [hash])
      if (receipt) return receipt
      if (Date.now() > deadline) {
        throw new LedgerError(
          'LEDGER_UNAVAILABLE',
          `transaction ${hash} was not mined within ${receiptTimeoutMs / 1000} s`,
        )
      }
      await new Promise((r) => setTimeout(r, 250))
    }
  }

  async function fees(): Promise<
    | { type: 'eip1559'; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }
    | { type: 'legacy'; gasPrice: bigint }
  > {
    const block = await rpc.call<{ baseFeePerGas?: Hex }>('eth_getBlockByNumber', ['latest', false])
    if (block.baseFeePerGas !== undefined) {
      // A permissioned network runs at base fee 0; doubling covers a base fee that rises meanwhile.
      return { type: 'eip1559', maxFeePerGas: BigInt(block.baseFeePerGas) * 2n, maxPriorityFeePerGas: 0n }
    }
    return { type: 'legacy', gasPrice: BigInt(await rpc.call<Hex>('eth_gasPrice')) }
  }

  const client: LedgerClient = {
    kind: 'external',
    get rpcUrl() {
      return rpc.url
    },
    chain,
    publicClient,
    send(request: SendRequest): Promise<TransactionReceipt> {
      return queue.run(async () => {
        const { account } = request
        const nonce = await nonces.take(account.address, async () =>
          Number(BigInt(await rpc.call<Hex>('eth_getTransactionCount', [account.address, 'pending']))),
        )
        const gas = request.gas ?? (await estimateGas(rpc, request, 'latest'))
        const rawTx = await account.signTransaction({
          chainId,
          nonce,
          ...(request.to ? { to: request.to } : {}),
          data: request.data,
          value: request.value ?? 0n,
          gas,
          ...(await fees()),
        })
        const hash = keccak256(rawTx)
        try {
          await rpc.call('eth_sendRawTransaction', [rawTx])
        } catch (e) {
          nonces.forget(account.address)
          if (e instanceof RpcResponseError) {
            throw new LedgerError('LEDGER_TX_REJECTED', `transaction refused by the ledger: ${e.message}`)
          }
          throw new LedgerError('LEDGER_UNAVAILABLE', (e as Error).message, { cause: e })
        }
        nonces.used(account.address, nonce)
        const receipt = formatTransactionReceipt(await waitForReceipt(hash))
        if (receipt.status === 'reverted')
          throw revertError(await replayedRevertData(rpc, hash), request.abi, undefined, hash)
        log?.debug({ tx: hash, block: receipt.blockNumber.toString() }, 'transaction mined')
        return receipt
      })
    },
    async deploy(request: DeployRequest): Promise<Address> {
      const data = encodeDeployData({
        abi: request.abi,
        bytecode: request.bytecode,
        args: request.args ?? [],
      } as never)
      const receipt = await client.send({ account: request.account, data, abi: request.abi })
      if (!receipt.contractAddress)
        throw new LedgerError('LEDGER_TX_REJECTED', 'deployment created no contract')
      return receipt.contractAddress
    },
    now: () => Math.floor(Date.now() / 1000),
    async advanceTo() {
      throw new LedgerError('LEDGER_NOT_SUPPORTED', 'ledger time cannot be moved on an external network')
    },
    async snapshot() {},
    async health(): Promise<LedgerHealth> {
      try {
        const blockNumber = BigInt(await rpc.call<Hex>('eth_blockNumber'))
        return { ok: true, kind: 'external', blockNumber }
      } catch (e) {
        return { ok: false, kind: 'external', reason: `no ledger node answers: ${(e as Error).message}` }
      }
    },
    async stop() {
      await queue.idle().catch(() => {})
    },
  }
  return client
}
