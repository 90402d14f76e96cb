/**
 * Rollout KPI facts from the real ledger: the pure computation on hand-made event lists, and the
 * Preben scenario (`tillid demo` over HTTP) giving Høje-Taastrup (169) its exact figures through the
 * indexer, the same KPIs the dashboards and quarterly reports publish.
 */
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runDemo } from '../../src/cli/demo.ts'
import { dateToUnixSeconds, type IsoDate, periodToChain } from '../../src/domain/calendar.ts'
import { computeRolloutKpis } from '../../src/reports/kpi.ts'
import { agreementFactsFromLedger, type LedgerFactEvent } from '../../src/reports/ledgerFacts.ts'
import { loadRollout } from '../../src/services/analytics/loadRollout.ts'
import { openTestApp, type TestApp } from '../support/app.ts'

const secs = (d: IsoDate) => dateToUnixSeconds(d).toString()
const ev = (event: string, day: IsoDate, args: Record<string, unknown> = {}): LedgerFactEvent => ({
  event,
  day,
  args,
})

describe('analytics facts from an agreement’s ledger events', () => {
  it('dates the agreement, counts reports by due date once each, and money by the event’s day', () => {
    const f = agreementFactsFromLedger([
      ev('AgreementDrafted', '2026-01-12'),
      ev('AgreementActivated', '2026-01-16', { start: secs('2026-02-01') }),
      // February: a line active all month; approved.
      ev('LineEntitled', '2026-03-01', { period: periodToChain('2026-02'), daysActive: 28, amount: '100' }),
      ev('MonthApproved', '2026-03-01', { period: periodToChain('2026-02'), amount: '100' }),
      ev('InvoiceDeviation', '2026-03-01'),
      ev('InvoiceAccepted', '2026-03-01'),
      // Report 1 on time (due 1 May, in on 30 April); report 2 overdue, then in late: counted once.
      ev('StatusReportSubmitted', '2026-04-30', { reportNumber: 1, dueDate: secs('2026-05-01') }),
      ev('ReportOverdue', '2026-08-16', { reportNumber: 2, dueDate: secs('2026-08-01') }),
      ev('StatusReportSubmitted', '2026-08-20', { reportNumber: 2, dueDate: secs('2026-08-01') }),
      ev('MonthWithheld', '2026-09-01', { period: periodToChain('2026-08'), amount: '700' }),
      ev('MonthReleased', '2026-10-02', { period: periodToChain('2026-08'), amount: '700' }),
      // Ends 15 October: paid for 15 days of October (the contract's pro rata).
      ev('AgreementTerminated', '2026-10-10', { effectiveDate: secs('2026-10-15'), cause: 0 }),
      ev('LineEntitled', '2026-11-01', { period: periodToChain('2026-10'), daysActive: 15, amount: '50' }),
      ev('MonthApproved', '2026-11-01', { period: periodToChain('2026-10'), amount: '50' }),
      // A month with nothing to pay moves nothing.
      ev('MonthApproved', '2026-12-01', { period: periodToChain('2026-11'), amount: '0' }),
    ])
    expect(f).toMatchObject({
      createdDate: '2026-01-12',
      activatedDate: '2026-01-16',
      terminatedDate: '2026-10-15',
      lastPaidDate: '2026-10-15',
    })
    const zero = {
      reportsDue: 0,
      reportsOnTime: 0,
      paymentsWithheld: 0,
      withheldOre: 0n,
      paymentsReleased: 0,
      releasedOre: 0n,
      invoices: 0,
      invoiceDeviations: 0,
    }
    expect(Object.fromEntries(f.activity)).toEqual({
      '2026Q1': { ...zero, invoices: 2, invoiceDeviations: 1 },
      '2026Q2': { ...zero, reportsDue: 1, reportsOnTime: 1 },
      '2026Q3': { ...zero, reportsDue: 1, paymentsWithheld: 1, withheldOre: 700n },
      '2026Q4': { ...zero, paymentsReleased: 1, releasedOre: 700n },
    })
  })

  it('counts a first month from the start date, and a month paid past the end as paid after it', () => {
    const f = agreementFactsFromLedger([
      ev('AgreementDrafted', '2026-01-12'),
      ev('AgreementActivated', '2026-01-20', { start: secs('2026-01-21') }),
      ev('LineEntitled', '2026-02-01', { period: periodToChain('2026-01'), daysActive: 11, amount: '1' }),
      ev('MonthApproved', '2026-02-01', { period: periodToChain('2026-01'), amount: '1' }),
    ])
    expect(f.lastPaidDate).toBe('2026-01-31')
    const late = agreementFactsFromLedger([
      ev('AgreementDrafted', '2026-01-12'),
      ev('AgreementActivated', '2026-01-20', { start: secs('2026-01-01') }),
      ev('AgreementTerminated', '2026-01-20', { effectiveDate: secs('2026-01-20') }),
      ev('LineEntitled', '2026-02-01', { period: periodToChain('2026-01'), daysActive: 31, amount: '1' }),
      ev('MonthApproved', '2026-02-01', { period: periodToChain('2026-01'), amount: '1' }),
    ])
    expect(late).toMatchObject({ terminatedDate: '2026-01-20', lastPaidDate: '2026-01-31' })
  })
})

