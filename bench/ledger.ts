/**
 * Embedded ledger throughput and recovery, in one run:
 *   npx tsx bench/ledger.ts [blocks=2000] [window=300]
 * - tx/s of bare anvil (pre-signed transfers, one per block, no journal, no simulation);
 * - tx/s of send() (simulate, sign, journal, one block) on a fresh chain and after `blocks` blocks;
 * - recovery time from a snapshot plus N journal entries, and from the journal alone.
 * Uses a file-backed PGlite store in a temp directory, as `tillid start` does. Ratios between the
 * lines are what to compare; absolute numbers depend on the machine and its load (printed).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import pino from 'pino'
import type { Hex } from 'viem'
import { findFreePort, PINNED_HARDFORK, resolveAnvilBinary, startAnvil } from '../src/ledger/anvilProcess.ts'
import { type EmbeddedLedger, startEmbeddedLedger } from '../src/ledger/embeddedLedger.ts'
import { deployerAccount, LEDGER_MNEMONIC, ledgerAccount } from '../src/ledger/keys.ts'
import { JsonRpc } from '../src/ledger/rpc.ts'
import { openStore, type Store } from '../src/store/database.ts'

const blocks = Number(process.argv[2] ?? 2000)
const window = Number(process.argv[3] ?? 300)
const dir = mkdtempSync(path.join(tmpdir(), 'tillid-bench-ledger-'))
const logger = pino({ level: 'warn' })
const GENESIS = 1_767_225_600
const base = { chainId: 45054, genesisTimestamp: GENESIS, demo: true, logger, dataDir: dir }
const deployer = deployerAccount()
const to = ledgerAccount(9).address
const load = () => loadavg()[0]?.toFixed(1)

async function bareAnvil(): Promise<{ fresh: number; later: number }> {
  const anvil = await startAnvil({
    bin: resolveAnvilBinary(),
    params: {
      chainId: 45054,
      genesisTimestamp: GENESIS,
      hardfork: PINNED_HARDFORK,
      mnemonic: LEDGER_MNEMONIC,
    },
    port: await findFreePort(),
    logger,
  })
  const rpc = new JsonRpc(anvil.url)
  const raws: Hex[] = []
  for (let nonce = 0; nonce < blocks + window; nonce++) {
    const tx = { chainId: 45054, type: 'eip1559', nonce, to, value: 1n, gas: 21_000n } as const
    raws.push(await deployer.signTransaction({ ...tx, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n }))
  }
  const run = async (from: number, n: number) => {
    const t0 = performance.now()
    for (let i = from; i < from + n; i++) {
      await rpc.call('evm_setNextBlockTimestamp', [GENESIS + 1 + i])
      await rpc.call('eth_sendRawTransactionSync', [raws[i]])
    }
    return (n * 1000) / (performance.now() - t0)
  }
  await run(0, 20) // warm-up: JIT, connections
  const fresh = await run(20, window)
  await run(window + 20, blocks - window - 20)
  const later = await run(blocks, window)
  await anvil.stop()
  return { fresh, later }
}

async function rate(ledger: EmbeddedLedger, n: number): Promise<number> {
  const t0 = performance.now()
  for (let i = 0; i < n; i++) await ledger.send({ account: deployer, to, data: '0x', value: 1n })
  return (n * 1000) / (performance.now() - t0)
}

async function open(): Promise<{ store: Store; ledger: EmbeddedLedger }> {
  const store = await openStore({ kind: 'pglite', dir: path.join(dir, 'db') })
  const ledger = await startEmbeddedLedger({ ...base, store, snapshotEvery: 1_000_000 })
  return { store, ledger }
}

console.log(`load average (1 min) at start: ${load()}`)
const bare = await bareAnvil()
console.log(
  `bare anvil tx/s: fresh ${bare.fresh.toFixed(0)}, after ${blocks} blocks ${bare.later.toFixed(0)}`,
)

let { store, ledger } = await open()
await rate(ledger, 20) // warm-up: JIT, connections
const fresh = await rate(ledger, window)
await rate(ledger, blocks - window - 20)
const later = await rate(ledger, window)
console.log(`send() tx/s: fresh ${fresh.toFixed(0)}, after ${blocks} blocks ${later.toFixed(0)}`)

await ledger.snapshot()
await rate(ledger, 200)
await ledger.stop()
await store.close()
// stop() snapshots the tail too; drop that one to recover as after a crash: snapshot + journal.
const snapshotDir = path.join(dir, 'ledger', 'snapshots')
const newest = readdirSync(snapshotDir).sort().at(-1)
if (newest) rmSync(path.join(snapshotDir, newest))
;({ store, ledger } = await open())
let r = ledger.lastRecovery
console.log(
  `recovery: ${r?.snapshot} + ${r?.replayed} journal entries: ${r?.ms} ms ` +
    `(load ${r?.loadMs}, replay ${r?.replayMs}, new snapshot ${r?.snapshotMs})`,
)
await ledger.stop()
await store.close()

rmSync(snapshotDir, { recursive: true, force: true })
;({ store, ledger } = await open())
r = ledger.lastRecovery
const perSecond = ((r?.replayed ?? 0) * 1000) / (r?.replayMs || 1)
console.log(
  `recovery: whole journal, ${r?.replayed} entries: ${r?.ms} ms ` +
    `(replay ${r?.replayMs} = ${perSecond.toFixed(0)} entries/s, new snapshot ${r?.snapshotMs})`,
)
await ledger.stop()
await store.close()
console.log(`load average (1 min) at end: ${load()}`)
rmSync(dir, { recursive: true, force: true })
