/**
 * Reading agreements: the state and every version come from the contracts (the source of truth),
 * signatures, approvals, reports, payments, invoices and the timeline from the indexed ledger
 * events, the case link and line names from the store. Providers and citizens see the same agreement
 * without the case's personal data.
 */
import type { Hex } from 'viem'
import { addDays, type IsoDate, periodFromChain, unixSecondsToDate } from '../../domain/calendar.ts'
import { danishDate, danishKr, danishMonth } from '../../domain/danishText.ts'
import { listFilter } from '../../identity/authorise.ts'
import { kleCovers } from '../../identity/principal.ts'
import type { Actor, ServiceContext } from '../context.ts'
import { readContract } from '../ledgerWrites.ts'
import { templateById } from '../templates.ts'
import {
  AGREEMENT_STATUS,
  type AgreementRow,
  type ApiLine,
  authoriseOn,
  type ChainAgreement,
  chainAgreement,
  chainVersion,
  findAgreement,
  fromChainLine,
  ledgerToday,
  lineNames,
  nameOf,
  VERSION_STATUS,
} from './model.ts'

export interface LedgerEventRow {
  event: string
  args: Record<string, unknown>
  blockNumber: string
  blockTime: string
  txHash: string
  logIndex: number
}

async function eventsOf(ctx: ServiceContext, chainId: string): Promise<LedgerEventRow[]> {
  const rows = await ctx.db
    .selectFrom('ledger_events')
    .selectAll()
    .where('agreement_id', '=', chainId.toLowerCase())
    .orderBy('block_number')
    .orderBy('log_index')
    .execute()
  return rows.map((r) => ({
    event: r.event,
    args: JSON.parse(r.args) as Record<string, unknown>,
    blockNumber: r.block_number,
    blockTime: r.block_time,
    txHash: r.tx_hash,
    logIndex: r.log_index,
  }))
}

const dateOf = (seconds: unknown) => unixSecondsToDate(BigInt(String(seconds)))
const optDate = (seconds: unknown) =>
  seconds === undefined || String(seconds) === '0' ? null : dateOf(seconds)

async function peopleByAddress(ctx: ServiceContext, addresses: string[]) {
  const unique = [...new Set(addresses.map((a) => a.toLowerCase()))]
  if (unique.length === 0)
    return new Map<string, { id: string; name: string; role: string | null; org: string | null }>()
  const rows = await ctx.db
    .selectFrom('people')
    .leftJoin('organisations', 'organisations.id', 'people.organisation_id')
    .select([
      'people.id',
      'people.display_name',
      'people.role',
      'people.chain_address',
      'organisations.name as org',
    ])
    .where('people.chain_address', 'in', unique)
    .execute()
  return new Map(
    rows.map((r) => [
      r.chain_address!,
      { id: r.id, name: r.display_name ?? r.chain_address!, role: r.role, org: r.org },
    ]),
  )
}

async function orgName(ctx: ServiceContext, id: string) {
  return (await ctx.repos.organisations.get(id))?.name ?? ''
}

export interface AgreementSummary {
  id: string
  chainId: string
  caseId: string
  title: string
  templateId: string
  state: string
  version: number
  pendingVersion: number | null
  provider: { id: string; name: string }
  monthlyValueOre: string
  start: IsoDate
  end: IsoDate | null
  mainAgreementId: string | null
}

async function summaryOf(
  ctx: ServiceContext,
  row: AgreementRow,
  a?: ChainAgreement,
  show?: number,
): Promise<AgreementSummary> {
  const chain = a ?? (await chainAgreement(ctx, row.chain_id))
  const shown =
    show && show >= 1 && show <= chain.versionCount
      ? show
      : chain.effectiveVersion || chain.pendingVersion || chain.versionCount
  const v = await chainVersion(ctx, row.chain_id, shown)
  return {
    id: row.id,
    chainId: row.chain_id,
    caseId: row.case_id,
    title: templateById(row.template_id)?.name ?? row.template_id,
    templateId: row.template_id,
    state: AGREEMENT_STATUS[chain.status] ?? 'None',
    version: shown,
    pendingVersion: chain.pendingVersion || null,
    provider: { id: row.provider_id, name: await orgName(ctx, row.provider_id) },
    monthlyValueOre: v.monthlyValue.toString(),
    start: dateOf(chain.start),
    end: optDate(chain.end),
    mainAgreementId: row.main_agreement_id,
  }
}

