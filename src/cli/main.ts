/** The `tillid` command. Each subcommand is a thin shell around a service. */
import { Command } from 'commander'
import { ConfigError, loadConfig } from '../config.ts'
import { StartError, start } from './start.ts'

const program = new Command()
program.name('tillid').description('Tillid — aftaler om sociale ydelser, håndhævet af smart contracts')

program
  .command('start')
  .description('run Tillid (embedded by default: ledger, database, login, API, web app, demo data)')
  .action(async () => {
    await start(loadConfig())
  })

try {
  await program.parseAsync(process.argv)
} catch (err) {
  if (err instanceof ConfigError || err instanceof StartError) {
    process.stderr.write(`tillid: ${err.message}\n`)
    process.exit(2)
  }
  throw err
}
