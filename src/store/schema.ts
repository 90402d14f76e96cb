/**
 * Table types for Kysely. Each module that owns tables declares them in its own file
 * (e.g. src/store/tables/ledger.ts) and they are joined here.
 */
import type { LedgerTables } from './tables/ledger.ts'

export interface Database extends LedgerTables {}
