/**
 * The ledger as the rest of Tillid sees it: one interface for the embedded anvil
 * (startEmbeddedLedger) and an external EVM network (connectExternalLedger).
 */
import {
  type Abi,
  type Address,
  type Chain,
  decodeErrorResult,
  defineChain,
  type Hex,
  type LocalAccount,
  numberToHex,
  type PublicClient,
  type RpcTransactionReceipt,
  type TransactionReceipt,
  type Transport,
} from 'viem'
import { LedgerError, LedgerRevertError } from './errors.ts'
import { type RpcCaller, RpcResponseError } from './rpc.ts'

export interface SendRequest {
  /** The signer; its nonces are managed by the ledger client. */
  account: LocalAccount
  /** Omitted for a contract creation. */
  to?: Address | undefined
  data: Hex
  value?: bigint | undefined
  /** Declares the custom errors the call may revert with, so LedgerRevertError can name them. */
  abi?: Abi | undefined
  /** Gas limit; estimated when omitted. */
  gas?: bigint | undefined
}

export interface DeployRequest {
  account: LocalAccount
  abi: Abi
  bytecode: Hex
  args?: readonly unknown[] | undefined
}

export interface LedgerHealth {
  ok: boolean
  kind: 'embedded' | 'external'
  /** Why not ok, in one line. */
  reason?: string | undefined
  blockNumber?: bigint | undefined
  /** Embedded only. */
  anvilPid?: number | undefined
  /** Embedded only: times anvil was restarted after it died. */
  restarts?: number | undefined
  /** Embedded only: last journal position applied. */
  journalSeq?: bigint | undefined
}

export interface LedgerClient {
  readonly kind: 'embedded' | 'external'
  readonly rpcUrl: string
  readonly chain: Chain
  /** For reads (readContract, getLogs, getBlock, …). Writes go through send/deploy. */
  readonly publicClient: PublicClient<Transport, Chain>
  /**
   * Signs and sends one transaction and resolves with its mined receipt. A reverting call
   * throws LedgerRevertError (decoded with `abi` when given); a transaction the node refuses
   * throws LedgerError LEDGER_TX_REJECTED.
   */
  send(request: SendRequest): Promise<TransactionReceipt>
  /** Deploys a contract and resolves with its address. */
  deploy(request: DeployRequest): Promise<Address>
  /** The ledger clock in Unix seconds: the time the next block will have at the earliest. */
  now(): number
  /** Demo mode only: moves the ledger clock forward (never back). */
  advanceTo(unixSeconds: number): Promise<void>
  /** Embedded only: writes a snapshot now (no-op elsewhere). */
  snapshot(): Promise<void>
  health(): Promise<LedgerHealth>
  /** Stops the ledger (embedded: snapshot, then anvil stops). Does not close the store. */
  stop(): Promise<void>
}

export function ledgerChain(chainId: number, rpcUrl: string, name = 'Tillid ledger'): Chain {
  return defineChain({
    id: chainId,
    name,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
}

function callObject(request: SendRequest): Record<string, string> {
  return {
    from: request.account.address,
    ...(request.to ? { to: request.to } : {}),
    data: request.data,
    ...(request.value ? { value: numberToHex(request.value) } : {}),
    ...(request.gas ? { gas: numberToHex(request.gas) } : {}),
  }
}

function simulationError(e: unknown, request: SendRequest): unknown {
  if (e instanceof RpcResponseError) {
    if (e.revertData !== undefined || /revert/i.test(e.message))
      return revertError(e.revertData, request.abi, e.message)
    return new LedgerError('LEDGER_TX_REJECTED', `transaction refused: ${e.message}`, { cause: e })
  }
  return e
}

/** Gas for a call, or LedgerRevertError when it would revert (nothing is sent then). */
export async function estimateGas(
  rpc: RpcCaller,
  request: SendRequest,
  blockTag: 'pending' | 'latest' = 'pending',
): Promise<bigint> {
  try {
    const estimate = BigInt(await rpc.call<Hex>('eth_estimateGas', [callObject(request), blockTag]))
    // The estimate is the least gas that succeeds; a margin covers state that changes before mining.
    return estimate + estimate / 5n + 10_000n
  } catch (e) {
    throw simulationError(e, request)
  }
}

/** Runs the call once without sending it; LedgerRevertError when it would revert. */
export async function simulate(
  rpc: RpcCaller,
  request: SendRequest,
  blockTag: 'pending' | 'latest' = 'pending',
): Promise<void> {
  try {
    await rpc.call<Hex>('eth_call', [callObject(request), blockTag])
  } catch (e) {
    throw simulationError(e, request)
  }
}

export function revertError(
  data: Hex | undefined,
  abi: Abi | undefined,
  reason?: string,
  txHash?: Hex,
): LedgerRevertError {
  if (data && data !== '0x') {
    try {
      const decoded = decodeErrorResult({ abi: abi ?? [], data })
      return new LedgerRevertError({
        errorName: decoded.errorName,
        args: (decoded.args ?? []) as readonly unknown[],
        data,
        transactionHash: txHash,
      })
    } catch {
      // An error the given ABI does not declare: keep the raw data.
    }
  }
  return new LedgerRevertError({
    data: data && data !== '0x' ? data : undefined,
    transactionHash: txHash,
    reason,
  })
}

/** Revert data of a mined, reverted transaction (anvil and Besu both offer callTracer). */
export async function minedRevertData(rpc: RpcCaller, txHash: Hex): Promise<Hex | undefined> {
  try {
    const trace = await rpc.call<{ output?: Hex; revertReason?: string }>('debug_traceTransaction', [
      txHash,
      { tracer: 'callTracer' },
    ])
    return trace.output
  } catch {
    return undefined
  }
}

export type { RpcTransactionReceipt }

/** Per-account nonces, so a caller never waits on a node round trip it does not need. */
export class NonceManager {
  private readonly next = new Map<string, number>()

  async take(address: Address, fetch: () => Promise<number>): Promise<number> {
    const key = address.toLowerCase()
    const known = this.next.get(key)
    const nonce = known ?? (await fetch())
    this.next.set(key, nonce)
    return nonce
  }

  /** The transaction with this nonce was mined (whatever its status). */
  used(address: Address, nonce: number): void {
    this.next.set(address.toLowerCase(), nonce + 1)
  }

  /** The node refused it: ask the node next time. */
  forget(address: Address): void {
    this.next.delete(address.toLowerCase())
  }

  clear(): void {
    this.next.clear()
  }
}
