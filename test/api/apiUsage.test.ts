/**
 * API calls count towards the rollout figures ("Anvendelse": API calls per municipality and month):
 * municipal staff's calls land on their municipality in the ledger's month; providers' calls belong
 * to no single municipality and are not counted; a synthetic month keeps its figures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureMunicipalities } from '../../src/services/analytics/municipalities.ts'
import { openTestApp, type TestApp } from '../support/app.ts'

describe('API calls in the rollout figures', () => {
  let t: TestApp
  let closed = false
  beforeAll(async () => {
    t = await openTestApp()
    await ensureMunicipalities(t.ctx.db)
  })
  afterAll(async () => {
    if (!closed) await t.close()
    else await t.ctx.close()
  })

  it('counts municipal staff calls per municipality and ledger month, not providers’', async () => {
    const month = new Date(t.ctx.ledger.now() * 1000).toISOString().slice(0, 7)
    // A synthetic month of another municipality (seed-national) must keep its figure.
    await t.ctx.db
      .insertInto('analytics_usage_monthly')
      .values({ municipality_code: 101, month, api_calls: '777', events: '0', synthetic: true })
      .execute()

    const sara = await t.login('sara') // GET /api/me once, inside the login
    const ole = await t.login('ole')
    for (let i = 0; i < 7; i++) expect((await t.api(sara, 'GET', '/api/cases')).status).toBe(200)
    expect((await t.api(sara, 'GET', '/api/nothing-here')).status).toBe(404)
    for (let i = 0; i < 5; i++) expect((await t.api(ole, 'GET', '/api/agreements')).status).toBe(200)
    // Not an API call: the health check.
    await t.api(sara, 'GET', '/healthz')

    // Closing the app adds what was counted to the store.
    await t.app.close()
    closed = true
    const rows = await t.ctx.db
      .selectFrom('analytics_usage_monthly')
      .select(['municipality_code', 'month', 'api_calls', 'synthetic'])
      .where('month', '=', month)
      .orderBy('municipality_code')
      .execute()
    expect(rows.map((r) => ({ ...r, api_calls: Number(r.api_calls) }))).toEqual([
      { municipality_code: 101, month, api_calls: 777, synthetic: true },
      // 1 (login's /api/me) + 7 + 1 (a 404 is a call too)
      { municipality_code: 169, month, api_calls: 9, synthetic: false },
    ])
  })
})
