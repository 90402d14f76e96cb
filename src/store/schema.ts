/**
 * Table types for Kysely. Each module that owns tables declares them in its own file
 * (e.g. src/store/tables/ledger.ts) and they are joined here.
 */
import type { AgreementTables } from './tables/agreements.ts'
import type { AnalyticsTables } from './tables/analytics.ts'
import type { ContributionTables } from './tables/contributions.ts'
import type { EventsTables } from './tables/events.ts'
import type { IdentityTables } from './tables/identity.ts'
import type { LedgerTables } from './tables/ledger.ts'
import type { LedgerEventsTables } from './tables/ledgerEvents.ts'
import type { PaymentsTables } from './tables/payments.ts'
import type { StoreTables } from './tables/store.ts'

export interface Database
  extends LedgerTables,
    LedgerEventsTables,
    EventsTables,
    StoreTables,
    AgreementTables,
    ContributionTables,
    IdentityTables,
    AnalyticsTables,
    PaymentsTables {}
