/**
 * What people do to agreements: draft (with an optional main agreement), sign, approve, amend, decide
 * a review, terminate, upload a status report, invoice. Each use case authorises the person on the
 * agreement's scope, validates what the contract would refuse, and writes one guarded ledger
 * transaction as that person (services/ledgerWrites.ts). Nothing personal reaches the chain: the
 * case is known there only by its salted anchor, reports by the salted hash of the document.
 */
import { randomUUID } from 'node:crypto'
import { type Hex, keccak256, stringToBytes, type TransactionReceipt, toHex } from 'viem'
import { dateToUnixSeconds, type IsoDate, periodEnd, periodToChain } from '../../domain/calendar.ts'
import { authorise } from '../../identity/authorise.ts'
import { findCase } from '../cases.ts'
import type { Actor, ServiceContext } from '../context.ts'
import { ensureApprovalPolicy } from '../demoData.ts'
import { checkWrite, writeContract } from '../ledgerWrites.ts'
import { asMember, ensureOrganisation } from '../membership.ts'
import { templateById, templateChainId } from '../templates.ts'
import {
  type AgreementRow,
  type ApiLineInput,
  authoriseOn,
  chainAgreement,
  chainIdOf,
  chainVersion,
  citizenNamesOf,
  fieldError,
  findAgreement,
  kleToChain,
  ledgerToday,
  lineNames,
  nameOf,
  ServiceError,
  toChainLine,
  validateLines,
} from './model.ts'

export interface DraftInput {
  caseId: string
  providerId: string
  templateId: string
  mainAgreementId?: string | undefined
  lines: ApiLineInput[]
  reportEveryMonths?: number | undefined
  graceDays?: number | undefined
}

async function resolveProvider(ctx: ServiceContext, providerId: string) {
  const org = /^\d{8}$/.test(providerId)
    ? await ctx.repos.organisations.byCvr(providerId)
    : /^[0-9a-f-]{36}$/i.test(providerId)
      ? await ctx.repos.organisations.get(providerId)
      : null
  if (org?.kind !== 'provider' || !org.cvr) throw fieldError('providerId', 'ukendt leverandør')
  return org
}

