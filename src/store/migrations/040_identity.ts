import { type Kysely, sql } from 'kysely'

/** Sessions, custodial ledger keys and idempotency records (identity/API, range 040-049). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_session')
    .ifNotExists()
    // SHA-256 of the cookie value: a copy of this table does not let anyone log in.
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull())
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await sql`create index if not exists identity_session_person on identity_session (person_id)`.execute(db)
  await db.schema
    .createTable('identity_key')
    .ifNotExists()
    .addColumn('person_id', 'text', (c) => c.primaryKey())
    .addColumn('address', 'text', (c) => c.notNull().unique())
    // base64 of store/crypto.ts seal(): AES-256-GCM under a KEK-derived key, the person id as AAD.
    .addColumn('encrypted_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema
    .createTable('api_idempotency')
    .ifNotExists()
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('content_type', 'text')
    .addColumn('body', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    .addPrimaryKeyConstraint('api_idempotency_pk', ['scope', 'key'])
    .execute()
}
