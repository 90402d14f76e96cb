/**
 * Opens everything one Tillid instance runs on — store, ledger, events — in the order they
 * depend on each other, and closes them in reverse. The CLI and the tests use this one path.
 */
import path from 'node:path'
import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import { openStore, type Store } from '../store/database.ts'

export interface Instance {
  config: Config
  store: Store
  logger: Logger
  close(): Promise<void>
}

export async function openInstance(config: Config, logger: Logger): Promise<Instance> {
  const store =
    config.mode === 'embedded'
      ? await openStore({ kind: 'pglite', dir: path.join(config.dataDir, 'store') })
      : await openStore({ kind: 'postgres', url: config.databaseUrl! })
  logger.info({ store: store.kind }, 'store opened')
  let closed = false
  return {
    config,
    store,
    logger,
    async close() {
      if (closed) return
      closed = true
      await store.close()
    },
  }
}
