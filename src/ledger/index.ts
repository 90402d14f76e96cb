/**
 * The ledger module's public API.
 *
 * Embedded (`tillid start`, TILLID_MODE=embedded):
 *   const ledger = await startEmbeddedLedger({ dataDir, store, chainId, genesisTimestamp, snapshotEvery, demo, logger, port })
 *   await ledger.send({ account, to, data, abi })   // → mined receipt; LedgerRevertError for a revert
 *   await ledger.stop()                             // snapshot, then anvil stops; the store stays open
 * Server (TILLID_MODE=server): `await connectExternalLedger(rpcUrls, { chainId, logger })`, same interface.
 * Reads go through `ledger.publicClient` (viem). Deployed addresses: getMeta/setMeta on ledger_meta.
 */
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
  accountFromKeyFile,
  deployerAccount,
  KEY_INDEX,
  keeperAccount,
  LEDGER_MNEMONIC,
  ledgerAccount,
  randomCustodialKey,
} from './keys.ts'
export type { DeployRequest, LedgerClient, LedgerHealth, SendRequest } from './ledgerClient.ts'
export { getMeta, setMeta } from './meta.ts'
