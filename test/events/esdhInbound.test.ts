/**
 * Inbound ESDH messages on a whole embedded Tillid (no broker: the in-process inbox behind
 * POST /api/integrations/inbound/esdh, which runs the same processing as the AMQP consumer):
 * Østervold's placement from Preben's scenario has its May payment withheld for an overdue report
 * (step 11); the report journalised in the municipality's ESDH system becomes the status report
 * (step 12 through the integration): anchored, obligation fulfilled, May released. Malformed,
 * invalid, unmatched and refused messages are dead-lettered with their reason; a redelivery has one
 * effect; a refused message replayed once the agreement takes reports becomes a report.
 * Then the same with RabbitMQ (skipped with a printed line when none answers; CI requires one): the
 * instance started with TILLID_AMQP_URL consumes its ESDH queue, dead-letters a poison message and
 * goes on to the report.
 */
import { randomUUID } from 'node:crypto'
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dateToUnixSeconds } from '../../src/domain/calendar.ts'
import { eventMetrics } from '../../src/events/metrics.ts'
import type { LoginResult } from '../../src/identity/loginAs.ts'
import { PREBEN_CPR } from '../../src/identity/personas.ts'
import { placementLines } from '../../src/services/demo/scenarioRequests.ts'
import { tick } from '../../src/services/keeper.ts'
import { openTestApp, type TestApp } from '../support/app.ts'
import { AMQP_URL, brokerAvailable, esdhDocument, runId, waitFor } from './helpers.ts'

const brokerUp = await brokerAvailable('ESDH inbound over AMQP')

const moveTo = (t: TestApp, date: string) =>
  t.ctx.ledger.advanceTo(Number(dateToUnixSeconds(date)) + 8 * 3600)

/**
 * Steps 1–5 for the placement alone: Sara's case and Østervold's placement (report every 3 months,
 * 14 days' grace), signed by Sara and Ole, approved by Bo and Lis: active from 2026-02-01.
 */
async function activePlacement(t: TestApp, as: Record<string, LoginResult>) {
  for (const p of ['sara', 'bo', 'lis', 'ole', 'admin']) as[p] = await t.login(p)
  const api = (who: string, method: string, path: string, body?: unknown) =>
    t.api(as[who]!, method, path, body)
  await moveTo(t, '2026-01-12')
  const created = await api('sara', 'POST', '/api/cases', {
    cpr: PREBEN_CPR,
    name: 'Preben Testesen',
    kle: '27.24.00',
    title: 'Anbringelse uden for hjemmet',
  })
  expect(created.status).toBe(201)
  const draft = await api('sara', 'POST', '/api/agreements', {
    caseId: created.body.id,
    providerId: as.ole!.me.organisation!.id,
    templateId: 'placement',
    lines: placementLines,
    reportEveryMonths: 3,
    graceDays: 14,
  })
  expect(draft.status).toBe(201)
  const placement: string = draft.body.id
  await moveTo(t, '2026-01-14')
  for (const who of ['sara', 'ole'])
    expect((await api(who, 'POST', `/api/agreements/${placement}/sign`, { version: 1 })).status).toBe(200)
  await moveTo(t, '2026-01-15')
  expect((await api('bo', 'POST', `/api/agreements/${placement}/approve`, { version: 1 })).status).toBe(200)
  await moveTo(t, '2026-01-16')
  const approved = await api('lis', 'POST', `/api/agreements/${placement}/approve`, { version: 1 })
  expect(approved.body.state).toBe('Active')
  return {
    caseId: created.body.id as string,
    sagsnummer: created.body.sagsnummer as string,
    placement,
    oestervoldCvr: as.ole!.me.organisation!.code,
  }
}

/** Months are paid one at a time, as the keeper does on the 1st: February to April go out, May is withheld. */
async function runMonthsToJune(t: TestApp) {
  for (const first of ['2026-03-01', '2026-04-01', '2026-05-01', '2026-06-01']) {
    await moveTo(t, first)
    await tick(t.ctx)
  }
}

