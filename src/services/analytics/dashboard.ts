/**
 * Data for the rollout dashboards (national overview, compare municipalities, one municipality), as
 * JSON with small-cell suppression applied exactly as in the quarterly reports. Money is øre as a
 * string (JSON has no bigint). A quarter's published data is cached per database for a short while:
 * computing it reads every agreement of the quarter, and dashboards ask often.
 */
import { computeRolloutKpis } from '../../reports/kpi.ts'
import { KPI_LINES, kpiLines } from '../../reports/kpiLines.ts'
import { type PublishedRollout, publishRollout } from '../../reports/reportData.ts'
import type { Db } from '../../store/database.ts'
import { loadRollout } from './loadRollout.ts'

export interface DashboardOptions {
  /** Minimum cell size (default 5). */
  threshold?: number
  /** How long a computed quarter is reused, in ms (default 60,000; 0 = always recompute). */
  cacheMs?: number
}

const cache = new WeakMap<Db, Map<string, { at: number; value: Promise<PublishedRollout> }>>()

/** The published (suppressed) rollout for a quarter, shared by the dashboards and cached briefly. */
export async function publishedQuarter(
  db: Db,
  quarter: string,
  options: DashboardOptions = {},
): Promise<PublishedRollout> {
  const ttl = options.cacheMs ?? 60_000
  const key = `${quarter}|${options.threshold ?? 5}`
  let perDb = cache.get(db)
  if (!perDb) {
    perDb = new Map()
    cache.set(db, perDb)
  }
  const hit = perDb.get(key)
  if (hit && ttl > 0 && Date.now() - hit.at < ttl) return hit.value
  const value = loadRollout(db, quarter).then((rows) =>
    publishRollout(computeRolloutKpis(rows, quarter), { threshold: options.threshold }),
  )
  perDb.set(key, { at: Date.now(), value })
  value.catch(() => perDb.delete(key))
  return value
}

/** Forget cached quarters (after an import or a seed). */
export function invalidateDashboardCache(db: Db): void {
  cache.delete(db)
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

function jsonSafe(value: unknown): Json {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)))
}

function lineJson(lines: ReturnType<typeof kpiLines>) {
  return lines.map((l) => ({
    id: l.id,
    stage: l.stage,
    label: l.label,
    value: l.raw,
    text: l.value,
    previous: l.previous,
    change: l.change,
    median: l.median,
  }))
}

export async function nationalOverview(db: Db, quarter: string, options: DashboardOptions = {}) {
  const r = await publishedQuarter(db, quarter, options)
  const regions = new Map<string, { klarmeldt: number; delvis: number; nej: number; irrelevant: number }>()
  for (const m of r.municipalities) {
    const a = regions.get(m.region) ?? { klarmeldt: 0, delvis: 0, nej: 0, irrelevant: 0 }
    for (const k of ['klarmeldt', 'delvis', 'nej', 'irrelevant'] as const) a[k] += m.current.connection[k]
    regions.set(m.region, a)
  }
  return jsonSafe({
    quarter: r.quarter,
    quarterLabel: r.quarterLabel,
    previousQuarter: r.previousQuarter,
    synthetic: r.synthetic,
    threshold: r.threshold,
    inhabitants: r.national.inhabitants,
    kpis: lineJson(kpiLines(r.national, r, false)),
    connectionByRegion: [...regions].map(([region, counts]) => ({ region, ...counts })),
    monthly: r.national.monthlyApiCalls,
    activeByKle: r.national.activeByKle,
    activeByTemplate: r.national.activeByTemplate,
    medians: r.medians,
    anomalies: r.municipalities.flatMap((m) =>
      m.anomalies.map((a) => ({ code: m.code, name: m.name, ...a })),
    ),
    municipalities: r.municipalities.map((m) => ({
      code: m.code,
      name: m.name,
      region: m.region,
      activeAgreements: m.current.measures.agreementsActive,
      apiCallsPer1000: m.current.apiCallsPer1000,
      reportsOnTimeShare: m.current.reportsOnTimeShare,
      klarmeldtShare: m.current.connection.klarmeldtShare,
      anomalies: m.anomalies.length,
    })),
  })
}

export const COMPARABLE_KPIS = KPI_LINES.map((l) => l.id)

/** One KPI for every municipality, highest first (hidden values last), with the national median. */
export async function compareMunicipalities(
  db: Db,
  quarter: string,
  kpi: string,
  options: DashboardOptions = {},
) {
  const line = KPI_LINES.find((l) => l.id === kpi)
  if (!line) throw new RangeError(`unknown KPI ${kpi}; one of ${COMPARABLE_KPIS.join(', ')}`)
  const r = await publishedQuarter(db, quarter, options)
  const rank = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : -Infinity)
  const rows = r.municipalities
    .map((m) => ({
      code: m.code,
      name: m.name,
      region: m.region,
      value: line.get(m.current),
      previous: line.get(m.previous),
      anomaly: m.anomalies.some((a) => a.kpi === line.median),
    }))
    .sort((a, b) => rank(b.value) - rank(a.value) || a.code - b.code)
  return jsonSafe({
    quarter: r.quarter,
    synthetic: r.synthetic,
    threshold: r.threshold,
    kpi: line.id,
    label: line.label,
    median: line.median ? r.medians[line.median] : null,
    national: line.get(r.national.current),
    rows,
  })
}

/** One municipality's page, or null for an unknown code. */
export async function municipalityPage(
  db: Db,
  code: number,
  quarter: string,
  options: DashboardOptions = {},
) {
  const r = await publishedQuarter(db, quarter, options)
  const m = r.municipalities.find((x) => x.code === code)
  if (!m) return null
  return jsonSafe({
    quarter: r.quarter,
    quarterLabel: r.quarterLabel,
    previousQuarter: r.previousQuarter,
    synthetic: r.synthetic,
    threshold: r.threshold,
    municipality: { code: m.code, name: m.name, region: m.region, inhabitants: m.inhabitants },
    kpis: lineJson(kpiLines(m, r, true)),
    connection: m.current.connection,
    monthly: m.monthlyApiCalls,
    activeByKle: m.activeByKle,
    activeByTemplate: m.activeByTemplate,
    anomalies: m.anomalies,
    medians: r.medians,
  })
}
