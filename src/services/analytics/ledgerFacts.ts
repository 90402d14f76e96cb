/**
 * Fills the analytics facts (analytics_agreement_facts, analytics_agreement_activity and the events
 * column of analytics_usage_monthly) from the ledger, inside the indexer's transaction, for every
 * agreement Tillid drafted itself. Each touched agreement is recomputed from all of its indexed
 * events (reports/ledgerFacts.ts), so replaying a log cannot count it twice; synthetic rows
 * (seed-national) are never touched.
 */
import { sql, type Transaction } from 'kysely'
import { unixSecondsToDate } from '../../domain/calendar.ts'
import { agreementFactsFromLedger, type LedgerFactEvent } from '../../reports/ledgerFacts.ts'
import type { Database } from '../../store/schema.ts'
import { templateById } from '../templates.ts'
import { ensureMunicipalities } from './municipalities.ts'

type Trx = Transaction<Database>

export interface FactsAgreement {
  /** agreements.id (off-chain) */
  id: string
  /** agreements.chain_id as indexed (lower-case hex) */
  chainId: string
  case_id: string
  municipality_id: string
  provider_id: string
  template_id: string
}

export async function refreshLedgerFacts(trx: Trx, agreements: readonly FactsAgreement[]): Promise<void> {
  if (agreements.length === 0) return
  const orgs = await trx
    .selectFrom('organisations')
    .select(['id', 'name', 'municipality_code'])
    .where('id', 'in', [...new Set(agreements.flatMap((a) => [a.municipality_id, a.provider_id]))])
    .execute()
  const org = new Map(orgs.map((o) => [o.id, o]))
  const cases = await trx
    .selectFrom('cases')
    .select(['id', 'kle_class'])
    .where('id', 'in', [...new Set(agreements.map((a) => a.case_id))])
    .execute()
  const kle = new Map(cases.map((c) => [c.id, c.kle_class]))
  const loaded = await trx.selectFrom('analytics_municipality').select('code').limit(1).execute()
  if (loaded.length === 0) await ensureMunicipalities(trx)
  const months = new Set<string>()

  for (const ag of agreements) {
    const code = Number(org.get(ag.municipality_id)?.municipality_code ?? Number.NaN)
    if (!Number.isInteger(code)) continue
    const logs = await trx
      .selectFrom('ledger_events')
      .select(['event', 'args', 'block_time'])
      .where('agreement_id', '=', ag.chainId)
      .orderBy('block_number')
      .orderBy('log_index')
      .execute()
    const events: LedgerFactEvent[] = logs.map((l) => ({
      event: l.event,
      args: JSON.parse(l.args),
      day: unixSecondsToDate(BigInt(l.block_time)),
    }))
    for (const e of events) months.add(`${code}|${e.day.slice(0, 7)}`)
    const f = agreementFactsFromLedger(events)
    if (!f.createdDate) continue
    // A code that is not among the 98 (e.g. 411 Christiansø) has nothing to count under.
    if (!(await isMunicipality(trx, code))) continue
    const row = {
      municipality_code: code,
      template: templateById(ag.template_id)?.name ?? ag.template_id,
      kle: kle.get(ag.case_id) ?? '',
      provider: org.get(ag.provider_id)?.name ?? ag.provider_id,
      created_date: f.createdDate,
      activated_date: f.activatedDate,
      terminated_date: f.terminatedDate,
      last_paid_date: f.lastPaidDate,
      synthetic: false,
    }
    await trx
      .insertInto('analytics_agreement_facts')
      .values({ agreement_id: ag.id, ...row })
      .onConflict((oc) =>
        oc.column('agreement_id').doUpdateSet({
          ...row,
          // An erased case loses its row's details; the KLE subject counted so far stays.
          kle: sql<string>`coalesce(nullif(excluded.kle, ''), analytics_agreement_facts.kle)`,
        }),
      )
      .execute()
    await trx.deleteFrom('analytics_agreement_activity').where('agreement_id', '=', ag.id).execute()
    const activity = [...f.activity].map(([quarter, c]) => ({
      agreement_id: ag.id,
      quarter,
      municipality_code: code,
      reports_due: c.reportsDue,
      reports_on_time: c.reportsOnTime,
      payments_withheld: c.paymentsWithheld,
      withheld_ore: c.withheldOre.toString(),
      payments_released: c.paymentsReleased,
      released_ore: c.releasedOre.toString(),
      invoices: c.invoices,
      invoice_deviations: c.invoiceDeviations,
      synthetic: false,
    }))
    if (activity.length) await trx.insertInto('analytics_agreement_activity').values(activity).execute()
  }
  await refreshMonthlyEvents(trx, months)
}

async function isMunicipality(trx: Trx, code: number): Promise<boolean> {
  const row = await trx
    .selectFrom('analytics_municipality')
    .select('code')
    .where('code', '=', code)
    .executeTakeFirst()
  return row !== undefined
}

/**
 * Ledger events per municipality and month, counted again for the months touched (idempotent).
 * API calls are left as they are: the ledger does not see them.
 */
async function refreshMonthlyEvents(trx: Trx, keys: Set<string>): Promise<void> {
  for (const key of keys) {
    const [codeText, month] = key.split('|') as [string, string]
    const code = Number(codeText)
    if (!(await isMunicipality(trx, code))) continue
    const from = BigInt(Date.parse(`${month}-01T00:00:00Z`) / 1000)
    const [y, m] = month.split('-').map(Number) as [number, number]
    const to = BigInt(Date.UTC(y, m, 1) / 1000)
    const count = await sql<{ n: string }>`
      select count(*) as n
      from ledger_events e
      join agreements a on a.chain_id = e.agreement_id
      join organisations o on o.id = a.municipality_id
      where o.municipality_code = ${codeText.padStart(3, '0')}
        and e.block_time >= ${from.toString()} and e.block_time < ${to.toString()}
    `.execute(trx)
    const events = count.rows[0]?.n ?? '0'
    await trx
      .insertInto('analytics_usage_monthly')
      .values({ municipality_code: code, month, api_calls: '0', events, synthetic: false })
      .onConflict((oc) =>
        oc
          .columns(['municipality_code', 'month'])
          .doUpdateSet({ events })
          // A synthetic month (seed-national) keeps its figures.
          .where('analytics_usage_monthly.synthetic', '=', false),
      )
      .execute()
  }
}
