import { type Kysely, sql } from 'kysely'

// Every decoded log of Tillid's contracts, in chain order: the timeline, the ledger proof shown to
// users, and the source the read models are built from. Rebuildable from the chain at any time.
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    `create table if not exists ledger_events (
      block_number int8 not null,
      log_index integer not null,
      tx_hash text not null,
      block_hash text not null,
      block_time int8 not null,
      contract text not null,
      event text not null,
      agreement_id text,
      args text not null,
      primary key (block_number, log_index)
    )`,
    'create index if not exists ledger_events_agreement on ledger_events (agreement_id, block_number)',
    'create index if not exists ledger_events_event on ledger_events (event)',
    `create table if not exists ledger_cursor (
      name text primary key,
      block_number int8 not null
    )`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}
