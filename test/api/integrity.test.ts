/**
 * Scenario steps 16–17 over HTTP: the auditor's integrity check compares the store with what the chain
 * itself holds (read from the node, not the indexed copy), names the object of a single altered byte,
 * and after an erasure still passes, reporting the erased case.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dateToUnixSeconds } from '../../src/domain/calendar.ts'
import type { LoginResult } from '../../src/identity/loginAs.ts'
import { PREBEN_CPR } from '../../src/identity/personas.ts'
import { readChainAnchors } from '../../src/services/integrity/chainAnchors.ts'
import { openTestApp, type TestApp } from '../support/app.ts'

describe('integrity check and erasure over HTTP', () => {
  let t: TestApp
  const as: Record<string, LoginResult> = {}
  let caseId = ''
  let agreementId = ''
  let documentId = ''
  const at = (date: string) => t.ctx.ledger.advanceTo(Number(dateToUnixSeconds(date)) + 8 * 3600)
  const api = (who: string, method: string, path: string, body?: unknown) =>
    t.api(as[who]!, method, path, body)
  const verify = async () => {
    const r = await api('revisor', 'POST', '/api/integrity/verify')
    expect(r.status).toBe(200)
    return r.body as {
      checked: number
      mismatches: { kind: string; id: string; reason: string }[]
      erased: number
      details: { anchors: number; erasedAnchors: number }
    }
  }
  /** Flips the low bit of one byte of a bytea column, runs `fn`, and flips it back. */
  const flipped = async (table: string, column: string, id: string, fn: () => Promise<void>) => {
    const flip = () =>
      sql`update ${sql.table(table)} set ${sql.ref(column)} = set_byte(${sql.ref(column)}, 3, get_byte(${sql.ref(column)}, 3) # 1) where id = ${id}`.execute(
        t.ctx.db,
      )
    await flip()
    try {
      await fn()
    } finally {
      await flip()
    }
  }

  beforeAll(async () => {
    t = await openTestApp()
    for (const p of ['sara', 'ole', 'sanne', 'revisor', 'dorte', 'finn', 'mor']) as[p] = await t.login(p)
    await at('2026-01-12')
    const created = await api('sara', 'POST', '/api/cases', {
      cpr: PREBEN_CPR,
      name: 'Preben Testesen',
      kle: '27.24.00',
      title: 'Anbringelse uden for hjemmet',
    })
    expect(created.status).toBe(201)
    caseId = created.body.id
    const draft = await api('sara', 'POST', '/api/agreements', {
      caseId,
      providerId: as.ole!.me.organisation!.id,
      templateId: 'placement',
      lines: [
        {
          name: 'Ophold',
          priceOre: '4000000',
          unit: 'month',
          schedule: { kind: 'monthly' },
          start: '2026-02-01',
          arrangedBy: 'provider',
        },
      ],
      reportEveryMonths: 3,
      graceDays: 14,
    })
    expect(draft.status).toBe(201)
    agreementId = draft.body.id
    for (const who of ['sara', 'ole'])
      expect((await api(who, 'POST', `/api/agreements/${agreementId}/sign`, { version: 1 })).status).toBe(200)
    await at('2026-02-02')
    const report = await api('ole', 'POST', `/api/agreements/${agreementId}/reports`, {
      filename: 'statusrapport-1.pdf',
      contentBase64: Buffer.from('%PDF-1.4 statusrapport om trivsel og skolegang').toString('base64'),
    })
    expect(report.status).toBe(201)
    documentId = report.body.id
    // The same bytes as the related agreement's report: one document, its hash submitted twice on chain.
    const contact = await api('sara', 'POST', '/api/agreements', {
      caseId,
      providerId: as.sanne!.me.organisation!.id,
      templateId: 'contact-supervision',
      mainAgreementId: agreementId,
      lines: [
        {
          name: 'Overvåget samvær',
          priceOre: '65000',
          unit: 'hour',
          schedule: { kind: 'sessions', hours: 4, everyWeeks: 2, weekday: 7, from: '2026-02-08' },
          start: '2026-02-08',
          arrangedBy: 'provider',
        },
      ],
    })
    expect(contact.status).toBe(201)
    for (const who of ['sara', 'sanne'])
      expect((await api(who, 'POST', `/api/agreements/${contact.body.id}/sign`, { version: 1 })).status).toBe(
        200,
      )
    await at('2026-02-09')
    const again = await api('sanne', 'POST', `/api/agreements/${contact.body.id}/reports`, {
      filename: 'statusrapport-1.pdf',
      contentBase64: Buffer.from('%PDF-1.4 statusrapport om trivsel og skolegang').toString('base64'),
    })
    expect(again.body).toMatchObject({ id: documentId })
  }, 180_000)

  afterAll(async () => {
    await t?.close()
  })

  it('reads the anchors from the chain itself and links them to the case and the report', async () => {
    const anchors = await readChainAnchors(t.ctx)
    expect(anchors.map((a) => [a.kind, a.id])).toEqual([
      ['case', caseId],
      ['document', documentId],
    ])
    // The indexed copy in the store is not what the check trusts: wiping it changes nothing.
    await t.ctx.db.transaction().execute(async (trx) => {
      const saved = await trx.selectFrom('ledger_events').selectAll().execute()
      await trx.deleteFrom('ledger_events').execute()
      expect((await readChainAnchors({ ...t.ctx, db: trx })).length).toBe(2)
      await trx.insertInto('ledger_events').values(saved).execute()
    })
  }, 60_000)

  it('only auditors and administrators may run it', async () => {
    expect((await api('sara', 'POST', '/api/integrity/verify')).status).toBe(403)
    expect((await t.api(null, 'POST', '/api/integrity/verify')).status).toBe(401)
  })

  it('passes on a clean instance: every chain entry matches its off-chain record', async () => {
    const r = await verify()
    expect(r.mismatches).toEqual([])
    expect(r.erased).toBe(0)
    expect(r.details.anchors).toBe(2)
    expect(r.checked).toBeGreaterThan(2) // anchors plus the access log's entries
  }, 60_000)

  it('streams progress per checked anchor as NDJSON and ends with the same result', async () => {
    const res = await fetch(`${t.baseUrl}/api/integrity/verify`, {
      method: 'POST',
      headers: { ...as.revisor!.headers, accept: 'application/x-ndjson' },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/)
    const lines = (await res.text())
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
    const progress = lines.filter((l) => l.type === 'progress')
    const last = lines.at(-1)
    expect(last.type).toBe('result')
    expect(progress.length).toBeGreaterThan(0)
    expect(progress.at(-1)).toEqual({ type: 'progress', done: last.checked, total: last.checked })
    for (let i = 1; i < progress.length; i++)
      expect(progress[i].done).toBeGreaterThanOrEqual(progress[i - 1].done)
    const plain = await verify()
    expect({ checked: last.checked, mismatches: last.mismatches, erased: last.erased }).toEqual({
      checked: plain.checked,
      mismatches: plain.mismatches,
      erased: plain.erased,
    })
    // A refusal is still a plain problem+json before any stream starts.
    const refused = await fetch(`${t.baseUrl}/api/integrity/verify`, {
      method: 'POST',
      headers: { ...as.sara!.headers, accept: 'application/x-ndjson' },
    })
    expect(refused.status).toBe(403)
    expect(refused.headers.get('content-type')).toMatch(/problem\+json/)
  }, 60_000)

  it('names the document whose encrypted bytes had one bit flipped', async () => {
    await flipped('documents', 'ciphertext', documentId, async () => {
      const r = await verify()
      expect(r.mismatches).toEqual([expect.objectContaining({ kind: 'document', id: documentId })])
    })
    expect((await verify()).mismatches).toEqual([])
  }, 60_000)

  it('names the case whose row was altered by one character', async () => {
    const row = await t.ctx.db
      .selectFrom('cases')
      .select('sagsnummer')
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow()
    const altered = row.sagsnummer.replace(/\d$/, (d) => String((Number(d) + 1) % 10))
    await t.ctx.db.updateTable('cases').set({ sagsnummer: altered }).where('id', '=', caseId).execute()
    try {
      const r = await verify()
      expect(r.mismatches).toEqual([expect.objectContaining({ kind: 'case', id: caseId })])
    } finally {
      await t.ctx.db
        .updateTable('cases')
        .set({ sagsnummer: row.sagsnummer })
        .where('id', '=', caseId)
        .execute()
    }
  }, 60_000)

  it('names the access-log entry that was altered after it was written', async () => {
    const e = await t.ctx.db
      .selectFrom('access_log')
      .select(['seq', 'purpose'])
      .where('case_id', '=', caseId)
      .orderBy('seq')
      .executeTakeFirstOrThrow()
    // The table refuses ordinary updates (trigger); an attacker with the owner's rights disables it.
    await sql`alter table access_log disable trigger access_log_no_change`.execute(t.ctx.db)
    try {
      await t.ctx.db.updateTable('access_log').set({ purpose: 'support' }).where('seq', '=', e.seq).execute()
      const r = await verify()
      expect(r.mismatches).toEqual([expect.objectContaining({ kind: 'access_log', id: String(e.seq) })])
      await t.ctx.db.updateTable('access_log').set({ purpose: e.purpose }).where('seq', '=', e.seq).execute()
    } finally {
      await sql`alter table access_log enable trigger access_log_no_change`.execute(t.ctx.db)
    }
    expect((await verify()).mismatches).toEqual([])
  }, 60_000)

  it('erasure: personal data gone, chain untouched, the check passes and reports the erased case', async () => {
    const contribution = await api('mor', 'POST', '/api/citizen/contributions', {
      caseId,
      kind: 'comment',
      text: 'Preben savner sin cykel.',
    })
    expect(contribution.status).toBe(201)
    const sealed = (
      await t.ctx.db
        .selectFrom('citizen_contributions')
        .select('text_ct')
        .where('id', '=', contribution.body.id)
        .executeTakeFirstOrThrow()
    ).text_ct
    const block = await t.ctx.ledger.publicClient.getBlockNumber()
    const before = await readChainAnchors(t.ctx)
    expect((await api('sara', 'POST', `/api/cases/${caseId}/erase`, {})).status).toBe(403)
    expect((await api('finn', 'POST', `/api/cases/${caseId}/erase`, {})).status).toBe(403)
    const r = await api('dorte', 'POST', `/api/cases/${caseId}/erase`, {})
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ caseId, alreadyErased: false, citizens: 1 })

    expect(await t.ctx.ledger.publicClient.getBlockNumber()).toBe(block)
    expect(await readChainAnchors(t.ctx)).toEqual(before)
    expect(await t.ctx.db.selectFrom('citizens').selectAll().where('case_id', '=', caseId).execute()).toEqual(
      [],
    )
    expect(
      await t.ctx.db.selectFrom('case_keys').selectAll().where('case_id', '=', caseId).execute(),
    ).toEqual([])
    expect((await api('sara', 'GET', `/api/cases/${caseId}`)).status).toBe(410)
    // The citizen's contribution went with the case: no row, and not one copy of its sealed bytes on disk.
    expect((await api('mor', 'GET', '/api/citizen/overview')).body.cases).toEqual([])
    expect(
      await t.ctx.db.selectFrom('citizen_contributions').selectAll().where('case_id', '=', caseId).execute(),
    ).toEqual([])
    const needle = Buffer.from(sealed).subarray(12, 44)
    const files = readdirSync(t.ctx.dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile())
    for (const f of files) expect(readFileSync(path.join(f.parentPath, f.name)).includes(needle)).toBe(false)
    expect((await api('sara', 'GET', `/api/documents/${documentId}`)).status).toBe(410)

    const events = await t.ctx.db
      .selectFrom('event_outbox')
      .selectAll()
      .where('type', '=', 'case.erased.v1')
      .execute()
    expect(events.length).toBe(1)
    expect(JSON.stringify(events[0])).not.toContain('Preben')

    const v = await verify()
    expect(v.mismatches).toEqual([])
    expect(v.erased).toBe(1)
    expect(v.details.erasedAnchors).toBe(2)

    const again = await api('dorte', 'POST', `/api/cases/${caseId}/erase`, {})
    expect(again.body.alreadyErased).toBe(true)
  }, 120_000)
})
