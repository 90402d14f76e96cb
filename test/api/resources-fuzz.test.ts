/**
 * Bad input and wrong people against every resource route of a whole embedded Tillid (issues 6 and 11):
 * - every operation of /openapi.json fed fast-check requests built from its schema and mixed with missing,
 *   wrong-typed, oversize and hostile values (SQL, script, path traversal, CPR-shaped strings, huge
 *   numbers), as anonymous and as the scenario's people: never 5xx, every 4xx a problem+json with a code
 *   from the error table, and a rejected request changes nothing (ledger block number, row counts);
 * - the authorisation matrix: every guarded route × every person (and anonymous), with a placeholder id and
 *   with the ids of real objects: the role table's refusals are 401/403, a case outside a person's scope 404,
 *   never 2xx.
 * One instance for the file, because starting Tillid (store, ledger, contracts) is the slow part.
 *
 * Size: sizes.fuzzRequests requests spread evenly over the documented operations — 5,000 in `npm test`,
 * 100,000 in the full run of issue 11 (TILLID_RELIABILITY=full, `npm run test:reliability`; the switch is
 * the test run's, read in test/reliability/size.ts, not Tillid configuration). Afterwards the chain is
 * scanned for personal data: the fuzz sends CPR numbers everywhere, none may have reached the ledger.
 */
import fc from 'fast-check'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorCodes } from '../../src/api/errors.ts'
import { dateToUnixSeconds } from '../../src/domain/calendar.ts'
import { roleMay } from '../../src/identity/authorise.ts'
import { type LoginResult, loginAs } from '../../src/identity/loginAs.ts'
import { PREBEN_CPR, personas } from '../../src/identity/personas.ts'
import { mapClaims } from '../../src/identity/principal.ts'
import { ensureMember } from '../../src/services/membership.ts'
import { scanChain } from '../../src/services/scanChain.ts'
import { sizes } from '../reliability/size.ts'
import { openTestApp, type TestApp } from '../support/app.ts'
import { routePermissionMismatches } from './harness.ts'
import { arbitraryFor, type JsonSchema, operations, toText } from './openapiFuzz.ts'

const SEED = 20261125

const ZERO_UUID = '00000000-0000-4000-8000-000000000000'
/** A valid CPR of somebody who is nobody's child in the scenario (not Preben, not his mother). */
const STRANGER_CPR = '0101904321'

let t: TestApp
const sessions = new Map<string, LoginResult>()
const logins = ['anonymous', ...personas.map((p) => p.login)]
let prebenCase = ''
let strangerCase = ''
let placement = ''

beforeAll(async () => {
  t = await openTestApp()
  for (const p of personas) sessions.set(p.login, await loginAs(t.baseUrl, p.login))
  const sara = sessions.get('sara')!
  const kle = sara.me.kle[0]!
  const created = await t.api(sara, 'POST', '/api/cases', {
    cpr: PREBEN_CPR,
    name: 'Preben Testesen',
    kle,
    title: 'Anbringelse',
  })
  expect(created.status, JSON.stringify(created.body)).toBe(201)
  prebenCase = created.body.id
  const other = await t.api(sara, 'POST', '/api/cases', {
    cpr: STRANGER_CPR,
    name: 'Anden Borger',
    kle,
    title: 'Forebyggende foranstaltning',
  })
  expect(other.status, JSON.stringify(other.body)).toBe(201)
  strangerCase = other.body.id
  // An agreement between the municipality and Østervold, so another provider's (Samvær's) people meet a
  // real id of a tenant that is not theirs.
  await t.ctx.ledger.advanceTo(Number(dateToUnixSeconds('2026-01-12')) + 8 * 3600)
  const draft = await t.api(sara, 'POST', '/api/agreements', {
    caseId: prebenCase,
    providerId: sessions.get('ole')!.me.organisation!.id,
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
    ],
    reportEveryMonths: 3,
    graceDays: 14,
  })
  expect(draft.status, JSON.stringify(draft.body)).toBe(201)
  placement = draft.body.id
  // A person's first act on the ledger first makes them a member of their organisation in the on-chain
  // directory (services/membership.ts), even when the act itself is then refused. That sync is identity,
  // not the request's business, so everyone is made a member up front and the "a rejected request changes
  // nothing" check below stays strict about everything else.
  for (const p of personas) {
    const principal = await t.app.identity.directory.resolve(mapClaims(p.claims))
    await ensureMember(t.ctx, principal, await t.app.identity.keys.addressOf(principal.personId))
  }
}, 180_000)

