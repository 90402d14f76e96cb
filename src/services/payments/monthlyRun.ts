/**
 * What finance does on the 1st: evaluate last month on the ledger and produce the run's payment
 * file in one go (one file per run). When nothing is payable there is no file, and that is not an
 * error.
 */
import type { LocalAccount } from 'viem'
import type { Period } from '../../domain/calendar.ts'
import type { ServiceContext } from '../context.ts'
import { exportPayments, PaymentExportError, type StoredPaymentFile } from './paymentExport.ts'
import { type RunResult, runPaymentMonth } from './paymentRun.ts'
import { paymentRunView } from './paymentRunView.ts'

export async function runMonthWithFile(
  ctx: ServiceContext,
  account: LocalAccount,
  municipalityCode: number,
  period: Period,
  createdBy: string,
): Promise<{ run: RunResult; file: StoredPaymentFile | null }> {
  const evaluated = await runPaymentMonth(ctx, account, municipalityCode, period)
  let file: StoredPaymentFile | null = null
  try {
    file = await exportPayments(ctx, account, municipalityCode, period, createdBy)
  } catch (err) {
    if (!(err instanceof PaymentExportError && err.reason === 'nothing_to_pay')) throw err
  }
  // Read the outcome again: recording the file's payments turned approved months into paid ones.
  const view = file ? await paymentRunView(ctx, municipalityCode, period) : evaluated
  return { run: { ...view, evaluatedNow: evaluated.evaluatedNow, skipped: evaluated.skipped }, file }
}
