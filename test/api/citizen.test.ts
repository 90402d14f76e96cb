/**
 * Scenario step 15 over HTTP: Preben's mother (custody) logs in as a citizen and sees his case, the
 * agreement and its services, dates, documents and the chain proof; sees that Sara read the case; exports
 * everything as JSON and PDF (both written to the access log); and sends a correction that becomes the
 * caseworker's task and is answered. She never sees another citizen's case, and another citizen never
 * sees Preben's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dateToUnixSeconds } from '../../src/domain/calendar.ts'
import type { LoginResult } from '../../src/identity/loginAs.ts'
import { type Persona, PREBEN_CPR, personas } from '../../src/identity/personas.ts'
import { citizenAccessLog } from '../../src/services/citizen/accessLog.ts'
import { addContribution, contributionTasks } from '../../src/services/citizen/contributions.ts'
import { citizenExport } from '../../src/services/citizen/export.ts'
import { citizenOverview, PROOF_SENTENCE } from '../../src/services/citizen/overview.ts'
import { placementLines } from '../../src/services/demo/scenarioRequests.ts'
import { openTestApp, type TestApp } from '../support/app.ts'
import { testActor } from '../support/instance.ts'
import { pdfText } from '../support/pdfText.ts'

const PREBEN = 'Preben Testesen'
/** Another child, not in the mother's custody (fictitious CPR, valid date). */
const OTHER_CPR = '0101201234'
/** The other child's father: a second citizen who logs in through the development IdP like the mother. */
const FAR: Persona = {
  login: 'far',
  name: 'Andens far',
  role: 'citizen',
  description: 'Borger · far til Anden (forældremyndighed)',
  claims: {
    sub: 'far',
    name: 'Andens far',
    tillid_role: 'citizen',
    tillid_cpr: '1505801235',
    tillid_custody: [OTHER_CPR],
  },
}

