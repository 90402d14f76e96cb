/**
 * The embedded ledger: anvil supervised by Tillid, with the app as the source of durability
 * (architecture.md §3). Every transaction and cheat call is journaled in the store before it is
 * sent, mined alone in a block whose timestamp the app chose, one at a time; snapshots are
 * anvil_dumpState written atomically; at start (and when anvil dies) a fresh anvil loads the
 * newest usable snapshot and replays the journal after it, which rebuilds identical blocks.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { Logger } from 'pino'
import {
  type Address,
  createPublicClient,
  encodeDeployData,
  formatTransactionReceipt,
  type Hex,
  http,
  keccak256,
  numberToHex,
  type RpcTransactionReceipt,
  type TransactionReceipt,
  toHex,
} from 'viem'
import type { Db, Store } from '../store/database.ts'
import {
  type AnvilProcess,
  assertPinnedVersion,
  assertPortFree,
  type ChainParams,
  clearStaleAnvil,
  findFreePort,
  PINNED_HARDFORK,
  resolveAnvilBinary,
  startAnvil,
} from './anvilProcess.ts'
import { type LedgerClock, ManualClock, nextBlockTimestamp, WallClock } from './clock.ts'
import { LedgerError } from './errors.ts'
import { Journal, type JournalEntry, type NewJournalEntry } from './journal.ts'
import { LEDGER_MNEMONIC } from './keys.ts'
import {
  type DeployRequest,
  type LedgerClient,
  type LedgerHealth,
  ledgerChain,
  minedRevertData,
  NonceManager,
  revertError,
  type SendRequest,
  simulate,
} from './ledgerClient.ts'
import { getMeta, setMeta } from './meta.ts'
import { JsonRpc, RpcResponseError, RpcTransportError } from './rpc.ts'
import { SerialQueue } from './serialQueue.ts'
import { SnapshotCorruptError, type SnapshotInfo, SnapshotStore } from './snapshots.ts'

export interface EmbeddedLedgerOptions {
  /** Tillid's data directory; the ledger uses DATA_DIR/ledger. */
  dataDir: string
  /** The store holding ledger_journal and ledger_meta (a file-backed PGlite for durability). */
  store: Store | Db
  chainId: number
  /** Unix seconds of the genesis block. */
  genesisTimestamp: number
  /** Take a snapshot after this many journal entries. */
  snapshotEvery: number
  /** Demo mode: a manual ledger clock that advanceTo moves forward; otherwise the wall clock. */
  demo: boolean
  logger: Logger
  /** anvil's port; 0 or omitted picks a free one. */
  port?: number | undefined
  /** Overrides the anvil binary (tests); normally resolved from @foundry-rs/anvil. */
  anvilBin?: string | undefined
  /** Snapshots to keep (default 3). */
  keepSnapshots?: number | undefined
}

export interface EmbeddedLedger extends LedgerClient {
  readonly kind: 'embedded'
  /** Cheat call, journaled like a transaction: sets an account's balance in wei. */
  setBalance(address: Address, wei: bigint): Promise<void>
  /** What the last recovery did (at start or after anvil died). */
  readonly lastRecovery: RecoveryReport | null
}

export interface RecoveryReport {
  reason: 'start' | 'crash'
  /** Snapshot loaded, or null for a replay of the whole journal. */
  snapshot: string | null
  /** Snapshots that could not be used, with why. */
  skipped: { file: string; reason: string }[]
  replayed: number
  /** Milliseconds spent loading the snapshot, replaying, and writing the new snapshot. */
  loadMs: number
  replayMs: number
  snapshotMs: number
  blockNumber: bigint
  ms: number
}

type Applied =
  | { kind: 'mined'; receipt: RpcTransactionReceipt | null; blockHash: Hex }
  | { kind: 'rejected'; error: RpcResponseError }
  | { kind: 'none' }

const MAX_RESTARTS = 5
const HASH_BATCH = 64
const RESTART_WINDOW_MS = 60_000

export async function startEmbeddedLedger(options: EmbeddedLedgerOptions): Promise<EmbeddedLedger> {
  const ledger = new Embedded(options)
  await ledger.start()
  return ledger
}