/** Drafts version 1 of a new agreement on the case. Returns the agreement id (UUID). */
export async function draftAgreement(ctx: ServiceContext, actor: Actor, input: DraftInput): Promise<string> {
  const c = await findCase(ctx, input.caseId)
  if (!c || c.erasedAt) throw fieldError('caseId', 'sagen findes ikke')
  authorise(actor.principal, 'agreement.draft', { municipalityId: c.organisationId, kle: c.kleClass })
  const muni = await ctx.repos.organisations.get(c.organisationId)
  if (!muni?.municipalityCode) throw fieldError('caseId', 'sagen hører ikke til en kommune')
  const template = templateById(input.templateId)
  if (!template) throw fieldError('templateId', 'ukendt skabelon')
  const provider = await resolveProvider(ctx, input.providerId)
  let main: AgreementRow | null = null
  if (input.mainAgreementId) {
    main = await findAgreement(ctx.db, input.mainAgreementId).catch(() => {
      throw fieldError('mainAgreementId', 'hovedaftalen findes ikke')
    })
    if (main.municipality_id !== c.organisationId)
      throw fieldError('mainAgreementId', 'hovedaftalen findes ikke')
  }
  const today = ledgerToday(ctx)
  validateLines(input.lines, 'lines')
  const start = input.lines.map((l) => l.start).sort()[0]!
  if (start < today) throw fieldError('lines.0.start', `aftalen kan ikke starte før i dag (${today})`)

  const id = randomUUID()
  const chainId = chainIdOf(id)
  const caseRef = (await ctx.repos.anchors.get('case', c.id)) ?? (await ctx.repos.anchors.anchorCase(c.id))
  // The mapping exists before the transaction, so the indexer can resolve the case when it projects it.
  await ctx.db
    .insertInto('agreements')
    .values({
      id,
      chain_id: chainId,
      case_id: c.id,
      municipality_id: c.organisationId,
      provider_id: provider.id,
      template_id: template.id,
      main_agreement_id: main?.id ?? null,
      line_names: JSON.stringify({ '1': input.lines.map((l) => l.name) }),
      created_by: actor.principal.personId,
    })
    .execute()
  const t = template.terms
  const citizenNames = await citizenNamesOf(ctx, c.id)
  try {
    await ensureOrganisation(ctx, 'provider', provider.cvr!)
    await ensureApprovalPolicy(ctx, muni.municipalityCode)
    await asMember(ctx, actor, (account) =>
      writeContract(
        ctx,
        account,
        'registry',
        'draftAgreement',
        [
          chainId,
          {
            municipality: Number(muni.municipalityCode),
            provider: Number(provider.cvr),
            caseRef: caseRef.hash,
            kle: kleToChain(c.kleClass),
            templateId: templateChainId(template.id),
            mainAgreement: (main?.chain_id ?? `0x${'0'.repeat(64)}`) as Hex,
            start: dateToUnixSeconds(start),
            terms: {
              municipalityNoticeDays: t.municipalityNoticeDays,
              providerNoticeDays: t.providerNoticeDays,
              paymentTiming: t.paymentTiming === 'arrears' ? 0 : 1,
              paymentDeadlineDays: t.paymentDeadlineDays,
              reportEveryMonths: input.reportEveryMonths ?? template.reportEveryMonths,
              reportGraceDays: input.graceDays ?? template.graceDays,
            },
          },
          input.lines.map(toChainLine),
        ],
        { citizenNames },
      ),
    )
  } catch (err) {
    await ctx.db.deleteFrom('agreements').where('id', '=', id).execute()
    throw err
  }
  return id
}

async function write(
  ctx: ServiceContext,
  actor: Actor,
  row: AgreementRow,
  run: (
    account: Parameters<Parameters<typeof asMember>[2]>[0],
    names: string[],
  ) => Promise<TransactionReceipt>,
): Promise<TransactionReceipt> {
  const names = await citizenNamesOf(ctx, row.case_id)
  return asMember(ctx, actor, (account) => run(account, names))
}

export async function signAgreement(ctx: ServiceContext, actor: Actor, id: string, version: number) {
  const row = await findAgreement(ctx.db, id)
  await authoriseOn(ctx, actor, 'agreement.sign', row)
  await write(ctx, actor, row, (account, citizenNames) =>
    writeContract(ctx, account, 'registry', 'signVersion', [row.chain_id as Hex, version], { citizenNames }),
  )
  return row.id
}

export async function approveAgreement(ctx: ServiceContext, actor: Actor, id: string, version: number) {
  const row = await findAgreement(ctx.db, id)
  await authoriseOn(ctx, actor, 'agreement.approve', row)
  await write(ctx, actor, row, (account, citizenNames) =>
    writeContract(ctx, account, 'registry', 'approveVersion', [row.chain_id as Hex, version], {
      citizenNames,
    }),
  )
  return row.id
}

export interface LineChangeInput {
  lineId: string
  effectiveFrom: IsoDate
  /** "0" ends the line the day before `effectiveFrom` without a successor. */
  priceOre: string
  end?: IsoDate | null | undefined
  reviewDate?: IsoDate | null | undefined
}

export interface AmendmentInput {
  lines: ApiLineInput[]
  changes?: LineChangeInput[] | undefined
  /** Review date for added lines that carry none of their own. */
  reviewDate?: IsoDate | undefined
}

