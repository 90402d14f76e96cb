import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InvalidCprError } from '../../src/domain/cpr.ts'
import { StoreError } from '../../src/store/errors.ts'
import {
  accessLogHash,
  CaseKeys,
  createRepositories,
  inTransaction,
  type Repositories,
} from '../../src/store/repositories/index.ts'
import { adapters, openTestStore, type TestStore } from './adapters.ts'

const list = await adapters()

describe.each(list)('store repositories on %s', (adapter) => {
  let store: TestStore
  let r: Repositories
  let municipalityId: string
  let providerId: string

  beforeAll(async () => {
    store = await openTestStore(adapter)
    r = createRepositories(store.db, new CaseKeys(new Uint8Array(randomBytes(32))))
    municipalityId = (
      await r.organisations.create({
        kind: 'municipality',
        municipalityCode: '169',
        name: 'Høje-Taastrup Kommune',
      })
    ).id
    providerId = (await r.organisations.create({ kind: 'provider', cvr: '12345678', name: 'Østervold' })).id
  })
  afterAll(async () => {
    await store?.close()
  })

  const newCase = (sagsnummer: string, kleClass = '27.24.00', titel = 'Anbringelse uden for hjemmet') =>
    r.cases.create({ organisationId: municipalityId, sagsnummer, titel, kleClass })

  describe('organisations', () => {
    it('finds organisations by code, CVR and chain id', async () => {
      expect((await r.organisations.byMunicipalityCode('169'))?.name).toBe('Høje-Taastrup Kommune')
      expect((await r.organisations.byCvr('12345678'))?.id).toBe(providerId)
      await r.organisations.setChainId(providerId, `0x${'ab'.repeat(32)}`)
      expect((await r.organisations.byChainId(`0x${'ab'.repeat(32)}`))?.id).toBe(providerId)
      expect((await r.organisations.list('provider')).map((o) => o.name)).toEqual(['Østervold'])
    })

    it('rejects malformed codes and duplicates', async () => {
      await expect(
        r.organisations.create({ kind: 'provider', cvr: '1234', name: 'X' }),
      ).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      })
      await expect(
        r.organisations.create({ kind: 'municipality', municipalityCode: '169', name: 'Again' }),
      ).rejects.toMatchObject({ code: 'CONFLICT' })
    })
  })

  describe('people', () => {
    it('stores staff with role and KLE subjects, and citizens by CPR blind index only', async () => {
      const sara = await r.people.create({
        kind: 'staff',
        subject: 'sara@htk',
        organisationId: municipalityId,
        displayName: 'Sara',
        role: 'caseworker',
        kleSubjects: ['27.24', '27.36'],
      })
      expect(await r.people.bySubject('sara@htk')).toEqual(sara)
      expect(sara.kleSubjects).toEqual(['27.24', '27.36'])
      await r.people.setChainAddress(sara.id, `0x${'Aa'.repeat(20)}`)
      expect((await r.people.byChainAddress(`0x${'aa'.repeat(20)}`))?.id).toBe(sara.id)
      expect((await r.people.list({ role: 'caseworker' })).map((p) => p.id)).toEqual([sara.id])

      const mother = await r.people.create({ kind: 'citizen', subject: 'mitid:mother', cpr: '010180-1234' })
      expect((await r.people.byCpr('0101801234')).map((p) => p.id)).toEqual([mother.id])
      const raw = await store.db
        .selectFrom('people')
        .select('cpr_index')
        .where('id', '=', mother.id)
        .executeTakeFirstOrThrow()
      expect(Buffer.from(raw.cpr_index!).toString('latin1')).not.toContain('0101801234')
    })

    it('rejects staff without organisation and bad KLE subjects', async () => {
      await expect(r.people.create({ kind: 'staff', subject: 'x' })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      })
      await expect(
        r.people.create({
          kind: 'staff',
          subject: 'y',
          organisationId: municipalityId,
          kleSubjects: ['placement'],
        }),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    })
  })

  describe('cases and citizens', () => {
    it('creates a case with SF1470 fields and an encrypted title', async () => {
      const c = await newCase('2026-0001')
      expect(c).toMatchObject({
        sagsnummer: '2026-0001',
        status: 'Opstaaet',
        kleClass: '27.24.00',
        erasedAt: null,
      })
      expect(c.titel).toBe('Anbringelse uden for hjemmet')
      expect(await r.cases.get(c.id)).toEqual(c)
      const raw = await store.db
        .selectFrom('cases')
        .select('titel_ct')
        .where('id', '=', c.id)
        .executeTakeFirstOrThrow()
      expect(Buffer.from(raw.titel_ct!).toString('latin1')).not.toContain('Anbringelse')
      const key = await store.db
        .selectFrom('case_keys')
        .selectAll()
        .where('case_id', '=', c.id)
        .executeTakeFirst()
      expect(key?.wrapped_key.length).toBeGreaterThan(32)
    })

    it('moves status and filters by KLE prefix and status', async () => {
      const a = await newCase('2026-0002', '27.24.00')
      const b = await newCase('2026-0003', '17.02.00')
      const moved = await r.cases.setStatus(a.id, 'Oplyst', '2026-01-13T10:00:00.000Z')
      expect(moved.status).toBe('Oplyst')
      expect(moved.statusChangedAt).toBe('2026-01-13T10:00:00.000Z')
      const ids = (await r.cases.list({ kleClassPrefixes: ['17.02'] })).map((c) => c.id)
      expect(ids).toContain(b.id)
      expect(ids).not.toContain(a.id)
      expect((await r.cases.list({ status: 'Oplyst' })).map((c) => c.id)).toEqual([a.id])
      expect(await r.cases.list({ kleClassPrefixes: [] })).toEqual([])
      await expect(r.cases.setStatus(a.id, 'Lukket' as never)).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      })
    })

    it('rejects unknown KLE format, empty fields and duplicate case numbers without leaving half-records', async () => {
      await expect(newCase('2026-0004', 'placement')).rejects.toMatchObject({ code: 'INVALID_INPUT' })
      await expect(newCase('', '27.24.00')).rejects.toMatchObject({ code: 'INVALID_INPUT' })
      await newCase('2026-0005')
      const before = await store.db
        .selectFrom('case_keys')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
      await expect(newCase('2026-0005')).rejects.toMatchObject({ code: 'CONFLICT' })
      const after = await store.db
        .selectFrom('case_keys')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
      expect(after.n).toEqual(before.n)
    })

    it('adds citizens with validated CPR, encrypted, findable by blind index across cases', async () => {
      const c1 = await newCase('2026-0010')
      const c2 = await newCase('2026-0011')
      const preben = await r.cases.addCitizen(c1.id, { cpr: '150116-4002', name: 'Preben Hansen' })
      expect(preben).toMatchObject({
        cpr: '1501164002',
        name: 'Preben Hansen',
        birthDate: '2016-01-15',
        sex: 'female',
      })
      expect((await r.cases.get(c1.id))?.primaryCitizenId).toBe(preben.id)
      const again = await r.cases.addCitizen(c2.id, { cpr: '1501164002', name: 'Preben Hansen' })
      expect((await r.cases.findByCpr('150116 4002')).map((x) => x.citizenId).sort()).toEqual(
        [preben.id, again.id].sort(),
      )
      expect(await r.cases.citizens(c1.id)).toEqual([preben])
      expect(await r.cases.citizenNames(c1.id)).toEqual(['Preben Hansen'])
      const raw = await store.db
        .selectFrom('citizens')
        .selectAll()
        .where('id', '=', preben.id)
        .executeTakeFirstOrThrow()
      for (const col of [raw.cpr_ct, raw.name_ct, raw.cpr_index]) {
        const text = Buffer.from(col).toString('latin1')
        expect(text).not.toContain('1501164002')
        expect(text).not.toContain('Preben')
      }
    })

    it('refuses an invalid CPR with a typed error', async () => {
      const c = await newCase('2026-0012')
      await expect(r.cases.addCitizen(c.id, { cpr: '320116-4002', name: 'X' })).rejects.toBeInstanceOf(
        InvalidCprError,
      )
      await expect(r.cases.addCitizen(c.id, { cpr: '12345', name: 'X' })).rejects.toMatchObject({
        code: 'CPR_INVALID',
      })
      expect(await r.cases.citizens(c.id)).toEqual([])
    })

    it('links a parent with custody to the child and answers by date', async () => {
      const c = await newCase('2026-0013')
      const child = await r.cases.addCitizen(c.id, { cpr: '150116-4002', name: 'Preben Hansen' })
      const parent = await r.people.create({
        kind: 'citizen',
        subject: 'mitid:parent-13',
        cpr: '010180-1234',
      })
      const link = await r.cases.addCustody({
        parentPersonId: parent.id,
        citizenId: child.id,
        fromDate: '2016-01-15',
        toDate: '2034-01-14',
      })
      expect(link.caseId).toBe(c.id)
      expect((await r.cases.custodyOf(parent.id, '2026-06-01')).map((x) => x.caseId)).toEqual([c.id])
      expect(await r.cases.custodyOf(parent.id, '2034-01-15')).toEqual([])
      await expect(
        r.cases.addCustody({
          parentPersonId: parent.id,
          citizenId: child.id,
          fromDate: '2026-02-01',
          toDate: '2026-01-01',
        }),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    })
  })

  describe('documents', () => {
    it('stores documents encrypted, content-addressed per case, and reads them back', async () => {
      const c = await newCase('2026-0020')
      const text = new TextEncoder().encode('Statusrapport: Preben trives på Østervold.')
      const d = await r.documents.add({
        caseId: c.id,
        kind: 'status_report',
        mediaType: 'text/plain',
        title: 'Status maj',
        bytes: text,
      })
      expect(d).toMatchObject({ created: true, size: text.length, title: 'Status maj', erased: false })
      expect(await r.documents.read(d.id)).toEqual(text)
      const again = await r.documents.add({
        caseId: c.id,
        kind: 'status_report',
        mediaType: 'text/plain',
        bytes: text,
      })
      expect(again).toMatchObject({ id: d.id, created: false })
      expect((await r.documents.list(c.id)).map((x) => x.id)).toEqual([d.id])
      const raw = await store.db
        .selectFrom('documents')
        .selectAll()
        .where('id', '=', d.id)
        .executeTakeFirstOrThrow()
      expect(Buffer.from(raw.ciphertext!).toString('latin1')).not.toContain('Preben')
      // The same bytes in another case get another content id: the address is keyed per case.
      const other = await newCase('2026-0021')
      const d2 = await r.documents.add({
        caseId: other.id,
        kind: 'status_report',
        mediaType: 'text/plain',
        bytes: text,
      })
      const raw2 = await store.db
        .selectFrom('documents')
        .select('content_id')
        .where('id', '=', d2.id)
        .executeTakeFirstOrThrow()
      expect(Buffer.from(raw2.content_id!).equals(Buffer.from(raw.content_id!))).toBe(false)
    })

    it('gives concurrent uploads of the same bytes one document', async () => {
      const c = await newCase('2026-0023')
      const bytes = new TextEncoder().encode('samme rapport')
      const all = await Promise.all(
        Array.from({ length: 4 }, () =>
          r.documents.add({ caseId: c.id, kind: 'status_report', mediaType: 'text/plain', bytes }),
        ),
      )
      expect(new Set(all.map((d) => d.id)).size).toBe(1)
      expect(all.filter((d) => d.created)).toHaveLength(1)
    })

    it('refuses empty, oversize and badly typed documents', async () => {
      const c = await newCase('2026-0022')
      const add = (bytes: Uint8Array, mediaType = 'application/pdf') =>
        r.documents.add({ caseId: c.id, kind: 'status_report', mediaType, bytes })
      await expect(add(new Uint8Array())).rejects.toMatchObject({ code: 'DOCUMENT_EMPTY' })
      await expect(add(new Uint8Array(25 * 1024 * 1024 + 1))).rejects.toMatchObject({
        code: 'DOCUMENT_TOO_LARGE',
      })
      await expect(add(new Uint8Array([1]), 'pdf')).rejects.toMatchObject({ code: 'INVALID_INPUT' })
      await expect(r.documents.read('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })
  })

  describe('anchors', () => {
    it('anchors documents, cases and records and rebuilds the same hashes', async () => {
      const c = await newCase('2026-0030')
      const d = await r.documents.add({
        caseId: c.id,
        kind: 'status_report',
        mediaType: 'text/plain',
        bytes: new Uint8Array([1, 2, 3]),
      })
      const da = await r.anchors.anchorDocument(d.id)
      const ca = await r.anchors.anchorCase(c.id)
      const ra = await r.anchors.anchorRecord(
        'agreement_version',
        'a1:1',
        { price: 5200000n, text: 'fri tekst' },
        { caseId: c.id },
      )
      const oa = await r.anchors.anchorRecord('template', 'placement-v1', { lines: 4 })
      for (const a of [da, ca, ra, oa]) {
        expect(a.hash).toMatch(/^0x[0-9a-f]{64}$/)
        expect(await r.anchors.rebuild(a.kind, a.objectId)).toEqual({
          status: 'ok',
          hash: a.hash,
          storedHash: a.hash,
        })
      }
      expect(new Set([da.hash, ca.hash, ra.hash, oa.hash]).size).toBe(4)
      expect(await r.anchors.record('agreement_version', 'a1:1')).toEqual({
        price: '5200000',
        text: 'fri tekst',
      })
      // status changes do not change the case anchor
      await r.cases.setStatus(c.id, 'Afgjort')
      expect((await r.anchors.rebuild('case', c.id)).status).toBe('ok')
      // case-bound salts are derived, not stored; other salts are stored
      const rows = await store.db
        .selectFrom('anchors')
        .select(['kind', 'salt'])
        .where('object_id', 'in', [d.id, 'placement-v1'])
        .execute()
      expect(rows.find((x) => x.kind === 'document')?.salt).toBeNull()
      expect(rows.find((x) => x.kind === 'template')?.salt?.length).toBe(32)
    })

    it('is idempotent for equal content and refuses different content under the same id', async () => {
      const a = await r.anchors.anchorRecord('template', 'tpl-x', { v: 1 })
      expect(await r.anchors.anchorRecord('template', 'tpl-x', { v: 1 })).toEqual(a)
      await expect(r.anchors.anchorRecord('template', 'tpl-x', { v: 2 })).rejects.toMatchObject({
        code: 'CONFLICT',
      })
      await expect(r.anchors.anchorRecord('document', 'x', {})).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      })
      expect((await r.anchors.rebuild('template', 'nope')).status).toBe('missing')
    })

    it('pages through anchors in a stable order and records chain references', async () => {
      const total = await r.anchors.count()
      const seen: string[] = []
      let after: { kind: string; id: string } | undefined
      for (;;) {
        const page = await r.anchors.list({ after, limit: 2 })
        if (page.length === 0) break
        seen.push(...page.map((a) => `${a.kind}/${a.objectId}`))
        const last = page[page.length - 1]!
        after = { kind: last.kind, id: last.objectId }
      }
      expect(seen.length).toBe(total)
      expect(new Set(seen).size).toBe(total)
      await r.anchors.setChainRef('template', 'tpl-x', '0xabc')
      expect((await r.anchors.get('template', 'tpl-x'))?.chainRef).toBe('0xabc')
    })
  })

  describe('access log', () => {
    const entry = (caseId: string | null, at?: string) => ({
      actorPersonId: 'sara',
      actorRole: 'caseworker',
      actorOrganisationId: municipalityId,
      caseId,
      action: 'read' as const,
      object: 'case',
      purpose: 'casework' as const,
      at,
    })

    it('chains each entry to the previous one', async () => {
      const c = await newCase('2026-0040')
      const e1 = await r.accessLog.append(entry(c.id, '2026-01-12T09:00:00.000Z'))
      const e2 = await r.accessLog.append(entry(c.id))
      expect(e2.seq).toBe(e1.seq + 1)
      expect(Buffer.from(e2.prevHash).equals(Buffer.from(e1.hash))).toBe(true)
      const { prevHash, hash, ...body } = e2
      expect(Buffer.from(accessLogHash(prevHash, body)).equals(Buffer.from(hash))).toBe(true)
      expect((await r.accessLog.forCase(c.id)).map((e) => e.seq)).toEqual([e1.seq, e2.seq])
      expect((await r.accessLog.head()).seq).toBe(e2.seq)
    })

    it('keeps one unbroken chain under concurrent appends', async () => {
      await Promise.all(Array.from({ length: 12 }, () => r.accessLog.append(entry(null))))
      const all = await r.accessLog.scan(0, 10_000)
      let prev: Uint8Array = new Uint8Array(32)
      all.forEach((e, i) => {
        expect(e.seq).toBe(i + 1)
        expect(Buffer.from(e.prevHash).equals(Buffer.from(prev))).toBe(true)
        prev = e.hash
      })
    })

    it('is written in the same transaction as the read: a failed read leaves no entry', async () => {
      const before = await r.accessLog.count()
      await expect(
        inTransaction(store.db, r.keys, async (tx) => {
          await tx.accessLog.append(entry(null))
          throw new Error('read failed')
        }),
      ).rejects.toThrow('read failed')
      expect(await r.accessLog.count()).toBe(before)
      expect((await r.accessLog.head()).seq).toBe(before)
    })

    it('refuses updates, deletes, free-text objects and unknown purposes', async () => {
      await expect(sql`update access_log set purpose = 'audit'`.execute(store.db)).rejects.toThrow(
        /append-only/,
      )
      await expect(sql`delete from access_log`.execute(store.db)).rejects.toThrow(/append-only/)
      await expect(r.accessLog.append({ ...entry(null), object: 'Preben Hansen' })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      })
      await expect(
        r.accessLog.append({ ...entry(null), purpose: 'curiosity' as never }),
      ).rejects.toBeInstanceOf(StoreError)
    })
  })

  describe('read models', () => {
    it('upserts agreements, versions, lines, payments and invoices with money as bigint øre', async () => {
      const c = await newCase('2026-0050')
      const agreement = {
        id: '0x01',
        caseId: c.id,
        municipalityId,
        providerId,
        mainAgreementId: null,
        state: 'Draft',
        currentVersion: 1,
        updatedBlock: 10n,
      }
      await r.readModels.upsertAgreement(agreement)
      await r.readModels.upsertAgreement({ ...agreement, state: 'Active', updatedBlock: 12n })
      await r.readModels.upsertAgreement({ ...agreement, id: '0x02', mainAgreementId: '0x01' })
      expect(await r.readModels.agreement('0x01')).toEqual({
        ...agreement,
        state: 'Active',
        updatedBlock: 12n,
      })
      expect((await r.readModels.agreementsForCase(c.id)).map((a) => a.id)).toEqual(['0x01', '0x02'])
      expect((await r.readModels.dependants('0x01')).map((a) => a.id)).toEqual(['0x02'])
      await r.readModels.upsertVersion({
        agreementId: '0x01',
        version: 1,
        termsHash: '0xaa',
        effectiveFrom: '2026-02-01',
        state: 'Active',
        createdBlock: 10n,
      })
      expect((await r.readModels.versions('0x01'))[0]?.effectiveFrom).toBe('2026-02-01')
      const line = {
        lineNo: 1,
        serviceCode: 'ophold',
        unit: 'month' as const,
        priceOre: 5_200_000n,
        startDate: '2026-02-01',
        endDate: null,
        reportEveryMonths: 3,
      }
      await r.readModels.replaceLines('0x01', 1, [
        line,
        { ...line, lineNo: 2, serviceCode: 'skoledel', priceOre: 1_400_000n },
      ])
      await r.readModels.replaceLines('0x01', 1, [line])
      expect(await r.readModels.lines('0x01', 1)).toEqual([{ ...line, agreementId: '0x01', version: 1 }])
      // Larger than 2^53 øre survives exactly.
      const big = 2n ** 60n + 1n
      const payment = {
        id: 'p1',
        agreementId: '0x01',
        lineNo: null,
        period: '2026-05',
        amountOre: big,
        status: 'withheld' as const,
        reason: 'report_overdue',
        txHash: null,
        blockNumber: 20n,
      }
      await r.readModels.upsertPayment(payment)
      await r.readModels.upsertPayment({ ...payment, status: 'released', blockNumber: 21n })
      expect(await r.readModels.payments({ agreementId: '0x01' })).toEqual([
        { ...payment, status: 'released', blockNumber: 21n },
      ])
      await expect(r.readModels.upsertPayment({ ...payment, period: '2026-13' })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      })
      const invoice = {
        id: 'i1',
        agreementId: '0x01',
        lineNo: 3,
        period: '2026-02',
        quantityMilli: 8000n,
        amountOre: 520_000n,
        status: 'accepted' as const,
        txHash: '0x1',
        blockNumber: 30n,
      }
      await r.readModels.upsertInvoice(invoice)
      expect(await r.readModels.invoices('0x01')).toEqual([invoice])
    })
  })
})