/** Agreements the person may see, optionally of one case. */
export async function listAgreements(
  ctx: ServiceContext,
  actor: Actor,
  filter: { caseId?: string | undefined } = {},
): Promise<AgreementSummary[]> {
  const rows = await visibleAgreements(ctx, actor, filter.caseId)
  const out: AgreementSummary[] = []
  for (const r of rows) {
    const a = await chainAgreement(ctx, r.chain_id)
    // A draft whose ledger transaction never happened (the process stopped in between) is not shown.
    if (a.status !== 0) out.push(await summaryOf(ctx, r, a))
  }
  return out
}

export async function visibleAgreements(
  ctx: ServiceContext,
  actor: Actor,
  caseId?: string,
): Promise<AgreementRow[]> {
  const p = actor.principal
  const f = listFilter(p, 'agreement.read')
  if (!f) return []
  let q = ctx.db
    .selectFrom('agreements')
    .innerJoin('cases', 'cases.id', 'agreements.case_id')
    .selectAll('agreements')
    .select('cases.kle_class')
    .orderBy('agreements.created_at')
    .orderBy('agreements.id')
  if (caseId) q = q.where('agreements.case_id', '=', caseId)
  if (f.providerId) q = q.where('agreements.provider_id', '=', f.providerId)
  else if (f.municipalityId) q = q.where('agreements.municipality_id', '=', f.municipalityId)
  else if (f.personId) {
    const idx = (f.cprIndexes ?? []).map((h) => Buffer.from(h, 'hex'))
    q = q.where((eb) =>
      eb.or([
        eb(
          'agreements.case_id',
          'in',
          eb
            .selectFrom('custody')
            .innerJoin('citizens', 'citizens.id', 'custody.citizen_id')
            .select('citizens.case_id')
            .where('custody.parent_person_id', '=', f.personId!),
        ),
        ...(idx.length
          ? [
              eb(
                'agreements.case_id',
                'in',
                eb.selectFrom('citizens').select('citizens.case_id').where('citizens.cpr_index', 'in', idx),
              ),
            ]
          : []),
      ]),
    )
  } else return []
  const rows = await q.execute()
  return rows
    .filter((r) => !f.kle || f.kle.some((k) => kleCovers(k, r.kle_class)))
    .map(({ kle_class: _k, ...r }) => r)
}

export interface Signature {
  version: number
  party: 'municipality' | 'provider'
  personId: string | null
  name: string
  role: string | null
  organisation: string | null
  address: string
  at: IsoDate
  txHash: string
}

export interface PaymentItem {
  period: string
  amountOre: string
  status: 'approved' | 'withheld' | 'released' | 'paid'
  reason: string | null
  dueDate: IsoDate | null
  reportDueDate: IsoDate | null
  overdueSince: IsoDate | null
  lines: { lineId: string; name: string; amountOre: string; daysActive: number }[]
}

export interface InvoiceItem {
  id: string
  period: string
  lineId: string
  lineName: string
  quantity: number
  expectedQuantity: number | null
  amountOre: string
  status: 'accepted' | 'deviation'
  txHash: string
}

export interface TimelineEntry {
  at: IsoDate
  kind: string
  text: string
  version?: number
  txHash: string
  blockNumber: string
}

const PARTY = ['municipality', 'provider'] as const
const _CAUSE = ['mutual', 'municipality', 'provider', 'main_terminated'] as const

