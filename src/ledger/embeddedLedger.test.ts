import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pino from 'pino'
import type { Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tinyAbi, tinyBytecode, tinyCall } from '../../test/fixtures/ledger/tinyContract.ts'
import { openStore, type Store } from '../store/database.ts'
import { anvilVersion, PINNED_ANVIL_VERSION, resolveAnvilBinary } from './anvilProcess.ts'
import { type EmbeddedLedger, type EmbeddedLedgerOptions, startEmbeddedLedger } from './embeddedLedger.ts'
import { type LedgerError, LedgerRevertError } from './errors.ts'
import { deployerAccount, keeperAccount, randomCustodialKey } from './keys.ts'

const GENESIS = 1_767_225_600

function capturingLogger() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = []
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) })
  return { logger, lines, messages: () => lines.map((l) => l.msg) }
}

async function blockHashes(ledger: EmbeddedLedger): Promise<Hex[]> {
  const head = await ledger.publicClient.getBlockNumber()
  const hashes: Hex[] = []
  for (let n = 0n; n <= head; n++) hashes.push((await ledger.publicClient.getBlock({ blockNumber: n })).hash)
  return hashes
}

async function errorOf(p: Promise<unknown>): Promise<LedgerError> {
  try {
    await p
  } catch (e) {
    return e as LedgerError
  }
  throw new Error('expected a rejection')
}

