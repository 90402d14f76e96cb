/**
 * The baseline other ledger benchmarks divide by: raw signed transactions per second through the
 * ledger client's send() — one simple value transfer per block, signed, simulated, journaled and
 * mined exactly like any Tillid write — on the ledger under test, at its current size (throughput
 * falls as the chain grows, so measure it on the same chain and at the same moment as the
 * batched figure).
 */
import { keccak256, type LocalAccount, stringToHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { LedgerClient } from '../src/ledger/index.ts'

export interface RawTxOptions {
  /** Transactions timed. */
  count: number
  /** Untimed transactions first (JIT, connections, nonce lookup). */
  warmup?: number
  /** Signer; a dedicated key by default, so no other account's nonces are touched. */
  account?: LocalAccount
}

export interface RawTxRate {
  perSecond: number
  count: number
  ms: number
}

const baselineAccount = privateKeyToAccount(keccak256(stringToHex('tillid/bench/raw-tx')))
const sink = privateKeyToAccount(keccak256(stringToHex('tillid/bench/raw-tx-sink'))).address

export async function measureRawTxRate(ledger: LedgerClient, options: RawTxOptions): Promise<RawTxRate> {
  const account = options.account ?? baselineAccount
  // Value 0: gas is free on Tillid's ledgers, so the signer needs no balance.
  const send = () => ledger.send({ account, to: sink, data: '0x', value: 0n })
  for (let i = 0; i < (options.warmup ?? 10); i++) await send()
  const t0 = performance.now()
  for (let i = 0; i < options.count; i++) await send()
  const ms = performance.now() - t0
  return { perSecond: (options.count * 1000) / ms, count: options.count, ms }
}
