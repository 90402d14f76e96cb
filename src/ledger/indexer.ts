/**
 * Turns the logs of Tillid's contracts into rows in the store, so that queries never scan the
 * chain. Idempotent (a log is keyed by block and log index), resumable from a cursor, and only
 * reads blocks at least `confirmations` deep, so a reorg on a real network cannot leave stale rows.
 * `onLogs` runs in the same database transaction as the insert and the cursor move: read models
 * and outbox events derived from a log commit together with it or not at all.
 */
import type { Kysely, Transaction } from 'kysely'
import { type Abi, type Address, decodeEventLog, type Hex, type Log, type PublicClient } from 'viem'
import type { Database } from '../store/schema.ts'

export interface IndexedContract {
  name: string
  address: Address
  abi: Abi
}

export interface IndexedLog {
  contract: string
  event: string
  args: Record<string, unknown>
  agreementId: Hex | null
  blockNumber: bigint
  logIndex: number
  txHash: Hex
  blockHash: Hex
  blockTime: bigint
}

export interface IndexerOptions {
  db: Kysely<Database>
  client: PublicClient
  contracts: IndexedContract[]
  /** Blocks to wait before a log counts (0 on the embedded ledger, whose blocks are final). */
  confirmations?: number
  /** Largest block range asked for in one eth_getLogs. */
  chunk?: number
  name?: string
  onLogs?: (trx: Transaction<Database>, logs: IndexedLog[]) => Promise<void>
}

/** JSON with bigints as decimal strings: the store keeps amounts exact. */
export function argsToJson(args: Record<string, unknown>): string {
  return JSON.stringify(args, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))
}

const maxOf = (a: bigint | null, b: bigint) => (a === null || b > a ? b : a)

export function createIndexer(options: IndexerOptions) {
  const { db, client, contracts } = options
  const confirmations = BigInt(options.confirmations ?? 0)
  const chunk = BigInt(options.chunk ?? 5000)
  const name = options.name ?? 'main'
  const byAddress = new Map(contracts.map((c) => [c.address.toLowerCase(), c]))
  let running: Promise<number> | null = null
  /** Highest block this process knows is indexed (the cursor, without a query). */
  let indexed: bigint | null = null

  async function cursor(): Promise<bigint> {
    const row = await db
      .selectFrom('ledger_cursor')
      .select('block_number')
      .where('name', '=', name)
      .executeTakeFirst()
    return row ? BigInt(row.block_number) : -1n
  }

  function decode(log: Log): { contract: string; event: string; args: Record<string, unknown> } | null {
    const c = byAddress.get(log.address.toLowerCase())
    if (!c) return null
    try {
      const d = decodeEventLog({ abi: c.abi, data: log.data, topics: log.topics })
      return {
        contract: c.name,
        event: d.eventName ?? 'unknown',
        args: (d.args ?? {}) as Record<string, unknown>,
      }
    } catch {
      return { contract: c.name, event: 'unknown', args: { topics: log.topics, data: log.data } }
    }
  }

  async function syncRange(from: bigint, to: bigint): Promise<number> {
    const logs = await client.getLogs({
      address: contracts.map((c) => c.address),
      fromBlock: from,
      toBlock: to,
    })
    const times = new Map<bigint, bigint>()
    for (const log of logs) {
      // anvil (and newer nodes) put the block's time on each log, saving a block fetch per block.
      const t = (log as { blockTimestamp?: bigint | Hex | null }).blockTimestamp
      if (t !== undefined && t !== null) times.set(log.blockNumber!, BigInt(t))
    }
    for (const bn of new Set(logs.map((l) => l.blockNumber!))) {
      if (!times.has(bn)) times.set(bn, (await client.getBlock({ blockNumber: bn })).timestamp)
    }
    const indexed: IndexedLog[] = []
    for (const log of logs) {
      const d = decode(log)
      if (!d) continue
      const id = d.args.id ?? d.args.agreementId
      indexed.push({
        ...d,
        agreementId: typeof id === 'string' && id.startsWith('0x') ? (id as Hex) : null,
        blockNumber: log.blockNumber!,
        logIndex: log.logIndex!,
        txHash: log.transactionHash!,
        blockHash: log.blockHash!,
        blockTime: times.get(log.blockNumber!)!,
      })
    }
    await db.transaction().execute(async (trx) => {
      if (indexed.length) {
        await trx
          .insertInto('ledger_events')
          .values(
            indexed.map((l) => ({
              block_number: l.blockNumber.toString(),
              log_index: l.logIndex,
              tx_hash: l.txHash,
              block_hash: l.blockHash,
              block_time: l.blockTime.toString(),
              contract: l.contract,
              event: l.event,
              agreement_id: l.agreementId,
              args: argsToJson(l.args),
            })),
          )
          .onConflict((oc) => oc.columns(['block_number', 'log_index']).doNothing())
          .execute()
        await options.onLogs?.(trx, indexed)
      }
      await trx
        .insertInto('ledger_cursor')
        .values({ name, block_number: to.toString() })
        .onConflict((oc) => oc.column('name').doUpdateSet({ block_number: to.toString() }))
        .execute()
    })
    return indexed.length
  }

  /** One pass: every confirmed block after the cursor, up to the head as read now. */
  async function pass(): Promise<number> {
    const head = (await client.getBlockNumber()) - confirmations
    let from = (await cursor()) + 1n
    if (from > head) indexed = maxOf(indexed, from - 1n)
    let added = 0
    while (from <= head) {
      const to = from + chunk - 1n < head ? from + chunk - 1n : head
      added += await syncRange(from, to)
      indexed = maxOf(indexed, to)
      from = to + 1n
    }
    return added
  }

  /**
   * Indexes every block confirmed when it is called (or, given `block`, at least through that
   * block once it is confirmed) and returns the logs added by the pass that covered it. Passes
   * never overlap: the keeper, the API and the loop may all ask at once, and concurrent writers
   * share one pass instead of each running their own. A pass already under way may have read the
   * head before the caller's block was mined, so the caller waits for it and then joins (or
   * starts) one that began afterwards, unless the first already reached `block`.
   */
  async function sync(block?: bigint): Promise<number> {
    if (block !== undefined && indexed !== null && indexed >= block) return 0
    const stale = running
    if (stale) {
      await stale.catch(() => {})
      if (block !== undefined && indexed !== null && indexed >= block) return 0
    }
    running ??= pass().finally(() => {
      running = null
    })
    return running
  }

  /** Indexes every confirmed block; returns how many logs the covering pass added. */
  function syncOnce(): Promise<number> {
    return sync()
  }

  /** Indexes at least through `block` (a write's receipt block) when it is confirmed. */
  function syncTo(block: bigint): Promise<number> {
    return sync(block)
  }

  return { syncOnce, syncTo, cursor }
}

export type Indexer = ReturnType<typeof createIndexer>