describe('embedded ledger', () => {
  let store: Store
  let dataDir: string
  let ledger: EmbeddedLedger
  let log: ReturnType<typeof capturingLogger>
  let tiny: Hex
  const options = (): EmbeddedLedgerOptions => ({
    dataDir,
    store,
    chainId: 45054,
    genesisTimestamp: GENESIS,
    snapshotEvery: 4,
    demo: true,
    logger: log.logger,
  })

  beforeAll(async () => {
    store = await openStore({ kind: 'pglite', dir: null })
    dataDir = mkdtempSync(path.join(tmpdir(), 'tillid-ledger-'))
    log = capturingLogger()
    ledger = await startEmbeddedLedger(options())
  })
  afterAll(async () => {
    await ledger?.stop()
    await store?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('deploys, sends and decodes a custom-error revert into LedgerRevertError without sending it', async () => {
    const deployer = deployerAccount()
    tiny = (await ledger.deploy({ account: deployer, abi: tinyAbi, bytecode: tinyBytecode })) as Hex
    const receipt = await ledger.send({ account: deployer, to: tiny, data: tinyCall(7n) })
    expect(receipt.status).toBe('success')
    expect(receipt.logs[0]?.data).toBe(tinyCall(7n))
    expect(await ledger.publicClient.getStorageAt({ address: tiny, slot: '0x0' })).toBe(tinyCall(7n))

    const head = await ledger.publicClient.getBlockNumber()
    const error = await errorOf(
      ledger.send({ account: deployer, to: tiny, data: tinyCall(0n), abi: tinyAbi }),
    )
    expect(error).toBeInstanceOf(LedgerRevertError)
    expect(error.code).toBe('LEDGER_REVERTED')
    expect((error as LedgerRevertError).errorName).toBe('Nope')
    expect((error as LedgerRevertError).args).toEqual([42n])
    expect(await ledger.publicClient.getBlockNumber()).toBe(head)
  })

  it('keeps nonces per account, including fresh custodial keys with no ether (gas price 0)', async () => {
    const custodial = randomCustodialKey().account
    const senders = [deployerAccount(), keeperAccount(), custodial]
    const receipts = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) =>
        ledger.send({ account: senders[i % 3]!, to: tiny, data: tinyCall(BigInt(100 + i)) }),
      ),
    )
    expect(receipts.map((r) => r.status)).toEqual(Array(6).fill('success'))
    // One transaction per block, in the order submitted.
    const numbers = receipts.map((r) => Number(r.blockNumber))
    expect(numbers).toEqual(numbers.map((_, i) => (numbers[0] as number) + i))
    expect(await ledger.publicClient.getTransactionCount({ address: custodial.address })).toBe(2)
  })

  it('moves demo time forward only; blocks follow the ledger clock', async () => {
    const target = GENESIS + 40 * 86_400
    await ledger.advanceTo(target)
    expect(ledger.now()).toBe(target)
    expect((await ledger.publicClient.getBlock()).timestamp).toBe(BigInt(target))
    const back = await errorOf(ledger.advanceTo(target - 1))
    expect(back.code).toBe('LEDGER_CLOCK_BACKWARDS')
    const receipt = await ledger.send({ account: deployerAccount(), to: tiny, data: tinyCall(1n) })
    const block = await ledger.publicClient.getBlock({ blockNumber: receipt.blockNumber })
    expect(block.timestamp).toBe(BigInt(target + 1))
  })

  it('journals balance changes like transactions', async () => {
    const someone = randomCustodialKey().account.address
    await ledger.setBalance(someone, 10n ** 18n)
    expect(await ledger.publicClient.getBalance({ address: someone })).toBe(10n ** 18n)
  })

  it('restarts anvil killed -9 while running, recovers, and loses nothing', async () => {
    const before = await blockHashes(ledger)
    const { anvilPid } = await ledger.health()
    process.kill(anvilPid as number, 'SIGKILL')
    const receipt = await ledger.send({ account: deployerAccount(), to: tiny, data: tinyCall(55n) })
    expect(receipt.status).toBe('success')
    const after = await blockHashes(ledger)
    expect(after.slice(0, before.length)).toEqual(before)
    const health = await ledger.health()
    expect(health.ok).toBe(true)
    expect(health.restarts).toBe(1)
    expect(health.anvilPid).not.toBe(anvilPid)
    expect(log.messages()).toContain(
      'anvil exited unexpectedly; restarting it and recovering from snapshot and journal',
    )
  })

  it('replaces an anvil whose wrapper was killed on its own, without a port clash', async () => {
    const { anvilPid } = await ledger.health()
    const wrapper = Number(
      readFileSync(path.join(dataDir, 'ledger', 'anvil.pid'), 'utf8').match(/"wrapperPid":(\d+)/)?.[1],
    )
    process.kill(wrapper, 'SIGKILL')
    const receipt = await ledger.send({ account: deployerAccount(), to: tiny, data: tinyCall(56n) })
    expect(receipt.status).toBe('success')
    const health = await ledger.health()
    expect(health.restarts).toBe(2)
    expect(health.anvilPid).not.toBe(anvilPid)
  })

  it('snapshots at stop and starts again from that snapshot without replaying', async () => {
    const before = await blockHashes(ledger)
    await ledger.stop()
    ledger = await startEmbeddedLedger(options())
    expect(ledger.lastRecovery?.replayed).toBe(0)
    expect(ledger.lastRecovery?.snapshot).not.toBeNull()
    expect(await blockHashes(ledger)).toEqual(before)
    expect(ledger.now()).toBe(GENESIS + 40 * 86_400)
  })

  it('falls back to the previous snapshot when the newest is corrupt, says so, and rebuilds the same chain', async () => {
    const before = await blockHashes(ledger)
    const state = await ledger.publicClient.getStorageAt({ address: tiny, slot: '0x0' })
    await ledger.stop()
    const dir = path.join(dataDir, 'ledger', 'snapshots')
    const files = readdirSync(dir).sort().reverse()
    expect(files.length).toBe(3)
    writeFileSync(path.join(dir, files[0] as string), 'garbage')
    ledger = await startEmbeddedLedger(options())
    expect(ledger.lastRecovery?.snapshot).toBe(files[1])
    expect(ledger.lastRecovery?.skipped.map((s) => s.file)).toEqual([files[0]])
    expect(ledger.lastRecovery?.replayed).toBeGreaterThan(0)
    expect(log.messages()).toContain('ledger snapshot unusable; falling back to an older one')
    expect(await blockHashes(ledger)).toEqual(before)
    expect(await ledger.publicClient.getStorageAt({ address: tiny, slot: '0x0' })).toBe(state)
  })

  it('replays the whole journal when no snapshot is usable, and says so', async () => {
    const before = await blockHashes(ledger)
    await ledger.stop()
    const dir = path.join(dataDir, 'ledger', 'snapshots')
    for (const f of readdirSync(dir)) writeFileSync(path.join(dir, f), Buffer.alloc(0))
    ledger = await startEmbeddedLedger(options())
    expect(ledger.lastRecovery?.snapshot).toBeNull()
    expect(ledger.lastRecovery?.skipped.length).toBe(3)
    expect(log.messages()).toContain('no usable ledger snapshot; replaying the whole journal')
    expect(await blockHashes(ledger)).toEqual(before)
  })

  it('stops with LEDGER_REPLAY_DIVERGED when a replay would rebuild a different block', async () => {
    await ledger.stop()
    const entry = await store.db
      .selectFrom('ledger_journal')
      .select(['seq', 'block_hash'])
      .where('kind', '=', 'tx')
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow()
    expect(entry.block_hash).toMatch(/^0x[0-9a-f]{64}$/)
    const setHash = (hash: string | null) =>
      store.db.updateTable('ledger_journal').set({ block_hash: hash }).where('seq', '=', entry.seq).execute()
    await setHash(`0x${'ab'.repeat(32)}`)
    rmSync(path.join(dataDir, 'ledger', 'snapshots'), { recursive: true, force: true })
    const error = await errorOf(startEmbeddedLedger(options()))
    expect(error.code).toBe('LEDGER_REPLAY_DIVERGED')
    expect(error.message).toMatch(new RegExp(`entry ${entry.seq} produced block ${entry.block_hash}`))
    await setHash(entry.block_hash)
    ledger = await startEmbeddedLedger(options())
    expect(ledger.lastRecovery?.snapshot).toBeNull()
  })

  it('refuses a second instance on the same data directory', async () => {
    const error = await errorOf(startEmbeddedLedger(options()))
    expect(error.code).toBe('LEDGER_DATA_DIR_IN_USE')
    expect((await ledger.health()).ok).toBe(true)
  })

  it('refuses to replay the journal under other chain parameters', async () => {
    await ledger.stop()
    const error = await errorOf(startEmbeddedLedger({ ...options(), chainId: 1 }))
    expect(error.code).toBe('LEDGER_PARAMS_CHANGED')
    expect(error.message).toMatch(/chainId 45054 → 1/)
    ledger = await startEmbeddedLedger(options())
    expect((await ledger.health()).ok).toBe(true)
  })

  it('refuses work submitted after stop() and stops once', async () => {
    const stopping = ledger.stop()
    const late = errorOf(ledger.send({ account: deployerAccount(), to: tiny, data: tinyCall(2n) }))
    await Promise.all([stopping, ledger.stop()])
    expect((await late).code).toBe('LEDGER_STOPPED')
    expect((await ledger.health()).ok).toBe(false)
    ledger = await startEmbeddedLedger(options())
  })

  it('refuses to move time outside demo mode', async () => {
    const other = await openStore({ kind: 'pglite', dir: null })
    const otherDir = mkdtempSync(path.join(tmpdir(), 'tillid-ledger-wall-'))
    const wall = await startEmbeddedLedger({ ...options(), store: other, dataDir: otherDir, demo: false })
    try {
      expect(Math.abs(wall.now() - Date.now() / 1000)).toBeLessThan(5)
      expect((await errorOf(wall.advanceTo(wall.now() + 10))).code).toBe('LEDGER_NOT_SUPPORTED')
      const receipt = await wall.send({
        account: deployerAccount(),
        to: deployerAccount().address,
        data: '0x',
      })
      const block = await wall.publicClient.getBlock({ blockNumber: receipt.blockNumber })
      expect(Number(block.timestamp)).toBeGreaterThanOrEqual(wall.now() - 1)
    } finally {
      await wall.stop()
      await other.close()
      rmSync(otherDir, { recursive: true, force: true })
    }
  })

  it('gives one clear error when the anvil port is taken', async () => {
    const server = net.createServer()
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
    )
    const otherDir = mkdtempSync(path.join(tmpdir(), 'tillid-ledger-port-'))
    try {
      const error = await errorOf(startEmbeddedLedger({ ...options(), dataDir: otherDir, port }))
      expect(error.code).toBe('LEDGER_PORT_IN_USE')
      expect(error.message).toMatch(new RegExp(`port ${port} .*TILLID_ANVIL_PORT`))
    } finally {
      server.close()
      rmSync(otherDir, { recursive: true, force: true })
    }
  })
})

describe('anvil binary', () => {
  it('is the pinned version', () => {
    expect(anvilVersion(resolveAnvilBinary())).toBe(PINNED_ANVIL_VERSION)
  })

  it('gives one clear error when there is no binary for the platform', () => {
    const error = (() => {
      try {
        resolveAnvilBinary('linux', 'mips64')
      } catch (e) {
        return e as LedgerError
      }
    })()
    expect(error?.code).toBe('LEDGER_BINARY_MISSING')
    expect(error?.message).toMatch(/@foundry-rs\/anvil-linux-mips64 is missing/)
  })
})
