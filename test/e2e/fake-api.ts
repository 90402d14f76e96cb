/**
 * A static server for the built web app plus a fake of the HTTP API (docs/api-plan.md) answering
 * from fixtures, so the web app can be tested in a browser before and apart from the real API.
 * The session cookie holds the persona's login name; GET /auth/login logs in `nextPersona`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import * as fx from './fixtures.ts'

export interface RecordedRequest {
  method: string
  path: string
  body: unknown
  headers: Record<string, string | string[] | undefined>
}

export interface FakeServer {
  url: string
  requests: RecordedRequest[]
  nextPersona: string
  close(): Promise<void>
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.eot': 'application/vnd.ms-fontobject',
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

function problem(res: ServerResponse, status: number, title: string, code: string, errors?: unknown[]): void {
  res.writeHead(status, { 'content-type': 'application/problem+json' })
  res.end(JSON.stringify({ type: 'about:blank', title, status, code, ...(errors ? { errors } : {}) }))
}

function persona(req: IncomingMessage): string | null {
  const m = /(?:^|;\s*)tillid_session=([a-z]+)/.exec(req.headers.cookie ?? '')
  return m?.[1] && fx.personas[m[1]] ? m[1] : null
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  if (chunks.length === 0) return undefined
  const text = Buffer.concat(chunks).toString('utf8')
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

export async function startFakeServer(distDir: string): Promise<FakeServer> {
  const requests: RecordedRequest[] = []
  let ledgerDate = '2026-06-03'
  const state: FakeServer = {
    url: '',
    requests,
    nextPersona: 'sara',
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }

  const api = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const who = persona(req)
    const body = req.method === 'GET' ? undefined : await readBody(req)
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      body,
      headers: req.headers,
    })
    const p = url.pathname
    const b = (body ?? {}) as Record<string, unknown>

    if (p === '/auth/login') {
      res.writeHead(302, {
        'set-cookie': `tillid_session=${state.nextPersona}; Path=/; HttpOnly; SameSite=Lax`,
        location: url.searchParams.get('returnTo') ?? '/',
      })
      return void res.end()
    }
    if (p === '/auth/logout') {
      res.writeHead(204, { 'set-cookie': 'tillid_session=; Path=/; Max-Age=0' })
      return void res.end()
    }
    if (!who) return problem(res, 401, 'Du er ikke logget ind', 'unauthenticated')
    const me = fx.personas[who] as (typeof fx.personas)[string]
    if (req.method !== 'GET' && req.headers['x-csrf-token'] !== me.csrfToken)
      return problem(res, 403, 'Ugyldig CSRF-nøgle', 'csrf')

    const get = req.method === 'GET'
    const re = (r: RegExp) => r.exec(p)
    let m: RegExpExecArray | null = null
    if (get && p === '/api/me') return json(res, 200, me)
    if (get && p === '/api/tasks') return json(res, 200, fx.tasks[who] ?? [])
    if (get && p === '/api/organisations') return json(res, 200, fx.organisations)
    if (get && p === '/api/templates') return json(res, 200, fx.templates)
    if (get && p === '/api/cases') return json(res, 200, fx.cases)
    if (!get && p === '/api/cases') {
      if (String(b.cpr) === '0101010000')
        return problem(res, 422, 'Ugyldige oplysninger', 'validation', [
          { field: 'cpr', message: 'CPR-nummeret findes ikke i CPR-registret' },
        ])
      return json(res, 201, { id: 'case-new', title: b.title, status: 'Opstaaet', kle: b.kle })
    }
    m = re(/^\/api\/cases\/([^/]+)\/contributions$/)
    if (get && m) return json(res, 200, m[1] === 'case-1' ? (fx.caseDetail.contributions ?? []) : [])
    m = re(/^\/api\/cases\/([^/]+)$/)
    if (get && m) {
      return m[1] === 'case-1' ? json(res, 200, fx.caseDetail) : problem(res, 404, 'Ikke fundet', 'not_found')
    }
    if (get && p === '/api/agreements') {
      const caseId = url.searchParams.get('caseId')
      let list = fx.summaries()
      if (caseId) list = list.filter((a) => a.caseId === caseId)
      if (me.organisation?.kind === 'provider')
        list = list.filter((a) => a.provider?.id === me.organisation?.id)
      return json(res, 200, list)
    }
    if (!get && p === '/api/agreements') return json(res, 201, { id: 'agr-new', state: 'Draft', version: 1 })
    m = re(/^\/api\/agreements\/([^/]+)\/termination-preview$/)
    if (get && m) {
      const date = url.searchParams.get('effectiveDate') ?? ''
      return json(res, 200, {
        effectiveDate: date,
        affected: [
          {
            id: 'agr-placement',
            title: 'Anbringelse på Østervold',
            providerName: 'Østervold',
            currentEnd: null,
            newEnd: date,
          },
          {
            id: 'agr-contact',
            title: 'Overvåget samvær',
            providerName: 'Samværskonsulenterne ApS',
            currentEnd: null,
            newEnd: date,
          },
        ],
      })
    }
    m = re(/^\/api\/agreements\/([^/]+)(?:\/([a-z-]+))?$/)
    if (m) {
      const a = fx.agreements[m[1] as string]
      if (!a) return problem(res, 404, 'Ikke fundet', 'not_found')
      if (get && !m[2]) return json(res, 200, a)
      if (!get && m[2] === 'invoices') {
        const q = Number(b.quantity)
        return json(res, 201, {
          id: 'inv-new',
          period: b.period,
          lineId: b.lineId,
          quantity: q,
          amountOre: String(q * 65000),
          status: q === 8 ? 'accepted' : 'deviation',
        })
      }
      if (!get && m[2] === 'reports') return json(res, 201, { id: 'doc-new', filename: b.filename })
      if (!get) return json(res, 200, a)
    }
    if (get && p === '/api/payment-runs') return json(res, 200, Object.values(fx.paymentRuns))
    if (!get && p === '/api/payment-runs') {
      const run = fx.paymentRuns[String(b.period)] ?? { period: String(b.period), items: [], deviations: [] }
      return json(res, 201, run)
    }
    m = re(/^\/api\/payment-runs\/(\d{4}-\d{2})$/)
    if (get && m) {
      const run = fx.paymentRuns[m[1] as string]
      return run ? json(res, 200, run) : problem(res, 404, 'Ikke fundet', 'not_found')
    }
    if (get && p === '/api/access-log') return json(res, 200, fx.accessLog)
    if (!get && p === '/api/integrity/verify') {
      const result = { checked: 128, mismatches: [], erased: 0 }
      if (!String(req.headers.accept ?? '').includes('application/x-ndjson')) return json(res, 200, result)
      // Like the real API: progress lines while anchors are checked, then the result.
      res.writeHead(200, { 'content-type': 'application/x-ndjson' })
      for (const done of [0, 64, 128])
        res.write(`${JSON.stringify({ type: 'progress', done, total: 128 })}\n`)
      res.end(`${JSON.stringify({ type: 'result', ...result })}\n`)
      return
    }
    if (get && p === '/api/ledger/time') return json(res, 200, { date: ledgerDate, demo: true })
    if (!get && p === '/api/ledger/time') {
      ledgerDate = String(b.date)
      return json(res, 200, { date: ledgerDate, demo: true })
    }
    if (get && p === '/api/citizen/overview') return json(res, 200, fx.citizenOverview)
    if (get && p === '/api/citizen/access-log') return json(res, 200, fx.accessLog)
    if (!get && p === '/api/citizen/contributions') return json(res, 201, { id: 'k-new', ...b })
    return problem(res, 404, 'Ikke fundet', 'not_found')
  }

  const indexHtml = () => readFileSync(path.join(distDir, 'index.html'))
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (/^\/(api|auth)(\/|$)/.test(url.pathname)) {
      api(req, res, url).catch((err) => problem(res, 500, String(err), 'internal'))
      return
    }
    const file = path.join(
      distDir,
      path.normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, ''),
    )
    if (file.startsWith(distDir) && existsSync(file) && statSync(file).isFile()) {
      res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' })
      res.end(readFileSync(file))
      return
    }
    // Client-side routes get the app shell, as the real server does.
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(indexHtml())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return state
}
