import { type Kysely, sql } from 'kysely'

// Read models of what the ledger holds, filled by the ledger indexer so queries never scan the
// chain. They can be rebuilt from the chain at any time (the indexer's position is ledger_cursor).
export async function up(db: Kysely<unknown>): Promise<void> {
  // One statement per query: PGlite runs each query as a prepared statement.
  for (const statement of [
    `
      create table if not exists rm_agreements (
        id text primary key,
        case_id text,
        municipality_id text,
        provider_id text,
        main_agreement_id text,
        state text not null,
        current_version integer not null,
        updated_block int8 not null,
        updated_at timestamptz not null default now()
      )
    `,
    `
      create index if not exists rm_agreements_case on rm_agreements (case_id)
    `,
    `
      create index if not exists rm_agreements_main on rm_agreements (main_agreement_id)
    `,
    `
      create table if not exists rm_agreement_versions (
        agreement_id text not null,
        version integer not null,
        terms_hash text not null,
        effective_from text,
        state text not null,
        created_block int8 not null,
        primary key (agreement_id, version)
      )
    `,
    `
      create table if not exists rm_agreement_lines (
        agreement_id text not null,
        version integer not null,
        line_no integer not null,
        service_code text not null,
        unit text not null check (unit in ('month', 'hour', 'session')),
        price_ore int8 not null check (price_ore >= 0),
        start_date text not null,
        end_date text,
        report_every_months integer,
        primary key (agreement_id, version, line_no)
      )
    `,
    `
      create table if not exists rm_payments (
        id text primary key,
        agreement_id text not null,
        line_no integer,
        period text not null check (period ~ '^[0-9]{4}-[0-9]{2}$'),
        amount_ore int8 not null,
        status text not null check (status in ('approved', 'withheld', 'released', 'paid')),
        reason text,
        tx_hash text,
        block_number int8 not null
      )
    `,
    `
      create index if not exists rm_payments_agreement on rm_payments (agreement_id, period)
    `,
    `
      create table if not exists rm_invoices (
        id text primary key,
        agreement_id text not null,
        line_no integer not null,
        period text not null check (period ~ '^[0-9]{4}-[0-9]{2}$'),
        quantity_milli int8 not null,
        amount_ore int8 not null,
        status text not null check (status in ('accepted', 'deviation')),
        tx_hash text,
        block_number int8 not null
      )
    `,
    `
      create index if not exists rm_invoices_agreement on rm_invoices (agreement_id, period)
    `,
  ]) {
    await sql.raw(statement).execute(db)
  }
}
