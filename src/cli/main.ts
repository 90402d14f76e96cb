/** The `tillid` command. Each subcommand is a thin shell around a service or the HTTP API. */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import cliProgress from 'cli-progress'
import { Command } from 'commander'
import { ConfigError, loadConfig } from '../config.ts'
import { createLogger } from '../logger.ts'
import { invalidateDashboardCache } from '../services/analytics/dashboard.ts'
import { importMunicipalitiesCsv } from '../services/analytics/municipalities.ts'
import { buildQuarterlyReportsFromStore } from '../services/analytics/reports.ts'
import { seedNational } from '../services/analytics/seedNational.ts'
import { backup, restore } from '../services/backup.ts'
import { DataDirInUseError, dataDirOwner } from '../services/dataDirLock.ts'
import { deployToLedger, LedgerDeployError, upgradeLedger } from '../services/ledgerDeploy.ts'
import { initNetwork, NetworkInitError } from '../services/networkInit.ts'
import type { Store } from '../services/offlineStore.ts'
import { withOfflineStore } from '../services/offlineStore.ts'
import { ApiCallError, ApiClient } from './apiClient.ts'
import { DemoError, demoCommand } from './demo.ts'
import { StartError, start } from './start.ts'

const program = new Command()
program
  .name('tillid')
  .description(
    'Tillid — aftaler om sociale ydelser mellem kommuner og leverandører, håndhævet af smart contracts',
  )

/** A progress bar on a terminal, nothing otherwise (logs and pipes stay clean). */
function progress(label: string) {
  if (!process.stderr.isTTY) return { update: (_d: number, _t: number) => {}, stop: () => {} }
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total}`, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  )
  let started = false
  return {
    update(done: number, total: number) {
      if (!started) {
        bar.start(total, done)
        started = true
      }
      bar.setTotal(total)
      bar.update(done)
    },
    stop: () => started && bar.stop(),
  }
}

/** The data directory's store, opened directly (refused while a Tillid runs on it). */
function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  return withOfflineStore(loadConfig(), fn)
}

/** Calls a running Tillid's API as a demo persona (embedded development IdP). */
function viaApi(url: string, persona: string, method: string, route: string, body?: unknown) {
  return new ApiClient(url).call(persona, method, route, body)
}

const defaultUrl = () => {
  const c = loadConfig()
  return c.publicUrl ?? `http://${c.host}:${c.port}`
}

program
  .command('start')
  .description('kør Tillid (indlejret som standard: ledger, database, login, API, web, demodata)')
  .action(async () => {
    await start(loadConfig())
  })

program
  .command('demo')
  .description('kør Preben-scenariet (trin 1–14, 16, 17) gennem API’et som de navngivne personer')
  .option('--fresh', 'start en ny indlejret Tillid i en midlertidig mappe')
  .option('--url <url>', 'en kørende Tillid (standard: den lokale)')
  .option('--json', 'skriv resultatet som JSON')
  .option('--out <dir>', 'mappe til betalingsfilerne')
  .action(async (o: { fresh?: boolean; url?: string; json?: boolean; out?: string }) => {
    await demoCommand({ ...o, url: o.url ?? (o.fresh ? undefined : defaultUrl()) })
  })

const payments = program.command('payments').description('betalingskørsler og betalingsfiler (pain.001)')
payments
  .command('run')
  .description('kør en måned for kommunen (som økonomimedarbejderen Finn i demo)')
  .requiredOption('--period <YYYY-MM>', 'måneden, fx 2026-02')
  .option('--url <url>', 'den kørende Tillid')
  .option('--as <persona>', 'login', 'finn')
  .option('--json', 'JSON i stedet for en tabel')
  .action(async (o: { period: string; url?: string; as: string; json?: boolean }) => {
    const run = await viaApi(o.url ?? defaultUrl(), o.as, 'POST', '/api/payment-runs', { period: o.period })
    if (o.json) return void process.stdout.write(`${JSON.stringify(run, null, 2)}\n`)
    const rows = (run.payments as { payee: { name: string }; amountOre: string; status: string }[]).map(
      (p) => ({
        leverandør: p.payee.name,
        beløb: (Number(p.amountOre) / 100).toLocaleString('da-DK', { minimumFractionDigits: 2 }),
        status: p.status,
      }),
    )
    console.table(rows)
  })
