/**
 * The store of a data directory opened directly, for CLI commands that run while no Tillid runs
 * on it (backup, restore, report, seed-national, import). PGlite is one process's database, so
 * this refuses while a Tillid holds the directory.
 */
import path from 'node:path'
import type { Config } from '../config.ts'
import { openStore, type Store } from '../store/database.ts'
import { lockDataDir } from './dataDirLock.ts'

export async function withOfflineStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  if (config.mode === 'server') {
    const store = await openStore({ kind: 'postgres', url: config.databaseUrl! })
    try {
      return await fn(store)
    } finally {
      await store.close()
    }
  }
  const unlock = lockDataDir(config.dataDir)
  try {
    const store = await openStore({ kind: 'pglite', dir: path.join(config.dataDir, 'store') })
    try {
      return await fn(store)
    } finally {
      await store.close()
    }
  } finally {
    unlock()
  }
}
export type { Store } from '../store/database.ts'
