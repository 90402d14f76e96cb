/**
 * One agreement's analytics facts (analytics_agreement_facts and _activity) computed from its ledger
 * events, so the rollout KPIs of a real installation come from what the contracts recorded. Pure and
 * recomputed from the whole event list each time: the projection that stores the result is then
 * idempotent however often a log is replayed.
 *
 * Definitions (docs/analytics.md, "Facts from the ledger"):
 * - created: the day of AgreementDrafted; activated: the day of AgreementActivated; ended: the
 *   effective date of AgreementTerminated, else the last day of AgreementExpired.
 * - last paid: the last day of service paid for. A month counts as paid when it is approved or a
 *   withheld month is released; its paid days are the line's active days of that month (LineEntitled),
 *   counted from the later of the month's first day and the agreement's start. A month paid only for
 *   invoiced hours or sessions (no day entitlement) counts as paid through its last day, or through
 *   the agreement's end if that comes first: the contract accepts only sessions scheduled before it.
 * - status reports count in the quarter of their due date: due once each; on time when received on or
 *   before the due date and never reported overdue.
 * - payments withheld/released and invoices (with deviations) count in the quarter of the event's day.
 */
import {
  addDays,
  type IsoDate,
  maxDate,
  periodEnd,
  periodFromChain,
  periodStart,
  unixSecondsToDate,
} from '../domain/calendar.ts'
import type { ActivityRow } from './kpi.ts'
import { quarterOfDate } from './quarter.ts'

export interface LedgerFactEvent {
  event: string
  /** Decoded arguments; integers as decimal strings or numbers. */
  args: Record<string, unknown>
  /** Business day of the block. */
  day: IsoDate
}

/** One agreement's activity in one quarter (the counts of kpi.ts ActivityRow). */
export type ActivityCounts = Omit<ActivityRow, 'agreementId' | 'municipalityCode' | 'quarter'>

export interface LedgerFacts {
  createdDate: IsoDate | null
  activatedDate: IsoDate | null
  terminatedDate: IsoDate | null
  lastPaidDate: IsoDate | null
  /** Per quarter ('2026Q2'), only quarters with something in them. */
  activity: Map<string, ActivityCounts>
}

const dayOf = (seconds: unknown): IsoDate => unixSecondsToDate(BigInt(String(seconds)))

function emptyCounts(): ActivityCounts {
  return {
    reportsDue: 0,
    reportsOnTime: 0,
    paymentsWithheld: 0,
    withheldOre: 0n,
    paymentsReleased: 0,
    releasedOre: 0n,
    invoices: 0,
    invoiceDeviations: 0,
  }
}

/** `events` in ledger order (block, log index). */
export function agreementFactsFromLedger(events: readonly LedgerFactEvent[]): LedgerFacts {
  const facts: LedgerFacts = {
    createdDate: null,
    activatedDate: null,
    terminatedDate: null,
    lastPaidDate: null,
    activity: new Map(),
  }
  const at = (day: IsoDate) => {
    const q = quarterOfDate(day)
    let c = facts.activity.get(q)
    if (!c) {
      c = emptyCounts()
      facts.activity.set(q, c)
    }
    return c
  }
  let start: IsoDate | null = null
  /** Per period, the last day any line was entitled to payment. */
  const paidThrough = new Map<string, IsoDate>()
  const overdue = new Set<string>()
  const invoicedOnly: string[] = []
  const paid = (period: string) => {
    const through = paidThrough.get(period)
    if (!through) invoicedOnly.push(period)
    else if (!facts.lastPaidDate || through > facts.lastPaidDate) facts.lastPaidDate = through
  }

  for (const e of events) {
    const a = e.args
    switch (e.event) {
      case 'AgreementDrafted':
        facts.createdDate ??= e.day
        break
      case 'AgreementActivated':
        facts.activatedDate ??= e.day
        start = dayOf(a.start)
        break
      case 'AgreementTerminated':
        facts.terminatedDate = dayOf(a.effectiveDate)
        break
      case 'AgreementExpired':
        facts.terminatedDate ??= dayOf(a.lastDay)
        break
      case 'LineEntitled': {
        const days = Number(a.daysActive)
        if (days <= 0) break
        const period = periodFromChain(Number(a.period))
        const first = start ? maxDate(periodStart(period), start) : periodStart(period)
        const through = addDays(first, days - 1)
        const known = paidThrough.get(period)
        if (!known || through > known) paidThrough.set(period, through)
        break
      }
      case 'MonthApproved':
        if (BigInt(String(a.amount)) > 0n) paid(periodFromChain(Number(a.period)))
        break
      case 'MonthWithheld': {
        const c = at(e.day)
        c.paymentsWithheld++
        c.withheldOre += BigInt(String(a.amount))
        break
      }
      case 'MonthReleased': {
        const c = at(e.day)
        c.paymentsReleased++
        c.releasedOre += BigInt(String(a.amount))
        if (BigInt(String(a.amount)) > 0n) paid(periodFromChain(Number(a.period)))
        break
      }
      case 'ReportOverdue': {
        const n = String(a.reportNumber)
        if (overdue.has(n)) break
        overdue.add(n)
        at(dayOf(a.dueDate)).reportsDue++
        break
      }
      case 'StatusReportSubmitted': {
        const n = String(a.reportNumber)
        // A report already counted as overdue was due once and late; its arrival changes nothing.
        if (overdue.has(n)) break
        const due = dayOf(a.dueDate)
        const c = at(due)
        c.reportsDue++
        if (e.day <= due) c.reportsOnTime++
        break
      }
      case 'InvoiceAccepted':
        at(e.day).invoices++
        break
      case 'InvoiceDeviation': {
        const c = at(e.day)
        c.invoices++
        c.invoiceDeviations++
        break
      }
    }
  }
  for (const period of invoicedOnly) {
    const end = periodEnd(period)
    const through = facts.terminatedDate && facts.terminatedDate < end ? facts.terminatedDate : end
    if (!facts.lastPaidDate || through > facts.lastPaidDate) facts.lastPaidDate = through
  }
  return facts
}
