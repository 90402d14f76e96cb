/**
 * Rollout KPIs (docs/analytics.md) computed from plain rows, so they can be tested on fixtures and
 * fed from any store: connection (tilslutning), spread (udbredelse) and use (anvendelse) per
 * municipality and nationally for a quarter, with trends against the previous quarter and anomaly
 * flags (robust z-score on the median absolute deviation across municipalities).
 */
import { daysBetween, previousQuarter, quarterRange } from './quarter.ts'

export type ConnectionStatus = 'klarmeldt' | 'delvis' | 'nej' | 'irrelevant'

export interface MunicipalityRow {
  code: number
  name: string
  region: string
  inhabitants: number | null
}

export interface AgreementFactRow {
  agreementId: string
  municipalityCode: number
  template: string
  kle: string
  provider: string
  createdDate: string
  activatedDate: string | null
  terminatedDate: string | null
  lastPaidDate: string | null
}

/** Per agreement and quarter, or already summed per municipality and quarter (no agreementId). */
export interface ActivityRow {
  agreementId?: string
  municipalityCode: number
  quarter: string
  reportsDue: number
  reportsOnTime: number
  paymentsWithheld: number
  withheldOre: bigint
  paymentsReleased: number
  releasedOre: bigint
  invoices: number
  invoiceDeviations: number
}

export interface UsageRow {
  municipalityCode: number
  month: string
  apiCalls: number
  events: number
}

export interface ConnectionRow {
  municipalityCode: number
  provider: string
  system: string
  status: ConnectionStatus
  statusDate: string
}

export interface RolloutRows {
  municipalities: MunicipalityRow[]
  agreements: AgreementFactRow[]
  activity: ActivityRow[]
  usage: UsageRow[]
  connections: ConnectionRow[]
  /** True when any of the rows are synthetic (seed-national): reports say so on every page. */
  synthetic: boolean
}

export interface ConnectionKpis {
  klarmeldt: number
  delvis: number
  nej: number
  irrelevant: number
  /** Provider/system pairs with a status on the quarter's last day. */
  total: number
  /** klarmeldt / (total - irrelevant); null when nothing is relevant. */
  klarmeldtShare: number | null
}

export interface QuarterKpis {
  connection: ConnectionKpis
  spread: { templates: number; kleSubjects: number; activeAgreements: number; providers: number }
  use: {
    apiCalls: number
    events: number
    apiCallsPer1000: number | null
    eventsPer1000: number | null
    agreementsCreated: number
    agreementsActive: number
    agreementsTerminated: number
    activePer1000: number | null
    reportsDue: number
    reportsOnTime: number
    reportsOnTimeShare: number | null
    paymentsWithheld: number
    withheldOre: bigint
    paymentsReleased: number
    releasedOre: bigint
    /** Agreements terminated in the quarter that have a last payment date. */
    terminatedWithPayments: number
    /** Largest (last payment date - termination date) in days; must be ≤ 0. */
    maxDaysPaidAfterTermination: number | null
    /** Terminated agreements paid for days after their end (the pilot's problem: must be 0). */
    paidAfterTermination: number
    agreementsActivated: number
    medianDaysDraftToActive: number | null
    invoices: number
    invoicesWithDeviations: number
    deviationShare: number | null
  }
}

export const TREND_KEYS = [
  'apiCalls',
  'events',
  'agreementsCreated',
  'agreementsActive',
  'agreementsTerminated',
  'reportsOnTimeShare',
  'paymentsWithheld',
  'paymentsReleased',
  'medianDaysDraftToActive',
  'invoicesWithDeviations',
] as const
export type TrendKey = (typeof TREND_KEYS)[number]

export interface Trend {
  current: number | null
  previous: number | null
  change: number | null
  /** Percent change against the previous quarter; null when the previous value is 0 or missing. */
  changePct: number | null
}

export const ANOMALY_KEYS = [
  'apiCallsPer1000',
  'eventsPer1000',
  'activePer1000',
  'reportsOnTimeShare',
  'medianDaysDraftToActive',
  'deviationShare',
] as const
export type AnomalyKey = (typeof ANOMALY_KEYS)[number]

export interface Anomaly {
  kpi: AnomalyKey
  value: number
  median: number
  /** Robust z-score: 0.6745 × (value − median) / MAD. */
  z: number
  direction: 'high' | 'low'
}