afterAll(async () => {
  await t?.close()
})

function headersFor(login: string): Record<string, string> {
  return login === 'anonymous' ? {} : (sessions.get(login)?.headers ?? {})
}

/** What a rejected request must leave alone: the chain and the tables a write would touch. */
const watchedTables = [
  'cases',
  'citizens',
  'agreements',
  'documents',
  'agreement_documents',
  'agreement_invoices',
  'citizen_contributions',
  'payment_files',
  'ledger_journal',
  'event_outbox',
  'anchors',
] as const

/**
 * Tables a rejected report upload may touch. None: uploadReport asks the ledger before it stores the
 * document or its anchor, so a report the ledger would refuse leaves nothing behind.
 */
const reportLeak = new Set<string>()

async function snapshot(uploadingReport = false): Promise<string> {
  const tables = watchedTables.filter((name) => !(uploadingReport && reportLeak.has(name)))
  const counts = tables.map((name) => sql`(select count(*) from ${sql.table(name)})`)
  const row = await sql<Record<string, string>>`select ${sql.join(
    counts.map((c, i) => sql`${c} as ${sql.ref(tables[i]!)}`),
  )}`.execute(t.ctx.store.db)
  const block = await t.ctx.ledger.publicClient.getBlockNumber()
  return JSON.stringify({ block: block.toString(), ...row.rows[0] })
}

const hostile = fc.constantFrom<unknown>(
  "' OR 1=1; DROP TABLE cases; --",
  "'; update cases set title = 'x'; --",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%00',
  '\u0000\u202e',
  '{{7*7}}<%= 7*7 %>',
  'x'.repeat(70_000),
  PREBEN_CPR,
  '140815-4233',
  '0101904321',
  '9999999999',
  '9'.repeat(400),
  '-1',
  '1e400',
  '0x',
  -1,
  0,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  null,
  true,
  [],
  {},
  { $ne: null },
  { __proto__: { admin: true } },
  ZERO_UUID,
  '00000000-0000-0000-0000-000000000000',
  '2026-02-30',
  '9999-12-31',
  '0000-00-00',
)

const shapes = { hostile, uuid: fc.oneof(fc.uuid(), fc.constantFrom(ZERO_UUID)) }

/** Path ids: the real objects (so scope checks run), unknown ones and hostile strings. */
function pathArbitrary(schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(prebenCase, strangerCase, placement) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.constantFrom('2026-01', '2026-13', '1999-00') },
    { weight: 2, arbitrary: arbitraryFor(schema, shapes) },
  )
}

/** The whole body: shaped, missing, of the wrong type, or oversize. */
function bodyArbitrary(schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  const shaped = schema ? arbitraryFor(schema, shapes) : fc.constant(undefined)
  return fc.oneof(
    { weight: 6, arbitrary: shaped },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.oneof(fc.string(), fc.integer(), fc.array(fc.integer()), hostile) },
    { weight: 1, arbitrary: fc.constant({ padding: 'ø'.repeat(200_000) }) },
  )
}

/** A 4xx must be problem+json whose code is a row of the error table with that row's status. */
function problemFailure(res: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  if (!String(res.headers['content-type']).startsWith('application/problem+json')) return 'not problem+json'
  let problem: { code?: string; status?: number }
  try {
    problem = JSON.parse(res.body)
  } catch {
    return 'problem+json that is not JSON'
  }
  const row = problem.code ? errorCodes[problem.code as keyof typeof errorCodes] : undefined
  if (!row || !Object.hasOwn(errorCodes, problem.code!)) return `code ${problem.code} not in the error table`
  if (row.status !== res.statusCode || problem.status !== res.statusCode)
    return `code ${problem.code} with status ${res.statusCode}`
  return null
}

