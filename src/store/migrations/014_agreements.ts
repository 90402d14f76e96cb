import { type Kysely, sql } from 'kysely'

// The off-chain side of agreements: the chain knows an agreement only by its bytes32 id, so the
// link to the case, the line names, the documents (status reports) and the invoices a provider
// submitted live here. Written before the ledger transaction so the indexer's projection can
// resolve an agreement's case in the same block it is drafted.
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    `create table if not exists agreements (
      id text primary key,
      chain_id text not null unique,
      case_id text not null,
      municipality_id text not null,
      provider_id text not null,
      template_id text not null,
      main_agreement_id text,
      line_names text not null default '{}',
      created_by text not null,
      created_at timestamptz not null default now()
    )`,
    'create index if not exists agreements_case on agreements (case_id)',
    `create table if not exists agreement_documents (
      document_id text not null,
      agreement_id text not null,
      kind text not null,
      anchor text not null,
      tx_hash text,
      created_at timestamptz not null default now(),
      primary key (document_id, agreement_id)
    )`,
    `create table if not exists agreement_invoices (
      invoice_ref text primary key,
      agreement_id text not null,
      line_no integer not null,
      period text not null check (period ~ '^[0-9]{4}-[0-9]{2}$'),
      quantity integer not null,
      price_ore int8 not null,
      created_by text not null,
      created_at timestamptz not null default now()
    )`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}