function describe(e: LedgerEventRow, names: (v: number) => string[]): string {
  const a = e.args
  const kr = (ore: unknown) => danishKr(String(ore))
  const day = (seconds: unknown) => danishDate(dateOf(seconds))
  const month = (chainPeriod: unknown) => danishMonth(periodFromChain(Number(chainPeriod)))
  switch (e.event) {
    case 'AgreementDrafted':
      return `Aftaleudkast oprettet (start ${day(a.start)})`
    case 'VersionProposed':
      return `Version ${a.version} foreslået, månedlig værdi ${kr(a.monthlyValue)}`
    case 'VersionSigned':
      return `Version ${a.version} underskrevet af ${Number(a.party) === 0 ? 'kommunen' : 'leverandøren'}`
    case 'VersionAwaitingApproval':
      return `Version ${a.version} afventer godkendelse (${kr(a.value)} over grænsen på ${kr(a.threshold)})`
    case 'VersionApproved':
      return `Version ${a.version} godkendt (vægt ${a.totalWeight})`
    case 'VersionAwaitingMain':
      return `Version ${a.version} afventer hovedaftalen`
    case 'VersionEffective':
      return `Version ${a.version} trådt i kraft`
    case 'AgreementActivated':
      return `Aftalen er aktiv fra ${day(a.start)}`
    case 'TerminationProposed':
      return `Ophør pr. ${day(a.effectiveDate)} underskrevet af ${Number(a.party) === 0 ? 'kommunen' : 'leverandøren'}`
    case 'AgreementTerminated':
      return Number(a.cause) === 3
        ? `Aftalen ophører ${day(a.effectiveDate)}, fordi hovedaftalen ophører`
        : `Aftalen ophører ${day(a.effectiveDate)}`
    case 'AgreementExpired':
      return `Aftalen udløb ${day(a.lastDay)}`
    case 'LineEnded':
      return `${nameOf(names(0), Number(a.lineIndex))} sluttede ${day(a.end)}`
    case 'StatusReportSubmitted':
      return `Statusrapport ${a.reportNumber} modtaget (frist ${day(a.dueDate)})`
    case 'ReportOverdue':
      return `Statusrapport ${a.reportNumber} (frist ${day(a.dueDate)}) er overskredet siden ${day(a.overdueSince)}`
    case 'ReviewDue':
      return `Opfølgning på ${nameOf(names(0), Number(a.lineIndex))} (${day(a.reviewDate)})`
    case 'ReviewDecided':
      return `Beslutning ved opfølgning på ${nameOf(names(0), Number(a.lineIndex))}`
    case 'MonthApproved':
      return `Betaling for ${month(a.period)} godkendt: ${kr(a.amount)}`
    case 'MonthWithheld':
      return `Betaling for ${month(a.period)} tilbageholdt: ${kr(a.amount)} (statusrapport mangler)`
    case 'MonthReleased':
      return `Tilbageholdt betaling for ${month(a.period)} frigivet: ${kr(a.amount)}`
    case 'PaymentRecorded':
      return `Betaling for ${month(a.period)} udbetalt: ${kr(a.amount)}`
    case 'InvoiceAccepted':
      return `Faktura for ${month(a.period)} godkendt: ${kr(a.amount)}`
    case 'InvoiceDeviation':
      return `Faktura for ${month(a.period)} afviger: ${a.claimed} faktureret, ${a.expected} forventet`
    default:
      return e.event
  }
}

export interface AgreementDetail extends AgreementSummary {
  municipality: { id: string; name: string }
  relatedAgreementIds: string[]
  lines: ApiLine[]
  versions: {
    version: number
    state: string
    lines: ApiLine[]
    monthlyValueOre: string
    municipalitySigned: boolean
    providerSigned: boolean
    approvalWeight: number
    signedAt: IsoDate | null
  }[]
  signatures: Signature[]
  approvals: Signature[]
  obligations: {
    kind: 'status_report' | 'review'
    lineId?: string
    everyMonths?: number
    graceDays?: number
    nextDue: IsoDate | null
    overdueSince: IsoDate | null
  }[]
  reportEveryMonths: number
  graceDays: number
  reviewDate: IsoDate | null
  reports: {
    id: string
    filename: string | null
    receivedAt: string
    kind: string
    anchor: string
    txHash: string | null
  }[]
  payments: PaymentItem[]
  invoices: InvoiceItem[]
  timeline: TimelineEntry[]
  proof: { txHash: string; blockNumber: string; blockTime: string; signers: string[] } | null
  terminationDate: IsoDate | null
  pendingTermination: { effectiveDate: IsoDate; kind: 'mutual'; signedBy: { name: string }[] } | null
}

