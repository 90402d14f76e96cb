/**
 * Embedded ledger throughput and recovery, in one run:
 *   npx tsx bench/ledger.ts [blocks=2000] [window=300]
 * - tx/s of send() (journal + single-transaction block) on a fresh chain and after `blocks` blocks;
 * - the same for bare anvil (pre-signed, no journal), to show what the journal costs;
 * - recovery time from the newest snapshot plus N journal entries, and from the journal alone.
 * Uses a file-backed PGlite store in a temp directory, as `tillid start` does.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import pino from 'pino'
import { type EmbeddedLedger, startEmbeddedLedger } from '../src/ledger/embeddedLedger.ts'
import { deployerAccount, ledgerAccount } from '../src/ledger/keys.ts'
import { openStore, type Store } from '../src/store/database.ts'

const blocks = Number(process.argv[2] ?? 2000)
const window = Number(process.argv[3] ?? 300)
const dir = mkdtempSync(path.join(tmpdir(), 'tillid-bench-ledger-'))
const logger = pino({ level: 'warn' })
const base = { chainId: 45054, genesisTimestamp: 1_767_225_600, demo: true, logger, dataDir: dir }
const deployer = deployerAccount()
const to = ledgerAccount(9).address

async function rate(ledger: EmbeddedLedger, n: number): Promise<number> {
  const t = performance.now()
  for (let i = 0; i < n; i++)
    await ledger.send({ account: deployer, to, data: '0x', value: 1n, gas: 21_000n })
  return (n * 1000) / (performance.now() - t)
}

async function open(snapshotEvery: number): Promise<{ store: Store; ledger: EmbeddedLedger; ms: number }> {
  const store = await openStore({ kind: 'pglite', dir: path.join(dir, 'db') })
  const t = performance.now()
  const ledger = await startEmbeddedLedger({ ...base, store, snapshotEvery })
  return { store, ledger, ms: performance.now() - t }
}

console.log(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
)
let { store, ledger } = await open(1_000_000)
const fresh = await rate(ledger, window)
const fill = blocks - window
const t = performance.now()
await rate(ledger, fill)
console.log(`filled ${fill} more blocks in ${((performance.now() - t) / 1000).toFixed(1)} s`)
const later = await rate(ledger, window)
console.log(
  `send() tx/s, single-tx blocks: fresh ${fresh.toFixed(0)}, after ${blocks} blocks ${later.toFixed(0)}`,
)

await ledger.snapshot()
const tail = 200
await rate(ledger, tail)
await ledger.stop()
await store.close()
// stop() snapshots the tail too; drop that one to recover as after a crash: snapshot + journal.
const snapshotDir = path.join(dir, 'ledger', 'snapshots')
const newest = readdirSync(snapshotDir).sort().at(-1)
if (newest) rmSync(path.join(snapshotDir, newest))
;({ store, ledger } = await open(1_000_000))
let r = ledger.lastRecovery
console.log(
  `recovery: snapshot at block ${blocks} + ${r?.replayed} journal entries: ${r?.ms} ms (${r?.snapshot})`,
)
await ledger.stop()
await store.close()

rmSync(path.join(dir, 'ledger', 'snapshots'), { recursive: true, force: true })
;({ store, ledger } = await open(1_000_000))
r = ledger.lastRecovery
console.log(
  `recovery: whole journal, ${r?.replayed} entries: ${r?.ms} ms (${((r?.replayed ?? 0) * 1000) / (r?.ms ?? 1)} entries/s)`,
)
await ledger.stop()
await store.close()
console.log(
  `load average at end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
)
rmSync(dir, { recursive: true, force: true })
