/** `tillid start`: opens the instance, serves API and web app, and shuts down cleanly on a signal. */

import { sql } from 'kysely'
import { buildApp, defaultWebDist } from '../api/app.ts'
import type { Config } from '../config.ts'
import { createLogger } from '../logger.ts'
import { openInstance } from '../services/instance.ts'

export async function start(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel)
  const started = Date.now()
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

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    await app.close().catch(() => {})
    await instance.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))

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
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const url = config.publicUrl ?? `http://${config.host}:${port}`
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  process.stdout.write(
    `\nTillid kører på ${url}  (klar efter ${seconds} s, data i ${config.dataDir})\n` +
      (config.demo
        ? `Demo-logins: sara, bo, lis, dorte, finn, ole, sanne, revisor, mor (vælg på login-siden)\n`
        : '') +
      'Stop med Ctrl-C.\n',
  )
}

export class StartError extends Error {
  override name = 'StartError'
}
