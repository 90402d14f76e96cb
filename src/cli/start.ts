/** `tillid start`: serves Tillid and shuts down cleanly (ledger snapshot written) on a signal. */
import type { Config } from '../config.ts'
import { createLogger } from '../logger.ts'
import { serve } from './serve.ts'

export { StartError } from './serve.ts'

export async function start(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel)
  const started = Date.now()
  const served = await serve(config, logger)
  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    await served.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  process.stdout.write(
    `\nTillid kører på ${served.url}  (klar efter ${seconds} s, data i ${config.dataDir})\n` +
      (config.demo
        ? 'Demo-logins: sara, bo, lis, dorte, finn, ole, sanne, revisor, admin, mor (vælg på login-siden)\n'
        : '') +
      'Stop med Ctrl-C.\n',
  )
}
