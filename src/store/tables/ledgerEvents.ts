export interface LedgerEventsTables {
  ledger_events: {
    block_number: string
    log_index: number
    tx_hash: string
    block_hash: string
    block_time: string
    contract: string
    event: string
    agreement_id: string | null
    /** Decoded event arguments as JSON, bigints as decimal strings. */
    args: string
  }
  ledger_cursor: {
    name: string
    block_number: string
  }
}
