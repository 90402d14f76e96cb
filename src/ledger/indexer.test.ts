import { type Abi, encodeAbiParameters, type Hex, type PublicClient, toEventSelector } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore, type Store } from '../store/database.ts'
import { createIndexer } from './indexer.ts'

const ADDRESS = '0x00000000000000000000000000000000000000aa'
const abi = [
  {
    type: 'event',
    name: 'Noted',
    inputs: [{ name: 'value', type: 'uint256', indexed: false }],
  },
] as const satisfies Abi
const topic = toEventSelector('Noted(uint256)')
const blockHash = (n: bigint) => `0x${n.toString(16).padStart(64, '0')}` as Hex

/**
 * A chain whose blocks each hold one log, mined on demand, with getLogs that can be held open so a
 * test decides when a pass finishes. Counts the calls the indexer makes.
 */
function fakeChain(options: { logTimestamps: boolean }) {
  let head = 0n
  const calls = { getLogs: 0, getBlock: 0 }
  const held: (() => void)[] = []
  let hold = false
  const client = {
    async getBlockNumber() {
      return head
    },
    async getBlock({ blockNumber }: { blockNumber: bigint }) {
      calls.getBlock++
      return { timestamp: 1_767_225_600n + blockNumber }
    },
    async getLogs({ fromBlock, toBlock }: { fromBlock: bigint; toBlock: bigint }) {
      calls.getLogs++
      if (hold) await new Promise<void>((r) => held.push(r))
      const logs = []
      // Genesis (block 0) holds no log.
      for (let n = fromBlock > 0n ? fromBlock : 1n; n <= toBlock; n++) {
        logs.push({
          address: ADDRESS,
          topics: [topic],
          data: encodeAbiParameters([{ type: 'uint256' }], [n]),
          blockNumber: n,
          logIndex: 0,
          transactionHash: blockHash(n + 1000n),
          blockHash: blockHash(n),
          ...(options.logTimestamps ? { blockTimestamp: 1_767_225_600n + n } : {}),
        })
      }
      return logs
    },
  }
  return {
    client: client as unknown as PublicClient,
    calls,
    mine: () => ++head,
    hold(on: boolean) {
      hold = on
    },
    /** Lets every held getLogs answer. */
    release() {
      for (const r of held.splice(0)) r()
    },
    async heldCount(n: number) {
      for (let i = 0; i < 200 && held.length < n; i++) await new Promise((r) => setTimeout(r, 5))
      return held.length
    },
  }
}

describe('indexer passes shared by concurrent writers', () => {
  let store: Store
  beforeAll(async () => {
    store = await openStore({ kind: 'pglite', dir: null })
  })
  afterAll(async () => {
    await store?.close()
  })

  const indexed = async (name: string) =>
    (
      await store.db
        .selectFrom('ledger_cursor')
        .select('block_number')
        .where('name', '=', name)
        .executeTakeFirst()
    )?.block_number

  it('returns from syncTo only once the caller’s block is indexed, though a pass begun before it was mined was under way', async () => {
    const chain = fakeChain({ logTimestamps: true })
    const indexer = createIndexer({
      db: store.db,
      client: chain.client,
      contracts: [{ name: 'Test', address: ADDRESS, abi }],
      name: 'late-writer',
    })
    chain.mine() // block 1
    chain.hold(true)
    const early = indexer.syncTo(1n)
    expect(await chain.heldCount(1)).toBe(1)
    // Block 2 is mined while the pass that read head = 1 is still running.
    const late = chain.mine()
    let lateDone = false
    const lateSync = indexer.syncTo(late).then(() => {
      lateDone = true
    })
    chain.release()
    await early
    // The late writer needs a second pass; it must not return with the first.
    expect(await chain.heldCount(1)).toBe(1)
    expect(lateDone).toBe(false)
    chain.hold(false)
    chain.release()
    await lateSync
    expect(await indexed('late-writer')).toBe('2')
    // Timestamps came with the logs: no block fetched.
    expect(chain.calls.getBlock).toBe(0)
  })

  it('serves many concurrent writers with fewer passes than writes, each seeing its own block', async () => {
    const chain = fakeChain({ logTimestamps: false })
    const indexer = createIndexer({
      db: store.db,
      client: chain.client,
      contracts: [{ name: 'Test', address: ADDRESS, abi }],
      name: 'many-writers',
    })
    chain.hold(true)
    const first = indexer.syncTo(chain.mine())
    expect(await chain.heldCount(1)).toBe(1)
    // Twenty writes land while the first pass is held: they all wait for it, then share one pass.
    const writers = Array.from({ length: 20 }, () => {
      const block = chain.mine()
      return indexer.syncTo(block).then(async () => {
        const rows = await store.db
          .selectFrom('ledger_events')
          .select('block_number')
          .where('contract', '=', 'Test')
          .where('block_number', '=', block.toString())
          .execute()
        return rows.length
      })
    })
    chain.hold(false)
    chain.release()
    await first
    expect(await Promise.all(writers)).toEqual(Array(20).fill(1))
    expect(chain.calls.getLogs).toBe(2)
    // Without timestamps on the logs, each block's time is fetched once.
    expect(chain.calls.getBlock).toBe(21)
    expect(await indexed('many-writers')).toBe('21')
    // Nothing new: a further call for an indexed block asks the chain nothing.
    await indexer.syncTo(21n)
    expect(chain.calls.getLogs).toBe(2)
  })
})
