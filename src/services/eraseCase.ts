/**
 * Erasure of a case ("right to be forgotten"): destroys the case's data key — and with it every
 * salt and keyed id derived from it — and deletes the plaintext-bearing rows (citizens, custody,
 * document bytes, anchored records). The chain is untouched: its hashes remain but can no longer
 * be linked to anyone. The case row stays as an erased marker so `verify` reports its anchors as
 * erased. Logged in the access log with ids only.
 *
 * Deleted rows live on as dead tuples and in the write-ahead log until compacted: after the
 * transaction, the touched tables are rewritten (VACUUM FULL) and, on PGlite, the WAL segments
 * that held them are retired, so no byte of the key, salts, blind index or ciphertext remains in
 * the data directory (test/store/erasure.test.ts greps the raw files to prove it).
 */
import { type Kysely, sql } from 'kysely'
import type { Store } from '../store/database.ts'
import { notFound, StoreError } from '../store/errors.ts'
import type { CaseKeys } from '../store/repositories/caseKeys.ts'
import { createRepositories } from '../store/repositories/index.ts'
import type { Database } from '../store/schema.ts'

/** Roles that may order an erasure (the municipality's management; a caseworker alone may not). */
export const ERASURE_ROLES = ['director', 'centre_chief', 'data_protection_officer'] as const

export interface EraseCaseInput {
  caseId: string
  actor: { personId: string; role: string; organisationId: string | null }
  /** ISO timestamp of the erasure (now by default). */
  at?: string
}

export interface EraseCaseResult {
  caseId: string
  erasedAt: string
  alreadyErased: boolean
  citizens: number
  documents: number
  records: number
}

export class ErasureError extends Error {
  override name = 'ErasureError'
  constructor(
    readonly code: 'ERASURE_FORBIDDEN',
    message: string,
  ) {
    super(message)
  }
}

const TOUCHED_TABLES = ['case_keys', 'custody', 'citizens', 'documents', 'anchored_records', 'cases'] as const

export async function eraseCase(
  store: Pick<Store, 'db' | 'kind'>,
  keys: CaseKeys,
  input: EraseCaseInput,
  opts: {
    compact?: boolean
    /**
     * Work that must commit with the erasure or not at all (the `case.erased.v1` outbox row, rows
     * of other modules holding ciphertext under the destroyed key): runs in the erasure's
     * transaction after the erasure step, only when the case was not already erased. A throw
     * rolls the erasure back with it.
     */
    inTransaction?: (trx: Kysely<Database>, result: EraseCaseResult) => Promise<void>
  } = {},
): Promise<EraseCaseResult> {
  if (!(ERASURE_ROLES as readonly string[]).includes(input.actor.role)) {
    throw new ErasureError('ERASURE_FORBIDDEN', `role ${input.actor.role} may not erase cases`)
  }
  const at = input.at ?? new Date().toISOString()
  const result = await store.db.transaction().execute(async (trx) => {
    const c = await trx
      .selectFrom('cases')
      .selectAll()
      .where('id', '=', input.caseId)
      .forUpdate()
      .executeTakeFirst()
    if (!c) throw notFound('case', input.caseId)
    if (input.actor.organisationId !== c.organisation_id) {
      throw new ErasureError('ERASURE_FORBIDDEN', 'only the case-owning organisation may erase it')
    }
    if (c.erased_at) {
      return {
        caseId: c.id,
        erasedAt: c.erased_at,
        alreadyErased: true,
        citizens: 0,
        documents: 0,
        records: 0,
      }
    }
    const citizenIds = (
      await trx.selectFrom('citizens').select('id').where('case_id', '=', c.id).execute()
    ).map((r) => r.id)
    if (citizenIds.length) await trx.deleteFrom('custody').where('citizen_id', 'in', citizenIds).execute()
    await trx
      .updateTable('cases')
      .set({ primary_citizen_id: null, titel_ct: null, erased_at: at })
      .where('id', '=', c.id)
      .execute()
    const citizens = await trx.deleteFrom('citizens').where('case_id', '=', c.id).executeTakeFirst()
    const documents = await trx
      .updateTable('documents')
      .set({ ciphertext: null, title_ct: null, content_id: null })
      .where('case_id', '=', c.id)
      .executeTakeFirst()
    const records = await trx.deleteFrom('anchored_records').where('case_id', '=', c.id).executeTakeFirst()
    const key = await trx.deleteFrom('case_keys').where('case_id', '=', c.id).executeTakeFirst()
    if (key.numDeletedRows === 0n) throw new StoreError('CONFLICT', `case ${c.id} had no key to destroy`)
    await createRepositories(trx, keys).accessLog.append({
      actorPersonId: input.actor.personId,
      actorRole: input.actor.role,
      actorOrganisationId: input.actor.organisationId,
      caseId: c.id,
      action: 'erase',
      object: 'case',
      purpose: 'erasure',
      at,
    })
    const erased: EraseCaseResult = {
      caseId: c.id,
      erasedAt: at,
      alreadyErased: false,
      citizens: Number(citizens.numDeletedRows),
      documents: Number(documents.numUpdatedRows),
      records: Number(records.numDeletedRows),
    }
    await opts.inTransaction?.(trx, erased)
    return erased
  })
  keys.forget(input.caseId)
  if (!result.alreadyErased && opts.compact !== false) await compactAfterErasure(store)
  return result
}

/**
 * Rewrites the tables an erasure touched so deleted tuples are physically gone, then (PGlite)
 * retires the WAL segments that still hold them. On PostgreSQL the WAL is the server's: the
 * CHECKPOINT is attempted, and WAL archives and backups follow the operator's retention.
 */
export async function compactAfterErasure(store: Pick<Store, 'db' | 'kind'>): Promise<void> {
  const db: Kysely<Database> = store.db
  for (const table of TOUCHED_TABLES) await sql`vacuum full ${sql.table(table)}`.execute(db)
  if (store.kind === 'pglite') {
    // Recycled segments are renamed, not cleared; with recycling off they are deleted.
    await sql`set wal_recycle = off`.execute(db)
    for (let i = 0; i < 2; i++) {
      await sql`select pg_switch_wal()`.execute(db)
      await sql`checkpoint`.execute(db)
    }
    await sql`reset wal_recycle`.execute(db)
  } else {
    await sql`checkpoint`.execute(db).catch(() => {})
  }
}
