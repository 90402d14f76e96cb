/**
 * What the ledger says about a municipality's payments for a month — approved, withheld (with
 * reason and due date), released, paid — and the invoices checked for that month, read from the
 * indexed contract events (never by scanning the chain). A provider sees the same for its own
 * agreements only, across the municipalities it works for, without the cases behind them.
 */
import type { Hex } from 'viem'
import { type Period, periodFromChain, periodToChain, unixSecondsToDate } from '../../domain/calendar.ts'
import { lineNames, nameOf } from '../agreements/model.ts'
import type { ServiceContext } from '../context.ts'
import { readContract } from '../ledgerWrites.ts'
import { templateById } from '../templates.ts'

export type PaymentStatus = 'approved' | 'withheld' | 'released' | 'paid'

/** The agreement as people know it (the store's id and its title), not its on-chain hash. */
export interface AgreementRef {
  id: string
  title: string
  /** Absent in a provider's view: the case is the municipality's. */
  caseId?: string
}

export interface PaymentLine {
  agreementId: Hex
  /** Absent only for an agreement the store has no row for (drafted on chain by another system). */
  agreement?: AgreementRef
  period: Period
  payee: { cvr: string; name: string }
  amountOre: bigint
  status: PaymentStatus
  /** Withheld: why, as a code, and the report that is overdue. */
  reason?: 'report_overdue'
  reportDueDate?: string
  overdueSince?: string
  /** Approved/released: when the money is due. */
  paymentDue?: string
  /** Set when the month has been through a payment file. */
  paymentRef?: Hex
  /** Whether the month was withheld at some point (also when later released or paid). */
  wasWithheld: boolean
}

export interface InvoiceLine {
  agreementId: Hex
  agreement?: AgreementRef
  period: Period
  payee: { cvr: string; name: string }
  lineIndex: number
  /** The service line's name as drafted (the chain knows only its index). */
  lineName: string
  status: 'accepted' | 'deviation'
  quantity: number
  expected?: number
  amountOre: bigint
  invoiceRef: Hex
}

/** Whose payments a view holds: a municipality's run, or one provider's share of every run. */
export type PaymentScope = { municipality: number } | { providerCvr: number }

export interface PaymentRunView {
  period: Period
  /** The municipality whose run this is; 0 in a provider's view, which spans municipalities. */
  municipalityCode: number
  /** Set in a provider's view: its CVR. */
  providerCvr?: number
  payments: PaymentLine[]
  invoices: InvoiceLine[]
  /**
   * Months of earlier periods released since and not yet paid: they go into the next payment file.
   */
  releasedEarlier: PaymentLine[]
  totals: { approvedOre: bigint; withheldOre: bigint; releasedOre: bigint; paidOre: bigint }
}

type Row = {
  agreement_id: string | null
  event: string
  args: string
  block_number: string
  log_index: number
}

const MONTH_EVENTS = ['MonthApproved', 'MonthWithheld', 'MonthReleased', 'PaymentRecorded']
const INVOICE_EVENTS = ['InvoiceAccepted', 'InvoiceDeviation']

export async function providerNames(ctx: ServiceContext): Promise<Map<string, string>> {
  const orgs = await ctx.repos.organisations.list('provider')
  return new Map(orgs.map((o) => [o.cvr ?? '', o.name]))
}

/** Month records per (agreement, period), folded from the month events in chain order. */
export function foldMonths(rows: Row[], payeeOf: (id: string) => { cvr: string; name: string }) {
  const months = new Map<string, PaymentLine>()
  for (const r of rows) {
    const a = JSON.parse(r.args) as Record<string, string>
    const id = r.agreement_id as Hex
    const period = periodFromChain(Number(a.period))
    const key = `${id}/${period}`
    const prev = months.get(key)
    const base: PaymentLine = prev ?? {
      agreementId: id,
      period,
      payee: payeeOf(id),
      amountOre: BigInt(a.amount ?? '0'),
      status: 'approved',
      wasWithheld: false,
    }
    switch (r.event) {
      case 'MonthApproved':
        months.set(key, { ...base, status: 'approved', paymentDue: day(a.paymentDue) })
        break
      case 'MonthWithheld':
        months.set(key, {
          ...base,
          status: 'withheld',
          wasWithheld: true,
          reason: 'report_overdue',
          reportDueDate: day(a.reportDueDate),
          overdueSince: day(a.overdueSince),
        })
        break
      case 'MonthReleased':
        months.set(key, {
          ...base,
          status: 'released',
          amountOre: BigInt(a.amount ?? '0'),
          paymentDue: day(a.paymentDue),
        })
        break
      case 'PaymentRecorded':
        months.set(key, { ...base, status: 'paid', paymentRef: a.paymentRef as Hex })
        break
    }
  }
  return months
}

/** Line names of the newest version named: amendments only append lines, so indexes stay valid. */
function latestLineNames(json: string | undefined): string[] {
  if (!json) return []
  const versions = Object.keys(JSON.parse(json) as Record<string, string[]>).map(Number)
  return lineNames({ line_names: json }, Math.max(1, ...versions))
}

function day(seconds: string | undefined): string | undefined {
  return seconds === undefined ? undefined : unixSecondsToDate(BigInt(seconds))
}

