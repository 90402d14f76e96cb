import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { bytesToHex } from 'viem'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SnapshotCorruptError, SnapshotStore } from './snapshots.ts'

const state = (n: number) =>
  bytesToHex(gzipSync(JSON.stringify({ block: n, accounts: { a: 'x'.repeat(n) } })))

describe('SnapshotStore', () => {
  let dir: string
  let store: SnapshotStore
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tillid-snapshots-'))
    store = new SnapshotStore(dir, 3)
    await store.init()
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('lists snapshots newest first by journal position and keeps only the newest three', async () => {
    for (const [seq, block] of [
      [5n, 4n],
      [10n, 9n],
      [15n, 12n],
      [20n, 18n],
    ] as const) {
      await store.write(seq, block, state(Number(block)))
    }
    const list = await store.list()
    expect(list.map((s) => [s.seq, s.blockNumber])).toEqual([
      [20n, 18n],
      [15n, 12n],
      [10n, 9n],
    ])
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('reads back exactly what was written', async () => {
    const written = state(7)
    const info = await store.write(1n, 7n, written)
    expect(await store.read(info)).toBe(written)
  })

  it('removes temp files a crash left behind, which never count as snapshots', async () => {
    writeFileSync(path.join(dir, 'snapshot-0000000000000030-000000000030.anvil.gz.123.tmp'), 'half')
    expect(await store.list()).toEqual([])
    await store.init()
    expect(readdirSync(dir)).toEqual([])
  })

  it.each([
    ['truncated', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2))],
    [
      'a flipped byte',
      (b: Buffer) => Buffer.concat([b.subarray(0, 20), Buffer.from([b[20]! ^ 0xff]), b.subarray(21)]),
    ],
    ['empty', () => Buffer.alloc(0)],
    ['not a state dump', () => gzipSync('hello')],
  ])('refuses a %s file as corrupt', async (_, damage) => {
    const info = await store.write(3n, 3n, state(300))
    const original = Buffer.from((await store.read(info)).slice(2), 'hex')
    writeFileSync(info.file, damage(original))
    await expect(store.read(info)).rejects.toBeInstanceOf(SnapshotCorruptError)
  })

  it('refuses a snapshot whose file disappeared', async () => {
    const info = await store.write(3n, 3n, state(3))
    rmSync(info.file)
    await expect(store.read(info)).rejects.toThrow(/cannot read/)
  })
})
