/**
 * Tamper (issue 11): one random bit of one random byte in a random stored object — a document's
 * ciphertext, a case row, an anchored record's body, a field of an access-log entry — is flipped, the
 * integrity check behind `tillid verify` runs, and the change is undone (each flip happens in a
 * transaction that is rolled back). Every flip must be reported, naming the object that was changed.
 *
 * The integrity service runs directly on the store (as `tillid verify` does inside the server), against
 * the anchors the chain would list, so a thousand checks take a minute rather than an hour; the ledger
 * side of verify is covered by the crash loop and test/api/integrity.test.ts.
 *
 * Size: 30 flips per store adapter in `npm test`, 1,000 with TILLID_RELIABILITY=full.
 */
import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listAnchorSource, verifyIntegrity } from '../../src/services/verifyIntegrity.ts'
import type { Database } from '../../src/store/schema.ts'
import { adapters, openTestStore, type TestStore } from '../store/adapters.ts'
import { buildWorld, type World } from '../store/scenario.ts'
import { SEED, seededRandom, sizes } from './size.ts'

const list = await adapters()

/** Extra objects beside the small world's, so flips land on many different rows. */
const EXTRA = { documents: 40, records: 30, accessLog: 40 }

/** The access log's hashed fields (seq is its key: changing it is a deletion, tested in test/store). */
const LOG_FIELDS = [
  'at',
  'actor_person_id',
  'actor_role',
  'actor_organisation_id',
  'case_id',
  'citizen_id',
  'action',
  'object',
  'purpose',
  'prev_hash',
  'hash',
] as const

interface Target {
  kind: 'document' | 'case' | 'record' | 'access_log'
  /** What verify must name: anchor kind (or 'access_log') and object id (or sequence number). */
  expect: { kind: string; id: string }
  where: string
}

