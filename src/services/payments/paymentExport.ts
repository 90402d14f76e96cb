/**
 * The payment file for a month: every approved month of the period and every earlier month
 * released since, not already in a file, as one ISO 20022 pain.001.001.09 file for the
 * municipality's bank. The file is checked (XSD and the project's own rules) and stored before
 * anything is recorded on chain; the store's (agreement, period) key makes it impossible for a
 * month to appear in two files, and recording "paid" on chain is retried until it holds.
 */
import { createHash, randomUUID } from 'node:crypto'
import { encodeFunctionData, type Hex, keccak256, type LocalAccount, stringToHex } from 'viem'
import { addDays, copenhagenDate, type Period, periodToChain } from '../../domain/calendar.ts'
import { buildPaymentFile, endToEndIdFor, type PaymentFilePayment } from '../../domain/pain001/index.ts'
import type { ServiceContext } from '../context.ts'
import { abis } from '../contracts.ts'
import { writeContract } from '../ledgerWrites.ts'
import { checkPaymentFile } from '../paymentFile/index.ts'
import { type PaymentLine, paymentRunView } from './paymentRunView.ts'

/** A business refusal; `code` is the API's error code, `reason` says which rule. */
export class PaymentExportError extends Error {
  readonly code = 'business_rule'
  constructor(
    readonly reason: 'no_debtor_account' | 'no_creditor_account' | 'nothing_to_pay',
    readonly detail: string,
  ) {
    super(detail)
    this.name = 'PaymentExportError'
  }
}

export interface StoredPaymentFile {
  id: string
  period: string
  msgId: string
  nbOfTxs: number
  ctrlSumOre: bigint
  sha256: string
  xml: string
  createdAt: Date
}

async function bankAccount(ctx: ServiceContext, kind: 'municipality' | 'provider', code: string) {
  return ctx.db
    .selectFrom('bank_accounts')
    .selectAll()
    .where('org_kind', '=', kind)
    .where('org_code', '=', code)
    .executeTakeFirst()
}

export async function setBankAccount(
  ctx: ServiceContext,
  kind: 'municipality' | 'provider',
  code: string,
  iban: string,
  bic?: string,
): Promise<void> {
  await ctx.db
    .insertInto('bank_accounts')
    .values({ org_kind: kind, org_code: code, iban, bic: bic ?? null })
    .onConflict((oc) => oc.columns(['org_kind', 'org_code']).doUpdateSet({ iban, bic: bic ?? null }))
    .execute()
}

export async function paymentFilesOf(ctx: ServiceContext, municipalityCode: number, period: Period) {
  const rows = await ctx.db
    .selectFrom('payment_files')
    .selectAll()
    .where('municipality_code', '=', String(municipalityCode))
    .where('period', '=', period)
    .orderBy('created_at')
    .execute()
  return rows.map(
    (r): StoredPaymentFile => ({
      id: r.id,
      period: r.period,
      msgId: r.msg_id,
      nbOfTxs: r.nb_of_txs,
      ctrlSumOre: BigInt(r.ctrl_sum_ore),
      sha256: r.sha256,
      xml: r.xml,
      createdAt: r.created_at,
    }),
  )
}

/** Records "paid" on chain for every filed month the chain does not yet show as paid. */
async function recordFiledPayments(ctx: ServiceContext, account: LocalAccount, lines: PaymentLine[]) {
  const filed = lines.length
    ? await ctx.db
        .selectFrom('payment_file_items')
        .innerJoin('payment_files', 'payment_files.id', 'payment_file_items.file_id')
        .select(['payment_file_items.agreement_id', 'payment_file_items.period', 'payment_files.msg_id'])
        .where(
          'payment_file_items.agreement_id',
          'in',
          lines.map((l) => l.agreementId),
        )
        .execute()
    : []
  const refOf = new Map(filed.map((f) => [`${f.agreement_id}/${f.period}`, f.msg_id]))
  const calls: Hex[] = []
  for (const l of lines) {
    const msgId = refOf.get(`${l.agreementId}/${l.period}`)
    if (!msgId || l.status === 'paid' || l.status === 'withheld') continue
    calls.push(
      encodeFunctionData({
        abi: abis.payments,
        functionName: 'recordPayment',
        args: [l.agreementId, periodToChain(l.period as Period), keccak256(stringToHex(msgId))],
      }),
    )
  }
  for (let i = 0; i < calls.length; i += 100) {
    await writeContract(ctx, account, 'payments', 'multicall', [calls.slice(i, i + 100)])
  }
}

