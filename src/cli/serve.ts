/** Opens an instance and serves API and web app on it: what `tillid start` and `tillid demo --fresh` run. */
import { sql } from 'kysely'
import type { Logger } from 'pino'
import { buildApp, defaultWebDist } from '../api/app.ts'
import type { Config } from '../config.ts'
import { type Instance, openInstance } from '../services/instance.ts'
import { startKeeper } from '../services/keeper.ts'
import { checkServerMode } from '../services/startupChecks.ts'

export class StartError extends Error {
  override name = 'StartError'
}

export interface Served {
  url: string
  instance: Instance
  close(): Promise<void>
}

export async function serve(config: Config, logger: Logger): Promise<Served> {
  const problems = await checkServerMode(config)
  if (problems.length) {
    throw new StartError(
      `server mode cannot start (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n  - ${problems.join('\n  - ')}`,
    )
  }
  const instance = await openInstance(config, logger)
  const app = await buildApp({
    logger,
    webDist: defaultWebDist,
    store: instance.store,
    config,
    kek: instance.kek,
    services: instance,
    readiness: [
      {
        name: 'ledger',
        check: async () => {
          const h = await instance.ledger.health()
          if (!h.ok) throw new Error(h.reason ?? 'ledger not answering')
        },
      },
      {
        name: 'store',
        check: async () => {
          await sql`select 1`.execute(instance.store.db)
        },
      },
    ],
  })
  try {
    await app.listen({ host: config.host, port: config.port })
  } catch (err) {
    await instance.close()
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new StartError(
        `port ${config.port} on ${config.host} is already in use: stop the other program or set TILLID_PORT to a free port`,
      )
    }
    throw err
  }
  // Time-driven checks in real time; monthly payment runs stay with finance (see KeeperOptions.payments).
  const keeper = startKeeper(instance, { intervalMs: 60_000, payments: false })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  let closed = false
  return {
    url: config.publicUrl ?? `http://${config.host}:${port}`,
    instance,
    async close() {
      if (closed) return
      closed = true
      await keeper.stop()
      await app.close().catch(() => {})
      await instance.close()
    },
  }
}