describe('the Preben scenario fills Høje-Taastrup’s rollout figures from the ledger', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await openTestApp()
    await runDemo(t.baseUrl, mkdtempSync(path.join(os.tmpdir(), 'tillid-facts-')))
    await t.ctx.indexer.syncOnce()
  }, 900_000)
  afterAll(async () => {
    await t?.close()
  })

  const kpis = async (quarter: string) => {
    const k = computeRolloutKpis(await loadRollout(t.ctx.db, quarter), quarter)
    return k.municipalities.find((m) => m.code === 169)!.current
  }

  it('records both agreements with their ledger dates and the last day paid for', async () => {
    const facts = await t.ctx.db
      .selectFrom('analytics_agreement_facts')
      .select([
        'municipality_code',
        'template',
        'kle',
        'provider',
        'synthetic',
        sql<string>`to_char(created_date, 'YYYY-MM-DD')`.as('created'),
        sql<string>`to_char(activated_date, 'YYYY-MM-DD')`.as('activated'),
        sql<string>`to_char(terminated_date, 'YYYY-MM-DD')`.as('terminated'),
        sql<string>`to_char(last_paid_date, 'YYYY-MM-DD')`.as('lastPaid'),
      ])
      .orderBy('provider')
      .execute()
    const common = {
      municipality_code: 169,
      kle: '27.24.00',
      synthetic: false,
      created: '2026-01-12',
      activated: '2026-01-16',
      terminated: '2027-01-31',
    }
    expect(facts).toEqual([
      // Supervised contact is paid per invoice: February's two Sundays were the last.
      {
        ...common,
        template: 'Overvåget samvær',
        provider: 'Samværskonsulenterne ApS',
        lastPaid: '2026-02-28',
      },
      // January 2027 paid through the 31st, the day the placement ended: nothing after.
      {
        ...common,
        template: 'Anbringelse uden for hjemmet (botilbud)',
        provider: 'Østervold',
        lastPaid: '2027-01-31',
      },
    ])
  })

  it('gives Høje-Taastrup the scenario’s figures quarter by quarter', async () => {
    const q1 = await kpis('2026Q1')
    expect(q1.use).toMatchObject({
      agreementsCreated: 2,
      agreementsActivated: 2,
      agreementsActive: 2,
      medianDaysDraftToActive: 4,
      invoices: 2,
      invoicesWithDeviations: 1,
      deviationShare: 0.5,
      reportsDue: 0,
    })
    expect(q1.spread).toEqual({ templates: 2, kleSubjects: 1, activeAgreements: 2, providers: 2 })
    // Both first reports were due 1 May: Østervold's came on 3 June, Samværskonsulenterne's on 20 May.
    expect((await kpis('2026Q2')).use).toMatchObject({
      agreementsCreated: 0,
      agreementsActive: 2,
      reportsDue: 2,
      reportsOnTime: 0,
      reportsOnTimeShare: 0,
      paymentsWithheld: 1,
      withheldOre: 7_580_000n,
      paymentsReleased: 1,
      releasedOre: 7_580_000n,
      invoices: 0,
    })
    expect((await kpis('2026Q3')).use).toMatchObject({ reportsDue: 2, reportsOnTime: 2, paymentsWithheld: 0 })
    expect((await kpis('2027Q1')).use).toMatchObject({
      agreementsTerminated: 2,
      terminatedWithPayments: 2,
      maxDaysPaidAfterTermination: 0,
      paidAfterTermination: 0,
    })
    const may = await t.ctx.db
      .selectFrom('analytics_usage_monthly')
      .select('events')
      .where('municipality_code', '=', 169)
      .where('month', '=', '2026-05')
      .executeTakeFirstOrThrow()
    expect(Number(may.events)).toBeGreaterThan(0)
  })

  it('publishes them on the dashboard with the small counts hidden', async () => {
    const admin = await t.login('admin')
    const r = await t.api(admin, 'GET', '/api/analytics/municipalities/169?quarter=2026Q2')
    expect(r.status).toBe(200)
    const kpi = (id: string) => r.body.kpis.find((k: { id: string }) => k.id === id)
    expect(r.body.synthetic).toBe(false)
    expect(kpi('agreementsActive').value).toBe('<5')
    expect(kpi('paymentsWithheld').value).toBe('<5')
    expect(kpi('withheldKr').value).toBe('<5')
    expect(kpi('reportsOnTimeShare').value).toBe('<5')
    // Not about citizens: shown as they are.
    expect(kpi('providers').value).toBe(2)
    const q1 = await t.api(admin, 'GET', '/api/analytics/municipalities/169?quarter=2027Q1')
    expect(q1.body.kpis.find((k: { id: string }) => k.id === 'paidAfterTermination').value).toBe(0)
  })
})