/** The agreement as of its effective version, or as of version `show` (e.g. the one just proposed). */
export async function getAgreement(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
  show?: number,
): Promise<AgreementDetail> {
  const row = await findAgreement(ctx.db, id)
  await authoriseOn(ctx, actor, 'agreement.read', row)
  return agreementDetail(ctx, row, show)
}

/**
 * Details by agreement, shown version, indexed block and ledger date: everything in a detail changes
 * only with a new indexed block (every write is indexed before it returns) or, for overdue dates, with
 * the ledger's date — so repeated reads between writes skip the chain calls.
 */
const detailCache = new WeakMap<ServiceContext, Map<string, AgreementDetail>>()
const DETAIL_CACHE_SIZE = 500

export async function agreementDetail(
  ctx: ServiceContext,
  row: AgreementRow,
  show?: number,
): Promise<AgreementDetail> {
  const key = `${row.id}:${show ?? 0}:${await ctx.indexer.cursor()}:${ledgerToday(ctx)}`
  let cache = detailCache.get(ctx)
  if (!cache) {
    cache = new Map()
    detailCache.set(ctx, cache)
  }
  const hit = cache.get(key)
  const reports = await reportsOf(ctx, row)
  if (hit) return { ...structuredClone(hit), reports }
  const detail = await buildDetail(ctx, row, show)
  if (cache.size >= DETAIL_CACHE_SIZE) cache.delete(cache.keys().next().value!)
  cache.set(key, detail)
  return { ...structuredClone(detail), reports }
}

/** Off-chain and updated after the ledger write, so never served from the detail cache. */
async function reportsOf(ctx: ServiceContext, row: AgreementRow): Promise<AgreementDetail['reports']> {
  const docs = await ctx.db
    .selectFrom('agreement_documents')
    .innerJoin('documents', 'documents.id', 'agreement_documents.document_id')
    .select([
      'agreement_documents.document_id',
      'agreement_documents.kind',
      'agreement_documents.anchor',
      'agreement_documents.tx_hash',
      'documents.created_at',
    ])
    .where('agreement_documents.agreement_id', '=', row.id)
    .orderBy('documents.created_at')
    .execute()
  const reports: AgreementDetail['reports'] = []
  for (const d of docs) {
    const meta = await ctx.repos.documents.get(d.document_id)
    reports.push({
      id: d.document_id,
      filename: meta?.title ?? null,
      receivedAt: d.created_at,
      kind: d.kind,
      anchor: d.anchor,
      txHash: d.tx_hash,
    })
  }

  return reports
}

