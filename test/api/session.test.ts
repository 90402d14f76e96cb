/**
 * Cookie sessions: CSRF refusal of state changes without the token from GET /api/me, Idempotency-Key
 * replay with exactly one effect, and every guarded route tried as every role against the table.
 */

import { recoverMessageAddress } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { actorOf } from '../../src/api/plugins/identity.ts'
import { type Action, actions, requirePermission, roleMay } from '../../src/identity/authorise.ts'
import { personas } from '../../src/identity/personas.ts'
import { type Harness, harness, sessionFor } from './harness.ts'

let h: Harness
let effects = 0
let failNext = false

beforeAll(async () => {
  h = await harness((app) => {
    app.post(
      '/t/cases',
      {
        schema: { body: z.object({ title: z.string().min(1) }) },
        onRequest: requirePermission('case.create'),
      },
      async (req, reply) => {
        if (failNext) {
          failNext = false
          throw new Error('ledger timeout')
        }
        effects++
        return reply.code(201).send({ id: `case-${effects}`, title: (req.body as { title: string }).title })
      },
    )
    app.post('/t/sign', async (req) => {
      const actor = actorOf(req)
      const signature = await actor.withAccount((account) => account.signMessage({ message: 'aftale v1' }))
      return { signer: await recoverMessageAddress({ message: 'aftale v1', signature }) }
    })
    // One route per action, so the role table can be tried through real HTTP handling.
    for (const action of Object.keys(actions) as Action[]) {
      app.post(`/t/action/${action}`, { preHandler: requirePermission(action) }, async () => ({ ok: true }))
    }
  })
})
afterAll(() => h.close())

describe('GET /api/me', () => {
  it('answers 401 problem without a session', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/me' })
    expect(res.statusCode).toBe(401)
    expect(res.json().code).toBe('unauthenticated')
  })

  it('gives person, organisation, KLE and the CSRF token', async () => {
    const s = await sessionFor(h, 'sara')
    const res = await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.json()).toEqual({
      person: { id: s.principal.personId, name: 'Sara', role: 'caseworker', kind: 'staff' },
      organisation: {
        id: s.principal.organisation!.id,
        kind: 'municipality',
        name: 'Høje-Taastrup Kommune',
        code: '169',
      },
      kle: ['27.24'],
      csrfToken: s.session.csrfToken,
    })
  })

  it('forgets the session at logout', async () => {
    const s = await sessionFor(h, 'bo')
    const out = await h.app.inject({ method: 'POST', url: '/auth/logout', headers: s.headers })
    expect(out.statusCode).toBe(204)
    const me = await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } })
    expect(me.statusCode).toBe(401)
  })
})

describe('custodial key in the request', () => {
  it('signs with the logged-in person’s own registered address, and not without a session', async () => {
    const ole = await sessionFor(h, 'ole')
    const res = await h.app.inject({ method: 'POST', url: '/t/sign', headers: ole.headers })
    expect(res.json().signer).toBe(await h.identity.keys.addressOf(ole.principal.personId))
    const anonymous = await h.app.inject({ method: 'POST', url: '/t/sign' })
    expect(anonymous.statusCode).toBe(401)
  })
})

describe('CSRF', () => {
  it('refuses a cookie-authenticated POST without or with a wrong x-csrf-token, before anything runs', async () => {
    const s = await sessionFor(h, 'sara')
    const before = effects
    const none = await h.app.inject({
      method: 'POST',
      url: '/t/cases',
      headers: { cookie: s.cookie },
      payload: { title: 'x' },
    })
    expect(none.statusCode).toBe(403)
    expect(none.json().code).toBe('csrf_failed')
    const other = await sessionFor(h, 'sara')
    const wrong = await h.app.inject({
      method: 'POST',
      url: '/t/cases',
      headers: { cookie: s.cookie, 'x-csrf-token': other.session.csrfToken },
      payload: { title: 'x' },
    })
    expect(wrong.statusCode).toBe(403)
    expect(wrong.json().code).toBe('csrf_failed')
    expect(effects).toBe(before)
    const logout = await h.app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie: s.cookie } })
    expect(logout.statusCode).toBe(403)
  })

  it('accepts the token from GET /api/me', async () => {
    const s = await sessionFor(h, 'sara')
    const me = await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } })
    const res = await h.app.inject({
      method: 'POST',
      url: '/t/cases',
      headers: { cookie: s.cookie, 'x-csrf-token': me.json().csrfToken },
      payload: { title: 'Preben' },
    })
    expect(res.statusCode).toBe(201)
  })

  it('answers 401 (not a CSRF error) when there is no session at all', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/t/cases', payload: { title: 'x' } })
    expect(res.statusCode).toBe(401)
    expect(res.json().code).toBe('unauthenticated')
  })
})

