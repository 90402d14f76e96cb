import { type Kysely, sql } from 'kysely'

// Append-only, hash-chained log of every read of a citizen's data. The head row serialises
// appends (SELECT ... FOR UPDATE) so concurrent writers cannot fork the chain; the trigger
// refuses UPDATE/DELETE for ordinary sessions, and the chain exposes anyone who bypasses it.
export async function up(db: Kysely<unknown>): Promise<void> {
  // One statement per query: PGlite runs each query as a prepared statement.
  for (const statement of [
    `
      create table if not exists access_log (
        seq int8 primary key,
        at text not null,
        actor_person_id text not null,
        actor_role text not null,
        actor_organisation_id text,
        case_id text,
        citizen_id text,
        action text not null,
        object text not null,
        purpose text not null,
        prev_hash bytea not null,
        hash bytea not null
      )
    `,
    `
      create index if not exists access_log_case on access_log (case_id, seq)
    `,
    `
      create table if not exists access_log_head (
        id integer primary key check (id = 1),
        seq int8 not null,
        hash bytea not null
      )
    `,
    `
      insert into access_log_head (id, seq, hash)
        values (1, 0, decode('0000000000000000000000000000000000000000000000000000000000000000', 'hex'))
        on conflict (id) do nothing
    `,
    `
      create or replace function access_log_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'access_log is append-only';
      end
      $$
    `,
    `
      drop trigger if exists access_log_no_change on access_log
    `,
    `
      create trigger access_log_no_change before update or delete on access_log
        for each row execute function access_log_append_only()
    `,
  ]) {
    await sql.raw(statement).execute(db)
  }
}
