import type { ColumnType, Generated } from 'kysely'

export interface LedgerTables {
  /** Every raw transaction and cheat call sent to the embedded ledger, in order (architecture.md §3). */
  ledger_journal: {
    seq: Generated<string>
    kind: string
    payload: string
    timestamp: string | null
    /** Hash of the block the entry produced; null until mined, and for entries that mine nothing. */
    block_hash: string | null
    created_at: ColumnType<Date, string | undefined, never>
  }
  /** Small key/value facts about the ledger: deployed addresses, snapshot position. */
  ledger_meta: {
    key: string
    value: string
  }
}
