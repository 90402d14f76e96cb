/**
 * The one path from a use case to a ledger transaction. Every write is built from typed contract
 * arguments (ids, hashes, amounts, dates, enum codes), passes the personal-data guard, is signed
 * by the acting person's custodial account and, once mined, is indexed before the call returns,
 * so the caller's next read already sees its effect.
 */
import {
  type Abi,
  type Address,
  BaseError,
  type ContractFunctionArgs,
  type ContractFunctionName,
  decodeErrorResult,
  encodeFunctionData,
  type Hex,
  type LocalAccount,
  type TransactionReceipt,
} from 'viem'
import { assertNoPersonalData } from '../domain/personalData.ts'
import { LedgerRevertError } from '../ledger/errors.ts'
import type { ServiceContext } from './context.ts'
import { abis, allErrorsAbi } from './contracts.ts'

export type ContractKey = keyof typeof abis
type AbiOf<K extends ContractKey> = (typeof abis)[K]
type WriteName<K extends ContractKey> = ContractFunctionName<AbiOf<K>, 'nonpayable' | 'payable'>
type ReadName<K extends ContractKey> = ContractFunctionName<AbiOf<K>, 'view' | 'pure'>

export interface WriteOptions {
  /** Names of the citizens of the case concerned: the guard refuses a payload containing them. */
  citizenNames?: readonly string[]
}

export async function writeContract<K extends ContractKey, F extends WriteName<K>>(
  ctx: ServiceContext,
  account: LocalAccount,
  contract: K,
  functionName: F,
  args: ContractFunctionArgs<AbiOf<K>, 'nonpayable' | 'payable', F>,
  options: WriteOptions = {},
): Promise<TransactionReceipt> {
  // Ledger arguments are ids, hashes, amounts, dates and codes: a ten-digit integer that forms a
  // valid CPR date is refused even without context, hence the lower threshold than for text. Both
  // checks look at the arguments with their typed ids and dates blanked (see scrubTyped): random
  // hashes and whole-day dates would otherwise read as CPR numbers now and then.
  const scrubbed = scrubTyped(args)
  assertNoPersonalData(
    { functionName, args: scrubbed },
    { names: options.citizenNames ?? [], threshold: 0.3 },
  )
  assertNoPersonalData(
    encodeFunctionData({ abi: abis[contract] as Abi, functionName, args: scrubbed } as never),
    { names: options.citizenNames ?? [] },
  )
  const data = encodeFunctionData({ abi: abis[contract] as Abi, functionName, args } as never)
  const receipt = await ctx.ledger.send({
    account,
    to: ctx.contracts[contract],
    data,
    abi: allErrorsAbi as Abi,
  })
  // Concurrent writes share one indexer pass; this one returns once its own block is indexed.
  await ctx.indexer.syncTo(receipt.blockNumber)
  return receipt
}

/**
 * Asks the ledger whether a write would be accepted, without sending it: for use cases that must
 * store nothing off chain when the chain would refuse. Throws LedgerRevertError like a send.
 */
export async function checkWrite<K extends ContractKey, F extends WriteName<K>>(
  ctx: ServiceContext,
  from: Address,
  contract: K,
  functionName: F,
  args: ContractFunctionArgs<AbiOf<K>, 'nonpayable' | 'payable', F>,
): Promise<void> {
  const data = encodeFunctionData({ abi: abis[contract] as Abi, functionName, args } as never)
  try {
    await ctx.ledger.publicClient.call({ account: from, to: ctx.contracts[contract], data })
  } catch (err) {
    const withData =
      err instanceof BaseError
        ? (err.walk((e) => typeof (e as { data?: unknown }).data === 'string') as { data?: Hex } | null)
        : null
    let errorName: string | undefined
    let errorArgs: readonly unknown[] | undefined
    try {
      if (withData?.data) {
        const decoded = decodeErrorResult({ abi: allErrorsAbi as Abi, data: withData.data })
        errorName = decoded.errorName
        errorArgs = decoded.args
      }
    } catch {}
    throw new LedgerRevertError({
      errorName,
      args: errorArgs,
      data: withData?.data,
      reason: (err as Error).message,
    })
  }
}

const DAY = 86_400n

/**
 * The arguments with the values that are typed as ids or dates blanked, recursively: hex values
 * (bytes32 ids and salted hashes, addresses) become zeros of the same length — a random hash holds
 * ten decimal digits forming a valid date now and then — and whole-day Unix timestamps (the ledger's
 * date encoding; 2027-01-31 is 1801353600) become 0. Everything else is checked as it is.
 */
function scrubTyped(value: unknown): unknown {
  if (typeof value === 'string' && /^0x[0-9a-fA-F]*$/.test(value)) return `0x${'0'.repeat(value.length - 2)}`
  if (typeof value === 'bigint') return value >= 1_000_000_000n && value % DAY === 0n ? 0n : value
  if (typeof value === 'number') return value >= 1e9 && value % 86_400 === 0 ? 0 : value
  if (Array.isArray(value)) return value.map(scrubTyped)
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubTyped(v)]))
  }
  return value
}

export async function readContract<K extends ContractKey, F extends ReadName<K>>(
  ctx: ServiceContext,
  contract: K,
  functionName: F,
  args: ContractFunctionArgs<AbiOf<K>, 'view' | 'pure', F>,
) {
  return ctx.ledger.publicClient.readContract({
    address: ctx.contracts[contract],
    abi: abis[contract] as AbiOf<K>,
    functionName,
    args,
  } as never) as Promise<unknown>
}