/** On-chain ids of the agreements in `scope`, each with its provider's CVR. */
async function agreementsIn(ctx: ServiceContext, scope: PaymentScope): Promise<Map<string, string>> {
  const drafted = await ctx.db
    .selectFrom('ledger_events')
    .select(['agreement_id', 'args'])
    .where('event', '=', 'AgreementDrafted')
    .orderBy('block_number')
    .orderBy('log_index')
    .execute()
  const providerOf = new Map<string, string>()
  for (const d of drafted) {
    const a = JSON.parse(d.args) as Record<string, string>
    const mine =
      'municipality' in scope
        ? Number(a.municipality) === scope.municipality
        : Number(a.provider) === scope.providerCvr
    if (mine) providerOf.set(d.agreement_id!, String(a.provider))
  }
  return providerOf
}

/** Months (newest first) in which any agreement in `scope` was evaluated. */
export async function periodsWithPayments(ctx: ServiceContext, scope: PaymentScope): Promise<Period[]> {
  const ids = [...(await agreementsIn(ctx, scope)).keys()]
  const periods = new Set<Period>()
  if (ids.length) {
    const rows = await ctx.db
      .selectFrom('ledger_events')
      .select('args')
      .where('event', 'in', ['MonthApproved', 'MonthWithheld'])
      .where('agreement_id', 'in', ids)
      .execute()
    for (const r of rows) periods.add(periodFromChain(Number(JSON.parse(r.args).period)))
  }
  return [...periods].sort().reverse()
}

export async function paymentRunView(
  ctx: ServiceContext,
  municipalityCode: number,
  period: Period,
): Promise<PaymentRunView> {
  return scopedView(ctx, { municipality: municipalityCode }, period)
}

/**
 * One provider's payments and invoices for a month, from every municipality it works for: no other
 * provider's lines, no totals over them, and no case ids (the cases are the municipalities').
 */
export async function providerPaymentView(
  ctx: ServiceContext,
  providerCvr: number,
  period: Period,
): Promise<PaymentRunView> {
  return scopedView(ctx, { providerCvr }, period)
}

async function scopedView(ctx: ServiceContext, scope: PaymentScope, period: Period): Promise<PaymentRunView> {
  const providerOf = await agreementsIn(ctx, scope)
  const names = await providerNames(ctx)
  const payeeOf = (id: string) => {
    const cvr = providerOf.get(id) ?? ''
    return { cvr, name: names.get(cvr) ?? `CVR ${cvr}` }
  }
  const ids = [...providerOf.keys()]
  const rows: Row[] = ids.length
    ? await ctx.db
        .selectFrom('ledger_events')
        .select(['agreement_id', 'event', 'args', 'block_number', 'log_index'])
        .where('agreement_id', 'in', ids)
        .where('event', 'in', [...MONTH_EVENTS, ...INVOICE_EVENTS])
        .orderBy('block_number')
        .orderBy('log_index')
        .execute()
    : []
  const known = ids.length
    ? await ctx.db
        .selectFrom('agreements')
        .select(['id', 'chain_id', 'template_id', 'case_id', 'line_names'])
        .where('chain_id', 'in', ids)
        .execute()
    : []
  const stored = new Map(known.map((r) => [r.chain_id, r]))
  const refOf = (chainId: string): { agreement?: AgreementRef } => {
    const r = stored.get(chainId)
    if (!r) return {}
    const title = templateById(r.template_id)?.name ?? r.template_id
    return {
      agreement: 'municipality' in scope ? { id: r.id, title, caseId: r.case_id } : { id: r.id, title },
    }
  }
  const months = foldMonths(
    rows.filter((r) => MONTH_EVENTS.includes(r.event)),
    payeeOf,
  )
  for (const m of months.values()) Object.assign(m, refOf(m.agreementId))
  const chainPeriod = periodToChain(period)
  const payments = [...months.values()].filter((m) => m.period === period)
  const releasedEarlier = [...months.values()].filter((m) => m.period < period && m.status === 'released')
  const invoices: InvoiceLine[] = rows
    .filter((r) => INVOICE_EVENTS.includes(r.event))
    .map((r) => ({ r, a: JSON.parse(r.args) as Record<string, string> }))
    .filter(({ a }) => Number(a.period) === chainPeriod)
    .map(({ r, a }) => ({
      agreementId: r.agreement_id as Hex,
      ...refOf(r.agreement_id!),
      period,
      payee: payeeOf(r.agreement_id!),
      lineIndex: Number(a.lineIndex),
      lineName: nameOf(latestLineNames(stored.get(r.agreement_id!)?.line_names), Number(a.lineIndex)),
      status: r.event === 'InvoiceAccepted' ? 'accepted' : 'deviation',
      quantity: Number(r.event === 'InvoiceAccepted' ? a.quantity : a.claimed),
      ...(r.event === 'InvoiceDeviation' ? { expected: Number(a.expected) } : {}),
      amountOre: BigInt(a.amount ?? '0'),
      invoiceRef: a.invoiceRef as Hex,
    }))
  // A deviation event carries quantities only; its claimed amount is quantity × the line's price.
  for (const inv of invoices) {
    if (inv.status !== 'deviation') continue
    const lines = (await readContract(ctx, 'registry', 'effectiveLines', [inv.agreementId])) as {
      price: bigint
    }[]
    inv.amountOre = BigInt(inv.quantity) * (lines[inv.lineIndex]?.price ?? 0n)
  }
  const sum = (s: PaymentStatus) =>
    [...payments, ...releasedEarlier].filter((p) => p.status === s).reduce((t, p) => t + p.amountOre, 0n)
  return {
    period,
    ...('municipality' in scope
      ? { municipalityCode: scope.municipality }
      : { municipalityCode: 0, providerCvr: scope.providerCvr }),
    payments,
    invoices,
    releasedEarlier,
    totals: {
      approvedOre: sum('approved'),
      withheldOre: sum('withheld'),
      releasedOre: sum('released'),
      paidOre: sum('paid'),
    },
  }
}