/** Proposes the next version: added lines and changed lines. Returns the new version number. */
export async function amendAgreement(ctx: ServiceContext, actor: Actor, id: string, input: AmendmentInput) {
  const row = await findAgreement(ctx.db, id)
  await authoriseOn(ctx, actor, 'agreement.amend', row)
  const a = await chainAgreement(ctx, row.chain_id)
  if (a.status !== 4) throw new ServiceError('invalid_state', 'Kun en aktiv aftale kan ændres')
  const changes = input.changes ?? []
  if (input.lines.length + changes.length === 0) throw fieldError('lines', 'tilføj mindst én ydelse')
  const today = ledgerToday(ctx)
  const added = input.lines.map((l) => ({ ...l, reviewDate: l.reviewDate ?? input.reviewDate ?? null }))
  validateLines(added, 'lines', today)
  const current = await chainVersion(ctx, row.chain_id, a.effectiveVersion)
  const names = lineNames(row, a.effectiveVersion).slice(0, current.lines.length)
  while (names.length < current.lines.length) names.push(nameOf([], names.length))
  const chainChanges = changes.map((ch, i) => {
    const index = Number(ch.lineId)
    if (!Number.isInteger(index) || index < 0 || index >= current.lines.length)
      throw fieldError(`changes.${i}.lineId`, 'ukendt ydelse')
    if (ch.effectiveFrom < today) throw fieldError(`changes.${i}.effectiveFrom`, 'må ikke ligge i fortiden')
    return {
      index,
      effectiveFrom: dateToUnixSeconds(ch.effectiveFrom),
      price: BigInt(ch.priceOre),
      end: ch.end ? dateToUnixSeconds(ch.end) : 0n,
      reviewDate: ch.reviewDate ? dateToUnixSeconds(ch.reviewDate) : 0n,
    }
  })
  const newNames = [
    ...names,
    ...chainChanges.filter((ch) => ch.price > 0n).map((ch) => names[ch.index]!),
    ...added.map((l) => l.name),
  ]
  const version = a.versionCount + 1
  const map = JSON.parse(row.line_names) as Record<string, string[]>
  map[String(version)] = newNames
  await ctx.db
    .updateTable('agreements')
    .set({ line_names: JSON.stringify(map) })
    .where('id', '=', row.id)
    .execute()
  await write(ctx, actor, row, (account, citizenNames) =>
    writeContract(
      ctx,
      account,
      'registry',
      'proposeAmendment',
      [row.chain_id as Hex, added.map(toChainLine), chainChanges],
      { citizenNames },
    ),
  )
  return version
}

export interface ReviewInput {
  lineId: string
  decision: 'continue' | 'adjust' | 'end'
  until?: IsoDate | undefined
}

export async function decideReview(ctx: ServiceContext, actor: Actor, id: string, input: ReviewInput) {
  const row = await findAgreement(ctx.db, id)
  await authoriseOn(ctx, actor, 'agreement.review', row)
  if (input.decision !== 'adjust' && !input.until) throw fieldError('until', 'angiv en dato')
  const decision = { continue: 1, adjust: 2, end: 3 }[input.decision]
  await write(ctx, actor, row, (account, citizenNames) =>
    writeContract(
      ctx,
      account,
      'obligations',
      'decideReview',
      [
        row.chain_id as Hex,
        Number(input.lineId),
        decision,
        input.until ? dateToUnixSeconds(input.until) : 0n,
      ],
      { citizenNames },
    ),
  )
  return row.id
}

export async function terminateAgreement(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
  input: { effectiveDate: IsoDate; kind: 'mutual' | 'unilateral' },
) {
  const row = await findAgreement(ctx.db, id)
  await authoriseOn(ctx, actor, 'agreement.terminate', row)
  if (input.effectiveDate < ledgerToday(ctx)) throw fieldError('effectiveDate', 'må ikke ligge i fortiden')
  const date = dateToUnixSeconds(input.effectiveDate)
  await write(ctx, actor, row, (account, citizenNames) =>
    input.kind === 'mutual'
      ? writeContract(ctx, account, 'registry', 'signTermination', [row.chain_id as Hex, date], {
          citizenNames,
        })
      : writeContract(ctx, account, 'registry', 'terminateUnilaterally', [row.chain_id as Hex, date], {
          citizenNames,
        }),
  )
  return row.id
}

