/**
 * The monthly payment run: asks the PaymentLedger contract to evaluate a month for every
 * agreement of a municipality that can be evaluated, in batches of one Multicall transaction
 * each. The contract decides approved or withheld and refuses a second evaluation, so running a
 * month twice has exactly one effect.
 */
import { type Address, encodeFunctionData, type Hex, type LocalAccount } from 'viem'
import { type Period, periodToChain } from '../../domain/calendar.ts'
import { LedgerRevertError } from '../../ledger/errors.ts'
import type { ServiceContext } from '../context.ts'
import { abis } from '../contracts.ts'
import { checkWrite, writeContract } from '../ledgerWrites.ts'
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
  try {
    await checkWrite(ctx, from, 'payments', 'evaluateMonth', [id, period])
  } catch (err) {
    if (err instanceof LedgerRevertError && err.errorName && NOT_DUE.has(err.errorName)) {
      return { ok: false, reason: err.errorName }
    }
    throw err
  }
  return {
    ok: true,
    data: encodeFunctionData({ abi: abis.payments, functionName: 'evaluateMonth', args: [id, period] }),
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
