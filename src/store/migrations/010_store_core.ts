import { type Kysely, sql } from 'kysely'

// Organisations, people, cases, citizens, custody and case keys. Personal data (CPR, names,
// case titles) is only ever stored encrypted under the case's data key (*_ct columns), so
// destroying the key erases it without rewriting anything else (docs/store.md).
export async function up(db: Kysely<unknown>): Promise<void> {
  // One statement per query: PGlite runs each query as a prepared statement.
  for (const statement of [
    `
      create table if not exists organisations (
        id text primary key,
        kind text not null check (kind in ('municipality', 'provider')),
        municipality_code text unique check (municipality_code ~ '^[0-9]{3}$'),
        cvr text unique check (cvr ~ '^[0-9]{8}$'),
        name text not null,
        chain_id text unique,
        created_at timestamptz not null default now(),
        check ((kind = 'municipality') = (municipality_code is not null)),
        check ((kind = 'provider') = (cvr is not null))
      )
    `,
    `
      create table if not exists people (
        id text primary key,
        kind text not null check (kind in ('staff', 'citizen')),
        subject text not null unique,
        organisation_id text references organisations(id),
        display_name text,
        role text,
        kle_subjects jsonb not null default '[]',
        cpr_index bytea,
        chain_address text unique,
        created_at timestamptz not null default now(),
        check (kind = 'citizen' or organisation_id is not null)
      )
    `,
    `
      create index if not exists people_cpr_index on people (cpr_index) where cpr_index is not null
    `,
    `
      create table if not exists cases (
        id text primary key,
        organisation_id text not null references organisations(id),
        sagsnummer text not null,
        titel_ct bytea,
        status text not null check (status in ('Opstaaet', 'Oplyst', 'Afgjort', 'Afsluttet')),
        kle_class text not null check (kle_class ~ '^[0-9]{2}[.][0-9]{2}([.][0-9]{2})?$'),
        primary_citizen_id text,
        created_at text not null,
        status_changed_at text not null,
        erased_at text,
        unique (organisation_id, sagsnummer)
      )
    `,
    `
      create table if not exists case_keys (
        case_id text primary key references cases(id),
        wrapped_key bytea not null,
        kek_id text not null,
        created_at timestamptz not null default now()
      )
    `,
    `
      create table if not exists citizens (
        id text primary key,
        case_id text not null references cases(id),
        cpr_ct bytea not null,
        name_ct bytea not null,
        cpr_index bytea not null,
        created_at timestamptz not null default now()
      )
    `,
    `
      create index if not exists citizens_cpr_index on citizens (cpr_index)
    `,
    `
      create index if not exists citizens_case on citizens (case_id)
    `,
    `
      create table if not exists custody (
        id text primary key,
        parent_person_id text not null references people(id),
        citizen_id text not null references citizens(id) on delete cascade,
        from_date text not null check (from_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
        to_date text check (to_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
        unique (parent_person_id, citizen_id)
      )
    `,
  ]) {
    await sql.raw(statement).execute(db)
  }
}
