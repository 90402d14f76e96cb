import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Kysely } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { appendEvent } from '../../src/events/outbox.ts'
import { eraseCase } from '../../src/services/eraseCase.ts'
import { listAnchorSource, verifyIntegrity } from '../../src/services/verifyIntegrity.ts'
import { openStore } from '../../src/store/database.ts'
import { CaseKeys, createRepositories } from '../../src/store/repositories/index.ts'
import type { Database } from '../../src/store/schema.ts'
import { adapters, openTestStore } from './adapters.ts'
import { buildWorld, PREBEN, REPORT_TEXT } from './scenario.ts'

const list = await adapters()

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...(await filesUnder(p)))
    else if (e.isFile()) out.push(p)
  }
  return out
}

/** Which needles occur anywhere in the raw bytes of the files under dir. */
async function grep(dir: string, needles: Record<string, Uint8Array>): Promise<string[]> {
  const found = new Set<string>()
  for (const file of await filesUnder(dir)) {
    const buf = await fs.readFile(file)
    for (const [name, needle] of Object.entries(needles)) {
      if (buf.indexOf(needle) >= 0) found.add(`${name} in ${path.relative(dir, file)}`)
    }
  }
  return [...found].sort()
}

const text = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'))

describe.each(list)('erasure on %s', (adapter) => {
  it('destroys the case key and personal rows, logs it with ids only, and verify reports the erasure', async () => {
    const store = await openTestStore(adapter)
    try {
      const world = await buildWorld(store)
      const { repos } = world
      const actor = { personId: world.directorId, role: 'director', organisationId: world.municipalityId }
      await expect(
        eraseCase(store, repos.keys, { caseId: world.caseId, actor: { ...actor, role: 'caseworker' } }),
      ).rejects.toMatchObject({ code: 'ERASURE_FORBIDDEN' })
      await expect(
        eraseCase(store, repos.keys, { caseId: world.caseId, actor: { ...actor, organisationId: 'other' } }),
      ).rejects.toMatchObject({ code: 'ERASURE_FORBIDDEN' })

      const result = await eraseCase(store, repos.keys, {
        caseId: world.caseId,
        actor,
        at: '2027-03-01T10:00:00.000Z',
      })
      expect(result).toEqual({
        caseId: world.caseId,
        erasedAt: '2027-03-01T10:00:00.000Z',
        alreadyErased: false,
        citizens: 1,
        documents: 3,
        records: 1,
      })
      expect(
        (await eraseCase(store, repos.keys, { caseId: world.caseId, actor, at: '2027-03-02T00:00:00.000Z' }))
          .alreadyErased,
      ).toBe(true)

      const erased = await repos.cases.get(world.caseId)
      expect(erased).toMatchObject({
        titel: null,
        erasedAt: '2027-03-01T10:00:00.000Z',
        primaryCitizenId: null,
      })
      await expect(repos.cases.citizens(world.caseId)).rejects.toMatchObject({ code: 'CASE_ERASED' })
      await expect(repos.documents.read(world.documentIds[0]!)).rejects.toMatchObject({ code: 'CASE_ERASED' })
      await expect(repos.cases.findByCpr(PREBEN.cpr)).resolves.toEqual([])
      expect((await repos.documents.list(world.caseId)).every((d) => d.erased && d.title === null)).toBe(true)

      // The other case is untouched.
      expect((await repos.cases.citizens(world.otherCaseId)).length).toBe(1)
      expect((await repos.documents.read(world.documentIds[3]!)).length).toBeGreaterThan(0)

      const log = await repos.accessLog.forCase(world.caseId)
      const entry = log.at(-1)!
      expect(entry).toMatchObject({
        action: 'erase',
        object: 'case',
        purpose: 'erasure',
        actorRole: 'director',
      })
      expect(JSON.stringify(log)).not.toMatch(/Preben|1501164002/)

      const report = await verifyIntegrity(store.db, repos.keys, { source: listAnchorSource(world.chain) })
      expect(report.mismatches).toEqual([])
      expect(report.erased).toBe(5)
      expect(report.details.erasedCases).toEqual([world.caseId])
      expect(report.checked).toBe(world.chain.length + log.length + 1)
    } finally {
      await store.close()
    }
  })

  it('commits the erasure and its case.erased.v1 event together, or neither when a later step fails', async () => {
    const store = await openTestStore(adapter)
    try {
      const world = await buildWorld(store)
      const { repos } = world
      const actor = { personId: world.directorId, role: 'director', organisationId: world.municipalityId }
      const events = async () =>
        (
          await store.db
            .selectFrom('event_outbox')
            .select('body')
            .where('type', '=', 'case.erased.v1')
            .execute()
        ).map((r) => JSON.parse(r.body).payload.caseId as string)
      const appendErased = (trx: Kysely<Database>, erasedAt: string) =>
        appendEvent(trx, {
          type: 'case.erased.v1',
          payload: {
            caseId: world.caseId,
            caseNumber: 'S-1',
            erasedOn: erasedAt.slice(0, 10),
            legalBasis: 'GDPR-art17',
          },
        })

      // The event is written, then a later step in the same transaction fails: both roll back.
      await expect(
        eraseCase(
          store,
          repos.keys,
          { caseId: world.caseId, actor },
          {
            inTransaction: async (trx, erased) => {
              await appendErased(trx, erased.erasedAt)
              throw new Error('injected failure after the erasure step')
            },
          },
        ),
      ).rejects.toThrow(/injected failure/)
      expect(await events()).toEqual([])
      expect((await repos.cases.get(world.caseId))?.erasedAt).toBeNull()
      expect((await repos.cases.citizens(world.caseId)).map((c) => c.cpr)).toEqual([PREBEN.digits])
      expect(await repos.keys.find(store.db, world.caseId)).not.toBeNull()

      // Without the failure both are there after the one commit.
      const result = await eraseCase(
        store,
        repos.keys,
        { caseId: world.caseId, actor },
        { compact: false, inTransaction: (trx, erased) => appendErased(trx, erased.erasedAt).then(() => {}) },
      )
      expect(result.alreadyErased).toBe(false)
      expect(await events()).toEqual([world.caseId])
      expect((await repos.cases.get(world.caseId))?.erasedAt).toBe(result.erasedAt)

      // A repeated order finds the case erased and writes no second event.
      const again = await eraseCase(
        store,
        repos.keys,
        { caseId: world.caseId, actor },
        { inTransaction: (trx, erased) => appendErased(trx, erased.erasedAt).then(() => {}) },
      )
      expect(again.alreadyErased).toBe(true)
      expect(await events()).toEqual([world.caseId])
    } finally {
      await store.close()
    }
  })
})