class Embedded implements EmbeddedLedger {
  readonly kind = 'embedded' as const
  private readonly db: Db
  private readonly log: Logger
  private readonly journal: Journal
  private readonly snapshots: SnapshotStore
  private readonly queue = new SerialQueue()
  private readonly nonces = new NonceManager()
  private readonly params: ChainParams
  private readonly ledgerDir: string
  private readonly pidFile: string
  private bin = ''
  private port = 0
  private anvil!: AnvilProcess
  private rpc!: JsonRpc
  private clock: LedgerClock = new WallClock()
  private lastTimestamp = 0
  private blockGasLimit = 30_000_000n
  private appliedSeq = 0n
  private sinceSnapshot = 0
  private restarts: number[] = []
  private restartCount = 0
  private failed: LedgerError | null = null
  /** anvils this supervisor stopped on purpose: their exit is no crash. */
  private readonly retired = new WeakSet<AnvilProcess>()
  private stopping = false
  private pendingHashes: { seq: bigint; hash: Hex }[] = []
  private recovering = false
  private stopped: Promise<void> | null = null
  lastRecovery: RecoveryReport | null = null
  rpcUrl = ''
  chain!: EmbeddedLedger['chain']
  publicClient!: EmbeddedLedger['publicClient']

  constructor(private readonly options: EmbeddedLedgerOptions) {
    this.db = 'db' in options.store ? options.store.db : options.store
    this.log = options.logger.child({ module: 'ledger' })
    this.journal = new Journal(this.db)
    this.ledgerDir = path.join(options.dataDir, 'ledger')
    this.pidFile = path.join(this.ledgerDir, 'anvil.pid')
    this.snapshots = new SnapshotStore(path.join(this.ledgerDir, 'snapshots'), options.keepSnapshots ?? 3)
    this.params = {
      chainId: options.chainId,
      genesisTimestamp: options.genesisTimestamp,
      hardfork: PINNED_HARDFORK,
      mnemonic: LEDGER_MNEMONIC,
    }
  }

  async start(): Promise<void> {
    this.bin = this.options.anvilBin ?? resolveAnvilBinary()
    const version = assertPinnedVersion(this.bin)
    await fs.mkdir(this.ledgerDir, { recursive: true })
    await this.checkParams(version)
    await clearStaleAnvil(this.pidFile, this.log)
    await this.snapshots.init()
    if (this.options.port) {
      await assertPortFree(this.options.port)
      this.port = this.options.port
    } else {
      this.port = await findFreePort()
    }
    this.rpcUrl = `http://127.0.0.1:${this.port}`
    this.rpc = new JsonRpc(this.rpcUrl)
    this.chain = ledgerChain(this.options.chainId, this.rpcUrl, 'Tillid embedded ledger')
    // Blocks come as fast as transactions: a cached block number (viem's default 4 s) would read stale.
    this.publicClient = createPublicClient({
      chain: this.chain,
      transport: http(this.rpcUrl, { retryCount: 2 }),
      cacheTime: 0,
      pollingInterval: 250,
    })
    await this.launch()
    try {
      await this.recover('start')
    } catch (e) {
      await this.retire().catch(() => {})
      throw e
    }
  }

  /**
   * The journal only replays to the same chain under the same parameters, so a changed chain id,
   * genesis time or anvil version on a used data directory is refused rather than silently forked.
   */
  private async checkParams(anvilVersion: string): Promise<void> {
    const wanted = {
      anvilVersion,
      hardfork: this.params.hardfork,
      chainId: this.params.chainId,
      genesisTimestamp: this.params.genesisTimestamp,
      mnemonic: keccak256(toHex(this.params.mnemonic)),
    }
    const recorded = await getMeta(this.db, 'ledger.params')
    if (recorded && recorded !== JSON.stringify(wanted) && (await this.journal.lastSeq()) > 0n) {
      const before = JSON.parse(recorded) as typeof wanted
      const changed = (Object.keys(wanted) as (keyof typeof wanted)[])
        .filter((k) => before[k] !== wanted[k])
        .map((k) => `${k} ${before[k]} → ${wanted[k]}`)
      throw new LedgerError(
        'LEDGER_PARAMS_CHANGED',
        `the ledger in ${this.options.dataDir} was created with other parameters (${changed.join(', ')}); ` +
          'restore the old settings or use a new TILLID_DATA_DIR',
      )
    }
    if (recorded !== JSON.stringify(wanted)) await setMeta(this.db, 'ledger.params', JSON.stringify(wanted))
  }