async function buildDetail(ctx: ServiceContext, row: AgreementRow, show?: number): Promise<AgreementDetail> {
  const a = await chainAgreement(ctx, row.chain_id)
  const summary = await summaryOf(ctx, row, a, show)
  const versions = []
  for (let n = 1; n <= a.versionCount; n++) {
    const v = await chainVersion(ctx, row.chain_id, n)
    const names = lineNames(row, n)
    versions.push({
      version: n,
      state: VERSION_STATUS[v.status] ?? 'None',
      lines: v.lines.map((l, i) => fromChainLine(l, i, nameOf(names, i))),
      monthlyValueOre: v.monthlyValue.toString(),
      municipalitySigned: v.municipalitySigned,
      providerSigned: v.providerSigned,
      approvalWeight: Number(v.approvalWeight),
      signedAt: optDate(v.signedAt),
    })
  }
  const shown = versions.find((v) => v.version === summary.version)
  const events = await eventsOf(ctx, row.chain_id)
  const people = await peopleByAddress(
    ctx,
    events
      .filter(
        (e) =>
          e.event === 'VersionSigned' || e.event === 'VersionApproved' || e.event === 'TerminationProposed',
      )
      .map((e) => String(e.args.signer ?? e.args.approver)),
  )
  const signer = (e: LedgerEventRow, address: string, party: 'municipality' | 'provider'): Signature => {
    const p = people.get(address.toLowerCase())
    return {
      version: Number(e.args.version ?? 0),
      party,
      personId: p?.id ?? null,
      name: p?.name ?? address,
      role: p?.role ?? null,
      organisation: p?.org ?? null,
      address,
      at: dateOf(e.blockTime),
      txHash: e.txHash,
    }
  }
  const signatures = events
    .filter((e) => e.event === 'VersionSigned')
    .map((e) => signer(e, String(e.args.signer), PARTY[Number(e.args.party)] ?? 'municipality'))
  const approvals = events
    .filter((e) => e.event === 'VersionApproved')
    .map((e) => signer(e, String(e.args.approver), 'municipality'))

  // Payments: one record per month, its latest state wins.
  const payments = new Map<string, PaymentItem>()
  const names = (v: number) => lineNames(row, v || a.effectiveVersion || 1)
  for (const e of events) {
    const x = e.args
    if (
      !['LineEntitled', 'MonthApproved', 'MonthWithheld', 'MonthReleased', 'PaymentRecorded'].includes(
        e.event,
      )
    )
      continue
    const period = periodFromChain(Number(x.period))
    const p: PaymentItem = payments.get(period) ?? {
      period,
      amountOre: '0',
      status: 'approved',
      reason: null,
      dueDate: null,
      reportDueDate: null,
      overdueSince: null,
      lines: [],
    }
    if (e.event === 'LineEntitled') {
      p.lines.push({
        lineId: String(x.lineIndex),
        name: nameOf(names(0), Number(x.lineIndex)),
        amountOre: String(x.amount),
        daysActive: Number(x.daysActive),
      })
    } else {
      p.amountOre = String(x.amount)
      if (e.event === 'MonthApproved') {
        p.status = 'approved'
        p.dueDate = optDate(x.paymentDue)
      } else if (e.event === 'MonthWithheld') {
        p.status = 'withheld'
        p.reason = 'report_overdue'
        p.reportDueDate = optDate(x.reportDueDate)
        p.overdueSince = optDate(x.overdueSince)
      } else if (e.event === 'MonthReleased') {
        p.status = 'released'
        p.dueDate = optDate(x.paymentDue)
      } else p.status = 'paid'
    }
    payments.set(period, p)
  }
  const invoices: InvoiceItem[] = events
    .filter((e) => e.event === 'InvoiceAccepted' || e.event === 'InvoiceDeviation')
    .map((e) => {
      const x = e.args
      const accepted = e.event === 'InvoiceAccepted'
      const quantity = Number(accepted ? x.quantity : x.claimed)
      const line = shown?.lines[Number(x.lineIndex)]
      return {
        id: String(x.invoiceRef),
        period: periodFromChain(Number(x.period)),
        lineId: String(x.lineIndex),
        lineName: nameOf(names(0), Number(x.lineIndex)),
        quantity,
        expectedQuantity: accepted ? quantity : Number(x.expected),
        amountOre: accepted
          ? String(x.amount)
          : (BigInt(quantity) * BigInt(line?.priceOre ?? '0')).toString(),
        status: accepted ? 'accepted' : 'deviation',
        txHash: e.txHash,
      }
    })

  // Obligations: the next status report and the review dates of the shown version's lines.
  const obligations: AgreementDetail['obligations'] = []
  if (a.terms.reportEveryMonths > 0 && a.status >= 4) {
    const submitted = Number(
      await readContract(ctx, 'obligations', 'reportsSubmitted', [row.chain_id as Hex]),
    )
    const due = Number(
      await readContract(ctx, 'obligations', 'reportDueDate', [row.chain_id as Hex, submitted + 1]),
    )
    const nextDue = due && (a.end === 0n || BigInt(due) <= a.end) ? dateOf(due) : null
    const overdueSince = nextDue ? addDays(nextDue, a.terms.reportGraceDays + 1) : null
    obligations.push({
      kind: 'status_report',
      everyMonths: a.terms.reportEveryMonths,
      graceDays: a.terms.reportGraceDays,
      nextDue,
      overdueSince: overdueSince && overdueSince <= ledgerToday(ctx) ? overdueSince : null,
    })
  } else if (a.terms.reportEveryMonths > 0) {
    obligations.push({
      kind: 'status_report',
      everyMonths: a.terms.reportEveryMonths,
      graceDays: a.terms.reportGraceDays,
      nextDue: null,
      overdueSince: null,
    })
  }
  for (const l of shown?.lines ?? []) {
    if (l.reviewDate)
      obligations.push({ kind: 'review', lineId: l.id, nextDue: l.reviewDate, overdueSince: null })
  }

  const effective = [...events].reverse().find((e) => e.event === 'VersionEffective')
  const proofEvent = effective ?? events[0]
  const proofVersion = effective ? Number(effective.args.version) : 1
  const pendingBy = Number(a.pendingTerminationBy)
  const pendingSigner = events.filter((e) => e.event === 'TerminationProposed').at(-1)
  const dependants = (await readContract(ctx, 'registry', 'dependantsOf', [row.chain_id as Hex])) as string[]
  const related = dependants.length
    ? await ctx.db
        .selectFrom('agreements')
        .select('id')
        .where(
          'chain_id',
          'in',
          dependants.map((d) => d.toLowerCase()),
        )
        .execute()
    : []

  return {
    ...summary,
    municipality: { id: row.municipality_id, name: await orgName(ctx, row.municipality_id) },
    relatedAgreementIds: related.map((r) => r.id),
    lines: shown?.lines ?? [],
    versions,
    signatures,
    approvals,
    obligations,
    reportEveryMonths: a.terms.reportEveryMonths,
    graceDays: a.terms.reportGraceDays,
    reviewDate: shown?.lines.map((l) => l.reviewDate).find((d) => d) ?? null,
    reports: [],
    payments: [...payments.values()].sort((x, y) => x.period.localeCompare(y.period)),
    invoices,
    timeline: events.map((e) => ({
      at: dateOf(e.blockTime),
      kind: e.event,
      text: describe(e, names),
      ...(e.args.version !== undefined ? { version: Number(e.args.version) } : {}),
      txHash: e.txHash,
      blockNumber: e.blockNumber,
    })),
    proof: proofEvent
      ? {
          txHash: proofEvent.txHash,
          blockNumber: proofEvent.blockNumber,
          blockTime: proofEvent.blockTime,
          signers: signatures.filter((s) => s.version === proofVersion).map((s) => s.address),
        }
      : null,
    terminationDate: a.status === 5 ? optDate(a.end) : null,
    pendingTermination:
      pendingBy !== 0 && a.status === 4
        ? {
            effectiveDate: dateOf(a.pendingTerminationDate),
            kind: 'mutual',
            signedBy: pendingSigner
              ? [
                  {
                    name:
                      people.get(String(pendingSigner.args.signer).toLowerCase())?.name ??
                      String(pendingSigner.args.signer),
                  },
                ]
              : [],
          }
        : null,
  }
}

