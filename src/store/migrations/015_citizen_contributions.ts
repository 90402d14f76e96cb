import { type Kysely, sql } from 'kysely'

// A citizen's comment or correction request on their case, and the caseworker's answer. Both texts
// are sealed under the case key, so an erasure of the case makes them unreadable (and removes them).
// No foreign key to cases: restore (services/backup.ts) truncates the tables it refills, and a key
// from a table with no rows in the archive would refuse that.
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    `
      create table if not exists citizen_contributions (
        id text primary key,
        case_id text not null,
        author_person_id text not null,
        kind text not null check (kind in ('comment', 'correction')),
        text_ct bytea not null,
        created_at text not null,
        answer_ct bytea,
        answered_by text,
        answered_at text
      )
    `,
    `
      create index if not exists citizen_contributions_case on citizen_contributions (case_id, created_at)
    `,
  ]) {
    await sql.raw(statement).execute(db)
  }
}