describe('ESDH inbound on a whole Tillid (embedded, posted through the API)', () => {
  let t: TestApp
  const as: Record<string, LoginResult> = {}
  let caseId = ''
  let sagsnummer = ''
  let placement = ''
  let oestervoldCvr = ''
  const refusedId = 'esdh-msg-early'
  const reportId = 'esdh-msg-report'

  const at = (date: string) => moveTo(t, date)
  const api = (who: string, method: string, path: string, body?: unknown) =>
    t.api(as[who]!, method, path, body)
  const post = (messageId: string, message: unknown, extra: Record<string, unknown> = {}) =>
    api('admin', 'POST', '/api/integrations/inbound/esdh', { messageId, message, ...extra })
  const blockNumber = () => t.ctx.ledger.publicClient.getBlockNumber()
  const caseDocuments = async () =>
    (await api('sara', 'GET', `/api/cases/${caseId}`)).body.documents.map((d: { id: string }) => d.id)
  const deadLetter = async (messageId: string) =>
    (await api('admin', 'GET', '/api/integrations')).body.deadLetters.find(
      (l: { messageId: string }) => l.messageId === messageId,
    )

  beforeAll(async () => {
    t = await openTestApp()
    ;({ caseId, sagsnummer, placement, oestervoldCvr } = await activePlacement(t, as))
  }, 180_000)

  afterAll(async () => {
    await t?.close()
  })

  it('only the administrator may post inbound messages, see the integrations and replay', async () => {
    for (const who of ['sara', 'ole']) {
      expect((await api(who, 'GET', '/api/integrations')).status).toBe(403)
      expect(
        (await api(who, 'POST', '/api/integrations/inbound/esdh', { messageId: 'x', message: {} })).status,
      ).toBe(403)
      expect((await api(who, 'POST', '/api/integrations/dead-letters/1/replay')).status).toBe(403)
    }
    expect((await t.api(null, 'GET', '/api/integrations')).status).toBe(401)
  })

  it('dead-letters what cannot become a report, with the reason, and stores nothing', async () => {
    await at('2026-01-20')
    const docsBefore = await caseDocuments()
    // Journalised before the agreement's first report period opens (2026-02-01): the ledger refuses it.
    const early = await post(
      refusedId,
      esdhDocument({ caseRef: sagsnummer, documentId: 'ESDH-1', text: 'A' }),
    )
    expect(early.status).toBe(202)
    expect(early.body).toMatchObject({ kind: 'dead', reasonCode: 'refused' })
    expect(early.body.reason).toContain('ReportPeriodNotStarted')
    expect(early.body.deadLetterId).toMatch(/^\d+$/)

    const malformed = await post('esdh-msg-malformed', '{"caseRef": "SAG-1", ')
    expect(malformed.body).toMatchObject({ kind: 'dead', reasonCode: 'malformed' })
    const invalid = await post('esdh-msg-invalid', { caseRef: sagsnummer, contentBase64: '***' })
    expect(invalid.body).toMatchObject({ kind: 'dead', reasonCode: 'invalid' })
    expect(invalid.body.reason).toMatch(/documentId/)
    expect(invalid.body.reason).toMatch(/contentBase64/)
    const unknownCase = await post('esdh-msg-unmatched', esdhDocument({ caseRef: '2026-999999' }))
    expect(unknownCase.body).toMatchObject({
      kind: 'dead',
      reasonCode: 'unmatched',
      reason: 'unmatched: no case 2026-999999',
    })
    const otherProvider = await post(
      'esdh-msg-provider',
      esdhDocument({ caseRef: sagsnummer, providerCvr: '12345678' }),
    )
    expect(otherProvider.body.reason).toBe(
      `unmatched: no active agreement with provider 12345678 on case ${sagsnummer}`,
    )
    const wrongType = await post('esdh-msg-type', esdhDocument({ caseRef: sagsnummer }), {
      type: 'esdh.case.closed.v1',
    })
    expect(wrongType.body).toMatchObject({ kind: 'dead', reasonCode: 'unsupported-type' })

    expect(await caseDocuments()).toEqual(docsBefore)
    const letter = await deadLetter(refusedId)
    expect(letter).toMatchObject({
      direction: 'inbound',
      routingKey: 'tillid.inbound.esdh',
      headers: { 'x-tillid-reason-code': 'refused' },
    })
    expect((await deadLetter('esdh-msg-malformed')).reason).toMatch(/^malformed: body is not JSON/)
  }, 60_000)

  it('turns the journalised report into the status report: anchored, obligation fulfilled, May released', async () => {
    await runMonthsToJune(t)
    const may = (await api('sara', 'GET', `/api/agreements/${placement}`)).body.payments.find(
      (p: { period: string }) => p.period === '2026-05',
    )
    expect(may).toMatchObject({ status: 'withheld', reason: 'report_overdue' })

    await at('2026-06-03')
    const pdf = '%PDF-1.7 statusrapport fra Østervold, journaliseret i ESDH'
    const r = await post(
      reportId,
      esdhDocument({ caseRef: sagsnummer, providerCvr: oestervoldCvr, documentId: 'ESDH-2', text: pdf }),
      { headers: { objekttype: 'Dokument', operation: 'journaliser', beskedtype: 'Notification' } },
    )
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      kind: 'handled',
      agreementId: placement,
      released: [{ period: '2026-05', amountOre: may.amountOre }],
    })
    const detail = (await api('sara', 'GET', `/api/agreements/${placement}`)).body
    expect(detail.payments.find((p: { period: string }) => p.period === '2026-05').status).not.toBe(
      'withheld',
    )
    expect(
      (await api('sara', 'GET', '/api/tasks')).body.filter(
        (x: { kind: string }) => x.kind === 'report_overdue',
      ),
    ).toEqual([])
    expect(await caseDocuments()).toContain(r.body.reportId)
    const doc = await fetch(`${t.baseUrl}/api/documents/${r.body.reportId}`, { headers: as.sara!.headers })
    expect(doc.headers.get('content-type')).toBe('application/pdf')
    expect(Buffer.from(await doc.arrayBuffer()).toString()).toBe(pdf)
    // The stored document is encrypted: its bytes do not appear in the store in clear.
    const stored = await t.ctx.db
      .selectFrom('documents')
      .select(['ciphertext', 'created_by'])
      .where('id', '=', r.body.reportId)
      .executeTakeFirstOrThrow()
    expect(Buffer.from(stored.ciphertext!).includes(Buffer.from('statusrapport'))).toBe(false)
    expect(stored.created_by).toMatch(/^system:esdh:/)
    const anchored = await t.ctx.db
      .selectFrom('agreement_documents')
      .select(['anchor', 'tx_hash'])
      .where('document_id', '=', r.body.reportId)
      .executeTakeFirstOrThrow()
    expect(anchored.tx_hash).toMatch(/^0x[0-9a-f]{64}$/)
    const submitted = await t.ctx.db
      .selectFrom('ledger_events')
      .select('args')
      .where('event', '=', 'StatusReportSubmitted')
      .where('tx_hash', '=', anchored.tx_hash!)
      .executeTakeFirstOrThrow()
    expect(JSON.parse(submitted.args)).toMatchObject({ reportNumber: 1, reportHash: anchored.anchor })
    const received = await t.ctx.db
      .selectFrom('event_outbox')
      .select('body')
      .where('type', '=', 'report.received.v1')
      .execute()
    expect(received.map((e) => JSON.parse(e.body).payload)).toEqual(
      expect.arrayContaining([expect.objectContaining({ reportId: r.body.reportId, source: 'esdh' })]),
    )
  }, 90_000)

  it('a redelivery has exactly one effect, under the same or a new message id', async () => {
    const before = await blockNumber()
    const docs = await caseDocuments()
    const again = await post(
      reportId,
      esdhDocument({ caseRef: sagsnummer, providerCvr: oestervoldCvr, documentId: 'ESDH-2', text: 'x' }),
    )
    expect(again.status).toBe(200)
    expect(again.body).toEqual({ kind: 'duplicate' })
    const pdf = '%PDF-1.7 statusrapport fra Østervold, journaliseret i ESDH'
    const sameDocument = await post(
      'esdh-msg-report-resent',
      esdhDocument({ caseRef: sagsnummer, providerCvr: oestervoldCvr, documentId: 'ESDH-2', text: pdf }),
    )
    expect(sameDocument.body).toMatchObject({
      kind: 'handled',
      alreadyDelivered: true,
      agreementId: placement,
    })
    expect(await blockNumber()).toBe(before)
    expect(await caseDocuments()).toEqual(docs)
    const handled = await t.ctx.db
      .selectFrom('event_inbound_handled')
      .select('message_id')
      .where('message_id', '=', reportId)
      .execute()
    expect(handled).toHaveLength(1)
  })

  it('replays a refused message once the agreement takes reports: it becomes the next report', async () => {
    const letter = await deadLetter(refusedId)
    const sara = await api('sara', 'POST', `/api/integrations/dead-letters/${letter.id}/replay`)
    expect(sara.status).toBe(403)
    const r = await api('admin', 'POST', `/api/integrations/dead-letters/${letter.id}/replay`)
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      direction: 'inbound',
      replayed: true,
      outcome: { kind: 'handled', agreementId: placement },
    })
    expect(await deadLetter(refusedId)).toBeUndefined()
    expect((await api('admin', 'POST', `/api/integrations/dead-letters/${letter.id}/replay`)).status).toBe(
      404,
    )
    // Still unmatched when replayed: the letter stays, with its reason.
    const unmatched = await deadLetter('esdh-msg-unmatched')
    const again = await api('admin', 'POST', `/api/integrations/dead-letters/${unmatched.id}/replay`)
    expect(again.body).toMatchObject({ replayed: false, outcome: { kind: 'dead', reasonCode: 'unmatched' } })
    expect(await deadLetter('esdh-msg-unmatched')).toBeDefined()
  }, 60_000)

  it('shows the figures: handled and failed counts, dead letters, percentiles of time per transaction', async () => {
    const r = await api('admin', 'GET', '/api/integrations')
    expect(r.status).toBe(200)
    expect(r.body.inbound).toEqual({ queue: 'tillid.inbound.esdh', handledTotal: 3 })
    expect(r.body.counters.inboundHandled).toBeGreaterThanOrEqual(3)
    expect(r.body.counters.inboundFailed).toBeGreaterThanOrEqual(6)
    const ms = (v: number | null) => (v === null ? '–' : `${(v * 1000).toFixed(1)} ms`)
    for (const dir of ['inbound', 'outbound']) {
      const p = r.body.transactionTimes[dir]
      // The business-case figure of this run, for the record (not asserted: no timed assertions).
      console.log(`${dir}: ${p.count} transactions, p50 ${ms(p.p50)}, p95 ${ms(p.p95)}, p99 ${ms(p.p99)}`)
      expect(p.count).toBeGreaterThan(0)
      expect(p.p50).toBeLessThanOrEqual(p.p95)
      expect(p.p95).toBeLessThanOrEqual(p.p99)
    }
    expect(r.body.deadLetters.map((l: { messageId: string }) => l.messageId)).toEqual(
      expect.arrayContaining(['esdh-msg-malformed', 'esdh-msg-invalid', 'esdh-msg-unmatched']),
    )
    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text()
    expect(metrics).toMatch(/^tillid_inbound_handling_seconds_count \d+/m)
    expect(metrics).toMatch(
      /^tillid_inbound_failed_total\{queue="tillid\.inbound\.esdh",reason="unmatched"\} \d+/m,
    )
  })
})

