import { type Kysely, sql } from 'kysely'

/**
 * Rollout analytics (docs/analytics.md): municipalities, connection status history, monthly usage
 * counters and agreement facts. The facts tables are a denormalised read model of their own so that
 * reports do not depend on the shape of the agreement/payment tables; seed-national fills them with
 * synthetic rows and the indexer can fill them from ledger events.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('analytics_municipality')
    .ifNotExists()
    .addColumn('code', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('inhabitants', 'integer')
    // e.g. "FOLK1A 2026K1", or "synthetic" when seed-national had to invent a figure.
    .addColumn('inhabitants_source', 'text')
    .addColumn('synthetic', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute()

  await db.schema
    .createTable('analytics_connection_status')
    .ifNotExists()
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('municipality_code', 'integer', (c) => c.notNull().references('analytics_municipality.code'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('system', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('klarmeldt','delvis','nej','irrelevant')`),
    )
    .addColumn('status_date', 'date', (c) => c.notNull())
    .addColumn('synthetic', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute()
  await sql`create index if not exists analytics_connection_status_key
    on analytics_connection_status (municipality_code, provider, system, status_date)`.execute(db)

  await db.schema
    .createTable('analytics_usage_monthly')
    .ifNotExists()
    .addColumn('municipality_code', 'integer', (c) => c.notNull().references('analytics_municipality.code'))
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('api_calls', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('events', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('synthetic', 'boolean', (c) => c.notNull().defaultTo(false))
    .addPrimaryKeyConstraint('analytics_usage_monthly_pk', ['municipality_code', 'month'])
    .execute()

  await db.schema
    .createTable('analytics_agreement_facts')
    .ifNotExists()
    .addColumn('agreement_id', 'text', (c) => c.primaryKey())
    .addColumn('municipality_code', 'integer', (c) => c.notNull().references('analytics_municipality.code'))
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('kle', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('created_date', 'date', (c) => c.notNull())
    .addColumn('activated_date', 'date')
    .addColumn('terminated_date', 'date')
    .addColumn('last_paid_date', 'date')
    .addColumn('synthetic', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute()
  await sql`create index if not exists analytics_agreement_facts_municipality
    on analytics_agreement_facts (municipality_code)`.execute(db)

  // Per agreement and quarter: what happened to reports, payments and invoices in that quarter.
  await db.schema
    .createTable('analytics_agreement_activity')
    .ifNotExists()
    .addColumn('agreement_id', 'text', (c) =>
      c.notNull().references('analytics_agreement_facts.agreement_id'),
    )
    .addColumn('quarter', 'text', (c) => c.notNull())
    .addColumn('municipality_code', 'integer', (c) => c.notNull())
    .addColumn('reports_due', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reports_on_time', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('payments_withheld', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('withheld_ore', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('payments_released', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('released_ore', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('invoices', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('invoice_deviations', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('synthetic', 'boolean', (c) => c.notNull().defaultTo(false))
    .addPrimaryKeyConstraint('analytics_agreement_activity_pk', ['agreement_id', 'quarter'])
    .execute()
  await sql`create index if not exists analytics_agreement_activity_quarter
    on analytics_agreement_activity (quarter, municipality_code)`.execute(db)
}