describe('citizen: Preben’s mother sees, exports and contributes', () => {
  let t: TestApp
  const as: Record<string, LoginResult> = {}
  let caseId = ''
  let otherCaseId = ''
  let agreementId = ''
  /** Ids a stranger must never reach through any endpoint; filled in beforeAll. */
  const prebens = { reportId: '', internalNoteId: '' }
  const others = { agreementId: '', noteId: '', contributionId: '' }
  const at = (date: string) => t.ctx.ledger.advanceTo(Number(dateToUnixSeconds(date)) + 8 * 3600)
  const api = (who: string, method: string, p: string, body?: unknown) => t.api(as[who]!, method, p, body)

  beforeAll(async () => {
    t = await openTestApp({}, { personas: [...personas, FAR] })
    for (const p of ['sara', 'ole', 'dorte', 'bo', 'mor', 'far']) as[p] = await t.login(p)
    await at('2026-01-12')
    const created = await api('sara', 'POST', '/api/cases', {
      cpr: PREBEN_CPR,
      name: PREBEN,
      kle: '27.24.00',
      title: 'Anbringelse uden for hjemmet',
    })
    expect(created.status).toBe(201)
    caseId = created.body.id
    const other = await api('sara', 'POST', '/api/cases', {
      cpr: OTHER_CPR,
      name: 'Anden Borgersen',
      kle: '27.24.00',
      title: 'Forebyggende foranstaltning',
    })
    expect(other.status).toBe(201)
    otherCaseId = other.body.id
    const draft = await api('sara', 'POST', '/api/agreements', {
      caseId,
      providerId: as.ole!.me.organisation!.id,
      templateId: 'placement',
      lines: [
        {
          name: 'Ophold',
          priceOre: '5200000',
          unit: 'month',
          schedule: { kind: 'monthly' },
          start: '2026-02-01',
          arrangedBy: 'provider',
        },
        {
          name: 'Taxi',
          priceOre: '650000',
          unit: 'month',
          schedule: { kind: 'monthly' },
          start: '2026-02-01',
          end: '2026-04-30',
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
    expect(
      (await api('dorte', 'POST', `/api/agreements/${agreementId}/approve`, { version: 1 })).status,
    ).toBe(200)
    // Sara reads the case: this is the access her mother must be able to see.
    expect((await api('sara', 'GET', `/api/cases/${caseId}`)).status).toBe(200)
    // An internal note on the case, never to be shown to the citizen.
    const addDocument = async (onCase: string, kind: string, title: string, text: string) =>
      (
        await t.ctx.repos.documents.add({
          caseId: onCase,
          kind,
          mediaType: kind === 'status_report' ? 'application/pdf' : 'text/plain',
          title,
          bytes: new TextEncoder().encode(text),
        })
      ).id
    prebens.internalNoteId = await addDocument(caseId, 'internal_note', 'Intern notat', 'intern vurdering')
    // A document the mother may see (reports can only be uploaded once the agreement has started).
    prebens.reportId = await addDocument(
      caseId,
      'status_report',
      'statusrapport-2026-01.pdf',
      '%PDF-1.4\nPreben trives.\n%%EOF\n',
    )

    // The other child's case: a draft agreement, an internal note, a comment from the father, and a read
    // by Bo, who has nothing to do with Preben's case.
    const otherDraft = await api('sara', 'POST', '/api/agreements', {
      caseId: otherCaseId,
      providerId: as.ole!.me.organisation!.id,
      templateId: 'placement',
      lines: [placementLines[0]],
      reportEveryMonths: 3,
      graceDays: 14,
    })
    expect(otherDraft.status).toBe(201)
    others.agreementId = otherDraft.body.id
    others.noteId = await addDocument(otherCaseId, 'internal_note', 'Andet notat', 'andet')
    const fathers = await api('far', 'POST', '/api/citizen/contributions', {
      caseId: otherCaseId,
      kind: 'comment',
      text: 'Anden har fået ny skole.',
    })
    expect(fathers.status).toBe(201)
    others.contributionId = fathers.body.id
    expect((await api('bo', 'GET', `/api/cases/${otherCaseId}`)).status).toBe(200)
  }, 180_000)

  afterAll(async () => {
    await t?.close()
  })

  it('overview: Preben’s case, the agreement with provider, amounts, dates and the chain proof', async () => {
    const r = await api('mor', 'GET', '/api/citizen/overview')
    expect(r.status).toBe(200)
    expect(r.body.cases.map((c: { id: string }) => c.id)).toEqual([caseId])
    const c = r.body.cases[0]
    expect(c).toMatchObject({ title: 'Anbringelse uden for hjemmet', childName: PREBEN, relation: 'child' })
    expect(c.agreements).toHaveLength(1)
    const a = c.agreements[0]
    expect(a).toMatchObject({
      id: agreementId,
      state: 'Active',
      provider: { name: 'Østervold' },
      monthlyValueOre: '5850000',
      start: '2026-02-01',
    })
    expect(a.lines.map((l: { name: string; end: string | null }) => [l.name, l.end])).toEqual([
      ['Ophold', null],
      ['Taxi', '2026-04-30'],
    ])
    expect(a.lines[0].text).toContain('52.000 kr. om måneden')
    expect(a.explanation).toContain('botilbud')
    expect(a.nextReportDue).toBe('2026-05-01')
    expect(a.nextDates[0]).toMatchObject({ kind: 'report', date: '2026-05-01' })
    expect(a.proof.text).toBe(PROOF_SENTENCE)
    expect(a.proof.txHash).toMatch(/^0x[0-9a-f]{64}$/)
    const tx = await t.ctx.ledger.publicClient.getTransactionReceipt({ hash: a.proof.txHash })
    expect(String(tx.blockNumber)).toBe(String(a.proof.blockNumber))
    expect(c.documents.map((d: { kind: string }) => d.kind)).not.toContain('internal_note')
    expect(JSON.stringify(r.body)).not.toContain('intern')
  }, 60_000)

  it('access log: Sara’s read with name, role, organisation and purpose, newest first; the view is logged', async () => {
    const r = await api('mor', 'GET', '/api/citizen/access-log')
    expect(r.status).toBe(200)
    const sara = r.body.find(
      (e: { personName: string; what: string }) => e.personName === 'Sara' && e.what === 'Så sagen',
    )
    expect(sara).toMatchObject({
      role: 'caseworker',
      roleText: 'Sagsbehandler',
      organisation: 'Høje-Taastrup Kommune',
      why: 'Sagsbehandling',
      caseId,
    })
    const times = r.body.map((e: { seq: number }) => e.seq)
    expect(times).toEqual([...times].sort((x, y) => y - x))
    expect(r.body.every((e: { caseId: string }) => e.caseId === caseId)).toBe(true)

    const again = await api('mor', 'GET', '/api/citizen/access-log')
    expect(again.body[0]).toMatchObject({
      personName: 'Prebens mor',
      action: 'read',
      purpose: 'citizen_self_service',
    })
    expect(again.body[0].what).toContain('loggen')

    const byOrg = await api('mor', 'GET', '/api/citizen/access-log?organisation=%C3%98stervold')
    expect(byOrg.body).toEqual([])
    const byText = await api('mor', 'GET', '/api/citizen/access-log?q=sagsbehandler')
    expect(byText.body.length).toBeGreaterThan(0)
    expect(byText.body.every((e: { role: string }) => e.role === 'caseworker')).toBe(true)
    const future = await api('mor', 'GET', '/api/citizen/access-log?from=2999-01-01')
    expect(future.body).toEqual([])
    expect((await api('mor', 'GET', '/api/citizen/access-log?from=1.1.2026')).status).toBe(400)
  }, 60_000)

  it('export as JSON with case- and benefit-index field names; the export is logged', async () => {
    const r = await api('mor', 'GET', '/api/citizen/export.json')
    expect(r.status).toBe(200)
    expect(r.body.format).toBe('tillid.borgereksport.v1')
    const s = r.body.sager[0]
    expect(s).toMatchObject({
      sagUUID: caseId,
      titel: 'Anbringelse uden for hjemmet',
      sagsstatus: 'Opstaaet',
      kleEmne: '27.24.00',
      primaerPart: { cprNummer: PREBEN_CPR, navn: PREBEN },
      relation: 'barn i forældremyndighed',
    })
    expect(s.aftaler[0].ydelser.map((y: { ydelsesnavn: string }) => y.ydelsesnavn)).toEqual([
      'Ophold',
      'Taxi',
    ])
    expect(s.aftaler[0].leverandoer.navn).toBe('Østervold')
    expect(s.aftaler[0].registrering.tekst).toBe(PROOF_SENTENCE)
    expect(s.adgangslog.some((e: { hvem: string }) => e.hvem === 'Sara')).toBe(true)
    expect(r.body.sager).toHaveLength(1)

    // Staff see the export in the case's log.
    const log = await api('sara', 'GET', `/api/access-log?caseId=${caseId}`)
    expect(log.status).toBe(200)
    expect(log.body[0]).toMatchObject({
      personName: 'Prebens mor',
      action: 'export',
      why: expect.any(String),
    })
    // Staff reading the log is itself logged.
    const again = await api('sara', 'GET', `/api/access-log?caseId=${caseId}`)
    expect(again.body[0]).toMatchObject({ personName: 'Sara', what: expect.stringContaining('loggen') })
  }, 60_000)

  it('export as a readable PDF', async () => {
    const res = await fetch(`${t.baseUrl}/api/citizen/export.pdf`, { headers: as.mor!.headers })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/pdf')
    const pdf = Buffer.from(await res.arrayBuffer())
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    const { text } = await pdfText(new Uint8Array(pdf))
    for (const words of [
      'Dine oplysninger i Tillid',
      'Anbringelse uden for hjemmet',
      'Østervold',
      PREBEN,
      'Sara',
    ])
      expect(text).toContain(words)
    expect(text).toContain('kan ikke ændres i det skjulte')
    expect(text).not.toContain('Intern notat')
    // The PDF download is in the case's log too, as the newest entry before Sara's own view of it.
    const log = await api('sara', 'GET', `/api/access-log?caseId=${caseId}`)
    expect(log.body[0]).toMatchObject({ personName: 'Prebens mor', action: 'export' })
  }, 60_000)

  it('a correction becomes the caseworker’s task, and her answer is shown to the mother', async () => {
    const r = await api('mor', 'POST', '/api/citizen/contributions', {
      caseId,
      kind: 'correction',
      text: 'Preben går i 4. klasse, ikke 3.',
    })
    expect(r.status).toBe(201)
    const id = r.body.id
    // Stored sealed under the case key, never as plaintext.
    const row = await t.ctx.db
      .selectFrom('citizen_contributions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(Buffer.from(row.text_ct).toString('latin1')).not.toContain('klasse')

    const tasks = await api('sara', 'GET', `/api/cases/${caseId}/contributions`)
    expect(tasks.body).toEqual([expect.objectContaining({ id, kind: 'correction', answer: null })])
    const saraActor = testActor({
      role: 'caseworker',
      personId: as.sara!.me.person.id,
      organisation: { ...as.sara!.me.organisation!, kind: 'municipality' } as never,
      kle: ['27'],
    })
    // Only this case's tasks: the other child's father has written too.
    const tasksOfCase = async () =>
      (await contributionTasks(t.ctx, saraActor)).filter((x) => x.caseId === caseId)
    expect(await tasksOfCase()).toEqual([
      expect.objectContaining({ kind: 'contribution', caseId, contributionId: id }),
    ])

    expect(
      (await api('mor', 'POST', `/api/cases/${caseId}/contributions/${id}/answer`, { text: 'x' })).status,
    ).toBe(403)
    const answered = await api('sara', 'POST', `/api/cases/${caseId}/contributions/${id}/answer`, {
      text: 'Tak, det er rettet.',
    })
    expect(answered.status).toBe(200)
    const o = await api('mor', 'GET', '/api/citizen/overview')
    expect(o.body.cases[0].contributions).toEqual([
      expect.objectContaining({ id, text: 'Preben går i 4. klasse, ikke 3.', answer: 'Tak, det er rettet.' }),
    ])
    expect(await tasksOfCase()).toEqual([])
  }, 60_000)

  it('never another citizen’s data: ids of a case not hers answer 404, other citizens see nothing of Preben', async () => {
    const contrib = await api('mor', 'POST', '/api/citizen/contributions', {
      caseId: otherCaseId,
      kind: 'comment',
      text: 'hej',
    })
    expect(contrib.status).toBe(404)
    expect((await api('mor', 'GET', `/api/citizen/access-log?caseId=${otherCaseId}`)).body).toEqual([])
    expect((await api('mor', 'GET', `/api/cases/${otherCaseId}`)).status).toBe(404)
    const overview = await api('mor', 'GET', '/api/citizen/overview')
    expect(JSON.stringify(overview.body)).not.toContain('Anden Borgersen')
    expect(JSON.stringify(overview.body)).not.toContain(otherCaseId)

    // Citizen endpoints are for citizens, staff endpoints for staff.
    expect((await api('sara', 'GET', '/api/citizen/overview')).status).toBe(403)
    expect((await api('sara', 'GET', '/api/citizen/export.json')).status).toBe(403)
    expect((await api('mor', 'GET', `/api/access-log?caseId=${caseId}`)).status).toBe(403)
    expect((await api('mor', 'POST', `/api/cases/${caseId}/erase`, {})).status).toBe(403)
    expect((await api('ole', 'GET', `/api/access-log?caseId=${caseId}`)).status).toBe(403)

    // Another citizen (the other child's parent) with every endpoint's service and Preben's ids.
    const stranger = testActor({
      role: 'citizen',
      kind: 'citizen',
      cprIndexes: [Buffer.from(t.ctx.keys.blindIndex(OTHER_CPR)).toString('hex')],
    })
    const theirs = await citizenOverview(t.ctx, stranger)
    expect(theirs.cases.map((c) => c.id)).toEqual([otherCaseId])
    expect(JSON.stringify(theirs)).not.toContain(PREBEN)
    const theirExport = await citizenExport(t.ctx, stranger)
    expect(JSON.stringify(theirExport)).not.toContain(PREBEN)
    expect(JSON.stringify(theirExport)).not.toContain(PREBEN_CPR)
    // Sara's read of the other case is in that case's log; nothing of Preben's case is.
    const theirLog = await citizenAccessLog(t.ctx, stranger, { caseId })
    expect(theirLog).toEqual([])
    await expect(
      addContribution(t.ctx, stranger, { caseId, kind: 'comment', text: 'x' }),
    ).rejects.toMatchObject({
      code: 'not_found',
    })
    expect((await citizenAccessLog(t.ctx, stranger)).every((e) => e.caseId === otherCaseId)).toBe(true)
  }, 60_000)
  /**
   * Every operation in the OpenAPI document that takes an id (path, `caseId` query or body) is called
   * by a citizen with the ids of a case that is not theirs. None may succeed with, or echo, that case's data.
   */
  async function sweep(
    who: string,
    theirs: { caseId: string; agreementId: string; documentIds: string[]; contributionId: string },
    secrets: string[],
  ): Promise<string[]> {
    const spec = (await t.api(null, 'GET', '/openapi.json')).body as {
      paths: Record<
        string,
        Record<string, { parameters?: { name: string; in: string }[]; requestBody?: any }>
      >
    }
    const tried: string[] = []
    const leaks: string[] = []
    for (const [route, ops] of Object.entries(spec.paths)) {
      if (!route.startsWith('/api/')) continue
      for (const [method, op] of Object.entries(ops)) {
        const params = [...route.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)
        const caseQuery = (op.parameters ?? []).some((p) => p.in === 'query' && p.name === 'caseId')
        const bodySchema = op.requestBody?.content?.['application/json']?.schema
        const caseBody = Boolean(bodySchema?.properties?.caseId)
        if (params.length === 0 && !caseQuery && !caseBody) continue
        const idFor = (name: string, doc: string) =>
          name === 'contributionId'
            ? theirs.contributionId
            : route.startsWith('/api/agreements/')
              ? theirs.agreementId
              : route.startsWith('/api/documents/')
                ? doc
                : theirs.caseId
        for (const doc of route.startsWith('/api/documents/') ? theirs.documentIds : ['']) {
          let url = route.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(idFor(name, doc)))
          if (caseQuery) url += `?caseId=${theirs.caseId}`
          const body =
            method === 'get' || method === 'head'
              ? undefined
              : { caseId: theirs.caseId, kind: 'comment', text: 'x', version: 1 }
          const r = await api(who, method.toUpperCase(), url, body)
          tried.push(`${method.toUpperCase()} ${url}`)
          const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body)
          if (r.status < 400 && secrets.some((x) => text.includes(x)))
            leaks.push(`${method.toUpperCase()} ${url} → ${r.status} ${text.slice(0, 200)}`)
          if (r.status >= 200 && r.status < 300 && method !== 'get')
            leaks.push(`${method.toUpperCase()} ${url} → ${r.status} (a write succeeded)`)
        }
      }
    }
    expect(leaks).toEqual([])
    return tried
  }

  it('security: every endpoint with ids, tried by another citizen with Preben’s ids, denies or shows nothing', async () => {
    // The father reaches his own child's case (the sweep below is not denying everyone).
    const own = await api('far', 'GET', '/api/citizen/overview')
    expect(own.body.cases.map((c: { id: string }) => c.id)).toEqual([otherCaseId])
    expect((await api('far', 'GET', `/api/cases/${otherCaseId}`)).status).toBe(200)

    const tried = await sweep(
      'far',
      {
        caseId,
        agreementId,
        documentIds: [prebens.reportId, prebens.internalNoteId],
        contributionId:
          (await api('mor', 'GET', '/api/citizen/overview')).body.cases[0].contributions[0]?.id ?? '',
      },
      [PREBEN, PREBEN_CPR, caseId, agreementId, 'Intern notat'],
    )
    for (const op of [
      `GET /api/cases/${caseId}`,
      `GET /api/agreements/${agreementId}`,
      `GET /api/documents/${prebens.reportId}`,
      `GET /api/documents/${prebens.internalNoteId}`,
      `GET /api/citizen/access-log?caseId=${caseId}`,
      'POST /api/citizen/contributions',
      `GET /api/cases/${caseId}/contributions`,
      `GET /api/access-log?caseId=${caseId}`,
    ])
      expect(tried).toContain(op)
    expect(tried.length).toBeGreaterThan(15)
  }, 120_000)

  it('security: the mother with the other child’s ids is denied everywhere, and sees no other staff or internal notes', async () => {
    await sweep(
      'mor',
      {
        caseId: otherCaseId,
        agreementId: others.agreementId,
        documentIds: [others.noteId],
        contributionId: others.contributionId,
      },
      ['Anden Borgersen', OTHER_CPR, otherCaseId, others.agreementId, 'Anden har fået ny skole'],
    )
    // Her own case through the staff-shaped endpoints a citizen may call: no internal note anywhere.
    const kase = await api('mor', 'GET', `/api/cases/${caseId}`)
    expect(kase.status).toBe(200)
    expect(JSON.stringify(kase.body)).not.toContain('Intern notat')
    expect(JSON.stringify(kase.body)).not.toContain(prebens.internalNoteId)
    expect((await api('mor', 'GET', `/api/documents/${prebens.reportId}`)).status).toBe(200)
    expect([403, 404]).toContain((await api('mor', 'GET', `/api/documents/${prebens.internalNoteId}`)).status)
    // Staff names only from her own case's log: Bo read only the other case.
    const log = await api('mor', 'GET', '/api/citizen/access-log')
    expect(log.body.length).toBeGreaterThan(0)
    expect(log.body.every((e: { caseId: string }) => e.caseId === caseId)).toBe(true)
    expect(log.body.map((e: { personName: string }) => e.personName)).not.toContain('Bo')
    const exported = await api('mor', 'GET', '/api/citizen/export.json')
    const names = exported.body.sager.flatMap((s: { adgangslog: { hvem: string }[] }) =>
      s.adgangslog.map((e) => e.hvem),
    )
    expect(names).toContain('Sara')
    expect(names).not.toContain('Bo')
    expect(JSON.stringify(exported.body)).not.toContain('Intern notat')
  }, 120_000)
})