describe.skipIf(!brokerUp)('ESDH inbound wired to RabbitMQ: the running instance consumes the queue', () => {
  const id = runId()
  const exchange = `tillid.test.${id}`
  const queue = `${exchange}.inbound.esdh`
  let t: TestApp
  const as: Record<string, LoginResult> = {}
  let placement = ''
  let sagsnummer = ''
  let oestervoldCvr = ''
  let conn: ChannelModel
  let ch: ConfirmChannel

  const send = (body: Buffer, messageId: string) =>
    ch.sendToQueue(queue, body, {
      persistent: true,
      messageId,
      type: 'esdh.document.journalised.v1',
      contentType: 'application/json',
      headers: { objekttype: 'Dokument', operation: 'journaliser', beskedtype: 'Notification' },
    })
  const handledRows = (messageId: string) =>
    t.ctx.db
      .selectFrom('event_inbound_handled')
      .select('result')
      .where('message_id', '=', messageId)
      .execute()
  const inboundCount = async (counter: typeof eventMetrics.inboundHandled, label: string, value: string) =>
    (await counter.get()).values
      .filter((v) => v.labels.queue === queue && v.labels[label as 'result'] === value)
      .reduce((s, v) => s + v.value, 0)

  beforeAll(async () => {
    t = await openTestApp({
      TILLID_AMQP_URL: AMQP_URL,
      TILLID_AMQP_EXCHANGE: exchange,
      TILLID_AMQP_INBOUND_QUEUE: queue,
    })
    ;({ sagsnummer, placement, oestervoldCvr } = await activePlacement(t, as))
    await runMonthsToJune(t)
    await moveTo(t, '2026-06-03')
    await t.ctx.events.consumer?.ready()
    conn = await amqp.connect(AMQP_URL)
    conn.on('error', () => {})
    ch = await conn.createConfirmChannel()
    ch.on('error', () => {})
  }, 240_000)

  afterAll(async () => {
    await t?.close()
    if (!conn) return
    for (const q of [queue, `${exchange}.dead-letter`]) await ch.deleteQueue(q).catch(() => {})
    for (const e of [exchange, `${exchange}.dlx`]) await ch.deleteExchange(e).catch(() => {})
    await conn.close().catch(() => {})
  })

  it('dead-letters a poison message with its reason, keeps consuming, and handles a redelivery once', async () => {
    expect(t.ctx.events.consumer?.queue).toBe(queue)
    const failedBefore = await inboundCount(eventMetrics.inboundFailed, 'reason', 'malformed')
    const dupBefore = await inboundCount(eventMetrics.inboundHandled, 'result', 'duplicate')
    const ids = { poison: randomUUID(), unmatched: randomUUID(), report: randomUUID() }
    send(Buffer.from('{"caseRef": "x", "contentBase64": '), ids.poison)
    send(Buffer.from(JSON.stringify(esdhDocument({ caseRef: '2026-000000' }))), ids.unmatched)
    const report = Buffer.from(
      JSON.stringify(
        esdhDocument({ caseRef: sagsnummer, providerCvr: oestervoldCvr, text: '%PDF-1.7 via AMQP' }),
      ),
    )
    send(report, ids.report)
    send(report, ids.report)
    await ch.waitForConfirms()
    await waitFor(
      'the report handled after the poison',
      async () => (await handledRows(ids.report)).length === 1,
    )
    await waitFor(
      'the redelivery recognised',
      async () => (await inboundCount(eventMetrics.inboundHandled, 'result', 'duplicate')) === dupBefore + 1,
    )
    expect(await inboundCount(eventMetrics.inboundFailed, 'reason', 'malformed')).toBe(failedBefore + 1)

    const [row] = await handledRows(ids.report)
    const result = JSON.parse(row!.result)
    expect(result).toMatchObject({ status: 'handled', agreementId: placement })
    expect(result.released).toEqual([{ period: '2026-05', amountOre: expect.stringMatching(/^\d+$/) }])
    const reports = await t.ctx.db
      .selectFrom('agreement_documents')
      .select('document_id')
      .where('agreement_id', '=', placement)
      .where('tx_hash', 'is not', null)
      .execute()
    expect(reports.map((r) => r.document_id)).toEqual([result.reportId])

    const overview = (await t.api(as.admin!, 'GET', '/api/integrations')).body
    const reasons = new Map(
      overview.deadLetters.map((l: { messageId: string; reason: string }) => [l.messageId, l.reason]),
    )
    expect(reasons.get(ids.poison)).toMatch(/^malformed: body is not JSON/)
    expect(reasons.get(ids.unmatched)).toBe('unmatched: no case 2026-000000')
    expect(overview.inbound.queue).toBe(queue)

    // The broker's dead-letter queue holds copies with the reason header, routed by the inbound queue's name.
    await waitFor(
      'dead-letter copies in the broker',
      async () => (await ch.checkQueue(`${exchange}.dead-letter`)).messageCount >= 2,
    )
    const copies = []
    for (
      let m = await ch.get(`${exchange}.dead-letter`, { noAck: true });
      m;
      m = await ch.get(`${exchange}.dead-letter`, { noAck: true })
    )
      copies.push(m)
    const inbound = copies.filter((m) => m.fields.routingKey === queue)
    expect(
      new Map(
        inbound.map((m) => [m.properties.messageId, String(m.properties.headers?.['x-tillid-reason-code'])]),
      ),
    ).toEqual(
      new Map([
        [ids.poison, 'malformed'],
        [ids.unmatched, 'unmatched'],
      ]),
    )
  }, 120_000)
})
