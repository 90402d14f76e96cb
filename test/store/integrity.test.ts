import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listAnchorSource, verifyIntegrity } from '../../src/services/verifyIntegrity.ts'
import { createRepositories } from '../../src/store/repositories/index.ts'
import type { Database } from '../../src/store/schema.ts'
import { adapters, openTestStore, type TestStore } from './adapters.ts'
import { buildWorld, type World } from './scenario.ts'

const list = await adapters()

// A seeded generator, so a failing tamper test can be replayed; the seed is printed.
const seed = Number(process.env.TILLID_TAMPER_SEED ?? Date.now() % 100_000)
let state = seed
function rand(n: number): number {
  state = (state * 1_103_515_245 + 12_345) % 2 ** 31
  return state % n
}

describe.each(list)('integrity check on %s', (adapter) => {
  let store: TestStore
  let world: World

  beforeAll(async () => {
    console.log(`tamper seed ${seed} (replay with TILLID_TAMPER_SEED=${seed})`)
    store = await openTestStore(adapter)
    world = await buildWorld(store)
  })
  afterAll(async () => {
    await store?.close()
  })

  // Each test tampers inside a transaction that is rolled back, so all share one built world.
  const ROLLBACK = new Error('rollback')
  async function tamper(work: (db: Kysely<Database>) => Promise<void>): Promise<void> {
    await store.db
      .transaction()
      .execute(async (trx) => {
        await work(trx)
        throw ROLLBACK
      })
      .catch((e) => {
        if (e !== ROLLBACK) throw e
      })
  }
  const verify = (db: Kysely<Database>, chain = world.chain) =>
    verifyIntegrity(db, world.repos.keys, { source: listAnchorSource(chain) })

  it('passes on an untouched store, with progress up to the total', async () => {
    const progress: [number, number][] = []
    const report = await verifyIntegrity(store.db, world.repos.keys, {
      source: listAnchorSource(world.chain),
      batchSize: 3,
      onProgress: (d, t) => progress.push([d, t]),
    })
    expect(report.mismatches).toEqual([])
    expect(report.erased).toBe(0)
    expect(report.details.anchors).toBe(world.chain.length)
    expect(report.checked).toBe(world.chain.length + 2)
    const total = progress[0]![1]
    expect(total).toBe(report.checked)
    expect(progress.at(-1)).toEqual([total, total])
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]![0]).toBeGreaterThanOrEqual(progress[i - 1]![0])
  })

  it('names a document when one byte of its stored ciphertext flips', async () => {
    await tamper(async (db) => {
      const id = world.documentIds[rand(world.documentIds.length)]!
      const { len } = (
        await sql<{ len: number }>`select length(ciphertext) as len from documents where id = ${id}`.execute(
          db,
        )
      ).rows[0]!
      const pos = rand(len)
      await sql`update documents set ciphertext = set_byte(ciphertext, ${pos}::int, get_byte(ciphertext, ${pos}::int) # 1) where id = ${id}`.execute(
        db,
      )
      const report = await verify(db)
      expect(report.mismatches).toHaveLength(1)
      expect(report.mismatches[0]).toMatchObject({ kind: 'document', id })
    })
  })

  it('names the same tampered document when hashing runs on a worker thread', async () => {
    await tamper(async (db) => {
      const id = world.documentIds[rand(world.documentIds.length)]!
      await sql`update documents set ciphertext = set_byte(ciphertext, 40, get_byte(ciphertext, 40) # 2) where id = ${id}`.execute(
        db,
      )
      const chain = [...world.chain, { kind: 'record', id: 'ghost', hash: `0x${'2'.repeat(64)}` }]
      const onWorker = await verifyIntegrity(db, world.repos.keys, {
        source: listAnchorSource(chain),
        batchSize: 2,
        hashOnWorker: true,
      })
      const inline = await verifyIntegrity(db, world.repos.keys, {
        source: listAnchorSource(chain),
        hashOnWorker: false,
      })
      expect(onWorker.mismatches).toHaveLength(2)
      expect(onWorker.mismatches).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'document', id }),
          expect.objectContaining({ kind: 'record', id: 'ghost' }),
        ]),
      )
      expect(new Set(onWorker.mismatches.map((m) => JSON.stringify(m)))).toEqual(
        new Set(inline.mismatches.map((m) => JSON.stringify(m))),
      )
      expect(onWorker.checked).toBe(inline.checked)
    })
  })

  it('names a case when one byte of its row changes', async () => {
    await tamper(async (db) => {
      const caseId = [world.caseId, world.otherCaseId][rand(2)]!
      const { len } = (
        await sql<{ len: number }>`select length(sagsnummer) as len from cases where id = ${caseId}`.execute(
          db,
        )
      ).rows[0]!
      const pos = rand(len) + 1
      await sql`update cases set sagsnummer = overlay(sagsnummer placing chr(ascii(substr(sagsnummer, ${pos}::int, 1)) # 1) from ${pos}::int for 1) where id = ${caseId}`.execute(
        db,
      )
      const report = await verify(db)
      expect(report.mismatches).toEqual([
        { kind: 'case', id: caseId, reason: expect.stringMatching(/no longer matches/) },
      ])
    })
  })

  it('names a case when its encrypted title is altered', async () => {
    await tamper(async (db) => {
      await sql`update cases set titel_ct = set_byte(titel_ct, 20, get_byte(titel_ct, 20) # 128) where id = ${world.caseId}`.execute(
        db,
      )
      const report = await verify(db)
      expect(report.mismatches).toEqual([
        { kind: 'case', id: world.caseId, reason: expect.stringMatching(/fails authentication/) },
      ])
    })
  })

  it('names an anchored record, encrypted or plain, when a byte changes', async () => {
    await tamper(async (db) => {
      const rows = (
        await sql<{
          kind: string
          object_id: string
          len: number
        }>`select kind, object_id, length(body) as len from anchored_records order by kind, object_id`.execute(
          db,
        )
      ).rows
      const row = rows[rand(rows.length)]!
      const pos = rand(row.len)
      await sql`update anchored_records set body = set_byte(body, ${pos}::int, get_byte(body, ${pos}::int) # 4) where kind = ${row.kind} and object_id = ${row.object_id}`.execute(
        db,
      )
      const report = await verify(db)
      expect(report.mismatches).toHaveLength(1)
      expect(report.mismatches[0]).toMatchObject({ kind: row.kind, id: row.object_id })
    })
  })

  it('names the access-log entry whose bytes change, even bypassing the append-only trigger', async () => {
    await tamper(async (db) => {
      await createRepositories(db, world.repos.keys).accessLog.append({
        actorPersonId: 'x',
        actorRole: 'auditor',
        action: 'read',
        object: 'case',
        purpose: 'audit',
      })
      const seq = rand(3) + 1
      await sql`alter table access_log disable trigger access_log_no_change`.execute(db)
      await sql`update access_log set actor_role = overlay(actor_role placing chr(ascii(substr(actor_role, 1, 1)) # 1) from 1 for 1) where seq = ${String(seq)}`.execute(
        db,
      )
      await sql`alter table access_log enable trigger access_log_no_change`.execute(db)
      const report = await verify(db)
      expect(report.mismatches).toEqual([
        { kind: 'access_log', id: String(seq), reason: 'entry was altered after it was written' },
      ])
    })
  })

  it('notices access-log entries removed from the middle or the end', async () => {
    await tamper(async (db) => {
      await createRepositories(db, world.repos.keys).accessLog.append({
        actorPersonId: 'x',
        actorRole: 'auditor',
        action: 'read',
        object: 'case',
        purpose: 'audit',
      })
      await sql`alter table access_log disable trigger access_log_no_change`.execute(db)
      await sql`delete from access_log where seq = 2`.execute(db)
      await sql`delete from access_log where seq = 3`.execute(db)
      await sql`alter table access_log enable trigger access_log_no_change`.execute(db)
      const report = await verify(db)
      expect(report.mismatches.map((m) => m.kind)).toEqual(['access_log'])
      expect(report.mismatches[0]!.reason).toMatch(/head says 3/)
    })
  })

  it('lists anchors never written to the chain as pending, not as mismatches', async () => {
    await tamper(async (db) => {
      const repos = createRepositories(db, world.repos.keys)
      const a = await repos.anchors.anchorRecord('template', 'not-yet-on-chain', { v: 1 })
      const report = await verify(db)
      expect(report.mismatches).toEqual([])
      expect(report.details.pendingAnchors).toEqual([{ kind: a.kind, id: a.objectId }])
    })
  })

  it('reports chain hashes that differ, objects missing in the store, and anchors missing on the chain', async () => {
    await tamper(async (db) => {
      const [first, second, ...rest] = world.chain
      const chain = [
        { ...first!, hash: `0x${'0'.repeat(64)}` },
        ...rest,
        { kind: 'document', id: 'ghost', hash: `0x${'1'.repeat(64)}` },
      ]
      const report = await verify(db, chain)
      expect(report.mismatches).toEqual(
        expect.arrayContaining([
          { kind: first!.kind, id: first!.id, reason: expect.stringMatching(/not with the chain/) },
          { kind: 'document', id: 'ghost', reason: expect.stringMatching(/no anchor/) },
          { kind: second!.kind, id: second!.id, reason: expect.stringMatching(/missing on the chain/) },
        ]),
      )
      expect(report.mismatches).toHaveLength(3)
    })
  })
})
