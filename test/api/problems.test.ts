/**
 * Every failure reaches the client as RFC 9457 problem+json from the one error table: validation
 * errors name each bad field, bad input never reaches the handler, and unexpected errors leak nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { errorCodes, TillidError } from '../../src/api/errors.ts'
import { checkIfMatch, sendWithEtag } from '../../src/api/plugins/etag.ts'
import { pageQuery, paginate, sendPage } from '../../src/api/plugins/pagination.ts'
import type { ZodTypeProvider } from '../../src/api/plugins/zod.ts'
import { type Harness, harness } from './harness.ts'

let h: Harness
let handled = 0

beforeAll(async () => {
  h = await harness((app) => {
    app.withTypeProvider<ZodTypeProvider>().post(
      '/t/lines',
      {
        schema: {
          body: z.object({
            caseId: z.uuid(),
            lines: z
              .array(z.object({ name: z.string().min(1).max(100), priceOre: z.string().regex(/^\d+$/) }))
              .min(1),
          }),
          querystring: z.object({ dryRun: z.enum(['true', 'false']).optional() }),
        },
      },
      async (req) => {
        handled++
        // Typed from the zod schema by ZodTypeProvider.
        const first: string = req.body.lines[0]!.priceOre
        return { ok: true, first, body: req.body }
      },
    )
    app.get('/t/boom', async () => {
      throw new Error('connection to postgres://admin:secret@db failed for CPR 1408154233')
    })
    app.get('/t/rule', async () => {
      throw new TillidError('invalid_state', 'Aftalen er allerede underskrevet')
    })
    app.get('/t/coded', async () => {
      // Lower layers may not import api/errors.ts; an error with a table code maps the same way.
      throw Object.assign(new Error('Aftalen er ikke aktiv'), { code: 'business_rule' })
    })
    app.get('/t/bigint', async () => ({ amountOre: 7250000n }))
    const agreement = { id: 'a1', state: 'active', monthlyOre: 7250000n }
    app.get('/t/agreement', async (req, reply) => sendWithEtag(req, reply, agreement))
    app.post('/t/agreement', async (req) => {
      checkIfMatch(req, agreement)
      return { ok: true }
    })
    const months = Array.from({ length: 7 }, (_, i) => `2026-0${i + 1}`)
    app.get('/t/months', { schema: { querystring: pageQuery } }, async (req, reply) =>
      sendPage(req, reply, paginate(months, req.query as z.output<typeof pageQuery>)),
    )
  })
})
afterAll(() => h.close())

const problemType = (res: { headers: Record<string, unknown> }) => String(res.headers['content-type'])

describe('problem+json', () => {
  it('names every bad field, in Danish, and does not call the handler', async () => {
    const before = handled
    const res = await h.app.inject({
      method: 'POST',
      url: '/t/lines',
      payload: { caseId: 'not-a-uuid', lines: [{ name: '', priceOre: '12.5' }] },
    })
    expect(res.statusCode).toBe(400)
    expect(problemType(res)).toMatch(/^application\/problem\+json/)
    const body = res.json()
    expect(body).toMatchObject({
      status: 400,
      code: 'validation_failed',
      title: errorCodes.validation_failed.da,
    })
    expect(body.titleEn).toBe('Validation failed')
    expect(body.type).toBe('urn:tillid:problem:validation_failed')
    const fields = body.errors.map((e: { field: string; in: string }) => `${e.in}:${e.field}`).sort()
    expect(fields).toEqual(['body:caseId', 'body:lines.0.name', 'body:lines.0.priceOre'])
    expect(body.errors.every((e: { message: string }) => e.message.length > 0)).toBe(true)
    expect(JSON.stringify(body.errors)).toMatch(/Ugyldig|For /)
    expect(handled).toBe(before)
  })

  it('reports missing fields and bad query parameters', async () => {
    const valid = {
      caseId: '0b8f4c3e-6f5d-4a4e-9d0c-2f1e3a4b5c6d',
      lines: [{ name: 'ophold', priceOre: '5200000' }],
    }
    const res = await h.app.inject({ method: 'POST', url: '/t/lines?dryRun=maybe', payload: valid })
    expect(res.statusCode).toBe(400)
    const fields = res.json().errors.map((e: { field: string; in: string }) => `${e.in}:${e.field}`)
    expect(fields).toEqual(['querystring:dryRun'])
    const res2 = await h.app.inject({ method: 'POST', url: '/t/lines', payload: {} })
    expect(
      res2
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['caseId', 'lines'])
  })

  it('turns malformed JSON, wrong content types and oversize bodies into problems', async () => {
    const bad = await h.app.inject({
      method: 'POST',
      url: '/t/lines',
      headers: { 'content-type': 'application/json' },
      payload: '{"caseId":',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().code).toBe('bad_request')
    const type = await h.app.inject({
      method: 'POST',
      url: '/t/lines',
      headers: { 'content-type': 'text/xml' },
      payload: '<a/>',
    })
    expect(type.statusCode).toBe(415)
    expect(type.json().code).toBe('unsupported_media_type')
    const big = await h.app.inject({
      method: 'POST',
      url: '/t/lines',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ caseId: 'x'.repeat(2 * 1024 * 1024) }),
    })
    expect(big.statusCode).toBe(413)
    expect(big.json().code).toBe('payload_too_large')
  })

  it('answers unknown errors with a bare 500 that leaks nothing', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/t/boom' })
    expect(res.statusCode).toBe(500)
    expect(problemType(res)).toMatch(/^application\/problem\+json/)
    expect(res.json()).toEqual({
      type: 'urn:tillid:problem:internal',
      title: errorCodes.internal.da,
      titleEn: errorCodes.internal.en,
      status: 500,
      code: 'internal',
    })
    expect(res.body).not.toMatch(/postgres|secret|1408154233|Error/)
  })

  it('maps TillidError and coded errors of lower layers by the table', async () => {
    const rule = await h.app.inject({ method: 'GET', url: '/t/rule' })
    expect(rule.statusCode).toBe(409)
    expect(rule.json()).toMatchObject({ code: 'invalid_state', detail: 'Aftalen er allerede underskrevet' })
    const coded = await h.app.inject({ method: 'GET', url: '/t/coded' })
    expect(coded.statusCode).toBe(422)
    expect(coded.json()).toMatchObject({ code: 'business_rule', detail: 'Aftalen er ikke aktiv' })
  })

  it('answers unknown paths with not_found', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/nothing-here' })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ code: 'not_found', title: 'Ikke fundet' })
  })

  it('serialises bigint money as a decimal string', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/t/bigint' })
    expect(res.json()).toEqual({ amountOre: '7250000' })
  })

  it('has a Danish and an English title and a 4xx/5xx status for every code', () => {
    for (const [code, spec] of Object.entries(errorCodes)) {
      expect(spec.status, code).toBeGreaterThanOrEqual(400)
      expect(spec.status, code).toBeLessThan(600)
      expect(spec.da.length, code).toBeGreaterThan(3)
      expect(spec.en.length, code).toBeGreaterThan(3)
    }
  })
})

describe('platform', () => {
  it('pages lists with X-Total-Count and Link headers', async () => {
    const first = await h.app.inject({ method: 'GET', url: '/t/months?limit=3' })
    expect(first.json()).toEqual(['2026-01', '2026-02', '2026-03'])
    expect(first.headers['x-total-count']).toBe('7')
    expect(first.headers.link).toBe('</t/months?limit=3&offset=3>; rel="next"')
    const last = await h.app.inject({ method: 'GET', url: '/t/months?limit=3&offset=6' })
    expect(last.json()).toEqual(['2026-07'])
    expect(last.headers.link).toBe('</t/months?limit=3&offset=3>; rel="prev"')
    const bad = await h.app.inject({ method: 'GET', url: '/t/months?limit=100000' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors[0]).toMatchObject({ field: 'limit', in: 'querystring' })
  })

  it('answers 304 to a matching If-None-Match and 412 to a stale If-Match', async () => {
    const first = await h.app.inject({ method: 'GET', url: '/t/agreement' })
    const tag = String(first.headers.etag)
    expect(tag).toMatch(/^W\//)
    const again = await h.app.inject({
      method: 'GET',
      url: '/t/agreement',
      headers: { 'if-none-match': tag },
    })
    expect(again.statusCode).toBe(304)
    expect(again.body).toBe('')
    const ok = await h.app.inject({ method: 'POST', url: '/t/agreement', headers: { 'if-match': tag } })
    expect(ok.statusCode).toBe(200)
    const stale = await h.app.inject({
      method: 'POST',
      url: '/t/agreement',
      headers: { 'if-match': 'W/"old"' },
    })
    expect(stale.statusCode).toBe(412)
    expect(stale.json().code).toBe('precondition_failed')
  })

  it('publishes OpenAPI 3.1 generated from the zod route schemas', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/openapi.json' })
    expect(res.statusCode).toBe(200)
    const doc = res.json()
    expect(doc.openapi).toBe('3.1.0')
    const op = doc.paths['/t/lines'].post
    const body = op.requestBody.content['application/json'].schema
    expect(body.required).toEqual(['caseId', 'lines'])
    expect(body.properties.lines.items.properties.priceOre.pattern).toBe('^\\d+$')
    expect(op.parameters.find((p: { name: string }) => p.name === 'dryRun')).toMatchObject({ in: 'query' })
    expect(doc.paths['/api/me'].get.responses['200']).toBeDefined()
    expect(doc.paths['/auth/login']).toBeDefined()
    // The IdP's catch-all routes are not part of the API.
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/oidc'))).toBe(false)
  })

  it('serves the reference page at /docs', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/' })
    expect(res.statusCode).toBe(200)
    expect(res.body).toMatch(/swagger/i)
  })

  it('sets security headers with a CSP that allows only the app’s own scripts', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/t/bigint' })
    const csp = String(res.headers['content-security-policy'])
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-eval')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
  })

  it('limits the request rate with a problem and Retry-After', async () => {
    const limited = await harness(
      (app) => {
        app.get('/t/ping', async () => ({ ok: true }))
      },
      { store: h.store, rateLimit: { max: 3 } },
    )
    try {
      const codes: number[] = []
      for (let i = 0; i < 4; i++)
        codes.push((await limited.app.inject({ method: 'GET', url: '/t/ping' })).statusCode)
      expect(codes).toEqual([200, 200, 200, 429])
      const res = await limited.app.inject({ method: 'GET', url: '/t/ping' })
      expect(res.json()).toMatchObject({ code: 'rate_limited', status: 429 })
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
    } finally {
      await limited.close()
    }
  })
})