payments
  .command('export')
  .description('dan betalingsfilen for en måned og gem den')
  .requiredOption('--period <YYYY-MM>', 'måneden, fx 2026-02')
  .requiredOption('--out <file>', 'hvor filen skal gemmes')
  .option('--url <url>', 'den kørende Tillid')
  .option('--as <persona>', 'login', 'finn')
  .action(async (o: { period: string; out: string; url?: string; as: string }) => {
    const url = o.url ?? defaultUrl()
    const file = await viaApi(url, o.as, 'POST', `/api/payment-runs/${o.period}/pain001`)
    const xml = (await viaApi(url, o.as, 'GET', file.download)) as string
    const { writePaymentFile } = await import('../services/paymentFile/index.ts')
    await writePaymentFile(path.resolve(o.out), xml)
    process.stdout.write(`${path.resolve(o.out)}: ${file.nbOfTxs} betalinger, ${file.ctrlSumOre} øre\n`)
  })

program
  .command('verify')
  .description('integritetskontrol: genberegn alle forankringer og sammenlign med ledgeren')
  .option('--url <url>', 'den kørende Tillid')
  .option('--as <persona>', 'login', 'revisor')
  .option('--json', 'JSON: {"checked", "mismatches", "erased"}')
  .action(async (o: { url?: string; as: string; json?: boolean }) => {
    const bar = o.json ? null : progress('Kontrollerer')
    // The API streams progress per checked anchor and ends with the result (NDJSON).
    // biome-ignore lint/suspicious/noExplicitAny: the route's result line
    let r: any = null
    await new ApiClient(o.url ?? defaultUrl()).lines(o.as, 'POST', '/api/integrity/verify', (line) => {
      if (line.type === 'progress') bar?.update(line.done, line.total)
      else if (line.type === 'result') r = line
      else if (line.type === 'error') throw new ApiCallError(line.title)
    })
    bar?.stop()
    if (!r) throw new ApiCallError('integritetskontrollen sluttede uden resultat')
    const out = {
      checked: r.checked,
      mismatches: (r.mismatches as { kind: string; id: string; reason: string }[]).map(
        ({ kind, id, reason }) => ({
          kind,
          id,
          reason,
        }),
      ),
      erased: r.erased,
    }
    if (o.json) process.stdout.write(`${JSON.stringify(out)}\n`)
    else {
      process.stdout.write(
        `${out.checked} kontrolleret, ${out.mismatches.length} afvigelser, ${out.erased} slettede\n`,
      )
      if (out.mismatches.length) console.table(out.mismatches)
    }
    process.exitCode = out.mismatches.length ? 1 : 0
  })

