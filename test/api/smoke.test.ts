import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../support/app.ts'

describe('a whole embedded Tillid over HTTP', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await openTestApp()
  })
  afterAll(async () => {
    await t?.close()
  })

  it('is ready when ledger and store answer, and logs a demo person in through OIDC', async () => {
    const sara = await t.login('sara')
    const me = await t.api(sara, 'GET', '/api/me')
    expect(me.status).toBe(200)
    expect(me.body.person.name).toBe('Sara')
    expect(me.body.organisation.code).toBe('169')
  })
})
