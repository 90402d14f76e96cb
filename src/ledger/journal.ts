/**
 * The ledger journal: every raw transaction and cheat call sent to the embedded ledger, in the
 * order sent, with the block timestamp the app chose. An entry is committed to the store before
 * it reaches anvil, so whatever anvil mined can be mined again, identically, after a crash.
 */
import { sql } from 'kysely'
import type { Address, Hex } from 'viem'
import type { Db } from '../store/database.ts'

export type NewJournalEntry =
  /** A signed transaction, mined alone in a block with this timestamp. */
  | { kind: 'tx'; rawTx: Hex; timestamp: number }
  /**
   * The demo clock moved to `clock`; when that is after the last block, an empty block is
   * mined at `timestamp` so reads at "latest" see the new time.
   */
  | { kind: 'advance'; clock: number; timestamp: number | null }
  /** anvil_setBalance: changes state without a block; the next block's state root carries it. */
  | { kind: 'setBalance'; address: Address; wei: bigint }

export type JournalEntry = NewJournalEntry & { seq: bigint; blockHash: Hex | null }

type Row = { seq: string; kind: string; payload: string; timestamp: string | null; block_hash: string | null }

export class Journal {
  constructor(private readonly db: Db) {}

  /** Commits the entry and returns its position. */
  async append(entry: NewJournalEntry): Promise<bigint> {
    const { payload, timestamp } = encode(entry)
    const row = await this.db
      .insertInto('ledger_journal')
      .values({ kind: entry.kind, payload, timestamp: timestamp === null ? null : String(timestamp) })
      .returning('seq')
      .executeTakeFirstOrThrow()
    return BigInt(row.seq)
  }

  async recordBlockHash(seq: bigint, blockHash: Hex): Promise<void> {
    await this.db
      .updateTable('ledger_journal')
      .set({ block_hash: blockHash })
      .where('seq', '=', String(seq))
      .execute()
  }

  async recordBlockHashes(entries: readonly { seq: bigint; hash: Hex }[]): Promise<void> {
    if (entries.length === 0) return
    const values = sql.join(entries.map((e) => sql`(${e.seq.toString()}::int8, ${e.hash})`))
    await sql`update ledger_journal as j set block_hash = v.hash from (values ${values}) as v(seq, hash) where j.seq = v.seq`.execute(
      this.db,
    )
  }

  /** Entries after `seq` in order, at most `limit` of them. */
  async after(seq: bigint, limit = 500): Promise<JournalEntry[]> {
    const rows = await this.db
      .selectFrom('ledger_journal')
      .select(['seq', 'kind', 'payload', 'timestamp', 'block_hash'])
      .where('seq', '>', String(seq))
      .orderBy('seq')
      .limit(limit)
      .execute()
    return rows.map(decode)
  }

  async *iterateAfter(seq: bigint, pageSize = 500): AsyncGenerator<JournalEntry> {
    let from = seq
    for (;;) {
      const page = await this.after(from, pageSize)
      for (const entry of page) yield entry
      if (page.length < pageSize) return
      from = page[page.length - 1]?.seq ?? from
    }
  }

  async lastSeq(): Promise<bigint> {
    const row = await this.db
      .selectFrom('ledger_journal')
      .select((eb) => eb.fn.max('seq').as('max'))
      .executeTakeFirst()
    return row?.max ? BigInt(row.max) : 0n
  }

  async countAfter(seq: bigint): Promise<number> {
    const row = await this.db
      .selectFrom('ledger_journal')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('seq', '>', String(seq))
      .executeTakeFirst()
    return Number(row?.n ?? 0)
  }

  /** The demo clock as last moved, or null when it never was. */
  async lastClock(): Promise<number | null> {
    const row = await this.db
      .selectFrom('ledger_journal')
      .select('payload')
      .where('kind', '=', 'advance')
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst()
    return row ? Number((JSON.parse(row.payload) as { clock: number }).clock) : null
  }
}

function encode(entry: NewJournalEntry): { payload: string; timestamp: number | null } {
  switch (entry.kind) {
    case 'tx':
      return { payload: entry.rawTx, timestamp: entry.timestamp }
    case 'advance':
      return { payload: JSON.stringify({ clock: entry.clock }), timestamp: entry.timestamp }
    case 'setBalance':
      return {
        payload: JSON.stringify({ address: entry.address, wei: entry.wei.toString() }),
        timestamp: null,
      }
  }
}

function decode(row: Row): JournalEntry {
  const seq = BigInt(row.seq)
  const blockHash = (row.block_hash as Hex | null) ?? null
  const timestamp = row.timestamp === null ? null : Number(row.timestamp)
  switch (row.kind) {
    case 'tx':
      return { seq, blockHash, kind: 'tx', rawTx: row.payload as Hex, timestamp: timestamp ?? 0 }
    case 'advance':
      return {
        seq,
        blockHash,
        kind: 'advance',
        clock: (JSON.parse(row.payload) as { clock: number }).clock,
        timestamp,
      }
    case 'setBalance': {
      const p = JSON.parse(row.payload) as { address: Address; wei: string }
      return { seq, blockHash, kind: 'setBalance', address: p.address, wei: BigInt(p.wei) }
    }
    default:
      throw new Error(`ledger journal entry ${row.seq} has unknown kind ${row.kind}`)
  }
}
