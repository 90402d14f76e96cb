/** Small key/value facts about the ledger in ledger_meta (deployed addresses, chain parameters). */
import type { Db } from '../store/database.ts'

export async function getMeta(db: Db, key: string): Promise<string | null> {
  const row = await db.selectFrom('ledger_meta').select('value').where('key', '=', key).executeTakeFirst()
  return row?.value ?? null
}

export async function setMeta(db: Db, key: string, value: string): Promise<void> {
  await db
    .insertInto('ledger_meta')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute()
}