export const MEDIA_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  odt: 'application/vnd.oasis.opendocument.text',
  json: 'application/json',
}

export interface UploadedReport {
  id: string
  filename: string
  kind: 'status_report'
  agreementId: string
  receivedAt: IsoDate
  anchor: string
  txHash: string
  reportNumber: number | null
  /** Months released by this report (withheld payments that may now be paid). */
  released: { period: string; amountOre: string }[]
}

/**
 * The provider uploads a status report: the document is stored encrypted under the case key, its
 * salted hash is anchored, and the hash is submitted on chain — which fulfils the report obligation
 * and releases months withheld for it.
 */
export async function uploadReport(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
  input: { filename: string; contentBase64: string },
): Promise<UploadedReport> {
  const row = await findAgreement(ctx.db, id)
  const p = await authoriseOn(ctx, actor, 'document.upload', row)
  const bytes = Buffer.from(input.contentBase64, 'base64')
  if (bytes.length === 0) throw fieldError('contentBase64', 'filen er tom')
  // Ask the ledger first: a report it would refuse (no report due, agreement not active, not the
  // provider's signatory) must leave no document and no anchor behind.
  await asMember(ctx, actor, (account) =>
    checkWrite(ctx, account.address, 'obligations', 'submitReport', [
      row.chain_id as Hex,
      keccak256(toHex(`precheck:${row.id}`)),
    ]),
  )
  const ext = input.filename.split('.').pop()?.toLowerCase() ?? ''
  const doc = await ctx.repos.documents.add({
    caseId: row.case_id,
    kind: 'status_report',
    mediaType: MEDIA_TYPES[ext] ?? 'application/octet-stream',
    title: input.filename,
    bytes: new Uint8Array(bytes),
    createdBy: p.personId,
  })
  if (!doc.created) {
    // Documents are content-addressed per case: the same file again would anchor the same hash as a
    // second report.
    const again = await ctx.db
      .selectFrom('agreement_documents')
      .select('tx_hash')
      .where('document_id', '=', doc.id)
      .where('agreement_id', '=', row.id)
      .where('tx_hash', 'is not', null)
      .executeTakeFirst()
    if (again) throw new ServiceError('conflict', 'Denne statusrapport er allerede afleveret på aftalen')
  }
  const anchor = await ctx.repos.anchors.anchorDocument(doc.id)
  await ctx.db
    .insertInto('agreement_documents')
    .values({
      document_id: doc.id,
      agreement_id: row.id,
      kind: 'status_report',
      anchor: anchor.hash,
      tx_hash: null,
    })
    .onConflict((oc) => oc.columns(['document_id', 'agreement_id']).doNothing())
    .execute()
  let receipt: TransactionReceipt
  try {
    receipt = await write(ctx, actor, row, (account, citizenNames) =>
      writeContract(ctx, account, 'obligations', 'submitReport', [row.chain_id as Hex, anchor.hash], {
        citizenNames,
      }),
    )
  } catch (err) {
    await ctx.db
      .deleteFrom('agreement_documents')
      .where('document_id', '=', doc.id)
      .where('agreement_id', '=', row.id)
      .where('tx_hash', 'is', null)
      .execute()
    throw err
  }
  await ctx.repos.anchors.setChainRef('document', doc.id, receipt.transactionHash)
  await ctx.db
    .updateTable('agreement_documents')
    .set({ tx_hash: receipt.transactionHash })
    .where('document_id', '=', doc.id)
    .where('agreement_id', '=', row.id)
    .execute()
  const events = await txEvents(ctx, receipt.transactionHash)
  const submitted = events.find((e) => e.event === 'StatusReportSubmitted')
  return {
    id: doc.id,
    filename: input.filename,
    kind: 'status_report',
    agreementId: row.id,
    receivedAt: ledgerToday(ctx),
    anchor: anchor.hash,
    txHash: receipt.transactionHash,
    reportNumber: submitted ? Number(submitted.args.reportNumber) : null,
    released: events
      .filter((e) => e.event === 'MonthReleased')
      .map((e) => ({ period: periodString(Number(e.args.period)), amountOre: String(e.args.amount) })),
  }
}

