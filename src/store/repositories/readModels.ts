import type { Kysely, Selectable } from 'kysely'
import { StoreError } from '../errors.ts'
import type { Database } from '../schema.ts'

/**
 * Read models of the ledger, written only by the ledger indexer (idempotent upserts keyed by
 * on-chain ids, so replaying events is harmless) and read by everyone else.
 */
export interface AgreementView {
  id: string
  caseId: string | null
  municipalityId: string | null
  providerId: string | null
  mainAgreementId: string | null
  state: string
  currentVersion: number
  updatedBlock: bigint
}

export interface AgreementVersionView {
  agreementId: string
  version: number
  termsHash: string
  effectiveFrom: string | null
  state: string
  createdBlock: bigint
}

export type LineUnit = 'month' | 'hour' | 'session'

export interface AgreementLineView {
  agreementId: string
  version: number
  lineNo: number
  serviceCode: string
  unit: LineUnit
  priceOre: bigint
  startDate: string
  endDate: string | null
  reportEveryMonths: number | null
}

export type PaymentStatus = 'approved' | 'withheld' | 'released' | 'paid'

export interface PaymentView {
  id: string
  agreementId: string
  lineNo: number | null
  /** YYYY-MM */
  period: string
  amountOre: bigint
  status: PaymentStatus
  reason: string | null
  txHash: string | null
  blockNumber: bigint
}

export interface InvoiceView {
  id: string
  agreementId: string
  lineNo: number
  period: string
  /** Quantity in thousandths of the line's unit (hours, sessions). */
  quantityMilli: bigint
  amountOre: bigint
  status: 'accepted' | 'deviation'
  txHash: string | null
  blockNumber: bigint
}

export interface ReadModelRepository {
  upsertAgreement(a: AgreementView): Promise<void>
  upsertVersion(v: AgreementVersionView): Promise<void>
  /** Replaces all lines of one version. */
  replaceLines(
    agreementId: string,
    version: number,
    lines: Omit<AgreementLineView, 'agreementId' | 'version'>[],
  ): Promise<void>
  upsertPayment(p: PaymentView): Promise<void>
  upsertInvoice(i: InvoiceView): Promise<void>
  agreement(id: string): Promise<AgreementView | null>
  agreementsForCase(caseId: string): Promise<AgreementView[]>
  /** Agreements whose main agreement is this one. */
  dependants(mainAgreementId: string): Promise<AgreementView[]>
  versions(agreementId: string): Promise<AgreementVersionView[]>
  lines(agreementId: string, version: number): Promise<AgreementLineView[]>
  payments(filter: { agreementId?: string; period?: string; status?: PaymentStatus }): Promise<PaymentView[]>
  invoices(agreementId: string): Promise<InvoiceView[]>
}

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/
const DATE = /^\d{4}-\d{2}-\d{2}$/

function toAgreement(r: Selectable<Database['rm_agreements']>): AgreementView {
  return {
    id: r.id,
    caseId: r.case_id,
    municipalityId: r.municipality_id,
    providerId: r.provider_id,
    mainAgreementId: r.main_agreement_id,
    state: r.state,
    currentVersion: r.current_version,
    updatedBlock: BigInt(r.updated_block),
  }
}

function toPayment(r: Selectable<Database['rm_payments']>): PaymentView {
  return {
    id: r.id,
    agreementId: r.agreement_id,
    lineNo: r.line_no,
    period: r.period,
    amountOre: BigInt(r.amount_ore),
    status: r.status,
    reason: r.reason,
    txHash: r.tx_hash,
    blockNumber: BigInt(r.block_number),
  }
}