export interface MunicipalityKpis extends MunicipalityRow {
  current: QuarterKpis
  previous: QuarterKpis
  trends: Record<TrendKey, Trend>
  anomalies: Anomaly[]
  /** Active agreements in the quarter per KLE subject and per template. */
  activeByKle: Record<string, number>
  activeByTemplate: Record<string, number>
  /** API calls per month of the quarter (three entries). */
  monthlyApiCalls: { month: string; apiCalls: number; events: number }[]
}

export interface RolloutKpis {
  quarter: string
  previousQuarter: string
  synthetic: boolean
  national: {
    inhabitants: number
    current: QuarterKpis
    previous: QuarterKpis
    trends: Record<TrendKey, Trend>
    activeByKle: Record<string, number>
    activeByTemplate: Record<string, number>
    monthlyApiCalls: { month: string; apiCalls: number; events: number }[]
  }
  /** Municipalities in code order. */
  municipalities: MunicipalityKpis[]
  /** Medians across municipalities (the reference for anomaly flags and comparisons). */
  medians: Record<AnomalyKey, number | null>
  kleSubjects: string[]
  templates: string[]
}

export interface KpiOptions {
  /** |robust z| above this flags an anomaly (default 3). */
  anomalyThreshold?: number
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** Robust z-scores on the median absolute deviation; null where MAD is 0 (no spread to compare with). */
export function robustZ(values: readonly number[]): {
  median: number | null
  mad: number | null
  z: (number | null)[]
} {
  const med = median(values)
  if (med === null) return { median: null, mad: null, z: [] }
  const mad = median(values.map((v) => Math.abs(v - med)))!
  return { median: med, mad, z: values.map((v) => (mad === 0 ? null : (0.6745 * (v - med)) / mad)) }
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null
}

function per1000(count: number, inhabitants: number | null): number | null {
  return inhabitants && inhabitants > 0 ? (count * 1000) / inhabitants : null
}

interface Grouped {
  agreements: AgreementFactRow[]
  activity: ActivityRow[]
  usage: UsageRow[]
  connections: ConnectionRow[]
}

function isActive(a: AgreementFactRow, start: string, end: string): boolean {
  return (
    a.activatedDate !== null &&
    a.activatedDate <= end &&
    (a.terminatedDate === null || a.terminatedDate >= start)
  )
}

function connectionKpis(rows: ConnectionRow[], end: string): ConnectionKpis {
  // History is kept: the status on the quarter's last day is the newest row dated on or before it.
  const latest = new Map<string, ConnectionRow>()
  for (const r of rows) {
    if (r.statusDate > end) continue
    const key = `${r.provider}\u0000${r.system}`
    const prev = latest.get(key)
    if (!prev || r.statusDate >= prev.statusDate) latest.set(key, r)
  }
  const k: ConnectionKpis = { klarmeldt: 0, delvis: 0, nej: 0, irrelevant: 0, total: 0, klarmeldtShare: null }
  for (const r of latest.values()) {
    k[r.status]++
    k.total++
  }
  k.klarmeldtShare = ratio(k.klarmeldt, k.total - k.irrelevant)
  return k
}

function quarterKpis(g: Grouped, quarter: string, inhabitants: number | null): QuarterKpis {
  const { start, end, months } = quarterRange(quarter)
  const templates = new Set<string>()
  const kle = new Set<string>()
  const providers = new Set<string>()
  let active = 0
  let created = 0
  let terminated = 0
  let terminatedWithPayments = 0
  let maxPaidAfter: number | null = null
  let paidAfter = 0
  const draftToActive: number[] = []
  for (const a of g.agreements) {
    if (a.createdDate >= start && a.createdDate <= end) created++
    if (isActive(a, start, end)) {
      active++
      templates.add(a.template)
      kle.add(a.kle)
      providers.add(a.provider)
    }
    if (a.activatedDate && a.activatedDate >= start && a.activatedDate <= end) {
      draftToActive.push(daysBetween(a.createdDate, a.activatedDate))
    }
    if (a.terminatedDate && a.terminatedDate >= start && a.terminatedDate <= end) {
      terminated++
      if (a.lastPaidDate) {
        terminatedWithPayments++
        const d = daysBetween(a.terminatedDate, a.lastPaidDate)
        maxPaidAfter = maxPaidAfter === null ? d : Math.max(maxPaidAfter, d)
        if (d > 0) paidAfter++
      }
    }
  }
  let reportsDue = 0
  let reportsOnTime = 0
  let paymentsWithheld = 0
  let withheldOre = 0n
  let paymentsReleased = 0
  let releasedOre = 0n
  let invoices = 0
  let deviations = 0
  for (const r of g.activity) {
    if (r.quarter !== quarter) continue
    reportsDue += r.reportsDue
    reportsOnTime += r.reportsOnTime
    paymentsWithheld += r.paymentsWithheld
    withheldOre += r.withheldOre
    paymentsReleased += r.paymentsReleased
    releasedOre += r.releasedOre
    invoices += r.invoices
    deviations += r.invoiceDeviations
  }
  let apiCalls = 0
  let events = 0
  for (const u of g.usage) {
    if (!months.includes(u.month)) continue
    apiCalls += u.apiCalls
    events += u.events
  }
  return {
    connection: connectionKpis(g.connections, end),
    spread: {
      templates: templates.size,
      kleSubjects: kle.size,
      activeAgreements: active,
      providers: providers.size,
    },
    use: {
      apiCalls,
      events,
      apiCallsPer1000: per1000(apiCalls, inhabitants),
      eventsPer1000: per1000(events, inhabitants),
      agreementsCreated: created,
      agreementsActive: active,
      agreementsTerminated: terminated,
      activePer1000: per1000(active, inhabitants),
      reportsDue,
      reportsOnTime,
      reportsOnTimeShare: ratio(reportsOnTime, reportsDue),
      paymentsWithheld,
      withheldOre,
      paymentsReleased,
      releasedOre,
      terminatedWithPayments,
      maxDaysPaidAfterTermination: maxPaidAfter,
      paidAfterTermination: paidAfter,
      agreementsActivated: draftToActive.length,
      medianDaysDraftToActive: median(draftToActive),
      invoices,
      invoicesWithDeviations: deviations,
      deviationShare: ratio(deviations, invoices),
    },
  }
}

function trendValue(k: QuarterKpis, key: TrendKey): number | null {
  return k.use[key]
}

function trends(current: QuarterKpis, previous: QuarterKpis): Record<TrendKey, Trend> {
  const out = {} as Record<TrendKey, Trend>
  for (const key of TREND_KEYS) {
    const c = trendValue(current, key)
    const p = trendValue(previous, key)
    const change = c !== null && p !== null ? c - p : null
    out[key] = {
      current: c,
      previous: p,
      change,
      changePct: change !== null && p ? (change / p) * 100 : null,
    }
  }
  return out
}

function breakdowns(agreements: AgreementFactRow[], quarter: string) {
  const { start, end } = quarterRange(quarter)
  const byKle: Record<string, number> = {}
  const byTemplate: Record<string, number> = {}
  for (const a of agreements) {
    if (!isActive(a, start, end)) continue
    byKle[a.kle] = (byKle[a.kle] ?? 0) + 1
    byTemplate[a.template] = (byTemplate[a.template] ?? 0) + 1
  }
  return { byKle, byTemplate }
}

function monthly(usage: UsageRow[], quarter: string) {
  return quarterRange(quarter).months.map((month) => {
    let apiCalls = 0
    let events = 0
    for (const u of usage) {
      if (u.month !== month) continue
      apiCalls += u.apiCalls
      events += u.events
    }
    return { month, apiCalls, events }
  })
}

/** All KPIs for one quarter: per municipality (in code order) and nationally. */
export function computeRolloutKpis(
  rows: RolloutRows,
  quarter: string,
  options: KpiOptions = {},
): RolloutKpis {
  const threshold = options.anomalyThreshold ?? 3
  const prev = previousQuarter(quarter)
  const groups = new Map<number, Grouped>()
  for (const m of rows.municipalities)
    groups.set(m.code, { agreements: [], activity: [], usage: [], connections: [] })
  const groupOf = (code: number) => {
    const g = groups.get(code)
    if (!g) throw new Error(`row for unknown municipality ${code}`)
    return g
  }
  for (const a of rows.agreements) groupOf(a.municipalityCode).agreements.push(a)
  for (const r of rows.activity) groupOf(r.municipalityCode).activity.push(r)
  for (const u of rows.usage) groupOf(u.municipalityCode).usage.push(u)
  for (const c of rows.connections) groupOf(c.municipalityCode).connections.push(c)

  const municipalities: MunicipalityKpis[] = [...rows.municipalities]
    .sort((a, b) => a.code - b.code)
    .map((m) => {
      const g = groupOf(m.code)
      const current = quarterKpis(g, quarter, m.inhabitants)
      const previous = quarterKpis(g, prev, m.inhabitants)
      const { byKle, byTemplate } = breakdowns(g.agreements, quarter)
      return {
        ...m,
        current,
        previous,
        trends: trends(current, previous),
        anomalies: [],
        activeByKle: byKle,
        activeByTemplate: byTemplate,
        monthlyApiCalls: monthly(g.usage, quarter),
      }
    })

  const medians = {} as Record<AnomalyKey, number | null>
  for (const key of ANOMALY_KEYS) {
    const present = municipalities.filter((m) => m.current.use[key] !== null)
    const values = present.map((m) => m.current.use[key] as number)
    const { median: med, z } = robustZ(values)
    medians[key] = med
    present.forEach((m, i) => {
      const zi = z[i]
      if (zi !== null && zi !== undefined && Math.abs(zi) > threshold) {
        m.anomalies.push({
          kpi: key,
          value: values[i]!,
          median: med!,
          z: zi,
          direction: zi > 0 ? 'high' : 'low',
        })
      }
    })
  }

  // National figures per 1,000 inhabitants only count municipalities whose population is known.
  const known = rows.municipalities.filter((m) => m.inhabitants && m.inhabitants > 0)
  const knownCodes = new Set(known.map((m) => m.code))
  const inhabitants = known.reduce((s, m) => s + (m.inhabitants ?? 0), 0)
  const all: Grouped = {
    agreements: rows.agreements,
    activity: rows.activity,
    usage: rows.usage,
    connections: [],
  }
  const nationalFor = (q: string): QuarterKpis => {
    const k = quarterKpis(all, q, null)
    const knownUsage = quarterKpis(
      {
        agreements: [],
        activity: [],
        usage: rows.usage.filter((u) => knownCodes.has(u.municipalityCode)),
        connections: [],
      },
      q,
      inhabitants || null,
    )
    const knownActive = rows.agreements.filter((a) => knownCodes.has(a.municipalityCode))
    const { start, end } = quarterRange(q)
    const activeKnown = knownActive.filter((a) => isActive(a, start, end)).length
    // Connection statuses are per municipality: national counts are the sum over municipalities.
    const connection: ConnectionKpis = {
      klarmeldt: 0,
      delvis: 0,
      nej: 0,
      irrelevant: 0,
      total: 0,
      klarmeldtShare: null,
    }
    for (const g of groups.values()) {
      const c = connectionKpis(g.connections, end)
      connection.klarmeldt += c.klarmeldt
      connection.delvis += c.delvis
      connection.nej += c.nej
      connection.irrelevant += c.irrelevant
      connection.total += c.total
    }
    connection.klarmeldtShare = ratio(connection.klarmeldt, connection.total - connection.irrelevant)
    return {
      ...k,
      connection,
      use: {
        ...k.use,
        apiCallsPer1000: knownUsage.use.apiCallsPer1000,
        eventsPer1000: knownUsage.use.eventsPer1000,
        activePer1000: per1000(activeKnown, inhabitants || null),
      },
    }
  }
  const nCurrent = nationalFor(quarter)
  const nPrevious = nationalFor(prev)
  const nb = breakdowns(rows.agreements, quarter)
  const kleSubjects = [...new Set(rows.agreements.map((a) => a.kle))].sort()
  const templates = [...new Set(rows.agreements.map((a) => a.template))].sort((a, b) =>
    a.localeCompare(b, 'da'),
  )

  return {
    quarter,
    previousQuarter: prev,
    synthetic: rows.synthetic,
    national: {
      inhabitants,
      current: nCurrent,
      previous: nPrevious,
      trends: trends(nCurrent, nPrevious),
      activeByKle: nb.byKle,
      activeByTemplate: nb.byTemplate,
      monthlyApiCalls: monthly(rows.usage, quarter),
    },
    municipalities,
    medians,
    kleSubjects,
    templates,
  }
}
