/**
 * The rollout dashboards over HTTP on a known fixture: exact figures, small cells shown as "<5" and
 * not derivable from the national total, and the role table (403 for case work and providers).
 */
import type { Insertable } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LoginResult } from '../../src/identity/loginAs.ts'
import { ensureMunicipalities } from '../../src/services/analytics/municipalities.ts'
import type { Database } from '../../src/store/schema.ts'
import { openTestApp, type TestApp } from '../support/app.ts'

/**
 * 2026Q2: København (101) 12 agreements, Frederiksberg (147) 7 of which 2 end on 31 May,
 * Høje-Taastrup (169) 3. Activity and usage only in København.
 */
async function seedFixture(t: TestApp) {
  const db = t.ctx.db
  await ensureMunicipalities(db)
  await db
    .updateTable('analytics_municipality')
    .set({ inhabitants: 600_000 })
    .where('code', '=', 101)
    .execute()
  await db
    .updateTable('analytics_municipality')
    .set({ inhabitants: 100_000 })
    .where('code', '=', 147)
    .execute()
  await db
    .updateTable('analytics_municipality')
    .set({ inhabitants: 50_000 })
    .where('code', '=', 169)
    .execute()
  const facts: Insertable<Database['analytics_agreement_facts']>[] = []
  const add = (
    code: number,
    n: number,
    created: string,
    activated: string,
    ended?: (i: number) => string | null,
  ) => {
    for (let i = 0; i < n; i++) {
      const end = ended?.(i) ?? null
      facts.push({
        agreement_id: `fx-${code}-${i}`,
        municipality_code: code,
        template: 'Anbringelse',
        kle: '27.24.00',
        provider: `P${code}`,
        created_date: created,
        activated_date: activated,
        terminated_date: end,
        last_paid_date: end,
      })
    }
  }
  add(101, 12, '2026-04-01', '2026-04-11')
  add(147, 7, '2026-04-01', '2026-04-08', (i) => (i < 2 ? '2026-05-31' : null))
  add(169, 3, '2026-04-02', '2026-04-06')
  await db.insertInto('analytics_agreement_facts').values(facts).execute()
  await db
    .insertInto('analytics_agreement_activity')
    .values({
      agreement_id: 'fx-101-0',
      quarter: '2026Q2',
      municipality_code: 101,
      reports_due: 20,
      reports_on_time: 15,
      payments_withheld: 6,
      withheld_ore: '300000',
      payments_released: 5,
      released_ore: '250000',
      invoices: 10,
      invoice_deviations: 1,
    })
    .execute()
  await db
    .insertInto('analytics_usage_monthly')
    .values([
      { municipality_code: 101, month: '2026-04', api_calls: '6000', events: '60' },
      { municipality_code: 101, month: '2026-05', api_calls: '3000', events: '30' },
    ])
    .execute()
  await db
    .insertInto('analytics_connection_status')
    .values([
      { municipality_code: 101, provider: 'P101', system: 'Nexus', status: 'nej', status_date: '2026-01-10' },
      {
        municipality_code: 101,
        provider: 'P101',
        system: 'Nexus',
        status: 'klarmeldt',
        status_date: '2026-04-20',
      },
      {
        municipality_code: 169,
        provider: 'P169',
        system: 'Nexus',
        status: 'delvis',
        status_date: '2026-05-01',
      },
    ])
    .execute()
}

type Kpi = { id: string; value: unknown; text: string }
const kpiOf = (body: { kpis: Kpi[] }, id: string) => body.kpis.find((k) => k.id === id)!