/**
 * Builds, checks and stores the payment file of `period` for a municipality, then records the
 * payments on chain as `account` (a finance member). Returns the new file, or the latest stored
 * file of the period when nothing new is payable.
 */
export async function exportPayments(
  ctx: ServiceContext,
  account: LocalAccount,
  municipalityCode: number,
  period: Period,
  createdBy: string,
): Promise<StoredPaymentFile> {
  const view = await paymentRunView(ctx, municipalityCode, period)
  const candidates = [...view.payments, ...view.releasedEarlier].filter(
    (p) => p.status === 'approved' || p.status === 'released',
  )
  const alreadyFiled = candidates.length
    ? await ctx.db
        .selectFrom('payment_file_items')
        .select(['agreement_id', 'period'])
        .where(
          'agreement_id',
          'in',
          candidates.map((c) => c.agreementId),
        )
        .execute()
    : []
  const filedKeys = new Set(alreadyFiled.map((f) => `${f.agreement_id}/${f.period}`))
  const toPay = candidates.filter((c) => !filedKeys.has(`${c.agreementId}/${c.period}`) && c.amountOre > 0n)

  if (toPay.length === 0) {
    // Retry any on-chain record a crash may have left out, then hand back what exists.
    await recordFiledPayments(ctx, account, candidates)
    const files = await paymentFilesOf(ctx, municipalityCode, period)
    const latest = files.at(-1)
    if (latest) return latest
    throw new PaymentExportError('nothing_to_pay', `Der er ingen godkendte betalinger for ${period}`)
  }

  const debtor = await bankAccount(ctx, 'municipality', String(municipalityCode))
  if (!debtor) {
    throw new PaymentExportError(
      'no_debtor_account',
      `Kommune ${municipalityCode} har ingen bankkonto registreret`,
    )
  }
  const municipality = await ctx.repos.organisations.byMunicipalityCode(String(municipalityCode))
  const payments: PaymentFilePayment[] = []
  for (const p of toPay) {
    const creditor = await bankAccount(ctx, 'provider', p.payee.cvr)
    if (!creditor) {
      throw new PaymentExportError(
        'no_creditor_account',
        `${p.payee.name} (CVR ${p.payee.cvr}) har ingen bankkonto`,
      )
    }
    payments.push({
      endToEndId: endToEndIdFor(p.agreementId, p.period as Period),
      amountOre: p.amountOre,
      creditor: { name: p.payee.name, iban: creditor.iban, ...(creditor.bic ? { bic: creditor.bic } : {}) },
      remittance: `Tillid aftale ${p.agreementId.slice(2, 14)} ${p.period}`,
    })
  }
  const existing = await paymentFilesOf(ctx, municipalityCode, period)
  const msgId = `TILLID-${municipalityCode}-${period.replace('-', '')}-${existing.length + 1}`
  const now = ctx.ledger.now()
  const today = copenhagenDate(new Date(now * 1000))
  const file = buildPaymentFile({
    msgId,
    createdAt: new Date(now * 1000),
    executionDate: addDays(today, 1),
    debtor: {
      name: municipality?.name ?? `Kommune ${municipalityCode}`,
      iban: debtor.iban,
      ...(debtor.bic ? { bic: debtor.bic } : {}),
    },
    payments,
  })
  await checkPaymentFile(file.xml)
  const id = randomUUID()
  const stored: StoredPaymentFile = {
    id,
    period,
    msgId,
    nbOfTxs: file.nbOfTxs,
    ctrlSumOre: file.ctrlSum,
    sha256: createHash('sha256').update(file.xml).digest('hex'),
    xml: file.xml,
    createdAt: new Date(now * 1000),
  }
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('payment_files')
      .values({
        id,
        municipality_code: String(municipalityCode),
        period,
        msg_id: msgId,
        created_by: createdBy,
        nb_of_txs: file.nbOfTxs,
        ctrl_sum_ore: file.ctrlSum.toString(),
        sha256: stored.sha256,
        xml: file.xml,
      })
      .execute()
    await trx
      .insertInto('payment_file_items')
      .values(
        toPay.map((p, i) => ({
          file_id: id,
          agreement_id: p.agreementId,
          period: p.period,
          amount_ore: p.amountOre.toString(),
          end_to_end_id: payments[i]!.endToEndId,
        })),
      )
      .execute()
  })
  await recordFiledPayments(ctx, account, toPay)
  return stored
}