export function readModelRepository(db: Kysely<Database>): ReadModelRepository {
  return {
    async upsertAgreement(a) {
      const row = {
        id: a.id,
        case_id: a.caseId,
        municipality_id: a.municipalityId,
        provider_id: a.providerId,
        main_agreement_id: a.mainAgreementId,
        state: a.state,
        current_version: a.currentVersion,
        updated_block: a.updatedBlock.toString(),
      }
      await db
        .insertInto('rm_agreements')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet({ ...row, updated_at: new Date() }))
        .execute()
    },
    async upsertVersion(v) {
      if (v.effectiveFrom && !DATE.test(v.effectiveFrom))
        throw new StoreError('INVALID_INPUT', 'bad effectiveFrom')
      const row = {
        agreement_id: v.agreementId,
        version: v.version,
        terms_hash: v.termsHash,
        effective_from: v.effectiveFrom,
        state: v.state,
        created_block: v.createdBlock.toString(),
      }
      await db
        .insertInto('rm_agreement_versions')
        .values(row)
        .onConflict((oc) => oc.columns(['agreement_id', 'version']).doUpdateSet(row))
        .execute()
    },
    async replaceLines(agreementId, version, lines) {
      const run = async (trx: Kysely<Database>) => {
        await trx
          .deleteFrom('rm_agreement_lines')
          .where('agreement_id', '=', agreementId)
          .where('version', '=', version)
          .execute()
        if (lines.length === 0) return
        await trx
          .insertInto('rm_agreement_lines')
          .values(
            lines.map((l) => {
              if (l.priceOre < 0n) throw new StoreError('INVALID_INPUT', 'negative price')
              return {
                agreement_id: agreementId,
                version,
                line_no: l.lineNo,
                service_code: l.serviceCode,
                unit: l.unit,
                price_ore: l.priceOre.toString(),
                start_date: l.startDate,
                end_date: l.endDate,
                report_every_months: l.reportEveryMonths,
              }
            }),
          )
          .execute()
      }
      await (db.isTransaction ? run(db) : db.transaction().execute(run))
    },
    async upsertPayment(p) {
      if (!PERIOD.test(p.period)) throw new StoreError('INVALID_INPUT', `bad period ${p.period}`)
      const row = {
        id: p.id,
        agreement_id: p.agreementId,
        line_no: p.lineNo,
        period: p.period,
        amount_ore: p.amountOre.toString(),
        status: p.status,
        reason: p.reason,
        tx_hash: p.txHash,
        block_number: p.blockNumber.toString(),
      }
      await db
        .insertInto('rm_payments')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute()
    },
    async upsertInvoice(i) {
      if (!PERIOD.test(i.period)) throw new StoreError('INVALID_INPUT', `bad period ${i.period}`)
      const row = {
        id: i.id,
        agreement_id: i.agreementId,
        line_no: i.lineNo,
        period: i.period,
        quantity_milli: i.quantityMilli.toString(),
        amount_ore: i.amountOre.toString(),
        status: i.status,
        tx_hash: i.txHash,
        block_number: i.blockNumber.toString(),
      }
      await db
        .insertInto('rm_invoices')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute()
    },
    async agreement(id) {
      const r = await db.selectFrom('rm_agreements').selectAll().where('id', '=', id).executeTakeFirst()
      return r ? toAgreement(r) : null
    },
    async agreementsForCase(caseId) {
      const rows = await db
        .selectFrom('rm_agreements')
        .selectAll()
        .where('case_id', '=', caseId)
        .orderBy('id')
        .execute()
      return rows.map(toAgreement)
    },
    async dependants(mainAgreementId) {
      const rows = await db
        .selectFrom('rm_agreements')
        .selectAll()
        .where('main_agreement_id', '=', mainAgreementId)
        .orderBy('id')
        .execute()
      return rows.map(toAgreement)
    },
    async versions(agreementId) {
      const rows = await db
        .selectFrom('rm_agreement_versions')
        .selectAll()
        .where('agreement_id', '=', agreementId)
        .orderBy('version')
        .execute()
      return rows.map((r) => ({
        agreementId: r.agreement_id,
        version: r.version,
        termsHash: r.terms_hash,
        effectiveFrom: r.effective_from,
        state: r.state,
        createdBlock: BigInt(r.created_block),
      }))
    },
    async lines(agreementId, version) {
      const rows = await db
        .selectFrom('rm_agreement_lines')
        .selectAll()
        .where('agreement_id', '=', agreementId)
        .where('version', '=', version)
        .orderBy('line_no')
        .execute()
      return rows.map((r) => ({
        agreementId: r.agreement_id,
        version: r.version,
        lineNo: r.line_no,
        serviceCode: r.service_code,
        unit: r.unit,
        priceOre: BigInt(r.price_ore),
        startDate: r.start_date,
        endDate: r.end_date,
        reportEveryMonths: r.report_every_months,
      }))
    },
    async payments(filter) {
      let q = db.selectFrom('rm_payments').selectAll().orderBy('period').orderBy('id')
      if (filter.agreementId) q = q.where('agreement_id', '=', filter.agreementId)
      if (filter.period) q = q.where('period', '=', filter.period)
      if (filter.status) q = q.where('status', '=', filter.status)
      return (await q.execute()).map(toPayment)
    },
    async invoices(agreementId) {
      const rows = await db
        .selectFrom('rm_invoices')
        .selectAll()
        .where('agreement_id', '=', agreementId)
        .orderBy('period')
        .orderBy('id')
        .execute()
      return rows.map((r) => ({
        id: r.id,
        agreementId: r.agreement_id,
        lineNo: r.line_no,
        period: r.period,
        quantityMilli: BigInt(r.quantity_milli),
        amountOre: BigInt(r.amount_ore),
        status: r.status,
        txHash: r.tx_hash,
        blockNumber: BigInt(r.block_number),
      }))
    },
  }
}
