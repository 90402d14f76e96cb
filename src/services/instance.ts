/**
 * Opens everything one Tillid instance runs on — store, key-encryption key, ledger, contracts,
 * indexer, events — in the order they depend on each other, and closes them in reverse. The CLI,
 * the demo and the tests all use this one path.
 */
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import { startEvents } from '../events/index.ts'
import {
  accountFromKeyFile,
  connectExternalLedger,
  deployerAccount,
  keeperAccount,
  type LedgerClient,
  startEmbeddedLedger,
} from '../ledger/index.ts'
import { createIndexer } from '../ledger/indexer.ts'
import { loadOrCreateKek } from '../store/crypto.ts'
import { openStore } from '../store/database.ts'
import { CaseKeys } from '../store/repositories/caseKeys.ts'
import { createRepositories } from '../store/repositories/index.ts'
import type { ServiceContext } from './context.ts'
import { ensureContracts, indexedContracts } from './contracts.ts'
import { lockDataDir } from './dataDirLock.ts'
import { seedDemo } from './demo/seedDemo.ts'
import { esdhInboundHandlers } from './esdhInbound.ts'
import { projectLogs } from './projections.ts'

export interface Instance extends ServiceContext {
  close(): Promise<void>
}

export async function openInstance(config: Config, logger: Logger): Promise<Instance> {
  const closers: (() => Promise<void>)[] = []
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((err) => logger.error({ err }, 'close failed'))
  }
  try {
    if (config.mode === 'embedded') {
      mkdirSync(config.dataDir, { recursive: true })
      const unlock = lockDataDir(config.dataDir)
      closers.push(async () => unlock())
    }
    const store =
      config.mode === 'embedded'
        ? await openStore({ kind: 'pglite', dir: path.join(config.dataDir, 'store') })
        : await openStore({ kind: 'postgres', url: config.databaseUrl! })
    closers.push(() => store.close())
    logger.info({ store: store.kind }, 'store opened')

    const kek = await loadOrCreateKek(config.dataDir, config.kekFile)
    const ledger: LedgerClient =
      config.mode === 'embedded'
        ? await startEmbeddedLedger({
            dataDir: config.dataDir,
            store,
            chainId: config.chainId,
            genesisTimestamp: config.genesisTimestamp,
            snapshotEvery: config.snapshotEvery,
            demo: config.demo,
            logger,
            port: config.anvilPort,
          })
        : await connectExternalLedger(config.rpcUrls, { chainId: config.chainId, logger })
    closers.push(() => ledger.stop())
    logger.info({ ledger: ledger.kind, rpc: ledger.rpcUrl }, 'ledger ready')

    // A real network's registrar key comes from a file; the fixed development key is public.
    const deployer = config.operatorKeyFile
      ? await accountFromKeyFile(config.operatorKeyFile)
      : deployerAccount()
    const { addresses, deployed, deployments } = await ensureContracts(ledger, store.db, deployer)
    logger.info({ ...addresses, deployed }, deployed ? 'contracts deployed' : 'contracts found')

    const indexer = createIndexer({
      db: store.db,
      client: ledger.publicClient,
      // Every deployment: agreements of earlier contract versions stay indexed after an upgrade.
      contracts: indexedContracts(deployments),
      onLogs: projectLogs,
    })
    await indexer.syncOnce()

    const events = startEvents({
      db: store.db,
      amqpUrl: config.amqpUrl,
      amqpExchange: config.amqpExchange,
      inboundQueue: config.amqpInboundQueue,
      logger,
    })
    closers.push(() => events.stop())

    const keys = new CaseKeys(kek)
    const instance: Instance = {
      config,
      logger,
      store,
      db: store.db,
      kek,
      keys,
      repos: createRepositories(store.db, keys),
      ledger,
      contracts: addresses,
      operator: deployer,
      keeper: keeperAccount(),
      indexer,
      events,
      close: closeAll,
    }
    if (config.demo) await seedDemo(instance)
    // Only now can a journalised document become a report: the handlers need the whole instance.
    events.attachInbound(esdhInboundHandlers(instance))
    return instance
  } catch (err) {
    await closeAll()
    throw err
  }
}
