/** The ledger module's public API. */
export { PINNED_ANVIL_VERSION, PINNED_HARDFORK, resolveAnvilBinary } from './anvilProcess.ts'
export { ManualClock, nextBlockTimestamp, WallClock } from './clock.ts'
export {
  type EmbeddedLedger,
  type EmbeddedLedgerOptions,
  type RecoveryReport,
  startEmbeddedLedger,
} from './embeddedLedger.ts'
export { LedgerError, type LedgerErrorCode, LedgerRevertError } from './errors.ts'
export { connectExternalLedger, type ExternalLedgerOptions } from './externalLedger.ts'
export {
  deployerAccount,
  KEY_INDEX,
  keeperAccount,
  LEDGER_MNEMONIC,
  ledgerAccount,
  randomCustodialKey,
} from './keys.ts'
export type { DeployRequest, LedgerClient, LedgerHealth, SendRequest } from './ledgerClient.ts'
export { getMeta, setMeta } from './meta.ts'