export interface TerminationPreview {
  effectiveDate: IsoDate
  affected: { id: string; title: string; providerName: string; currentEnd: IsoDate | null; newEnd: IsoDate }[]
}

/** What ends with a termination: the agreement and, on the same date, every related agreement. */
export async function terminationPreview(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
  effectiveDate: IsoDate,
): Promise<TerminationPreview> {
  const row = await findAgreement(ctx.db, id)
  await authoriseOn(ctx, actor, 'agreement.read', row)
  const affected: TerminationPreview['affected'] = []
  const visit = async (r: AgreementRow) => {
    const a = await chainAgreement(ctx, r.chain_id)
    if (a.status >= 5) return
    const currentEnd = optDate(a.end)
    affected.push({
      id: r.id,
      title: templateById(r.template_id)?.name ?? r.template_id,
      providerName: await orgName(ctx, r.provider_id),
      currentEnd,
      newEnd: currentEnd && currentEnd < effectiveDate ? currentEnd : effectiveDate,
    })
    const deps = (await readContract(ctx, 'registry', 'dependantsOf', [r.chain_id as Hex])) as string[]
    for (const d of deps) {
      const dep = await findAgreement(ctx.db, d).catch(() => null)
      if (dep) await visit(dep)
    }
  }
  await visit(row)
  return { effectiveDate, affected }
}