program
  .command('scan-chain')
  .description('søg alle transaktioner og logs på ledgeren igennem for personoplysninger (exit 1 ved fund)')
  .option('--url <url>', 'den kørende Tillid')
  .option('--as <persona>', 'login', 'revisor')
  .option('--json', 'JSON')
  .action(async (o: { url?: string; as: string; json?: boolean }) => {
    const r = await viaApi(o.url ?? defaultUrl(), o.as, 'POST', '/api/integrity/scan-chain')
    if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`)
    else {
      process.stdout.write(
        `${r.blocks} blokke, ${r.transactions} transaktioner, ${r.logs} logs: ${r.findings.length} fund\n`,
      )
      if (r.findings.length) console.table(r.findings)
    }
    process.exitCode = r.findings.length ? 1 : 0
  })

program
  .command('backup')
  .description('ét konsistent arkiv af database, ledger-snapshot og journal (Tillid må ikke køre)')
  .requiredOption('--out <file>', 'arkivfilen')
  .action(async (o: { out: string }) => {
    const config = loadConfig()
    const summary = await withStore((store) =>
      backup(store.db, { out: path.resolve(o.out), dataDir: config.dataDir }),
    )
    process.stdout.write(
      `${summary.file}: ${summary.tables} tabeller, ${summary.rows} rækker, ${summary.files} filer\n`,
    )
  })

program
  .command('restore <file>')
  .description('gendan et arkiv i en tom datamappe (Tillid må ikke køre)')
  .action(async (file: string) => {
    const config = loadConfig()
    await withStore((store) => restore(store.db, { file: path.resolve(file), dataDir: config.dataDir }))
    process.stdout.write(`gendannet i ${config.dataDir}; kør "tillid start" og derefter "tillid verify"\n`)
  })

program
  .command('report')
  .description('kvartalsrapporter som PDF (én national og én pr. kommune) med CSV/JSON ved siden af')
  .requiredOption('--quarter <YYYYQn>', 'kvartalet, fx 2026Q2')
  .requiredOption('--out <dir>', 'mappen til rapporterne')
  .action(async (o: { quarter: string; out: string }) => {
    const bar = progress('Rapporter')
    const result = await withStore((store) =>
      buildQuarterlyReportsFromStore(store.db, {
        quarter: o.quarter,
        outDir: path.resolve(o.out),
        onProgress: (done, total) => bar.update(done, total),
      }),
    )
    bar.stop()
    process.stdout.write(`${result.files.length} filer i ${result.outDir}\n`)
  })

program
  .command('seed-national')
  .description('fyld instansen med syntetiske aftaler i alle 98 kommuner (markeret syntetisk)')
  .option('--agreements <n>', 'antal aftaler', '45000')
  .option('--seed <n>', 'tilfældighedsfrø', '1')
  .action(async (o: { agreements: string; seed: string }) => {
    const bar = progress('Syntetiske data')
    const r = await withStore(async (store) => {
      const result = await seedNational(store.db, {
        agreements: Number(o.agreements),
        seed: Number(o.seed),
        onProgress: (done: number, total: number) => bar.update(done, total),
      } as Parameters<typeof seedNational>[1])
      invalidateDashboardCache(store.db)
      return result
    })
    bar.stop()
    process.stdout.write(`${JSON.stringify(r)}\n`)
  })

program
  .command('municipalities')
  .description('kommunelisten')
  .command('import <file>')
  .description('indlæs indbyggertal (Statistikbanken FOLK1A-eksport eller code,name,inhabitants)')
  .action(async (file: string) => {
    const r = await withStore(async (store) => {
      const result = await importMunicipalitiesCsv(store.db, readFileSync(file, 'utf8'))
      invalidateDashboardCache(store.db)
      return result
    })
    process.stdout.write(`${JSON.stringify(r)}\n`)
    if (r.errors.length) process.exitCode = 1
  })

const ledgerCommand = program
  .command('ledger')
  .description('kontrakterne på en EVM-ledger (Besu eller anden JSON-RPC)')
ledgerCommand
  .command('deploy')
  .description('udrul de fire kontrakter; adresserne skrives som JSON og gemmes i databasen i servertilstand')
  .requiredOption('--rpc <urls>', 'JSON-RPC-adresse(r), kommasepareret')
  .requiredOption('--key-file <file>', 'fil med operatørnøglen (32 byte hex, mode 0600)')
  .option('--chain-id <n>', 'forventet kæde-id (afvis en anden node)')
  .action(async (o: { rpc: string; keyFile: string; chainId?: string }) => {
    const config = loadConfig()
    const input = {
      rpcUrls: o.rpc.split(',').map((u) => u.trim()),
      keyFile: path.resolve(o.keyFile),
      chainId: o.chainId ? Number(o.chainId) : undefined,
    }
    const r =
      config.mode === 'server'
        ? await withStore((store) => deployToLedger({ ...input, db: store.db }))
        : await deployToLedger(input)
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`)
  })
