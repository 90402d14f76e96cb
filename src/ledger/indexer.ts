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

export function createIndexer(options: IndexerOptions) {
  const { db, client, contracts } = options
  const confirmations = BigInt(options.confirmations ?? 0)
  const chunk = BigInt(options.chunk ?? 5000)
  const name = options.name ?? 'main'
  const byAddress = new Map(contracts.map((c) => [c.address.toLowerCase(), c]))
  let running: Promise<number> | null = null

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
    for (const bn of new Set(logs.map((l) => l.blockNumber!))) {
      times.set(bn, (await client.getBlock({ blockNumber: bn })).timestamp)
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

  /** Indexes every confirmed block after the cursor; returns how many logs were added. */
  async function syncOnce(): Promise<number> {
    // One sync at a time: the keeper, the API and the loop may all ask at once.
    if (running) return running
    running = (async () => {
      const head = (await client.getBlockNumber()) - confirmations
      let from = (await cursor()) + 1n
      let added = 0
      while (from <= head) {
        const to = from + chunk - 1n < head ? from + chunk - 1n : head
        added += await syncRange(from, to)
        from = to + 1n
      }
      return added
    })()
    try {
      return await running
    } finally {
      running = null
    }
  }

  return { syncOnce, cursor }
}

export type Indexer = ReturnType<typeof createIndexer>