describe('the authorisation matrix over every resource route', () => {
  it('refuses exactly the roles the table refuses (placeholder ids)', async () => {
    expect(t.app.routePermissions.length).toBeGreaterThan(20)
    // Providers read payment runs as the table says, through a view of their own payments only.
    expect(await routePermissionMismatches(t.app, headersFor)).toEqual([])
  }, 300_000)

  it('never lets a refused role, or anyone out of scope, at real objects', async () => {
    const failures: string[] = []
    let requests = 0
    for (const route of t.app.routePermissions) {
      if (route.method === 'HEAD') continue
      for (const id of [prebenCase, strangerCase, placement]) {
        const url = route.url.replace(/:[A-Za-z]+/g, id)
        for (const login of logins) {
          const p = personas.find((x) => x.login === login)
          // Allowed roles writing to real objects are the scenario tests' business, not the matrix's.
          if (p && roleMay(p.role, route.action) && route.method !== 'GET') continue
          const before = await snapshot()
          const res = await t.app.inject({ method: route.method as 'GET', url, headers: headersFor(login) })
          requests++
          const what = `${login} ${route.method} ${url} (${route.action}) → ${res.statusCode}`
          if (!p) {
            if (res.statusCode !== 401) failures.push(what)
          } else if (!roleMay(p.role, route.action)) {
            if (res.statusCode !== 403 || res.json().code !== 'forbidden') failures.push(what)
          } else if (res.statusCode >= 500) failures.push(what)
          if (res.statusCode >= 400 && (await snapshot()) !== before) failures.push(`${what} changed state`)
        }
      }
    }
    expect(requests).toBeGreaterThan(100)
    expect(failures).toEqual([])

    // Scope: the case worker's municipality sees both cases; Preben's mother sees only his, the
    // stranger's case is 404 to her (not 403, so its id reveals nothing); providers are refused by role.
    const get = async (login: string, id: string) =>
      (await t.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: headersFor(login) })).statusCode
    expect(await get('sara', prebenCase)).toBe(200)
    expect(await get('sara', strangerCase)).toBe(200)
    expect(await get('mor', prebenCase)).toBe(200)
    expect(await get('mor', strangerCase)).toBe(404)
    expect(await get('ole', prebenCase)).toBe(403)
    const contributions = await t.app.inject({
      method: 'GET',
      url: `/api/cases/${strangerCase}/contributions`,
      headers: headersFor('mor'),
    })
    expect(contributions.statusCode).toBe(404)

    // Another provider's people: the agreement is 404 to Samvær's Sanne, 200 to Østervold's Ole and to the
    // municipality; the citizen holding custody sees her child's agreement.
    const agreement = async (login: string) =>
      (await t.app.inject({ method: 'GET', url: `/api/agreements/${placement}`, headers: headersFor(login) }))
        .statusCode
    expect(await agreement('sanne')).toBe(404)
    expect(await agreement('ole')).toBe(200)
    expect(await agreement('sara')).toBe(200)
    expect(await agreement('mor')).toBe(200)
    const sanneSigns = await t.app.inject({
      method: 'POST',
      url: `/api/agreements/${placement}/sign`,
      headers: headersFor('sanne'),
      payload: { version: 1 },
    })
    expect(sanneSigns.statusCode).toBe(404)
  }, 300_000)
})

describe('what the fuzz found (kept as plain regressions)', () => {
  it('answers an unknown or malformed dead-letter id with 404/400, not 500', async () => {
    const replay = (id: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/integrations/dead-letters/${encodeURIComponent(id)}/replay`,
        headers: headersFor('admin'),
      })
    const unknown = await replay('999999')
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'not_found'])
    for (const bad of ['abc', ZERO_UUID, "' OR 1=1", '-1']) {
      const res = await replay(bad)
      expect([res.statusCode, res.json().code], bad).toEqual([400, 'validation_failed'])
    }
  })

  it('answers a ledger date the calendar cannot place, or centuries ahead, with 4xx and moves nothing', async () => {
    const before = await snapshot()
    const move = (date: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/ledger/time',
        headers: headersFor('admin'),
        payload: { date },
      })
    const ancient = await move('0000-01-01')
    expect([ancient.statusCode, ancient.json().code]).toEqual([400, 'validation_failed'])
    const far = await move('9999-12-31')
    expect([far.statusCode, far.json().code]).toEqual([422, 'business_rule'])
    expect(await snapshot()).toBe(before)
  })

  it('answers a path parameter over the router’s limit with problem+json 414', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/cases/${'x'.repeat(5000)}`,
      headers: headersFor('sara'),
    })
    expect(res.statusCode).toBe(414)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.json().code).toBe('uri_too_long')
  })
})

