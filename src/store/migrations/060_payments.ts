import { type Kysely, sql } from 'kysely'

// Bank accounts of organisations (debtor for municipalities, creditor for providers), keyed by
// municipality code or CVR so they can be set before anyone from the organisation has logged in;
// and every payment file exported, kept byte for byte so a re-download is the same file.
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    `create table if not exists bank_accounts (
      org_kind text not null check (org_kind in ('municipality', 'provider')),
      org_code text not null,
      iban text not null,
      bic text,
      primary key (org_kind, org_code)
    )`,
    `create table if not exists payment_files (
      id text primary key,
      municipality_code text not null,
      period text not null check (period ~ '^[0-9]{4}-[0-9]{2}$'),
      msg_id text not null unique,
      created_at timestamptz not null default now(),
      created_by text not null,
      nb_of_txs integer not null,
      ctrl_sum_ore int8 not null,
      sha256 text not null,
      xml text not null
    )`,
    'create index if not exists payment_files_period on payment_files (municipality_code, period)',
    `create table if not exists payment_file_items (
      file_id text not null,
      agreement_id text not null,
      period text not null,
      amount_ore int8 not null,
      end_to_end_id text not null,
      primary key (agreement_id, period)
    )`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}
