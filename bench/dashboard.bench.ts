/**
 * p99 latency of the rollout dashboard API under concurrent load on national-scale data: 45,000
 * synthetic agreements across the 98 municipalities (seed-national; quick mode 5,000), every
 * connection cycling through the national overview, a comparison of municipalities and one
 * municipality's page as the administrator, divided by the p99 of the trivial /healthz route in the
 * same process and run (bench/p99.ts: autocannon in a worker thread, alternating rounds).
 * The dashboards run with their default 60-second cache of a computed quarter, as in production:
 * the warm-up computes the quarter, and a round that outlives the cache pays one recomputation.
 * Run alone: npx tsx bench/dashboard.bench.ts [--quick]
 */
import { pathToFileURL } from 'node:url'
import { seedNational } from '../src/services/analytics/seedNational.ts'
import { openTestApp } from '../test/support/app.ts'
import type { BenchOptions, BenchResult } from './harness.ts'
import { measureP99, roundsNote } from './p99.ts'

/** The dashboard's p99 may be at most this many times the trivial route's. */
const TARGET = 10
const CONNECTIONS = 50
const ROUNDS = 3
const QUARTER = '2026Q2'

export async function run({ quick }: BenchOptions): Promise<BenchResult[]> {
  const agreements = quick ? 5_000 : 45_000
  const seconds = quick ? 4 : 15
  const t = await openTestApp({ TILLID_RATE_LIMIT: '0', TILLID_SNAPSHOT_EVERY: '1000000000' })
  try {
    await seedNational(t.ctx.db, { agreements, seed: 1, toQuarter: QUARTER })
    const admin = await t.login('admin')
    const paths = [
      `/api/analytics/national?quarter=${QUARTER}`,
      `/api/analytics/compare?quarter=${QUARTER}&kpi=reportsOnTimeShare`,
      `/api/analytics/municipalities/169?quarter=${QUARTER}`,
    ]
    const coldStart = performance.now()
    const first = await t.api(admin, 'GET', paths[0]!)
    const coldMs = performance.now() - coldStart
    if (first.status !== 200) throw new Error(`dashboard: HTTP ${first.status}`)
    const r = await measureP99({
      url: `${t.baseUrl}${paths[0]}`,
      paths,
      trivialUrl: `${t.baseUrl}/healthz`,
      headers: { cookie: admin.cookie },
      connections: CONNECTIONS,
      seconds,
      rounds: ROUNDS,
    })
    return [
      {
        name: `dashboard API p99 (${agreements.toLocaleString('en')} agreements) vs trivial route`,
        value: Math.round(r.p99),
        unit: 'ms p99',
        baseline: Math.round(r.trivialP99),
        ratio: Math.round(r.ratio * 100) / 100,
        target: TARGET,
        direction: 'max',
        pass: r.ratio <= TARGET,
        note: `national, compare and municipality routes cycled by ${CONNECTIONS} connections as admin, ${ROUNDS} alternating rounds of ${seconds} s, median of p99s ${roundsNote(r)}; ${r.rps.route} req/s vs ${r.rps.trivial} req/s on /healthz; first (uncached) national overview ${Math.round(coldMs)} ms`,
      },
    ]
  } finally {
    await t.close()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await run({ quick: process.argv.includes('--quick') })
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`)
}
