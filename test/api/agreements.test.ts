/**
 * Scenario steps 1–13 (../shared/docs/scenario-preben.md) over HTTP as the named people, on one
 * embedded Tillid with the ledger clock moved to each date and the keeper ticking where the scenario
 * relies on it; plus the refusals a user meets: wrong role, other tenant, bad input (problem+json naming
 * fields, nothing on chain).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dateToUnixSeconds } from '../../src/domain/calendar.ts'
import type { LoginResult } from '../../src/identity/loginAs.ts'
import { PREBEN_CPR } from '../../src/identity/personas.ts'
import { contactLines, placementLines, schoolSupportLines } from '../../src/services/demo/scenarioRequests.ts'
import { tick } from '../../src/services/keeper.ts'
import { openTestApp, type TestApp } from '../support/app.ts'

const PREBEN = 'Preben Testesen'

describe('agreements over HTTP: Preben’s placement', () => {
  let t: TestApp
  const as: Record<string, LoginResult> = {}
  let caseId = ''
  let placement = ''
  let contact = ''
  let oestervoldId = ''
  let samvaerId = ''

  const at = (date: string) => t.ctx.ledger.advanceTo(Number(dateToUnixSeconds(date)) + 8 * 3600)
  const api = (who: string, method: string, path: string, body?: unknown) =>
    t.api(as[who]!, method, path, body)
  const blockNumber = () => t.ctx.ledger.publicClient.getBlockNumber()

  beforeAll(async () => {
    t = await openTestApp()
    for (const p of ['sara', 'bo', 'lis', 'ole', 'sanne', 'finn']) as[p] = await t.login(p)
    oestervoldId = as.ole!.me.organisation!.id
    samvaerId = as.sanne!.me.organisation!.id
    await at('2026-01-12')
  }, 120_000)

  afterAll(async () => {
    await t?.close()
  })

  it('1. Sara opens the case and drafts the placement; bad input is refused with the fields named', async () => {
    const bad = await api('sara', 'POST', '/api/cases', {
      cpr: '12345',
      name: '',
      kle: '27.24.00',
      title: 'x',
    })
    expect(bad.status).toBe(400)
    expect(bad.body.code).toBe('validation_failed')
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['cpr', 'name']),
    )

    const created = await api('sara', 'POST', '/api/cases', {
      cpr: PREBEN_CPR,
      name: PREBEN,
      kle: '27.24.00',
      title: 'Anbringelse uden for hjemmet',
    })
    expect(created.status).toBe(201)
    caseId = created.body.id
    expect(created.body.caseRef).toMatch(/^0x[0-9a-f]{64}$/)
    expect(
      await api('ole', 'POST', '/api/cases', { cpr: PREBEN_CPR, name: 'x', kle: '27.24', title: 'x' }),
    ).toMatchObject({ status: 403 })

    const before = await blockNumber()
    const invalid = await api('sara', 'POST', '/api/agreements', {
      caseId,
      providerId: oestervoldId,
      templateId: 'placement',
      lines: [{ ...placementLines[0], priceOre: '-5', start: '2026-02-30' }],
    })
    expect(invalid.status).toBe(400)
    expect(invalid.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['lines.0.priceOre', 'lines.0.start']),
    )
    const sessionOnWrongDay = await api('sara', 'POST', '/api/agreements', {
      caseId,
      providerId: samvaerId,
      templateId: 'contact-supervision',
      lines: [
        {
          name: 'Samvær',
          priceOre: '65000',
          unit: 'hour',
          schedule: { kind: 'sessions', hours: 4, everyWeeks: 2, weekday: 7, from: '2026-02-02' },
          start: '2026-02-01',
          arrangedBy: 'provider',
        },
      ],
    })
    expect(sessionOnWrongDay.status).toBe(400)
    expect(sessionOnWrongDay.body.errors[0].field).toBe('lines.0.schedule.from')
    expect(await blockNumber()).toBe(before)

    const draft = await api('sara', 'POST', '/api/agreements', {
      caseId,
      providerId: oestervoldId,
      templateId: 'placement',
      lines: placementLines,
      reportEveryMonths: 3,
      graceDays: 14,
    })
    expect(draft.status).toBe(201)
    placement = draft.body.id
    expect(draft.body).toMatchObject({
      state: 'Draft',
      version: 1,
      monthlyValueOre: '7250000',
      start: '2026-02-01',
    })
    expect(draft.body.lines.map((l: { name: string }) => l.name)).toEqual([
      'Ophold',
      'Skoledel',
      'Taxi til og fra skole',
    ])
    expect(draft.body.lines[2].end).toBe('2026-04-30')

    // Nothing personal on chain: neither the CPR number nor the name is in any transaction or log.
    const rows = await t.ctx.db.selectFrom('ledger_events').select(['tx_hash', 'args']).execute()
    for (const r of rows) {
      const tx = await t.ctx.ledger.publicClient.getTransaction({ hash: r.tx_hash as `0x${string}` })
      const text = `${r.args} ${tx.input} ${Buffer.from(tx.input.slice(2), 'hex').toString('latin1')}`
      expect(text).not.toContain(PREBEN_CPR)
      expect(text).not.toContain(BigInt(PREBEN_CPR).toString(16))
      expect(text).not.toContain('Preben')
    }
  }, 60_000)

  it('2. Sara drafts the related supervised-contact contract linked to the placement', async () => {
    const r = await api('sara', 'POST', '/api/agreements', {
      caseId,
      providerId: samvaerId,
      templateId: 'contact-supervision',
      mainAgreementId: placement,
      lines: contactLines,
    })
    expect(r.status).toBe(201)
    contact = r.body.id
    expect(r.body.mainAgreementId).toBe(placement)
    const main = await api('sara', 'GET', `/api/agreements/${placement}`)
    expect(main.body.relatedAgreementIds).toEqual([contact])
    const list = await api('sara', 'GET', `/api/agreements?caseId=${caseId}`)
    expect(list.body.map((a: { id: string }) => a.id)).toEqual([placement, contact])
  }, 60_000)

  it('3. both parties sign: the placement awaits approval (72,500 kr > 50,000 kr), the related one its main', async () => {
    await at('2026-01-14')
    expect((await api('sara', 'GET', '/api/tasks')).body).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'sign', agreementId: placement, version: 1 })]),
    )
    expect((await api('sara', 'POST', `/api/agreements/${placement}/sign`, { version: 1 })).status).toBe(200)
    const signed = await api('ole', 'POST', `/api/agreements/${placement}/sign`, { version: 1 })
    expect(signed.status).toBe(200)
    expect(signed.body.state).toBe('AwaitingApproval')
    expect(signed.body.signatures.map((s: { name: string; party: string }) => [s.name, s.party])).toEqual([
      ['Sara', 'municipality'],
      ['Ole', 'provider'],
    ])
    expect((await api('ole', 'POST', `/api/agreements/${placement}/sign`, { version: 1 })).body.code).toBe(
      'invalid_state',
    )

    expect((await api('sara', 'POST', `/api/agreements/${contact}/sign`, { version: 1 })).status).toBe(200)
    const c = await api('sanne', 'POST', `/api/agreements/${contact}/sign`, { version: 1 })
    expect(c.status).toBe(200)
    expect(c.body.state).toBe('AwaitingMain')

    // Another tenant sees nothing of the placement; a provider may not approve at all.
    expect((await api('sanne', 'GET', `/api/agreements/${placement}`)).status).toBe(404)
    expect((await api('sanne', 'POST', `/api/agreements/${placement}/sign`, { version: 1 })).status).toBe(404)
    expect((await api('sanne', 'GET', '/api/agreements')).body.map((a: { id: string }) => a.id)).toEqual([
      contact,
    ])
    const ole = await api('ole', 'POST', `/api/agreements/${placement}/approve`, { version: 1 })
    expect(ole.status).toBe(403)
    expect(ole.body.code).toBe('forbidden')
    expect((await api('sanne', 'GET', `/api/cases/${caseId}`)).status).toBe(403)

    expect((await api('bo', 'GET', '/api/tasks')).body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'approve', agreementId: placement, version: 1 }),
      ]),
    )
  }, 90_000)

  it('4. Bo approves: still awaiting approval (two centre chiefs or one director)', async () => {
    await at('2026-01-15')
    const r = await api('bo', 'POST', `/api/agreements/${placement}/approve`, { version: 1 })
    expect(r.status).toBe(200)
    expect(r.body.state).toBe('AwaitingApproval')
    expect(r.body.approvals.map((a: { name: string }) => a.name)).toEqual(['Bo'])
    const again = await api('bo', 'POST', `/api/agreements/${placement}/approve`, { version: 1 })
    expect(again.status).toBe(409)
    expect(again.body.code).toBe('already_approved')
    expect(
      (await api('bo', 'GET', '/api/tasks')).body.filter((x: { kind: string }) => x.kind === 'approve'),
    ).toEqual([])
  }, 60_000)

  it('5. Lis approves: both contracts active from 2026-02-01, with a ledger proof', async () => {
    await at('2026-01-16')
    const r = await api('lis', 'POST', `/api/agreements/${placement}/approve`, { version: 1 })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ state: 'Active', start: '2026-02-01', version: 1 })
    expect(r.body.proof.txHash).toMatch(/^0x[0-9a-f]{64}$/)
    expect(r.body.proof.signers).toHaveLength(2)
    const c = await api('sanne', 'GET', `/api/agreements/${contact}`)
    expect(c.body.state).toBe('Active')
    expect(c.body.obligations[0]).toMatchObject({
      kind: 'status_report',
      everyMonths: 3,
      graceDays: 14,
      nextDue: '2026-05-01',
    })
    expect(c.body.timeline.map((e: { kind: string }) => e.kind)).toContain('AgreementActivated')
  }, 60_000)

  it('6. amendment: school support 9,800 kr/mo with review 2026-05-15 becomes version 2; version 1 stays readable', async () => {
    await at('2026-03-01')
    const amended = await api('sara', 'POST', `/api/agreements/${placement}/amendments`, {
      lines: schoolSupportLines,
    })
    expect(amended.status).toBe(201)
    expect(amended.body).toMatchObject({ pendingVersion: 2, version: 2, state: 'Active' })
    expect(amended.body.lines).toHaveLength(4)
    expect((await api('sara', 'POST', `/api/agreements/${placement}/sign`, { version: 2 })).status).toBe(200)
    const r = await api('ole', 'POST', `/api/agreements/${placement}/sign`, { version: 2 })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ state: 'Active', version: 2, monthlyValueOre: '8230000' })
    expect(
      r.body.versions.map((v: { version: number; state: string; lines: unknown[] }) => [
        v.version,
        v.state,
        v.lines.length,
      ]),
    ).toEqual([
      [1, 'Superseded', 3],
      [2, 'Effective', 4],
    ])
    expect(r.body.lines[3]).toMatchObject({
      name: 'Ekstra skolestøtte 6 t/uge',
      end: '2026-05-31',
      reviewDate: '2026-05-15',
    })
    expect(r.body.versions[0].lines.map((l: { name: string }) => l.name)).toEqual([
      'Ophold',
      'Skoledel',
      'Taxi til og fra skole',
    ])
  }, 60_000)

  it('7. Samværskonsulenterne invoices February: 3 Sundays flagged as a deviation, 2 Sundays accepted', async () => {
    const early = await api('sanne', 'POST', `/api/agreements/${contact}/invoices`, {
      period: '2026-03',
      lineId: '0',
      quantity: 8,
    })
    expect(early.status).toBe(400)
    const three = await api('sanne', 'POST', `/api/agreements/${contact}/invoices`, {
      period: '2026-02',
      lineId: '0',
      quantity: 12,
    })
    expect(three.status).toBe(201)
    expect(three.body).toMatchObject({
      status: 'deviation',
      quantity: 12,
      expectedQuantity: 8,
      amountOre: '780000',
      expectedOre: '520000',
    })
    const two = await api('sanne', 'POST', `/api/agreements/${contact}/invoices`, {
      period: '2026-02',
      lineId: '0',
      quantity: 8,
    })
    expect(two.body).toMatchObject({ status: 'accepted', amountOre: '520000' })
    expect((await api('sara', 'GET', '/api/tasks')).body).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'invoice_deviation', agreementId: contact })]),
    )
    const detail = await api('finn', 'GET', `/api/agreements/${contact}`)
    expect(detail.body.invoices.map((i: { status: string }) => i.status)).toEqual(['deviation', 'accepted'])
  }, 60_000)

  it('review decisions are checked before the ledger: a date is needed, and only lines with a review date', async () => {
    const noDate = await api('sara', 'POST', `/api/agreements/${placement}/reviews`, {
      lineId: '3',
      decision: 'continue',
    })
    expect(noDate.status).toBe(400)
    expect(noDate.body.errors[0].field).toBe('until')
    const noReview = await api('sara', 'POST', `/api/agreements/${placement}/reviews`, {
      lineId: '0',
      decision: 'end',
      until: '2026-04-30',
    })
    expect(noReview.status).toBe(422)
    expect(noReview.body.code).toBe('business_rule')
    expect(
      (await api('ole', 'POST', `/api/agreements/${placement}/reviews`, { lineId: '3', decision: 'adjust' }))
        .status,
    ).toBe(403)
  }, 60_000)

  it('lists cases by organisation and KLE, and shows Preben’s mother both agreements', async () => {
    expect((await api('sara', 'GET', '/api/cases')).body.map((c: { id: string }) => c.id)).toEqual([caseId])
    expect((await api('bo', 'GET', '/api/cases')).body.map((c: { id: string }) => c.id)).toEqual([caseId])
    expect((await api('finn', 'GET', '/api/cases')).status).toBe(403)
    as.mor = await t.login('mor')
    const mine = await api('mor', 'GET', '/api/agreements')
    expect(mine.status).toBe(200)
    expect(mine.body.map((a: { id: string }) => a.id)).toEqual([placement, contact])
    const detail = await api('mor', 'GET', `/api/agreements/${placement}`)
    expect(detail.body.lines.map((l: { name: string }) => l.name)).toContain('Ekstra skolestøtte 6 t/uge')
  }, 60_000)

  it('8. on 2026-05-01 both status reports fall due: Sara and each provider see them, with the grace period', async () => {
    await at('2026-05-01')
    await tick(t.ctx)
    const due = (who: string) =>
      api(who, 'GET', '/api/tasks').then((r) =>
        r.body
          .filter((x: { kind: string }) => x.kind === 'report_due')
          .map((x: { agreementId: string; due: string; graceUntil: string }) => [
            x.agreementId,
            x.due,
            x.graceUntil,
          ]),
      )
    expect(await due('sara')).toEqual([
      [placement, '2026-05-01', '2026-05-15'],
      [contact, '2026-05-01', '2026-05-15'],
    ])
    expect(await due('ole')).toEqual([[placement, '2026-05-01', '2026-05-15']])
    expect(await due('sanne')).toEqual([[contact, '2026-05-01', '2026-05-15']])
    // Nobody is told it is overdue yet, and those who do not deliver or follow up get no task.
    expect(await due('finn')).toEqual([])
    const overdue = (await api('sara', 'GET', '/api/tasks')).body.filter(
      (x: { kind: string }) => x.kind === 'report_overdue',
    )
    expect(overdue).toEqual([])
    expect((await api('ole', 'GET', `/api/agreements/${placement}`)).body.obligations[0]).toMatchObject({
      kind: 'status_report',
      nextDue: '2026-05-01',
      graceDays: 14,
      overdueSince: null,
    })
  }, 90_000)

  it('payment runs name each agreement by its title and store id, not its on-chain hash', async () => {
    const run = await api('finn', 'GET', '/api/payment-runs/2026-02')
    expect(run.status).toBe(200)
    const byId = new Map<string, { agreementTitle?: string }>(
      run.body.items.map((i: { agreementId: string }) => [i.agreementId, i]),
    )
    expect(byId.get(placement)).toMatchObject({
      agreementTitle: 'Anbringelse uden for hjemmet (botilbud)',
      providerName: 'Østervold',
      amountOre: '7250000',
      chainId: expect.stringMatching(/^0x[0-9a-f]{64}$/),
    })
    expect(byId.get(contact)).toMatchObject({ providerName: 'Samværskonsulenterne ApS', amountOre: '520000' })
    expect(byId.get(contact)?.agreementTitle).toBe('Overvåget samvær')
    expect(run.body.deviations).toEqual([
      expect.objectContaining({
        agreementId: contact,
        lineName: 'Støttet samvær',
        quantity: 12,
        expectedQuantity: 8,
        amountOre: '780000',
      }),
    ])
  }, 60_000)

  it('9. the keeper finds the school-support review due on 2026-05-15: a task for Sara and a review.due event', async () => {
    await at('2026-05-15')
    await tick(t.ctx)
    const tasks = (await api('sara', 'GET', '/api/tasks')).body
    expect(tasks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'review',
          agreementId: placement,
          caseId,
          due: '2026-05-15',
          lineId: '3',
        }),
      ]),
    )
    const due = await t.ctx.db
      .selectFrom('event_outbox')
      .select('body')
      .where('type', '=', 'review.due.v1')
      .execute()
    expect(due.map((r) => JSON.parse(r.body).payload)).toEqual([
      { agreementId: placement, caseId, dueDate: '2026-05-15' },
    ])
    // The keeper also evaluated the months that were payable: February as the scenario says.
    const feb = (await api('finn', 'GET', `/api/agreements/${placement}`)).body.payments[0]
    expect(feb).toMatchObject({
      period: '2026-02',
      amountOre: '7250000',
      status: 'approved',
      dueDate: '2026-03-01',
    })
    expect(feb.lines.map((l: { name: string; amountOre: string }) => [l.name, l.amountOre])).toEqual([
      ['Ophold', '5200000'],
      ['Skoledel', '1400000'],
      ['Taxi til og fra skole', '650000'],
    ])
    const rm = await t.ctx.db
      .selectFrom('rm_payments')
      .select(['agreement_id', 'amount_ore', 'status'])
      .where('period', '=', '2026-02')
      .orderBy('amount_ore', 'desc')
      .execute()
    expect(rm).toEqual([
      { agreement_id: placement, amount_ore: '7250000', status: 'approved' },
      { agreement_id: contact, amount_ore: '520000', status: 'approved' },
    ])
  }, 90_000)

  let contactReport = ''
  it('10. Samværskonsulenterne delivers its report: the obligation is fulfilled', async () => {
    await at('2026-05-20')
    const content = Buffer.from('Statusrapport for samvær, maj 2026').toString('base64')
    const r = await api('sanne', 'POST', `/api/agreements/${contact}/reports`, {
      filename: 'status-maj.txt',
      contentBase64: content,
    })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ reportNumber: 1, filename: 'status-maj.txt' })
    expect(r.body.anchor).toMatch(/^0x[0-9a-f]{64}$/)
    contactReport = r.body.id
    const c = await api('sara', 'GET', `/api/agreements/${contact}`)
    expect(c.body.obligations[0].nextDue).toBe('2026-08-01')
    expect(c.body.reports.map((x: { id: string }) => x.id)).toEqual([contactReport])

    const doc = await fetch(`${t.baseUrl}/api/documents/${contactReport}`, { headers: as.sara!.headers })
    expect(doc.status).toBe(200)
    expect(await doc.text()).toBe('Statusrapport for samvær, maj 2026')
    expect((await api('ole', 'GET', `/api/documents/${contactReport}`)).status).toBe(404)
  }, 60_000)

  it('11. the May run withholds Østervold’s 75,800 kr: its report is overdue since 2026-05-16', async () => {
    await at('2026-06-01')
    await tick(t.ctx)
    const may = (await api('sara', 'GET', `/api/agreements/${placement}`)).body.payments.find(
      (p: { period: string }) => p.period === '2026-05',
    )
    expect(may).toMatchObject({
      amountOre: '7580000',
      status: 'withheld',
      reason: 'report_overdue',
      reportDueDate: '2026-05-01',
      overdueSince: '2026-05-16',
    })
    expect((await api('sara', 'GET', '/api/tasks')).body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'report_overdue', agreementId: placement, due: '2026-05-01' }),
      ]),
    )
    const contactMay = (await api('sanne', 'GET', `/api/agreements/${contact}`)).body.payments.find(
      (p: { period: string }) => p.period === '2026-05',
    )
    expect(contactMay.status).toBe('approved')
  }, 90_000)

  it('11b. each provider reads its own share of the runs: its payments, the withheld reason, nothing else', async () => {
    const oestervold = await api('ole', 'GET', '/api/payment-runs/2026-05')
    expect(oestervold.status).toBe(200)
    expect(oestervold.body.items).toEqual([
      expect.objectContaining({
        agreementId: placement,
        providerName: 'Østervold',
        period: '2026-05',
        amountOre: '7580000',
        status: 'withheld',
        reason: 'report_overdue',
        dueDate: '2026-05-01',
        overdueSince: '2026-05-16',
      }),
    ])
    expect(oestervold.body.totals).toMatchObject({ withheldOre: '7580000', approvedOre: '0' })
    expect(oestervold.body.providerCvr).toBe('31457823')
    // No payment file (every provider's accounts), no municipality total, no case behind an agreement.
    expect(oestervold.body.files).toBeUndefined()
    expect(oestervold.body.municipalityCode).toBeUndefined()
    expect(JSON.stringify(oestervold.body)).not.toContain(caseId)
    expect(JSON.stringify(oestervold.body)).not.toContain(contact)

    // Every month of Samværskonsulenterne's, and only its agreement in any of them.
    const samvaer = await api('sanne', 'GET', '/api/payment-runs')
    expect(samvaer.status).toBe(200)
    expect(samvaer.body.map((r: { period: string }) => r.period)).toEqual(
      expect.arrayContaining(['2026-05', '2026-02']),
    )
    const items = samvaer.body.flatMap((r: { items: { agreementId: string }[] }) => r.items)
    expect(items.length).toBeGreaterThan(0)
    expect(new Set(items.map((i: { agreementId: string }) => i.agreementId))).toEqual(new Set([contact]))
    expect(JSON.stringify(samvaer.body)).not.toContain(placement)

    // The municipality's run holds both providers.
    const run = await api('finn', 'GET', '/api/payment-runs/2026-05')
    expect(new Set(run.body.items.map((i: { agreementId: string }) => i.agreementId))).toEqual(
      new Set([placement, contact]),
    )
  }, 60_000)

  it('12. Østervold uploads its report: stored off-chain, anchored, May released, visible on the case', async () => {
    await at('2026-06-03')
    const r = await api('ole', 'POST', `/api/agreements/${placement}/reports`, {
      filename: 'statusrapport.pdf',
      contentBase64: Buffer.from('%PDF-1.4 statusrapport').toString('base64'),
    })
    expect(r.status).toBe(201)
    expect(r.body.reportNumber).toBe(1)
    expect(r.body.released).toEqual([{ period: '2026-05', amountOre: '7580000' }])
    expect(
      (await api('sara', 'GET', '/api/tasks')).body.filter(
        (x: { kind: string }) => x.kind === 'report_overdue',
      ),
    ).toEqual([])
    const before = await blockNumber()
    const again = await api('ole', 'POST', `/api/agreements/${placement}/reports`, {
      filename: 'igen.pdf',
      contentBase64: Buffer.from('%PDF-1.4 statusrapport').toString('base64'),
    })
    expect(again.status).toBe(409)
    expect(await blockNumber()).toBe(before)
    const c = await api('sara', 'GET', `/api/cases/${caseId}`)
    expect(c.status).toBe(200)
    expect(c.body.citizen).toEqual({ name: PREBEN, cpr: PREBEN_CPR })
    expect(c.body.documents.map((d: { id: string }) => d.id)).toEqual(
      expect.arrayContaining([r.body.id, contactReport]),
    )
    expect(c.body.timeline.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining([
        'CaseCreated',
        'AgreementActivated',
        'VersionEffective',
        'StatusReportSubmitted',
      ]),
    )
    const log = await t.ctx.repos.accessLog.forCase(caseId)
    expect(log.filter((e) => e.action === 'read' && e.object === 'case').length).toBeGreaterThanOrEqual(1)
  }, 60_000)

  it('13. termination signed by Sara and Ole ends the placement and, on the same date, the related contract', async () => {
    await at('2027-01-20')
    // 2027-01-31 on chain is 1801353600, whose ten digits form a valid CPR date (18-01-35). A personal-data
    // guard that does not know chain dates refuses it (and sends nothing); the cascade is then checked on
    // the nearest date it lets through.
    let end = '2027-01-31'
    const terminate = (who: string, kind = 'mutual') =>
      api(who, 'POST', `/api/agreements/${placement}/termination`, { effectiveDate: end, kind })
    const before = await blockNumber()
    let first = await terminate('sara')
    if (first.body.code === 'personal_data_blocked') {
      expect(await blockNumber()).toBe(before)
      end = '2027-01-25'
      first = await terminate('sara')
    }
    expect(first.status).toBe(200)
    expect(first.body.state).toBe('Active')
    expect(first.body.pendingTermination).toMatchObject({ effectiveDate: end, signedBy: [{ name: 'Sara' }] })
    const preview = await api(
      'sara',
      'GET',
      `/api/agreements/${placement}/termination-preview?effectiveDate=${end}`,
    )
    expect(preview.status).toBe(200)
    expect(preview.body.affected.map((a: { id: string; newEnd: string }) => [a.id, a.newEnd])).toEqual([
      [placement, end],
      [contact, end],
    ])
    expect((await api('ole', 'GET', '/api/tasks')).body).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'sign', agreementId: placement, due: end })]),
    )
    // Alone, the provider could end it only with its 90 days' notice.
    const unilateral = await terminate('ole', 'unilateral')
    expect(unilateral.status).toBe(422)
    expect(unilateral.body.code).toBe('notice_too_short')
    const done = await terminate('ole')
    expect(done.body).toMatchObject({ state: 'Terminated', terminationDate: end })
    const c = await api('sanne', 'GET', `/api/agreements/${contact}`)
    expect(c.body).toMatchObject({ state: 'Terminated', end })
    expect(c.body.timeline.at(-1).text).toContain('hovedaftalen')
  }, 60_000)

  it('projects the ledger into the read models and the outbox', async () => {
    const rm = await t.ctx.db
      .selectFrom('rm_agreements')
      .select(['id', 'state', 'current_version', 'case_id'])
      .execute()
    expect(rm.find((r) => r.id === placement)).toMatchObject({
      state: 'Terminated',
      current_version: 2,
      case_id: caseId,
    })
    expect(rm.find((r) => r.id === contact)).toMatchObject({ state: 'Terminated' })
    const invoices = await t.ctx.db
      .selectFrom('rm_invoices')
      .select(['status', 'amount_ore'])
      .orderBy('block_number')
      .execute()
    expect(invoices).toEqual([
      { status: 'deviation', amount_ore: '780000' },
      { status: 'accepted', amount_ore: '520000' },
    ])
    const types = (await t.ctx.db.selectFrom('event_outbox').select('type').execute()).map((r) => r.type)
    for (const type of [
      'case.created.v1',
      'agreement.drafted.v1',
      'agreement.signed.v1',
      'agreement.approved.v1',
      'agreement.activated.v1',
      'agreement.amended.v1',
      'agreement.terminated.v1',
      'report.received.v1',
      'invoice.accepted.v1',
      'invoice.deviation.v1',
      'payment.approved.v1',
      'payment.withheld.v1',
      'payment.released.v1',
      'report.overdue.v1',
      'review.due.v1',
    ]) {
      expect(types).toContain(type)
    }
    expect(types.filter((x) => x === 'agreement.terminated.v1')).toHaveLength(2)
  })
})
