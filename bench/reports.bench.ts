/**
 * Time to build the quarterly reports (national.pdf + 98 municipal PDFs with CSV and JSON) from
 * 45,000 synthetic agreements, divided by the time of the SQL aggregation alone (per-municipality
 * counts for the quarter computed in the database), both measured in the same run on the same data.
 * The ratio says what reading the rows, computing every KPI, suppressing and rendering cost on top
 * of the bare aggregation. Quick mode: 5,000 agreements, still all 99 reports; its target is looser
 * because the SQL baseline shrinks with the data while rendering 99 PDFs does not.
 * Run alone: npx tsx bench/reports.bench.ts [--quick]
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { buildQuarterlyReports } from '../src/reports/pdf/buildQuarterlyReports.ts'
import { aggregateInSql, loadRollout } from '../src/services/analytics/loadRollout.ts'
import { seedNational } from '../src/services/analytics/seedNational.ts'
import { openStore } from '../src/store/database.ts'
import type { BenchResult } from './harness.ts'

export type ReportsBenchResult = BenchResult & { direction: 'max'; note: string }

/** Reports may cost at most this many SQL aggregations (measured here: about 150 at 45,000 agreements). */
const TARGET_RATIO = 300
const QUICK_TARGET_RATIO = 5000

export async function runReportsBench(options: { quick: boolean }): Promise<ReportsBenchResult> {
  const agreements = options.quick ? 5_000 : 45_000
  const quarter = '2026Q2'
  const store = await openStore({ kind: 'pglite', dir: null })
  const outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tillid-bench-reports-'))
  try {
    await seedNational(store.db, { agreements, seed: 1, toQuarter: quarter })
    await aggregateInSql(store.db, quarter) // warm-up: plans and caches
    const sqlTimes: number[] = []
    for (let i = 0; i < 3; i++) {
      const t = performance.now()
      await aggregateInSql(store.db, quarter)
      sqlTimes.push(performance.now() - t)
    }
    const baseline = sqlTimes.sort((a, b) => a - b)[1]!
    const t = performance.now()
    const rows = await loadRollout(store.db, quarter)
    const result = await buildQuarterlyReports({ rows, quarter, outDir })
    const value = performance.now() - t
    const ratio = value / baseline
    const target = options.quick ? QUICK_TARGET_RATIO : TARGET_RATIO
    return {
      name: `quarterly reports (${result.reports} PDFs, ${agreements.toLocaleString('en')} agreements) vs SQL aggregation`,
      value: Math.round(value),
      unit: 'ms',
      baseline: Math.round(baseline * 10) / 10,
      ratio: Math.round(ratio * 10) / 10,
      target,
      direction: 'max',
      pass: ratio <= target,
      note: `${Math.round(value / result.reports)} ms per report incl. CSV/JSON; SQL baseline is the median of 3 runs`,
    }
  } finally {
    await fs.rm(outDir, { recursive: true, force: true })
    await store.close()
  }
}

/** For bench/harness.ts. */
export async function run(options: { quick: boolean }): Promise<ReportsBenchResult[]> {
  return [await runReportsBench(options)]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runReportsBench({ quick: process.argv.includes('--quick') })
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`)
}
