import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore, type Store } from '../store/database.ts'
import { Journal } from './journal.ts'

describe('ledger journal', () => {
  let store: Store
  let journal: Journal
  beforeAll(async () => {
    store = await openStore({ kind: 'pglite', dir: null })
    journal = new Journal(store.db)
  })
  afterAll(async () => store.close())

  it('keeps entries in the order appended, with their timestamps, and pages through them', async () => {
    expect(await journal.lastSeq()).toBe(0n)
    expect(await journal.lastClock()).toBeNull()
    const a = await journal.append({ kind: 'tx', rawTx: '0x01', timestamp: 1000 })
    const b = await journal.append({
      kind: 'setBalance',
      address: '0x0000000000000000000000000000000000000001',
      wei: 10n ** 30n,
    })
    const c = await journal.append({ kind: 'advance', clock: 5000, timestamp: 5000 })
    const d = await journal.append({ kind: 'advance', clock: 6000, timestamp: null })
    const e = await journal.append({ kind: 'tx', rawTx: '0x02', timestamp: 6001 })
    expect(a < b && b < c && c < d && d < e).toBe(true)
    await journal.recordBlockHash(a, '0xaa')
    await journal.recordBlockHashes([
      { seq: c, hash: '0xcc' },
      { seq: e, hash: '0xee' },
    ])

    const all = []
    for await (const entry of journal.iterateAfter(0n, 2)) all.push(entry)
    expect(all).toEqual([
      { seq: a, blockHash: '0xaa', kind: 'tx', rawTx: '0x01', timestamp: 1000 },
      {
        seq: b,
        blockHash: null,
        kind: 'setBalance',
        address: '0x0000000000000000000000000000000000000001',
        wei: 10n ** 30n,
      },
      { seq: c, blockHash: '0xcc', kind: 'advance', clock: 5000, timestamp: 5000 },
      { seq: d, blockHash: null, kind: 'advance', clock: 6000, timestamp: null },
      { seq: e, blockHash: '0xee', kind: 'tx', rawTx: '0x02', timestamp: 6001 },
    ])
    expect((await journal.after(c)).map((x) => x.seq)).toEqual([d, e])
    expect(await journal.countAfter(b)).toBe(3)
    expect(await journal.lastSeq()).toBe(e)
    expect(await journal.lastClock()).toBe(6000)
  })
})