ledgerCommand
  .command('upgrade')
  .description('udrul en ny kontraktversion på samme Directory; ældre versioner forbliver læsbare')
  .requiredOption('--key-file <file>', 'fil med operatørnøglen (32 byte hex, mode 0600)')
  .option('--rpc <urls>', 'JSON-RPC-adresse(r) (standard: TILLID_RPC_URL)')
  .action(async (o: { rpc?: string; keyFile: string }) => {
    const config = loadConfig()
    const rpcUrls = o.rpc ? o.rpc.split(',').map((u) => u.trim()) : config.rpcUrls
    if (!rpcUrls.length) throw new LedgerDeployError('angiv --rpc eller TILLID_RPC_URL')
    const r = await withStore((store) =>
      upgradeLedger({ rpcUrls, keyFile: path.resolve(o.keyFile), chainId: config.chainId, db: store.db }),
    )
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`)
  })

const network = program.command('network').description('Besu QBFT-netværket (validatorer, genesis, nøgler)')
network
  .command('init')
  .description('skriv genesis, nodenøgler, tilladelser og startscripts for et QBFT-netværk')
  .requiredOption('--validators <n>', 'antal validatorer (fx én pr. kommune)')
  .requiredOption('--out <dir>', 'mappen netværket skrives til')
  .option('--chain-id <n>', 'kædens id (standard: TILLID_CHAIN_ID)')
  .option('--hosts <list>', 'kommasepareret adresse pr. validator (standard: alle på 127.0.0.1)')
  .option('--block-period <s>', 'sekunder mellem blokke', '2')
  .option('--force', 'overskriv en eksisterende mappe (de gamle nøgler går tabt)')
  .action(
    async (o: {
      validators: string
      out: string
      chainId?: string
      hosts?: string
      blockPeriod: string
      force?: boolean
    }) => {
      const r = await initNetwork({
        validators: Number(o.validators),
        outDir: path.resolve(o.out),
        chainId: o.chainId ? Number(o.chainId) : loadConfig().chainId,
        blockPeriodSeconds: Number(o.blockPeriod),
        force: Boolean(o.force),
        ...(o.hosts ? { hosts: o.hosts.split(',').map((h) => h.trim()) } : {}),
      })
      process.stdout.write(`${JSON.stringify(r.summary, null, 2)}\n`)
      process.stderr.write(
        `${r.files.length} filer i ${r.outDir}; start hver node med node-N/start.sh og sæt TILLID_RPC_URL=${r.summary.tillidRpcUrl}\n`,
      )
    },
  )

program
  .command('status')
  .description('kører der en Tillid på datamappen?')
  .action(() => {
    const config = loadConfig()
    const owner = dataDirOwner(config.dataDir)
    process.stdout.write(
      owner
        ? `Tillid kører (proces ${owner}) på ${config.dataDir}\n`
        : `Ingen Tillid kører på ${config.dataDir}\n`,
    )
  })

try {
  await program.parseAsync(process.argv)
} catch (err) {
  if (
    err instanceof ConfigError ||
    err instanceof StartError ||
    err instanceof DemoError ||
    err instanceof ApiCallError ||
    err instanceof DataDirInUseError ||
    err instanceof NetworkInitError ||
    err instanceof LedgerDeployError
  ) {
    process.stderr.write(`tillid: ${err.message}\n`)
    process.exit(2)
  }
  if ((err as { code?: string }).code === 'ECONNREFUSED' || /fetch failed/.test(String(err))) {
    process.stderr.write(
      'tillid: ingen Tillid svarer på adressen; start den med "tillid start" eller angiv --url\n',
    )
    process.exit(2)
  }
  createLogger('error').error({ err }, 'tillid failed')
  process.stderr.write(`tillid: ${(err as Error).message}\n`)
  process.exit(1)
}