describe('every documented operation with generated and hostile input, as everyone', () => {
  it('never answers 5xx, answers 4xx with a problem from the table, and a rejection changes nothing', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    const ops = operations(doc)
    // Every resource family is in the document (not only the platform routes).
    for (const prefix of [
      '/api/cases',
      '/api/agreements',
      '/api/documents',
      '/api/payment-runs',
      '/api/citizen',
      '/api/integrity',
      '/api/ledger/time',
    ])
      expect(
        ops.some((o) => o.path.startsWith(prefix)),
        prefix,
      ).toBe(true)
    const failures: string[] = []
    const statuses = new Map<number, number>()
    let requests = 0
    const runsPerOperation = Math.ceil(sizes.fuzzRequests / ops.length)
    for (const op of ops) {
      const query = op.parameters.filter((p) => p.in === 'query')
      const params = op.parameters.filter((p) => p.in === 'path')
      // Mostly people the role table lets in, so the input reaches the handlers and services, not
      // only the role check; the rest as anyone (the refusals are the matrix's job too).
      const route = t.app.routePermissions.find(
        (r) => r.method === op.method && r.url === op.path.replace(/\{(\w+)\}/g, ':$1'),
      )
      const allowed = route ? personas.filter((p) => roleMay(p.role, route.action)).map((p) => p.login) : []
      const who = allowed.length
        ? fc.oneof(
            { weight: 3, arbitrary: fc.constantFrom(...allowed) },
            { weight: 1, arbitrary: fc.constantFrom(...logins) },
          )
        : fc.constantFrom(...logins)
      await fc.assert(
        fc.asyncProperty(
          who,
          fc.record(Object.fromEntries(query.map((p) => [p.name, arbitraryFor(p.schema, shapes)]))),
          fc.record(Object.fromEntries(params.map((p) => [p.name, pathArbitrary(p.schema)]))),
          op.method === 'GET' ? fc.constant(undefined) : bodyArbitrary(op.body),
          async (login, q, pathParams, body) => {
            let url = op.path
            for (const [k, v] of Object.entries(pathParams))
              url = url.replace(`{${k}}`, encodeURIComponent(toText(v)))
            const search = new URLSearchParams(Object.entries(q).map(([k, v]) => [k, toText(v)])).toString()
            const before = await snapshot(op.method === 'POST' && op.path === '/api/agreements/{id}/reports')
            const res = await t.app.inject({
              method: op.method as 'GET',
              url: search ? `${url}?${search}` : url,
              headers: headersFor(login),
              ...(body === undefined ? {} : { payload: body as object }),
            })
            requests++
            statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
            const what = `${login} ${op.method} ${op.path} → ${res.statusCode}`
            if (res.statusCode >= 500)
              failures.push(`${what}: ${res.body.slice(0, 300)} for ${toText(body).slice(0, 200)} ${url}`)
            if (res.statusCode >= 400) {
              const bad = problemFailure(res)
              if (bad) failures.push(`${what}: ${bad}`)
              const after = await snapshot(op.method === 'POST' && op.path === '/api/agreements/{id}/reports')
              if (after !== before) failures.push(`${what}: rejected but changed ${before} → ${after}`)
            }
            // Logging out ends the person's session; give them a new one for the rest of the run.
            if (op.path === '/auth/logout' && res.statusCode < 300 && login !== 'anonymous')
              sessions.set(login, await loginAs(t.baseUrl, login))
            return true
          },
        ),
        { numRuns: runsPerOperation, seed: SEED },
      )
    }
    console.info(
      `resources fuzz: ${requests} requests over ${ops.length} operations as ${logins.length} identities;`,
      Object.fromEntries([...statuses].sort(([a], [b]) => a - b)),
    )
    expect(requests).toBeGreaterThanOrEqual(sizes.fuzzRequests)
    expect(failures.slice(0, 15)).toEqual([])
  }, 7_200_000)

  it('left no CPR number or citizen name on the chain (tillid scan-chain)', async () => {
    const scan = await scanChain(t.ctx)
    console.info(
      `scan-chain after the fuzz: ${scan.blocks} blocks, ${scan.transactions} transactions, ${scan.findings.length} findings`,
    )
    expect(scan.transactions).toBeGreaterThan(0)
    expect(scan.findings).toEqual([])
  }, 600_000)
})
