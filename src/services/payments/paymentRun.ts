/**
 * The monthly payment run: asks the PaymentLedger contract to evaluate a month for every
 * agreement of a municipality that can be evaluated, in batches of one Multicall transaction
 * each. The contract decides approved or withheld and refuses a second evaluation, so running a
 * month twice has exactly one effect.
 */
import {
  type Abi,
  type Address,
  BaseError,
  decodeErrorResult,
  encodeFunctionData,
  type Hex,
  type LocalAccount,
} from 'viem'
import { type Period, periodToChain } from '../../domain/calendar.ts'
import { LedgerRevertError } from '../../ledger/errors.ts'
import type { ServiceContext } from '../context.ts'
import { abis, allErrorsAbi } from '../contracts.ts'
import { writeContract } from '../ledgerWrites.ts'
import { type PaymentRunView, paymentRunView } from './paymentRunView.ts'

export interface RunOptions {
  /** Evaluations per Multicall transaction. */
  batchSize?: number
  onProgress?: (done: number, total: number) => void
}

export interface RunResult extends PaymentRunView {
  /** Agreements evaluated by this call (0 when the month had already been run). */
  evaluatedNow: number
  skipped: { agreementId: Hex; reason: string }[]
}

/** Agreement ids of a municipality, from the indexed AgreementDrafted events. */
export async function agreementIdsOf(ctx: ServiceContext, municipalityCode: number): Promise<Hex[]> {
  const rows = await ctx.db
    .selectFrom('ledger_events')
    .select(['agreement_id', 'args'])
    .where('event', '=', 'AgreementDrafted')
    .orderBy('block_number')
    .orderBy('log_index')
    .execute()
  return rows
    .filter((r) => Number(JSON.parse(r.args).municipality) === municipalityCode)
    .map((r) => r.agreement_id as Hex)
}

/** Refusals that mean "nothing to evaluate for this agreement this month", not an error. */
const NOT_DUE = new Set([
  'AgreementNeverActive',
  'PeriodOutsideAgreement',
  'PeriodNotPayableYet',
  'MonthAlreadyEvaluated',
])

async function evaluable(
  ctx: ServiceContext,
  from: Address,
  id: Hex,
  period: number,
): Promise<{ ok: true; data: Hex } | { ok: false; reason: string }> {
  const data = encodeFunctionData({ abi: abis.payments, functionName: 'evaluateMonth', args: [id, period] })
  try {
    await ctx.ledger.publicClient.call({ account: from, to: ctx.contracts.payments, data })
    return { ok: true, data }
  } catch (err) {
    const name = decodeRevertName(err)
    if (name && NOT_DUE.has(name)) return { ok: false, reason: name }
    throw err
  }
}

function decodeRevertName(err: unknown): string | undefined {
  if (err instanceof LedgerRevertError) return err.errorName
  // viem's call errors carry the revert data somewhere in their cause chain.
  if (!(err instanceof BaseError)) return undefined
  const withData = err.walk((e) => typeof (e as { data?: unknown }).data === 'string') as {
    data?: Hex
  } | null
  if (!withData?.data) return undefined
  try {
    return decodeErrorResult({ abi: allErrorsAbi as Abi, data: withData.data }).errorName
  } catch {
    return undefined
  }
}

/**
 * Runs `period` for a municipality as `account` (a finance member of it, or the keeper).
 */
export async function runPaymentMonth(
  ctx: ServiceContext,
  account: LocalAccount,
  municipalityCode: number,
  period: Period,
  options: RunOptions = {},
): Promise<RunResult> {
  const chainPeriod = periodToChain(period)
  const ids = await agreementIdsOf(ctx, municipalityCode)
  const skipped: RunResult['skipped'] = []
  const calls: Hex[] = []
  for (const id of ids) {
    const r = await evaluable(ctx, account.address, id, chainPeriod)
    if (r.ok) calls.push(r.data)
    else skipped.push({ agreementId: id, reason: r.reason })
  }
  const batchSize = options.batchSize ?? 100
  let done = 0
  options.onProgress?.(0, calls.length)
  for (let i = 0; i < calls.length; i += batchSize) {
    const batch = calls.slice(i, i + batchSize)
    await writeContract(ctx, account, 'payments', 'multicall', [batch])
    done += batch.length
    options.onProgress?.(done, calls.length)
  }
  const view = await paymentRunView(ctx, municipalityCode, period)
  return { ...view, evaluatedNow: calls.length, skipped }
}