describe('Idempotency-Key', () => {
  it('replays the stored response to a retry and has exactly one effect', async () => {
    const s = await sessionFor(h, 'sara')
    const send = () =>
      h.app.inject({
        method: 'POST',
        url: '/t/cases',
        headers: { ...s.headers, 'idempotency-key': 'open-case-preben-1' },
        payload: { title: 'Preben' },
      })
    const before = effects
    const first = await send()
    const second = await send()
    expect(first.statusCode).toBe(201)
    expect(second.statusCode).toBe(201)
    expect(second.json()).toEqual(first.json())
    expect(second.headers['idempotency-replayed']).toBe('true')
    expect(effects).toBe(before + 1)
  })

  it('runs concurrent duplicates once', async () => {
    const s = await sessionFor(h, 'sara')
    const before = effects
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        h.app.inject({
          method: 'POST',
          url: '/t/cases',
          headers: { ...s.headers, 'idempotency-key': 'concurrent-1' },
          payload: { title: 'Preben' },
        }),
      ),
    )
    expect(effects).toBe(before + 1)
    for (const r of results) {
      expect([201, 409]).toContain(r.statusCode)
      if (r.statusCode === 409) expect(r.json().code).toBe('idempotency_in_progress')
    }
  })

  it('refuses a key reused for a different request', async () => {
    const s = await sessionFor(h, 'sara')
    const headers = { ...s.headers, 'idempotency-key': 'reused-key' }
    await h.app.inject({ method: 'POST', url: '/t/cases', headers, payload: { title: 'A' } })
    const res = await h.app.inject({ method: 'POST', url: '/t/cases', headers, payload: { title: 'B' } })
    expect(res.statusCode).toBe(422)
    expect(res.json().code).toBe('idempotency_key_reused')
  })

  it('lets a retry run again after a server failure', async () => {
    const s = await sessionFor(h, 'sara')
    const headers = { ...s.headers, 'idempotency-key': 'after-500' }
    failNext = true
    const before = effects
    const first = await h.app.inject({ method: 'POST', url: '/t/cases', headers, payload: { title: 'A' } })
    expect(first.statusCode).toBe(500)
    const retry = await h.app.inject({ method: 'POST', url: '/t/cases', headers, payload: { title: 'A' } })
    expect(retry.statusCode).toBe(201)
    expect(effects).toBe(before + 1)
  })

  it('keeps keys apart per person and rejects malformed keys', async () => {
    const sara = await sessionFor(h, 'sara')
    const other = await h.identity.sessions.create({ ...sara.principal, personId: 'someone-else' })
    const before = effects
    for (const headers of [
      sara.headers,
      { cookie: `tillid_session=${other.token}`, 'x-csrf-token': other.session.csrfToken },
    ]) {
      const r = await h.app.inject({
        method: 'POST',
        url: '/t/cases',
        headers: { ...headers, 'idempotency-key': 'shared-name' },
        payload: { title: 'A' },
      })
      expect(r.statusCode).toBe(201)
    }
    expect(effects).toBe(before + 2)
    const bad = await h.app.inject({
      method: 'POST',
      url: '/t/cases',
      headers: { ...sara.headers, 'idempotency-key': 'has space' },
      payload: { title: 'A' },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors[0]).toMatchObject({ field: 'Idempotency-Key', in: 'headers' })
  })
})

describe('role × action through the API', () => {
  it('lets every persona do exactly what the table allows', async () => {
    const mismatches: string[] = []
    for (const p of personas) {
      const s = await sessionFor(h, p.login)
      for (const action of Object.keys(actions) as Action[]) {
        const res = await h.app.inject({ method: 'POST', url: `/t/action/${action}`, headers: s.headers })
        const expected = roleMay(p.role, action) ? 200 : 403
        if (res.statusCode !== expected)
          mismatches.push(`${p.login} ${action}: ${res.statusCode} ≠ ${expected}`)
      }
    }
    expect(mismatches).toEqual([])
  })

  it('refuses a role before the body is validated, so it learns nothing about the input', async () => {
    const finn = await sessionFor(h, 'finn')
    const res = await h.app.inject({
      method: 'POST',
      url: '/t/cases',
      headers: finn.headers,
      payload: { nonsense: 1 },
    })
    expect(res.statusCode).toBe(403)
    expect(res.json().code).toBe('forbidden')
  })

  it('catalogues the action of every guarded route', () => {
    const byUrl = new Map(h.app.routePermissions.map((r) => [`${r.method} ${r.url}`, r.action]))
    expect(byUrl.get('POST /t/cases')).toBe('case.create')
    expect(byUrl.get('POST /t/action/payment.run')).toBe('payment.run')
  })
})