describe.each(list)('tamper: one flipped byte at a time, on %s', (adapter) => {
  let store: TestStore
  let world: World
  const rand = seededRandom(SEED + (adapter === 'postgres' ? 1 : 0))

  beforeAll(async () => {
    console.info(`tamper seed ${SEED} (replay with TILLID_RELIABILITY_SEED=${SEED})`)
    store = await openTestStore(adapter)
    world = await buildWorld(store)
    const { repos } = world
    const cases = [world.caseId, world.otherCaseId]
    for (let i = 0; i < EXTRA.documents; i++) {
      const d = await repos.documents.add({
        caseId: cases[i % 2]!,
        kind: 'status_report',
        mediaType: 'text/plain',
        title: `Bilag ${i}`,
        bytes: new TextEncoder().encode(`Bilag ${i}: ${'indhold '.repeat(1 + rand(50))}`),
      })
      const a = await repos.anchors.anchorDocument(d.id)
      world.chain.push({ kind: a.kind, id: a.objectId, hash: a.hash })
    }
    for (let i = 0; i < EXTRA.records; i++) {
      // Half case-bound (encrypted body), half plain, like agreement versions and templates.
      const r = await repos.anchors.anchorRecord(
        i % 2 ? 'agreement_version' : 'template',
        `extra-${i}`,
        { n: i, lines: [{ priceOre: BigInt(100_000 + i), text: `linje ${i}` }] },
        i % 2 ? { caseId: cases[i % 4 === 1 ? 0 : 1]! } : {},
      )
      world.chain.push({ kind: r.kind, id: r.objectId, hash: r.hash })
    }
    for (let i = 0; i < EXTRA.accessLog; i++)
      await repos.accessLog.append({
        actorPersonId: world.directorId,
        actorRole: 'director',
        actorOrganisationId: world.municipalityId,
        caseId: cases[i % 2]!,
        action: i % 3 ? 'read' : 'export',
        object: i % 2 ? 'case' : 'document',
        purpose: 'audit',
      })
    for (const a of world.chain) await repos.anchors.setChainRef(a.kind, a.id, `0x${'1'.repeat(64)}`)
  }, 300_000)

  afterAll(async () => {
    await store?.close()
  })

  const verify = (db: Kysely<Database>) =>
    verifyIntegrity(db, world.repos.keys, { source: listAnchorSource(world.chain) })

  /** One bit of byte `pos`, keeping text valid: ASCII stays ASCII and never becomes NUL. */
  function flipText(s: string): string {
    const pos = rand(s.length)
    const c = s.charCodeAt(pos)
    const bits = [0, 1, 2, 3, 4, 5, 6].filter((b) => c < 0x80 && (c ^ (1 << b)) !== 0)
    const flipped = bits.length ? c ^ (1 << bits[rand(bits.length)]!) : c === 0x41 ? 0x42 : 0x41
    return s.slice(0, pos) + String.fromCharCode(flipped) + s.slice(pos + 1)
  }
  function flipBytes(b: Uint8Array): Uint8Array {
    const out = new Uint8Array(b)
    const pos = rand(out.length)
    out[pos]! ^= 1 << rand(8)
    return out
  }

  async function flipOne(db: Kysely<Database>): Promise<Target> {
    const kind = (['document', 'case', 'record', 'access_log'] as const)[rand(4)]!
    if (kind === 'document') {
      const rows = await db.selectFrom('documents').select(['id', 'ciphertext']).orderBy('id').execute()
      const row = rows[rand(rows.length)]!
      await db
        .updateTable('documents')
        .set({ ciphertext: Buffer.from(flipBytes(row.ciphertext!)) })
        .where('id', '=', row.id)
        .execute()
      return { kind, expect: { kind: 'document', id: row.id }, where: `documents.ciphertext of ${row.id}` }
    }
    if (kind === 'case') {
      const rows = await db
        .selectFrom('cases')
        .select(['id', 'sagsnummer', 'titel_ct'])
        .orderBy('id')
        .execute()
      const row = rows[rand(rows.length)]!
      if (rand(2))
        await db
          .updateTable('cases')
          .set({ sagsnummer: flipText(row.sagsnummer) })
          .where('id', '=', row.id)
          .execute()
      else
        await db
          .updateTable('cases')
          .set({ titel_ct: Buffer.from(flipBytes(row.titel_ct!)) })
          .where('id', '=', row.id)
          .execute()
      return { kind, expect: { kind: 'case', id: row.id }, where: `cases row ${row.id}` }
    }
    if (kind === 'record') {
      const rows = await db
        .selectFrom('anchored_records')
        .select(['kind', 'object_id', 'body'])
        .orderBy('kind')
        .orderBy('object_id')
        .execute()
      const row = rows[rand(rows.length)]!
      await db
        .updateTable('anchored_records')
        .set({ body: Buffer.from(flipBytes(row.body!)) })
        .where('kind', '=', row.kind)
        .where('object_id', '=', row.object_id)
        .execute()
      return {
        kind,
        expect: { kind: row.kind, id: row.object_id },
        where: `anchored_records ${row.kind}/${row.object_id}`,
      }
    }
    const rows = await db.selectFrom('access_log').selectAll().orderBy('seq').execute()
    const row = rows[rand(rows.length)]!
    const fields = LOG_FIELDS.filter((f) => row[f] !== null)
    const field = fields[rand(fields.length)]!
    const value = row[field]!
    const changed = typeof value === 'string' ? flipText(value) : Buffer.from(flipBytes(value as Uint8Array))
    await sql`alter table access_log disable trigger access_log_no_change`.execute(db)
    await db
      .updateTable('access_log')
      .set({ [field]: changed })
      .where('seq', '=', row.seq)
      .execute()
    await sql`alter table access_log enable trigger access_log_no_change`.execute(db)
    return {
      kind,
      expect: { kind: 'access_log', id: String(row.seq) },
      where: `access_log ${row.seq}.${field}`,
    }
  }

  it('the untouched store passes', async () => {
    const report = await verify(store.db)
    expect(report.mismatches).toEqual([])
    expect(report.details.anchors).toBe(world.chain.length)
  })

  it(`reports ${sizes.tamperFlips} of ${sizes.tamperFlips} single-byte flips, naming the changed object`, async () => {
    const ROLLBACK = new Error('rollback')
    const missed: string[] = []
    const byKind = new Map<string, number>()
    const started = Date.now()
    for (let i = 0; i < sizes.tamperFlips; i++) {
      await store.db
        .transaction()
        .execute(async (trx) => {
          const target = await flipOne(trx)
          byKind.set(target.kind, (byKind.get(target.kind) ?? 0) + 1)
          const { mismatches } = await verify(trx)
          const named = mismatches.some((m) => m.kind === target.expect.kind && m.id === target.expect.id)
          // A changed hash of access-log entry n also breaks entry n+1's link; nothing else may be named.
          const stray = mismatches.filter(
            (m) =>
              !(m.kind === target.expect.kind && m.id === target.expect.id) &&
              !(
                target.kind === 'access_log' &&
                m.kind === 'access_log' &&
                m.id === String(Number(target.expect.id) + 1)
              ),
          )
          if (!named || stray.length)
            missed.push(`flip ${i} in ${target.where}: verify said ${JSON.stringify(mismatches)}`)
          throw ROLLBACK
        })
        .catch((e) => {
          if (e !== ROLLBACK) throw e
        })
    }
    const seconds = (Date.now() - started) / 1000
    console.info(
      `tamper on ${adapter}: ${sizes.tamperFlips} flips (${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}), ` +
        `${sizes.tamperFlips - missed.length} reported with the right object, ${missed.length} missed; ${seconds.toFixed(1)} s`,
    )
    expect(missed.slice(0, 10)).toEqual([])
    // The rollbacks left the store as it was.
    expect((await verify(store.db)).mismatches).toEqual([])
  }, 3_600_000)
})