  private async launch(): Promise<void> {
    const anvil = await startAnvil({
      bin: this.bin,
      params: this.params,
      port: this.port,
      logger: this.log,
      pidFile: this.pidFile,
    })
    this.anvil = anvil
    void anvil.exited.then((info) => {
      if (this.anvil !== anvil || this.retired.has(anvil) || this.stopping) return
      this.log.error(
        { anvilPid: anvil.pid, code: info.code, signal: info.signal, stderr: anvil.stderrTail().slice(-500) },
        'anvil exited unexpectedly; restarting it and recovering from snapshot and journal',
      )
      this.queue
        .run(() => this.ensureRunning())
        .catch((e) => {
          if ((e as LedgerError).code === 'LEDGER_STOPPED') return
          this.log.fatal({ err: e }, 'ledger recovery after an anvil crash failed')
        })
    })
  }

  private async retire(timeoutMs?: number): Promise<void> {
    this.retired.add(this.anvil)
    await this.anvil.stop(timeoutMs)
  }

  /** Within the queue: if anvil is gone, start a fresh one and recover. */
  private async ensureRunning(): Promise<void> {
    if (this.failed) throw this.failed
    if (this.stopping) throw new LedgerError('LEDGER_STOPPED', 'the ledger is stopped')
    if (!this.anvil.hasExited) return
    const now = Date.now()
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS)
    if (this.restarts.length >= MAX_RESTARTS) {
      this.failed = new LedgerError(
        'LEDGER_UNAVAILABLE',
        `anvil died ${MAX_RESTARTS} times within ${RESTART_WINDOW_MS / 1000} s; giving up (last stderr: ${this.anvil
          .stderrTail()
          .slice(-200)})`,
      )
      throw this.failed
    }
    this.restarts.push(now)
    this.restartCount++
    await this.launch()
    try {
      await this.recover('crash')
    } catch (e) {
      if ((e as LedgerError).code === 'LEDGER_REPLAY_DIVERGED') this.failed = e as LedgerError
      // A half-recovered chain must not take writes: the next call starts over from a fresh anvil.
      await this.retire(1000)
      throw e
    }
  }

  /** Kills a misbehaving anvil and recovers, within the queue. */
  private async restartAfterTransportError(cause: unknown): Promise<void> {
    if (!this.anvil.hasExited) {
      // Unreachable but alive (hung): the journal decides what the chain is, so start over.
      this.log.error({ err: cause }, 'anvil stopped answering; restarting it')
      await this.retire(1000)
    }
    await this.ensureRunning()
  }

  private async recover(reason: 'start' | 'crash'): Promise<void> {
    this.recovering = true
    try {
      await this.recoverInner(reason)
    } finally {
      this.recovering = false
    }
  }

  private async recoverInner(reason: 'start' | 'crash'): Promise<void> {
    const started = Date.now()
    // After a crash in this process: what is known goes to the journal first, so replay checks it.
    await this.flushHashes()
    const lastSeq = await this.journal.lastSeq()
    const skipped: { file: string; reason: string }[] = []
    let loaded: SnapshotInfo | null = null
    const all = await this.snapshots.list()
    for (const info of all) {
      const name = path.basename(info.file)
      if (info.seq > lastSeq) {
        // The store was replaced or restored from an older backup: this state is not the journal's.
        const reason = `it is ahead of the journal (entry ${info.seq} > ${lastSeq}); moved aside`
        skipped.push({ file: name, reason })
        this.log.warn({ snapshot: name, reason }, 'ledger snapshot does not belong to this journal')
        await this.snapshots.setAside(info, 'ahead-of-journal')
        continue
      }
      try {
        const state = await this.snapshots.read(info)
        await this.rpc.call('anvil_loadState', [state])
        const head = BigInt(await this.rpc.call<Hex>('eth_blockNumber'))
        if (head !== info.blockNumber) {
          throw new SnapshotCorruptError(
            `${name} loaded block ${head}, but was taken at block ${info.blockNumber}`,
          )
        }
        loaded = info
        break
      } catch (e) {
        if (e instanceof RpcTransportError) throw e
        const why =
          e instanceof SnapshotCorruptError ? e.message : `anvil could not load it: ${(e as Error).message}`
        skipped.push({ file: name, reason: why })
        this.log.warn(
          { snapshot: name, reason: why },
          'ledger snapshot unusable; falling back to an older one',
        )
        // anvil may hold part of the rejected state: continue from a fresh one.
        await this.retire()
        await this.launch()
      }
    }
    if (!loaded && all.length > 0) {
      this.log.warn({ skipped }, 'no usable ledger snapshot; replaying the whole journal')
    }

    const loadMs = Date.now() - started
    let replayed = 0
    for await (const entry of this.journal.iterateAfter(loaded?.seq ?? 0n)) {
      const result = await this.apply(entry)
      if (result.kind === 'mined') {
        if (entry.blockHash && entry.blockHash !== result.blockHash) {
          throw new LedgerError(
            'LEDGER_REPLAY_DIVERGED',
            `replaying journal entry ${entry.seq} produced block ${result.blockHash}, but it was ${entry.blockHash} ` +
              'before; the ledger would fork, so Tillid stops (was anvil or a chain setting changed?)',
          )
        }
        if (!entry.blockHash) this.pendingHashes.push({ seq: entry.seq, hash: result.blockHash })
      }
      replayed++
    }
    await this.flushHashes()
    // Everything in the journal is now applied (a snapshot's own position included).
    this.appliedSeq = lastSeq

    const head = await this.rpc.call<{ number: Hex; timestamp: Hex; gasLimit: Hex }>('eth_getBlockByNumber', [
      'latest',
      false,
    ])
    this.lastTimestamp = Number(BigInt(head.timestamp))
    this.blockGasLimit = BigInt(head.gasLimit)
    if (this.options.demo) {
      this.clock = new ManualClock((await this.journal.lastClock()) ?? this.options.genesisTimestamp)
    } else {
      this.clock = new WallClock()
    }
    this.nonces.clear()
    this.sinceSnapshot = replayed
    const replayMs = Date.now() - started - loadMs
    // The next recovery (or crash restart) then starts from here instead of replaying all this again.
    if (replayed > 0) await this.takeSnapshot()
    const snapshotMs = Date.now() - started - loadMs - replayMs
    this.lastRecovery = {
      reason,
      snapshot: loaded ? path.basename(loaded.file) : null,
      skipped,
      replayed,
      blockNumber: BigInt(head.number),
      loadMs,
      replayMs,
      snapshotMs,
      ms: Date.now() - started,
    }
    this.log.info(
      { ...this.lastRecovery, blockNumber: this.lastRecovery.blockNumber.toString(), rpcUrl: this.rpcUrl },
      reason === 'start' ? 'ledger ready' : 'ledger recovered after anvil crash',
    )
  }

  /** Sends one journal entry to anvil, exactly as it is replayed later. */
  private async apply(entry: JournalEntry, timestampAlreadySet = false): Promise<Applied> {
    switch (entry.kind) {
      case 'tx': {
        if (!timestampAlreadySet) await this.rpc.call('evm_setNextBlockTimestamp', [entry.timestamp])
        try {
          const receipt = await this.rpc.call<RpcTransactionReceipt>('eth_sendRawTransactionSync', [
            entry.rawTx,
          ])
          return { kind: 'mined', receipt, blockHash: receipt.blockHash }
        } catch (e) {
          if (e instanceof RpcResponseError) return { kind: 'rejected', error: e }
          throw e
        }
      }
      case 'advance': {
        if (entry.timestamp === null) return { kind: 'none' }
        await this.rpc.call('evm_mine', [entry.timestamp])
        const block = await this.rpc.call<{ hash: Hex }>('eth_getBlockByNumber', ['latest', false])
        return { kind: 'mined', receipt: null, blockHash: block.hash }
      }
      case 'setBalance':
        await this.rpc.call('anvil_setBalance', [entry.address, numberToHex(entry.wei)])
        return { kind: 'none' }
    }
  }

  /** Journals an entry, then applies it; a crash of anvil in between is recovered from the journal. */
  private async journalAndApply(
    entry: NewJournalEntry,
    txHash?: Hex,
  ): Promise<{ seq: bigint; applied: Applied }> {
    const seq = await this.journal.append(entry)
    let applied: Applied
    try {
      // A transaction's timestamp was set for its simulation in prepare(), and nothing ran since.
      applied = await this.apply({ ...entry, seq, blockHash: null } as JournalEntry, entry.kind === 'tx')
    } catch (e) {
      if (!(e instanceof RpcTransportError)) throw e
      // Recovery replays this entry too; find out what it did.
      await this.restartAfterTransportError(e)
      applied = await this.outcomeAfterRecovery(entry, txHash)
      return { seq, applied }
    }
    this.appliedSeq = seq
    if (applied.kind === 'mined') {
      if ('timestamp' in entry && entry.timestamp !== null) this.lastTimestamp = entry.timestamp
      this.pendingHashes.push({ seq, hash: applied.blockHash })
      if (this.pendingHashes.length >= HASH_BATCH) await this.flushHashes()
    }
    this.sinceSnapshot++
    if (this.sinceSnapshot >= this.options.snapshotEvery) {
      await this.takeSnapshot().catch((e) => {
        // The journal still holds everything; a missed snapshot only makes the next recovery longer.
        this.sinceSnapshot = 0
        this.log.error({ err: e }, 'ledger snapshot failed')
      })
    }
    return { seq, applied }
  }

  private async outcomeAfterRecovery(entry: NewJournalEntry, txHash?: Hex): Promise<Applied> {
    if (entry.kind === 'tx' && txHash) {
      const receipt = await this.rpc.call<RpcTransactionReceipt | null>('eth_getTransactionReceipt', [txHash])
      if (receipt) return { kind: 'mined', receipt, blockHash: receipt.blockHash }
      return {
        kind: 'rejected',
        error: new RpcResponseError('eth_sendRawTransactionSync', {
          code: -32000,
          message: 'not mined when replayed after an anvil crash',
        }),
      }
    }
    return { kind: 'none' }
  }

  /**
   * Block hashes only let a later replay prove it rebuilt the same chain; they are written in
   * batches (one statement instead of one per transaction), and a crash loses only the check for
   * the last few entries — recovery records those from the replay.
   */
  private async flushHashes(): Promise<void> {
    if (this.pendingHashes.length === 0) return
    const batch = this.pendingHashes
    this.pendingHashes = []
    await this.journal.recordBlockHashes(batch).catch((e) => {
      this.log.warn({ err: e, entries: batch.length }, 'could not record block hashes of journal entries')
    })
  }

  private async takeSnapshot(): Promise<void> {
    await this.flushHashes()
    const state = await this.rpc.call<Hex>('anvil_dumpState')
    const head = BigInt(await this.rpc.call<Hex>('eth_blockNumber'))
    const info = await this.snapshots.write(this.appliedSeq, head, state)
    this.sinceSnapshot = 0
    this.log.debug(
      { snapshot: path.basename(info.file), bytes: (state.length - 2) / 2 },
      'ledger snapshot written',
    )
  }

  private async ready(): Promise<void> {
    if (this.failed) throw this.failed
    if (this.stopping) throw new LedgerError('LEDGER_STOPPED', 'the ledger is stopped')
    if (this.anvil.hasExited) await this.ensureRunning()
  }

  send(request: SendRequest): Promise<TransactionReceipt> {
    return this.queue.run(async () => {
      await this.ready()
      let prepared: { rawTx: Hex; nonce: number; timestamp: number }
      try {
        prepared = await this.prepare(request)
      } catch (e) {
        if (!(e instanceof RpcTransportError)) throw e
        // anvil died before anything was journaled: recover and try once more.
        await this.restartAfterTransportError(e)
        prepared = await this.prepare(request)
      }
      const { rawTx, nonce, timestamp } = prepared
      const { account } = request
      const hash = keccak256(rawTx)
      const { applied } = await this.journalAndApply({ kind: 'tx', rawTx, timestamp }, hash)
      if (applied.kind !== 'mined' || !applied.receipt) {
        this.nonces.forget(account.address)
        const message = applied.kind === 'rejected' ? applied.error.message : 'not mined'
        throw new LedgerError('LEDGER_TX_REJECTED', `transaction refused by the ledger: ${message}`)
      }
      this.nonces.used(account.address, nonce)
      const receipt = formatTransactionReceipt(applied.receipt)
      if (receipt.status === 'reverted') {
        throw revertError(await minedRevertData(this.rpc, hash), request.abi, undefined, hash)
      }
      return receipt
    })
  }

  /** Nonce, block timestamp, gas and signature; sends nothing that changes the chain. */
  private async prepare(request: SendRequest): Promise<{ rawTx: Hex; nonce: number; timestamp: number }> {
    const { account } = request
    const nonce = await this.nonces.take(account.address, async () =>
      Number(BigInt(await this.rpc.call<Hex>('eth_getTransactionCount', [account.address, 'latest']))),
    )
    const timestamp = nextBlockTimestamp(this.lastTimestamp, this.clock.now())
    // Simulate in the environment of the block it will be mined in (its timestamp included).
    await this.rpc.call('evm_setNextBlockTimestamp', [timestamp])
    // Gas is free here (price 0) and each block holds one transaction, so the whole block's gas
    // is the limit: one eth_call finds a revert, where eth_estimateGas would run the call a dozen
    // times over in its search.
    const gas = request.gas ?? this.blockGasLimit
    if (request.gas === undefined) await simulate(this.rpc, { ...request, gas }, 'pending')
    const rawTx = await account.signTransaction({
      chainId: this.options.chainId,
      type: 'eip1559',
      nonce,
      ...(request.to ? { to: request.to } : {}),
      data: request.data,
      value: request.value ?? 0n,
      gas,
      maxFeePerGas: 0n,
      maxPriorityFeePerGas: 0n,
    })
    return { rawTx, nonce, timestamp }
  }

  async deploy(request: DeployRequest): Promise<Address> {
    const data = encodeDeployData({
      abi: request.abi,
      bytecode: request.bytecode,
      args: request.args ?? [],
    } as never)
    const receipt = await this.send({ account: request.account, data, abi: request.abi })
    if (!receipt.contractAddress)
      throw new LedgerError('LEDGER_TX_REJECTED', 'deployment created no contract')
    return receipt.contractAddress
  }

  now(): number {
    return this.clock.now()
  }

  advanceTo(unixSeconds: number): Promise<void> {
    return this.queue.run(async () => {
      const clock = this.clock
      if (!(clock instanceof ManualClock)) {
        throw new LedgerError(
          'LEDGER_NOT_SUPPORTED',
          'ledger time can only be moved in demo mode (TILLID_DEMO=true)',
        )
      }
      clock.check(unixSeconds)
      if (unixSeconds === clock.now()) return
      await this.ready()
      const timestamp = unixSeconds > this.lastTimestamp ? unixSeconds : null
      await this.journalAndApply({ kind: 'advance', clock: unixSeconds, timestamp })
      clock.advanceTo(unixSeconds)
      if (timestamp !== null) this.lastTimestamp = timestamp
    })
  }

  setBalance(address: Address, wei: bigint): Promise<void> {
    return this.queue.run(async () => {
      await this.ready()
      await this.journalAndApply({ kind: 'setBalance', address, wei })
    })
  }

  snapshot(): Promise<void> {
    return this.queue.run(async () => {
      await this.ready()
      await this.takeSnapshot()
    })
  }

  async health(): Promise<LedgerHealth> {
    const base = {
      kind: 'embedded' as const,
      anvilPid: this.anvil?.pid,
      restarts: this.restartCount,
      journalSeq: this.appliedSeq,
    }
    if (this.failed) return { ...base, ok: false, reason: this.failed.message }
    if (this.stopping) return { ...base, ok: false, reason: 'stopped' }
    if (this.anvil.hasExited || this.recovering) return { ...base, ok: false, reason: 'anvil is restarting' }
    try {
      const blockNumber = BigInt(await new JsonRpc(this.rpcUrl, 2000).call<Hex>('eth_blockNumber'))
      return { ...base, ok: true, blockNumber }
    } catch (e) {
      return { ...base, ok: false, reason: `anvil does not answer: ${(e as Error).message}` }
    }
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await this.queue.run(async () => {
        try {
          if (!this.failed && !this.anvil.hasExited && this.sinceSnapshot > 0) await this.takeSnapshot()
        } catch (e) {
          this.log.error({ err: e }, 'ledger snapshot at shutdown failed; the journal still has everything')
        }
        await this.flushHashes()
        // Inside the queue, so every call submitted after stop() is refused rather than half run.
        this.stopping = true
      })
      await this.anvil.stop()
      await fs.rm(this.pidFile, { force: true })
      this.log.info('ledger stopped')
    })()
    return this.stopped
  }
}