describe('rollout dashboard API', () => {
  let t: TestApp
  const as: Record<string, LoginResult> = {}
  const get = (who: string | null, path: string) => t.api(who ? as[who]! : null, 'GET', path)

  beforeAll(async () => {
    t = await openTestApp()
    for (const p of ['admin', 'dorte', 'revisor', 'bo', 'sara', 'ole', 'finn']) as[p] = await t.login(p)
    await seedFixture(t)
  }, 300_000)
  afterAll(async () => {
    await t?.close()
  })

  it('gives the national overview with exact figures and the suppressed national totals', async () => {
    const r = await get('admin', '/api/analytics/national?quarter=2026Q2')
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      quarter: '2026Q2',
      previousQuarter: '2026Q1',
      synthetic: false,
      threshold: 5,
    })
    expect(kpiOf(r.body, 'agreementsActive')).toMatchObject({ value: 22, text: '22' })
    expect(kpiOf(r.body, 'agreementsCreated')).toMatchObject({ value: 22 })
    // 2 ended agreements is a small cell: hidden nationally too (as would be 2 late reports of 10).
    expect(kpiOf(r.body, 'agreementsTerminated')).toMatchObject({ value: '<5', text: '<5' })
    expect(kpiOf(r.body, 'reportsOnTimeShare')).toMatchObject({ value: 0.75 })
    expect(kpiOf(r.body, 'withheldKr')).toMatchObject({ value: '300000' })
    expect(kpiOf(r.body, 'releasedKr')).toMatchObject({ value: '250000' })
    expect(kpiOf(r.body, 'apiCalls')).toMatchObject({ value: 9000 })
    // Connection statuses are about systems: shown as they are.
    const hovedstaden = r.body.connectionByRegion.find(
      (x: { region: string }) => x.region === 'Region Hovedstaden',
    )
    expect(hovedstaden).toMatchObject({ klarmeldt: 1, delvis: 1, nej: 0 })
    expect(r.body.monthly).toEqual([
      { month: '2026-04', apiCalls: 6000, events: 60 },
      { month: '2026-05', apiCalls: 3000, events: 30 },
      { month: '2026-06', apiCalls: 0, events: 0 },
    ])
    expect(r.body.municipalities).toHaveLength(98)
  })

  it('compares municipalities with small cells as "<5", never derivable from the national total', async () => {
    const r = await get('dorte', '/api/analytics/compare?quarter=2026Q2&kpi=agreementsActive')
    expect(r.status).toBe(200)
    expect(r.body.national).toBe(22)
    const row = (code: number) => r.body.rows.find((x: { code: number }) => x.code === code)
    expect(row(101)).toMatchObject({ name: 'København', value: 12 })
    expect(row(169).value).toBe('<5')
    // 22 − 12 would give Høje-Taastrup's 3 away if Frederiksberg's 7 were shown.
    expect(row(147).value).toBe('<5')
    const shown = r.body.rows
      .map((x: { value: unknown }) => x.value)
      .filter((v: unknown) => typeof v === 'number')
    expect(shown.every((v: number) => v === 0 || v >= 5)).toBe(true)
    expect(shown.reduce((a: number, b: number) => a + b, 0)).not.toBe(22)

    const per1000 = await get('revisor', '/api/analytics/compare?quarter=2026Q2&kpi=activePer1000')
    expect(per1000.status).toBe(200)
    expect(per1000.body.rows[0]).toMatchObject({ code: 101, value: 0.02 })
  })

  it('shows one municipality’s page', async () => {
    const kbh = await get('bo', '/api/analytics/municipalities/101?quarter=2026Q2')
    expect(kbh.status).toBe(200)
    expect(kbh.body.municipality).toEqual({
      code: 101,
      name: 'København',
      region: 'Region Hovedstaden',
      inhabitants: 600000,
    })
    expect(kpiOf(kbh.body, 'agreementsActive')).toMatchObject({ value: 12 })
    expect(kpiOf(kbh.body, 'medianDaysDraftToActive')).toMatchObject({ value: 10 })
    expect(kpiOf(kbh.body, 'paymentsWithheld')).toMatchObject({ value: 6 })
    expect(kpiOf(kbh.body, 'invoicesWithDeviations')).toMatchObject({ value: '<5' })
    expect(kbh.body.connection).toMatchObject({ klarmeldt: 1, total: 1, klarmeldtShare: 1 })

    const htk = await get('admin', '/api/analytics/municipalities/169?quarter=2026Q2')
    expect(htk.status).toBe(200)
    expect(kpiOf(htk.body, 'agreementsActive')).toMatchObject({ value: '<5', text: '<5' })
    // A median over 3 agreements would describe them: hidden with its base.
    expect(kpiOf(htk.body, 'medianDaysDraftToActive')).toMatchObject({ value: '<5' })
    expect(htk.body.connection).toMatchObject({ delvis: 1 })
  })

  it('refuses case work, finance and providers (403), strangers (401), and bad input (4xx)', async () => {
    for (const who of ['sara', 'ole', 'finn']) {
      const r = await get(who, '/api/analytics/national?quarter=2026Q2')
      expect(r.status, who).toBe(403)
      expect(r.body.code).toBe('forbidden')
    }
    expect((await get(null, '/api/analytics/compare')).status).toBe(401)
    expect((await get('admin', '/api/analytics/municipalities/999')).status).toBe(404)
    expect((await get('admin', '/api/analytics/municipalities/abc')).status).toBe(400)
    expect((await get('admin', '/api/analytics/national?quarter=2026Q5')).status).toBe(400)
    expect((await get('admin', '/api/analytics/compare?kpi=nope')).status).toBe(400)
  })

  it('is in the OpenAPI document', async () => {
    const doc = await get(null, '/openapi.json')
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/analytics/national',
        '/api/analytics/compare',
        '/api/analytics/municipalities/{code}',
      ]),
    )
  })
})
