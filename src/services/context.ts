/** What every use case runs with: one object, built once by openInstance. */
import type { Logger } from 'pino'
import type { LocalAccount } from 'viem'
import type { Config } from '../config.ts'
import type { EventsRuntime } from '../events/index.ts'
import type { Principal } from '../identity/principal.ts'
import type { LedgerClient } from '../ledger/index.ts'
import type { Indexer } from '../ledger/indexer.ts'
import type { Db, Store } from '../store/database.ts'
import type { CaseKeys } from '../store/repositories/caseKeys.ts'
import type { Repositories } from '../store/repositories/index.ts'
import type { ContractAddresses } from './contracts.ts'

export interface ServiceContext {
  config: Config
  logger: Logger
  store: Store
  db: Db
  kek: Uint8Array
  keys: CaseKeys
  repos: Repositories
  ledger: LedgerClient
  contracts: ContractAddresses
  /**
   * The installation's operator account: registers organisations in the on-chain directory and
   * administers their membership on behalf of each organisation's IdP (who works where).
   */
  operator: LocalAccount
  /** Calls the time-driven checks and the monthly evaluation. */
  keeper: LocalAccount
  indexer: Indexer
  events: EventsRuntime
}

/**
 * The person a use case runs for. `withAccount` hands out their custodial ledger account only
 * for the duration of `fn`, and only inside that person's authenticated request.
 */
export interface Actor {
  principal: Principal
  withAccount<T>(fn: (account: LocalAccount) => Promise<T>): Promise<T>
}
