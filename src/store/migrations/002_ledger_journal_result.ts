import type { Kysely } from 'kysely'

/**
 * The block hash each journal entry produced, so recovery can prove that replay rebuilt the
 * same chain (and stop loudly when it did not, e.g. after an anvil upgrade).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('ledger_journal').addColumn('block_hash', 'text').execute()
}
