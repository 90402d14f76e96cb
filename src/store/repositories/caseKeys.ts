import type { Kysely } from 'kysely'
import { CaseKey, cprBlindIndex, generateDataKey, KeyError, kekId, unwrapKey, wrapKey } from '../crypto.ts'
import type { Database } from '../schema.ts'

/**
 * Hands out unwrapped case keys. Unwrapped keys are cached in memory only; erasure calls
 * {@link CaseKeys.forget} so no copy outlives the wrapped key in the database.
 */
export class CaseKeys {
  private readonly cache = new Map<string, CaseKey>()
  readonly kekId: string

  constructor(private readonly kek: Uint8Array) {
    if (kek.length !== 32) throw new KeyError('KEK_INVALID', 'key-encryption key must be 32 bytes')
    this.kekId = kekId(kek)
  }

  async create(db: Kysely<Database>, caseId: string): Promise<CaseKey> {
    const { key, row } = this.generate(caseId)
    await db.insertInto('case_keys').values(row).execute()
    return key
  }

  /**
   * A new data key for the case and the case_keys row holding it wrapped, for a caller that writes
   * the row itself (in the same statement as the case). Cached like {@link create}: a key whose row
   * never commits is dropped by the existence check in {@link find} / {@link fromWrapped}.
   */
  generate(caseId: string): {
    key: CaseKey
    row: { case_id: string; wrapped_key: Uint8Array; kek_id: string }
  } {
    const dataKey = generateDataKey()
    const row = { case_id: caseId, wrapped_key: wrapKey(this.kek, dataKey, caseId), kek_id: this.kekId }
    const key = new CaseKey(caseId, dataKey)
    dataKey.fill(0)
    this.cache.set(caseId, key)
    return { key, row }
  }

  /**
   * The key from its wrapped form read together with the case row (one query where find takes
   * two); null when the case has no key row (erased or unknown).
   */
  fromWrapped(caseId: string, wrapped: Uint8Array | null): CaseKey | null {
    if (!wrapped) {
      this.cache.delete(caseId)
      return null
    }
    const cached = this.cache.get(caseId)
    if (cached) return cached
    const dataKey = unwrapKey(this.kek, wrapped, caseId)
    const key = new CaseKey(caseId, dataKey)
    dataKey.fill(0)
    this.cache.set(caseId, key)
    return key
  }

  /** The case's key, or null when the case has none (erased or unknown). */
  async find(db: Kysely<Database>, caseId: string): Promise<CaseKey | null> {
    const cached = this.cache.get(caseId)
    if (cached) {
      // A cached key must not survive an erasure done by another process on the same database.
      const still = await db
        .selectFrom('case_keys')
        .select('case_id')
        .where('case_id', '=', caseId)
        .executeTakeFirst()
      if (still) return cached
      this.cache.delete(caseId)
      return null
    }
    const row = await db.selectFrom('case_keys').selectAll().where('case_id', '=', caseId).executeTakeFirst()
    if (!row) return null
    const dataKey = unwrapKey(this.kek, row.wrapped_key, caseId)
    const key = new CaseKey(caseId, dataKey)
    dataKey.fill(0)
    this.cache.set(caseId, key)
    return key
  }

  async get(db: Kysely<Database>, caseId: string): Promise<CaseKey> {
    const key = await this.find(db, caseId)
    if (!key) throw new KeyError('CASE_KEY_MISSING', `case ${caseId} has no key (erased or unknown)`)
    return key
  }

  /** Keys of many cases in one query; erased or unknown cases are absent from the map. */
  async findMany(db: Kysely<Database>, caseIds: Iterable<string>): Promise<Map<string, CaseKey>> {
    const ids = [...new Set(caseIds)]
    const out = new Map<string, CaseKey>()
    if (ids.length === 0) return out
    const rows = await db.selectFrom('case_keys').selectAll().where('case_id', 'in', ids).execute()
    const present = new Set(rows.map((r) => r.case_id))
    for (const id of ids) if (!present.has(id)) this.cache.delete(id)
    for (const row of rows) {
      let key = this.cache.get(row.case_id)
      if (!key) {
        const dataKey = unwrapKey(this.kek, row.wrapped_key, row.case_id)
        key = new CaseKey(row.case_id, dataKey)
        dataKey.fill(0)
        this.cache.set(row.case_id, key)
      }
      out.set(row.case_id, key)
    }
    return out
  }

  forget(caseId: string): void {
    this.cache.delete(caseId)
  }

  blindIndex(cprDigits: string): Uint8Array {
    return cprBlindIndex(this.kek, cprDigits)
  }
}
