import { type Kysely, sql } from 'kysely'

// Documents keep their encrypted bytes in the database (not in DATA_DIR files) so a backup,
// a transaction and an erasure each cover bytes and metadata together.
export async function up(db: Kysely<unknown>): Promise<void> {
  // One statement per query: PGlite runs each query as a prepared statement.
  for (const statement of [
    `
      create table if not exists documents (
        id text primary key,
        case_id text not null references cases(id),
        kind text not null,
        media_type text not null,
        size integer not null check (size > 0),
        content_id bytea,
        title_ct bytea,
        ciphertext bytea,
        created_by text,
        created_at text not null
      )
    `,
    `
      create index if not exists documents_case on documents (case_id)
    `,
    `
      create unique index if not exists documents_content on documents (case_id, content_id) where content_id is not null
    `,
    `
      create table if not exists anchors (
        kind text not null,
        object_id text not null,
        case_id text references cases(id),
        salt bytea,
        hash text not null check (hash ~ '^0x[0-9a-f]{64}$'),
        chain_ref text,
        created_at timestamptz not null default now(),
        primary key (kind, object_id),
        check ((case_id is null) = (salt is not null))
      )
    `,
    `
      create index if not exists anchors_case on anchors (case_id) where case_id is not null
    `,
    `
      create table if not exists anchored_records (
        kind text not null,
        object_id text not null,
        case_id text references cases(id),
        body bytea not null,
        primary key (kind, object_id)
      )
    `,
  ]) {
    await sql.raw(statement).execute(db)
  }
}
