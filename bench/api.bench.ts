/**
 * The HTTP API against its own baselines, on one embedded Tillid over HTTP (issue 11):
 * - agreement signatures per second through POST /api/agreements/:id/sign from 16 concurrent
 *   clients (drafts and logins made beforehand, only the sign calls timed) divided by raw signed
 *   transactions per second on the same ledger in the same run (bench/rawTx.ts), target ≥ 0.8;
 * - p99 latency of GET /api/agreements/:id under 100 concurrent connections (autocannon, session
 *   cookie) divided by the p99 of the trivial /healthz route in the same process and run, target ≤ 3.
 * Run alone: npx tsx bench/api.bench.ts [--quick]
 */
import { pathToFileURL } from 'node:url'
import { dateToUnixSeconds } from '../src/domain/calendar.ts'
import { PREBEN_CPR } from '../src/identity/personas.ts'
import { openTestApp, type TestApp } from '../test/support/app.ts'
import { type BenchOptions, type BenchResult, failedResult } from './harness.ts'
import { measureP99, roundsNote } from './p99.ts'
import { measureRawTxRate } from './rawTx.ts'
import { signFromWorker } from './signClients.ts'

const SIGN_TARGET = 0.8
const READ_TARGET = 3
const SIGN_CLIENTS = 16
const READ_CONNECTIONS = 100
/** Alternating measured rounds per route; the median p99 per route damps one disturbed round. */
const ROUNDS = 3

const line = {
  name: 'Ophold',
  priceOre: '1200000',
  unit: 'month',
  schedule: { kind: 'monthly' },
  start: '2026-02-01',
  arrangedBy: 'provider',
}

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of several routes
async function must(r: Promise<{ status: number; body: any }>, what: string) {
  const res = await r
  if (res.status >= 300)
    throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`)
  return res.body
}

async function signatures(t: TestApp, quick: boolean): Promise<BenchResult> {
  const n = quick ? 64 : 320
  const sara = await t.login('sara')
  const ole = await t.login('ole')
  const providerId = ole.me.organisation!.id
  const kase = await must(
    t.api(sara, 'POST', '/api/cases', {
      cpr: PREBEN_CPR,
      name: 'Preben Testesen',
      kle: '27.24.00',
      title: 'Anbringelse uden for hjemmet',
    }),
    'create case',
  )
  const ids: string[] = []
  for (let i = 0; i < n + SIGN_CLIENTS; i++) {
    const draft = await must(
      t.api(sara, 'POST', '/api/agreements', {
        caseId: kase.id,
        providerId,
        templateId: 'placement',
        lines: [line],
      }),
      'draft',
    )
    ids.push(draft.id)
  }
  // Warm-up: the first sign calls (JIT, code paths, connections) are not counted; made one at a
  // time, they give the latency of a single signature for the note.
  const w0 = performance.now()
  for (const id of ids.splice(0, SIGN_CLIENTS))
    await must(t.api(sara, 'POST', `/api/agreements/${id}/sign`, { version: 1 }), 'sign')
  const serialMs = (performance.now() - w0) / SIGN_CLIENTS

  // Raw transactions on the same ledger, half just before and half just after the signatures,
  // so both figures see the same chain size and machine load.
  const rawCount = quick ? 100 : 400
  const before = await measureRawTxRate(t.ctx.ledger, { count: rawCount / 2 })
  // The clients run in a worker thread (bench/signClients.ts), not in the server's event loop.
  const signMs = await signFromWorker({
    baseUrl: t.baseUrl,
    headers: sara.headers,
    ids,
    clients: SIGN_CLIENTS,
  })
  const after = await measureRawTxRate(t.ctx.ledger, { count: rawCount / 2, warmup: 0 })
  const value = (n * 1000) / signMs
  const baseline = (rawCount * 1000) / (before.ms + after.ms)
  const ratio = value / baseline
  return {
    name: 'API agreement signatures vs raw signed transactions',
    value: Math.round(value * 10) / 10,
    unit: 'signatures/s',
    baseline: Math.round(baseline * 10) / 10,
    ratio: Math.round(ratio * 1000) / 1000,
    target: SIGN_TARGET,
    direction: 'min',
    pass: ratio >= SIGN_TARGET,
    note: `${n} signatures by one caseworker from ${SIGN_CLIENTS} concurrent HTTP clients (worker thread); raw: ${rawCount} value transfers via ledger.send(), half before and half after; one signature alone took ${Math.round(serialMs)} ms (warm-up, not counted)`,
  }
}

async function readLatency(t: TestApp, quick: boolean): Promise<BenchResult> {
  const seconds = quick ? 4 : 15
  const sara = await t.login('sara')
  const list = await must(t.api(sara, 'GET', '/api/agreements'), 'list agreements')
  const id = list[0]?.id
  if (!id) throw new Error('no agreement to read')
  const r = await measureP99({
    url: `${t.baseUrl}/api/agreements/${id}`,
    trivialUrl: `${t.baseUrl}/healthz`,
    headers: { cookie: sara.cookie },
    connections: READ_CONNECTIONS,
    seconds,
    rounds: ROUNDS,
  })
  return {
    name: 'API read p99: GET /api/agreements/:id vs trivial route',
    value: Math.round(r.p99),
    unit: 'ms p99',
    baseline: Math.round(r.trivialP99),
    ratio: Math.round(r.ratio * 100) / 100,
    target: READ_TARGET,
    direction: 'max',
    pass: r.ratio <= READ_TARGET,
    note: `autocannon (worker thread), ${READ_CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${seconds} s per route, median of p99s ${roundsNote(r)}; ${r.rps.route} req/s vs ${r.rps.trivial} req/s on /healthz`,
  }
}

export async function run({ quick }: BenchOptions): Promise<BenchResult[]> {
  const t = await openTestApp({ TILLID_RATE_LIMIT: '0', TILLID_SNAPSHOT_EVERY: '1000000000' })
  try {
    await t.ctx.ledger.advanceTo(Number(dateToUnixSeconds('2026-01-12')) + 8 * 3600)
    const results: BenchResult[] = []
    for (const bench of [signatures, readLatency]) {
      try {
        results.push(await bench(t, quick))
      } catch (err) {
        results.push(failedResult(`api: ${bench.name}`, err))
      }
    }
    return results
  } finally {
    await t.close()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await run({ quick: process.argv.includes('--quick') })
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`)
}
