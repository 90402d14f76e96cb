/**
 * The whole API as buildApp assembles it: every documented operation is fed requests generated from
 * its OpenAPI schema, mixed with hostile values (SQL, script, path traversal, oversize, wrong types);
 * none may answer 5xx. And every route guarded by requirePermission is tried as every scenario person:
 * 403 exactly where docs/authorisation.md says the role may not.
 */
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/api/app.ts'
import { loadConfig } from '../../src/config.ts'
import { roleMay } from '../../src/identity/authorise.ts'
import { personas } from '../../src/identity/personas.ts'
import { mapClaims } from '../../src/identity/principal.ts'
import { openStore, type Store } from '../../src/store/database.ts'

let app: FastifyInstance
let store: Store
const sessions = new Map<string, Record<string, string>>()

beforeAll(async () => {
  store = await openStore({ kind: 'pglite', dir: null })
  const config = loadConfig({ TILLID_RATE_LIMIT: '0' })
  app = await buildApp({ logger: false, readiness: [], store, config, kek: new Uint8Array(randomBytes(32)) })
  await app.ready()
})

/** New sessions for everyone (the fuzzing may log people out through POST /auth/logout). */
async function freshSessions(): Promise<void> {
  for (const p of personas) {
    const principal = await app.identity.directory.resolve(mapClaims(p.claims))
    const { token, session } = await app.identity.sessions.create(principal)
    sessions.set(p.login, { cookie: `tillid_session=${token}`, 'x-csrf-token': session.csrfToken })
  }
}
afterAll(async () => {
  await app?.close()
  await store?.close()
})

type JsonSchema = {
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  enum?: unknown[]
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
  minItems?: number
  maxItems?: number
  format?: string
}

const hostile = fc.constantFrom<unknown>(
  "' OR 1=1; DROP TABLE cases; --",
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '%00',
  '\u0000\u202e',
  'x'.repeat(70_000),
  '1408154233',
  -1,
  1e308,
  Number.MAX_SAFE_INTEGER + 2,
  null,
  true,
  [],
  {},
  { __proto__: { admin: true } },
  '00000000-0000-0000-0000-000000000000',
)

/** Values shaped by the schema most of the time, hostile ones otherwise. */
function arbitraryFor(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.oneof(fc.string(), fc.integer(), hostile)
  const alternatives = schema.anyOf ?? schema.oneOf
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => arbitraryFor(s, depth + 1)), hostile)
  if (schema.enum)
    return fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...schema.enum) },
      { weight: 1, arbitrary: hostile },
    )
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  let shaped: fc.Arbitrary<unknown>
  switch (type) {
    case 'object': {
      const props = Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([k, s]) => [k, arbitraryFor(s, depth + 1)]),
      )
      shaped = fc.record(props, { requiredKeys: (schema.required ?? []).filter((k) => k in props) })
      break
    }
    case 'array':
      shaped = fc.array(arbitraryFor(schema.items, depth + 1), { maxLength: 4 })
      break
    case 'integer':
      shaped = fc.integer({
        min: schema.minimum ?? -1000,
        max: Math.min(schema.maximum ?? 1_000_000, 2 ** 31),
      })
      break
    case 'number':
      shaped = fc.double({ noNaN: true })
      break
    case 'boolean':
      shaped = fc.boolean()
      break
    case 'string':
      shaped =
        schema.format === 'date'
          ? fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))
          : fc.string({ maxLength: schema.maxLength ?? 40 })
      break
    default:
      shaped = fc.oneof(fc.string(), fc.integer())
  }
  return fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 1, arbitrary: hostile })
}

interface Operation {
  method: string
  path: string
  parameters: { name: string; in: string; schema?: JsonSchema }[]
  body?: JsonSchema
}

function operations(doc: { paths: Record<string, Record<string, Record<string, unknown>>> }): Operation[] {
  const out: Operation[] = []
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue
      const body = (op.requestBody as { content?: Record<string, { schema?: JsonSchema }> } | undefined)
        ?.content?.['application/json']?.schema
      out.push({
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters as Operation['parameters']) ?? [],
        body,
      })
    }
  }
  return out
}

function toText(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? '')
}

describe('every documented operation with generated and hostile input', () => {
  it('never answers 5xx, and answers 4xx with problem+json', async () => {
    await freshSessions()
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json()
    const ops = operations(doc)
    expect(ops.length).toBeGreaterThan(0)
    const logins = ['anonymous', ...personas.map((p) => p.login)]
    const failures: string[] = []
    for (const op of ops) {
      const query = op.parameters.filter((p) => p.in === 'query')
      const params = op.parameters.filter((p) => p.in === 'path')
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...logins),
          fc.record(Object.fromEntries(query.map((p) => [p.name, arbitraryFor(p.schema)]))),
          fc.record(Object.fromEntries(params.map((p) => [p.name, arbitraryFor(p.schema)]))),
          op.body ? arbitraryFor(op.body) : fc.constant(undefined),
          async (login, q, pathParams, body) => {
            let url = op.path
            for (const [k, v] of Object.entries(pathParams))
              url = url.replace(`{${k}}`, encodeURIComponent(toText(v)))
            const search = new URLSearchParams(Object.entries(q).map(([k, v]) => [k, toText(v)])).toString()
            const res = await app.inject({
              method: op.method as 'GET',
              url: search ? `${url}?${search}` : url,
              headers: login === 'anonymous' ? {} : sessions.get(login),
              ...(body === undefined ? {} : { payload: body as object }),
            })
            if (res.statusCode >= 500)
              failures.push(`${op.method} ${op.path} → ${res.statusCode}: ${res.body.slice(0, 200)}`)
            if (
              res.statusCode >= 400 &&
              !String(res.headers['content-type']).startsWith('application/problem+json')
            ) {
              failures.push(`${op.method} ${op.path} → ${res.statusCode} without problem+json`)
            }
            return true
          },
        ),
        { numRuns: 25, seed: 20260112 },
      )
    }
    expect(failures.slice(0, 10)).toEqual([])
  })
})

describe('every guarded route as every scenario person', () => {
  it('refuses exactly the roles the table refuses', async () => {
    await freshSessions()
    const mismatches: string[] = []
    for (const route of app.routePermissions) {
      const url = route.url.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000')
      for (const p of personas) {
        const res = await app.inject({ method: route.method as 'GET', url, headers: sessions.get(p.login) })
        const refused = res.statusCode === 403 && res.json().code === 'forbidden'
        if (refused === roleMay(p.role, route.action)) {
          mismatches.push(`${p.login} ${route.method} ${route.url} (${route.action}) → ${res.statusCode}`)
        }
      }
      const anonymous = await app.inject({ method: route.method as 'GET', url })
      if (anonymous.statusCode !== 401)
        mismatches.push(`anonymous ${route.method} ${route.url} → ${anonymous.statusCode}`)
    }
    expect(mismatches).toEqual([])
  })
})