function periodString(n: number): string {
  return `${Math.floor(n / 100)}-${String(n % 100).padStart(2, '0')}`
}

async function txEvents(ctx: ServiceContext, txHash: string) {
  const rows = await ctx.db
    .selectFrom('ledger_events')
    .select(['event', 'args'])
    .where('tx_hash', '=', txHash)
    .orderBy('log_index')
    .execute()
  return rows.map((r) => ({ event: r.event, args: JSON.parse(r.args) as Record<string, string | number> }))
}

export interface InvoiceResult {
  id: string
  period: string
  lineId: string
  lineName: string
  quantity: number
  expectedQuantity: number | null
  priceOre: string
  amountOre: string
  expectedOre: string | null
  status: 'accepted' | 'deviation'
  txHash: string
}

/**
 * The provider invoices hours or sessions of a line for a month that has ended. The contract checks
 * the claim against the schedule: accepted (payable with the month) or a deviation (expected vs
 * claimed), as the event says.
 */
export async function submitInvoice(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
  input: { period: string; lineId: string; quantity: number },
): Promise<InvoiceResult> {
  const row = await findAgreement(ctx.db, id)
  const p = await authoriseOn(ctx, actor, 'invoice.submit', row)
  const a = await chainAgreement(ctx, row.chain_id)
  if (a.effectiveVersion === 0) throw new ServiceError('invalid_state', 'Aftalen er ikke trådt i kraft')
  const v = await chainVersion(ctx, row.chain_id, a.effectiveVersion)
  const index = Number(input.lineId)
  const line = v.lines[index]
  if (!line || line.unit === 0) throw fieldError('lineId', 'ydelsen faktureres ikke pr. time eller session')
  if (periodEnd(input.period) >= ledgerToday(ctx)) throw fieldError('period', 'måneden er ikke slut endnu')
  const invoiceRef = keccak256(stringToBytes(`tillid:invoice:${randomUUID()}`))
  await ctx.db
    .insertInto('agreement_invoices')
    .values({
      invoice_ref: invoiceRef,
      agreement_id: row.id,
      line_no: index,
      period: input.period,
      quantity: input.quantity,
      price_ore: line.price.toString(),
      created_by: p.personId,
    })
    .execute()
  const receipt = await write(ctx, actor, row, (account, citizenNames) =>
    writeContract(
      ctx,
      account,
      'payments',
      'submitInvoice',
      [row.chain_id as Hex, index, periodToChain(input.period), input.quantity, invoiceRef],
      { citizenNames },
    ),
  ).catch(async (err) => {
    await ctx.db.deleteFrom('agreement_invoices').where('invoice_ref', '=', invoiceRef).execute()
    throw err
  })
  const events = await txEvents(ctx, receipt.transactionHash)
  const accepted = events.find((e) => e.event === 'InvoiceAccepted')
  const deviation = events.find((e) => e.event === 'InvoiceDeviation')
  const expected = deviation ? Number(deviation.args.expected) : null
  const names = lineNames(row, a.effectiveVersion)
  return {
    id: invoiceRef,
    period: input.period,
    lineId: String(index),
    lineName: nameOf(names, index),
    quantity: input.quantity,
    expectedQuantity: accepted ? input.quantity : expected,
    priceOre: line.price.toString(),
    amountOre: (BigInt(input.quantity) * line.price).toString(),
    expectedOre: expected === null ? null : (BigInt(expected) * line.price).toString(),
    status: accepted ? 'accepted' : 'deviation',
    txHash: receipt.transactionHash,
  }
}
