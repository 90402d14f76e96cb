/**
 * The work waiting for a person: versions to sign (their party has not signed), versions to approve
 * (a centre chief or director who has not approved and did not propose or sign it), reviews that are
 * due without a decision, status reports due (within their grace period) or overdue, and invoice
 * deviations on the agreements they may see.
 */
import type { Hex } from 'viem'
import { addDays, type IsoDate, periodFromChain, unixSecondsToDate } from '../../domain/calendar.ts'
import type { Actor, ServiceContext } from '../context.ts'
import { readContract } from '../ledgerWrites.ts'
import { templateById } from '../templates.ts'
import { chainAgreement, chainVersion, ledgerToday, lineNames, nameOf } from './model.ts'
import { visibleAgreements } from './queries.ts'

export interface Task {
  kind: 'sign' | 'approve' | 'review' | 'report_due' | 'report_overdue' | 'invoice_deviation'
  agreementId: string
  caseId?: string
  title: string
  version?: number
  due?: IsoDate
  /** report_due: the last day of the grace period; the report is overdue the day after. */
  graceUntil?: IsoDate
  /** report_overdue: the first day the report counted as overdue. */
  overdueSince?: IsoDate
  /** review: the service line (index in the effective version) whose review is due. */
  lineId?: string
}

export async function listTasks(ctx: ServiceContext, actor: Actor): Promise<Task[]> {
  const p = actor.principal
  if (p.kind !== 'staff') return []
  const me = (
    await ctx.db.selectFrom('people').select('chain_address').where('id', '=', p.personId).executeTakeFirst()
  )?.chain_address
  const rows = await visibleAgreements(ctx, actor)
  const tasks: Task[] = []
  const isProvider = p.organisation?.kind === 'provider'
  const today = ledgerToday(ctx)
  for (const row of rows) {
    const a = await chainAgreement(ctx, row.chain_id)
    const title = templateById(row.template_id)?.name ?? row.template_id
    const caseId = isProvider ? {} : { caseId: row.case_id }
    if (a.pendingVersion && a.status < 5) {
      const v = await chainVersion(ctx, row.chain_id, a.pendingVersion)
      const canSign = p.role === 'caseworker' || p.role === 'provider_signatory'
      const signed = isProvider ? v.providerSigned : v.municipalitySigned
      if (canSign && !signed && (v.status === 1 || v.status === 0)) {
        tasks.push({
          kind: 'sign',
          agreementId: row.id,
          ...caseId,
          title: `Underskriv: ${title}`,
          version: a.pendingVersion,
        })
      }
      if ((p.role === 'centre_chief' || p.role === 'director') && v.status === 2) {
        const self = me && [v.proposer, v.municipalitySigner].some((x) => x.toLowerCase() === me)
        const approved = me
          ? ((await readContract(ctx, 'registry', 'hasApproved', [
              row.chain_id as Hex,
              a.pendingVersion,
              me as Hex,
            ])) as boolean)
          : false
        if (!self && !approved) {
          tasks.push({
            kind: 'approve',
            agreementId: row.id,
            ...caseId,
            title: `Godkend: ${title}`,
            version: a.pendingVersion,
          })
        }
      }
    }
    const myParty = isProvider ? 2 : 1
    const termBy = Number(a.pendingTerminationBy)
    if (
      a.status === 4 &&
      termBy !== 0 &&
      termBy !== myParty &&
      (p.role === 'caseworker' || p.role === 'provider_signatory')
    ) {
      tasks.push({
        kind: 'sign',
        agreementId: row.id,
        ...caseId,
        title: `Underskriv ophør pr. ${unixSecondsToDate(a.pendingTerminationDate)}: ${title}`,
        due: unixSecondsToDate(a.pendingTerminationDate),
      })
    }
    const events = await ctx.db
      .selectFrom('ledger_events')
      .select(['event', 'args'])
      .where('agreement_id', '=', row.chain_id)
      .where('event', 'in', [
        'ReviewDue',
        'ReviewDecided',
        'ReportOverdue',
        'StatusReportSubmitted',
        'InvoiceDeviation',
      ])
      .orderBy('block_number')
      .orderBy('log_index')
      .execute()
    const parsed = events.map((e) => ({ event: e.event, args: JSON.parse(e.args) as Record<string, string> }))
    const names = lineNames(row, a.effectiveVersion || 1)
    if (p.role === 'caseworker' && a.status === 4) {
      const decided = new Set(parsed.filter((e) => e.event === 'ReviewDecided').map((e) => e.args.lineIndex))
      for (const e of parsed.filter((x) => x.event === 'ReviewDue' && !decided.has(x.args.lineIndex))) {
        tasks.push({
          kind: 'review',
          agreementId: row.id,
          ...caseId,
          title: `Opfølgning: ${nameOf(names, Number(e.args.lineIndex))} (${title})`,
          due: unixSecondsToDate(BigInt(e.args.reviewDate!)),
          lineId: String(e.args.lineIndex),
        })
      }
    }
    const submitted = Math.max(
      0,
      ...parsed.filter((e) => e.event === 'StatusReportSubmitted').map((e) => Number(e.args.reportNumber)),
    )
    const overdue = parsed.filter(
      (x) => x.event === 'ReportOverdue' && Number(x.args.reportNumber) > submitted,
    )
    for (const e of overdue) {
      tasks.push({
        kind: 'report_overdue',
        agreementId: row.id,
        ...caseId,
        title: `Statusrapport mangler: ${title}`,
        due: unixSecondsToDate(BigInt(e.args.dueDate!)),
        overdueSince: unixSecondsToDate(BigInt(e.args.overdueSince!)),
      })
    }
    // A report that has fallen due but is still within its grace period: the caseworker follows up,
    // the provider delivers. Once the ledger records it overdue, the task above takes over.
    if (
      a.status === 4 &&
      a.terms.reportEveryMonths > 0 &&
      overdue.length === 0 &&
      (p.role === 'caseworker' || isProvider)
    ) {
      const dueAt = (await readContract(ctx, 'obligations', 'reportDueDate', [
        row.chain_id as Hex,
        submitted + 1,
      ])) as bigint
      const due = dueAt > 0n && (a.end === 0n || dueAt <= a.end) ? unixSecondsToDate(dueAt) : null
      if (due && due <= today) {
        tasks.push({
          kind: 'report_due',
          agreementId: row.id,
          ...caseId,
          title: isProvider ? `Aflever statusrapport: ${title}` : `Statusrapport forfalden: ${title}`,
          due,
          graceUntil: addDays(due, a.terms.reportGraceDays),
        })
      }
    }
    if (p.role === 'caseworker' || p.role === 'finance' || isProvider) {
      for (const e of parsed.filter((x) => x.event === 'InvoiceDeviation')) {
        tasks.push({
          kind: 'invoice_deviation',
          agreementId: row.id,
          ...caseId,
          title: `Faktura afviger (${periodFromChain(Number(e.args.period))}): ${e.args.claimed} mod forventet ${e.args.expected}`,
        })
      }
    }
  }
  return tasks
}