describe('erasure leaves nothing in the data directory (file-backed PGlite)', () => {
  const dir = path.join(os.tmpdir(), `tillid-erasure-${randomBytes(4).toString('hex')}`)
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true })
  })

  it('no CPR, name, document text, title, key, salt or blind index remains in any raw file', async () => {
    const kek = new Uint8Array(randomBytes(32))
    let store = await openStore({ kind: 'pglite', dir })
    const world = await buildWorld(store, kek)
    const { repos } = world
    const key = await repos.keys.get(store.db, world.caseId)
    const keyRow = await store.db
      .selectFrom('case_keys')
      .selectAll()
      .where('case_id', '=', world.caseId)
      .executeTakeFirstOrThrow()
    const citizen = await store.db
      .selectFrom('citizens')
      .selectAll()
      .where('case_id', '=', world.caseId)
      .executeTakeFirstOrThrow()
    const doc = await store.db
      .selectFrom('documents')
      .selectAll()
      .where('id', '=', world.documentIds[0]!)
      .executeTakeFirstOrThrow()
    const record = await store.db
      .selectFrom('anchored_records')
      .selectAll()
      .where('case_id', '=', world.caseId)
      .executeTakeFirstOrThrow()
    const plaintext: Record<string, Uint8Array> = {
      'CPR digits': text(PREBEN.digits),
      'CPR with dash': text(PREBEN.cpr),
      'full name': text(PREBEN.name),
      surname: text('Testesen'),
      'document text': text(REPORT_TEXT.slice(20, 60)),
      'record text': text('Ophold på Østervold'),
    }
    const secrets: Record<string, Uint8Array> = {
      'wrapped case key': new Uint8Array(keyRow.wrapped_key),
      'CPR blind index': new Uint8Array(citizen.cpr_index),
      'CPR ciphertext': new Uint8Array(citizen.cpr_ct),
      'name ciphertext': new Uint8Array(citizen.name_ct),
      'document ciphertext': new Uint8Array(doc.ciphertext!).subarray(0, 64),
      'document content id': new Uint8Array(doc.content_id!),
      'record ciphertext': new Uint8Array(record.body),
      ...Object.fromEntries(
        world.chain
          .filter((a) => a.kind !== 'template')
          .filter((a) => (a.kind === 'case' ? a.id === world.caseId : true))
          .map((a) => [`salt of ${a.kind} ${a.id}`, key.anchorSalt(a.kind, a.id)]),
      ),
    }
    const mine = new Set([world.caseId, ...world.documentIds.slice(0, 3), '2026-0001:v1'])
    for (const name of Object.keys(secrets)) {
      const id = name.split(' ').at(-1)!
      if (name.startsWith('salt of') && !mine.has(id)) delete secrets[name]
    }

    // Before erasure: the harness finds what is on disk (ciphertext, wrapped key), and personal
    // data was never written in plaintext at all.
    await store.close()
    expect(await grep(dir, plaintext)).toEqual([])
    const before = await grep(dir, secrets)
    expect(before.some((f) => f.startsWith('wrapped case key'))).toBe(true)
    expect(before.some((f) => f.startsWith('document ciphertext'))).toBe(true)

    store = await openStore({ kind: 'pglite', dir })
    const keys = new CaseKeys(kek)
    await eraseCase(store, keys, {
      caseId: world.caseId,
      actor: { personId: world.directorId, role: 'director', organisationId: world.municipalityId },
    })
    await store.close()
    expect(await grep(dir, { ...plaintext, ...secrets })).toEqual([])

    // Reopened, the store still verifies against the (untouched) chain and reports the erasure.
    store = await openStore({ kind: 'pglite', dir })
    const report = await verifyIntegrity(store.db, keys, { source: listAnchorSource(world.chain) })
    expect(report.mismatches).toEqual([])
    expect(report.erased).toBe(5)
    expect((await createRepositories(store.db, keys).cases.citizens(world.otherCaseId)).length).toBe(1)
    await store.close()
  })
})
