/**
 * The one query module of rollout analytics: reads the rows the KPIs need for a quarter (and the one
 * before, for trends) from the analytics tables.
 *
 * Why analytics_agreement_facts and not the agreement read models (rm_agreements, rm_payments,
 * rm_invoices): those are keyed by ledger ids and lack the template, KLE subject, creation date and
 * the municipality's kommunekode that every KPI groups by. The facts tables are a denormalised read
 * model of their own (docs/analytics.md): seed-national fills them with synthetic rows, and the
 * ledger indexer can fill them from the same events that feed rm_* without the reports changing.
 */
import { sql } from 'kysely'
import type {
  ActivityRow,
  AgreementFactRow,
  ConnectionRow,
  MunicipalityRow,
  RolloutRows,
  UsageRow,
} from '../../reports/kpi.ts'
import { previousQuarter, quarterRange } from '../../reports/quarter.ts'
import type { Db } from '../../store/database.ts'
import { ensureMunicipalities } from './municipalities.ts'

const isoDate = (column: string) => sql<string | null>`to_char(${sql.ref(column)}, 'YYYY-MM-DD')`

export async function loadMunicipalities(db: Db): Promise<(MunicipalityRow & { synthetic: boolean })[]> {
  const rows = await db
    .selectFrom('analytics_municipality')
    .select(['code', 'name', 'region', 'inhabitants', 'synthetic'])
    .orderBy('code')
    .execute()
  return rows.map((r) => ({ ...r, inhabitants: r.inhabitants === null ? null : Number(r.inhabitants) }))
}

/** Rows for `quarter` and the quarter before it. */
export async function loadRollout(db: Db, quarter: string): Promise<RolloutRows> {
  const prev = quarterRange(previousQuarter(quarter))
  const cur = quarterRange(quarter)
  let municipalities = await loadMunicipalities(db)
  if (municipalities.length === 0) {
    // A fresh instance: the 98 municipalities are loaded on first use.
    await ensureMunicipalities(db)
    municipalities = await loadMunicipalities(db)
  }

  // Only agreements that can count in either quarter: created before its end, and not ended before
  // the previous quarter began.
  const facts = await db
    .selectFrom('analytics_agreement_facts')
    .select([
      'agreement_id',
      'municipality_code',
      'template',
      'kle',
      'provider',
      isoDate('created_date').as('created'),
      isoDate('activated_date').as('activated'),
      isoDate('terminated_date').as('terminated'),
      isoDate('last_paid_date').as('last_paid'),
      'synthetic',
    ])
    .where('created_date', '<=', cur.end)
    .where((eb) => eb.or([eb('terminated_date', 'is', null), eb('terminated_date', '>=', prev.start)]))
    .execute()
  const agreements: AgreementFactRow[] = facts.map((r) => ({
    agreementId: r.agreement_id,
    municipalityCode: r.municipality_code,
    template: r.template,
    kle: r.kle,
    provider: r.provider,
    createdDate: r.created!,
    activatedDate: r.activated,
    terminatedDate: r.terminated,
    lastPaidDate: r.last_paid,
  }))

  // Activity only ever counts per municipality and quarter: sum it in the database.
  const act = await db
    .selectFrom('analytics_agreement_activity')
    .select((eb) => [
      'municipality_code',
      'quarter',
      eb.fn.sum<string>('reports_due').as('reports_due'),
      eb.fn.sum<string>('reports_on_time').as('reports_on_time'),
      eb.fn.sum<string>('payments_withheld').as('payments_withheld'),
      eb.fn.sum<string>('withheld_ore').as('withheld_ore'),
      eb.fn.sum<string>('payments_released').as('payments_released'),
      eb.fn.sum<string>('released_ore').as('released_ore'),
      eb.fn.sum<string>('invoices').as('invoices'),
      eb.fn.sum<string>('invoice_deviations').as('invoice_deviations'),
      eb.fn.max(sql<number>`synthetic::int`).as('synthetic'),
    ])
    .where('quarter', 'in', [prev.quarter, cur.quarter])
    .groupBy(['municipality_code', 'quarter'])
    .execute()
  const activity: ActivityRow[] = act.map((r) => ({
    municipalityCode: r.municipality_code,
    quarter: r.quarter,
    reportsDue: Number(r.reports_due),
    reportsOnTime: Number(r.reports_on_time),
    paymentsWithheld: Number(r.payments_withheld),
    withheldOre: BigInt(r.withheld_ore),
    paymentsReleased: Number(r.payments_released),
    releasedOre: BigInt(r.released_ore),
    invoices: Number(r.invoices),
    invoiceDeviations: Number(r.invoice_deviations),
  }))

  const use = await db
    .selectFrom('analytics_usage_monthly')
    .select(['municipality_code', 'month', 'api_calls', 'events', 'synthetic'])
    .where('month', 'in', [...prev.months, ...cur.months])
    .execute()
  const usage: UsageRow[] = use.map((r) => ({
    municipalityCode: r.municipality_code,
    month: r.month,
    apiCalls: Number(r.api_calls),
    events: Number(r.events),
  }))

  const con = await db
    .selectFrom('analytics_connection_status')
    .select([
      'municipality_code',
      'provider',
      'system',
      'status',
      isoDate('status_date').as('date'),
      'synthetic',
    ])
    .where('status_date', '<=', cur.end)
    .execute()
  const connections: ConnectionRow[] = con.map((r) => ({
    municipalityCode: r.municipality_code,
    provider: r.provider,
    system: r.system,
    status: r.status,
    statusDate: r.date!,
  }))

  const synthetic =
    municipalities.some((m) => m.synthetic) ||
    facts.some((r) => r.synthetic) ||
    act.some((r) => Number(r.synthetic) === 1) ||
    use.some((r) => r.synthetic) ||
    con.some((r) => r.synthetic)
  return {
    municipalities: municipalities.map(({ synthetic: _s, ...m }) => m),
    agreements,
    activity,
    usage,
    connections,
    synthetic,
  }
}

/**
 * The SQL-only aggregation (the benchmark's baseline): per municipality, counts for one quarter
 * computed in the database.
 */
export async function aggregateInSql(db: Db, quarter: string) {
  const q = quarterRange(quarter)
  const result = await sql<{
    municipality_code: number
    active: string
    created: string
    terminated: string
    reports_due: string | null
    reports_on_time: string | null
    withheld: string | null
    withheld_ore: string | null
  }>`
    select f.municipality_code,
      count(*) filter (where f.activated_date <= ${q.end}::date
        and (f.terminated_date is null or f.terminated_date >= ${q.start}::date)) as active,
      count(*) filter (where f.created_date between ${q.start}::date and ${q.end}::date) as created,
      count(*) filter (where f.terminated_date between ${q.start}::date and ${q.end}::date) as terminated,
      sum(a.reports_due) as reports_due,
      sum(a.reports_on_time) as reports_on_time,
      sum(a.payments_withheld) as withheld,
      sum(a.withheld_ore) as withheld_ore
    from analytics_agreement_facts f
    left join analytics_agreement_activity a on a.agreement_id = f.agreement_id and a.quarter = ${quarter}
    group by f.municipality_code
    order by f.municipality_code
  `.execute(db)
  return result.rows
}
