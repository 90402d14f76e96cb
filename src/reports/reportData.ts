/**
 * What is published: the KPIs with small-cell suppression applied consistently across every table
 * of a quarter (national report, 98 municipal reports, CSV/JSON, dashboards).
 *
 * Consistency matters more than any single table: a municipality's own report must hide exactly what
 * the national table hides, or the national total minus the other municipalities gives the hidden
 * figure away. So the municipalities × measures table (with national totals) is suppressed first,
 * and the KLE and template breakdowns take its "active agreements" pattern as fixed row totals.
 * Ratios and medians are shown only when their base count is shown.
 */
import {
  ANOMALY_KEYS,
  type Anomaly,
  type AnomalyKey,
  type ConnectionKpis,
  type MunicipalityKpis,
  median,
  type QuarterKpis,
  type RolloutKpis,
  type TrendKey,
} from './kpi.ts'
import { quarterLabel } from './quarter.ts'
import {
  type Hidden,
  hiddenLabel,
  type Reason,
  type Shown,
  type SuppressedTable,
  shown,
  suppressTable,
} from './suppression.ts'

/** Counts that relate to citizens (each agreement is about one citizen's case). */
export const MEASURES = [
  { key: 'agreementsCreated', label: 'Aftaler oprettet' },
  { key: 'agreementsActive', label: 'Aktive aftaler' },
  { key: 'agreementsTerminated', label: 'Aftaler ophørt' },
  { key: 'agreementsActivated', label: 'Aftaler aktiveret' },
  { key: 'reportsDue', label: 'Statusrapporter forfaldne' },
  { key: 'paymentsWithheld', label: 'Betalinger tilbageholdt' },
  { key: 'paymentsReleased', label: 'Betalinger frigivet' },
  { key: 'invoices', label: 'Fakturaer' },
  { key: 'invoicesWithDeviations', label: 'Fakturaer med afvigelser' },
  { key: 'terminatedWithPayments', label: 'Ophørte aftaler med betalinger' },
  { key: 'paidAfterTermination', label: 'Betalt efter ophør' },
] as const
export type MeasureKey = (typeof MEASURES)[number]['key']

export type Published = Shown | null

export interface PublishedQuarter {
  measures: Record<MeasureKey, Published>
  withheldOre: bigint | Hidden
  releasedOre: bigint | Hidden
  apiCalls: number
  events: number
  apiCallsPer1000: number | null
  eventsPer1000: number | null
  activePer1000: Published
  reportsOnTimeShare: Published
  deviationShare: Published
  medianDaysDraftToActive: Published
  maxDaysPaidAfterTermination: Published
  connection: ConnectionKpis
  spread: { templates: number; kleSubjects: number; providers: number }
}

export interface PublishedTrend {
  current: Published
  previous: Published
  changePct: number | null
}

export interface PublishedArea {
  current: PublishedQuarter
  previous: PublishedQuarter
  trends: Record<TrendKey, PublishedTrend>
  activeByKle: { key: string; active: Published }[]
  activeByTemplate: { key: string; active: Published }[]
  monthlyApiCalls: { month: string; apiCalls: number; events: number }[]
}

export interface PublishedMunicipality extends PublishedArea {
  code: number
  name: string
  region: string
  inhabitants: number | null
  anomalies: Anomaly[]
}

export interface PublishedRollout {
  quarter: string
  quarterLabel: string
  previousQuarter: string
  synthetic: boolean
  threshold: number
  national: PublishedArea & { inhabitants: number }
  municipalities: PublishedMunicipality[]
  medians: Record<AnomalyKey, number | null>
  kleSubjects: string[]
  templates: string[]
}

export interface PublishOptions {
  /** Minimum cell size (default 5). */
  threshold?: number
}

function measureValue(k: QuarterKpis, key: MeasureKey): number {
  return k.use[key]
}

interface QuarterTables {
  measures: SuppressedTable
}

function measuresTable(
  ms: MunicipalityKpis[],
  which: 'current' | 'previous',
  threshold: number,
): QuarterTables {
  const cells = ms.map((m) => MEASURES.map((x) => measureValue(m[which], x.key)))
  return { measures: suppressTable(cells, { threshold, rowTotals: false, colTotals: true }) }
}

function breakdownTable(
  ms: MunicipalityKpis[],
  categories: string[],
  pick: (m: MunicipalityKpis) => Record<string, number>,
  activeReason: Reason[],
  threshold: number,
): SuppressedTable {
  const cells = ms.map((m) => categories.map((c) => pick(m)[c] ?? 0))
  return suppressTable(cells, {
    threshold,
    rowTotals: true,
    colTotals: true,
    forcedRowTotals: activeReason.map((r) => r !== null),
    lockRowTotals: true,
  })
}

function gated<T extends number | null>(value: T, baseReason: Reason, label: Hidden): Published {
  if (value === null) return null
  return baseReason ? label : value
}

function publishQuarter(
  k: QuarterKpis,
  reasons: Record<MeasureKey, Reason>,
  threshold: number,
): PublishedQuarter {
  const label = hiddenLabel(threshold)
  const measures = {} as Record<MeasureKey, Published>
  for (const { key } of MEASURES) measures[key] = shown(measureValue(k, key), reasons[key], threshold)
  return {
    measures,
    withheldOre: reasons.paymentsWithheld ? label : k.use.withheldOre,
    releasedOre: reasons.paymentsReleased ? label : k.use.releasedOre,
    apiCalls: k.use.apiCalls,
    events: k.use.events,
    apiCallsPer1000: k.use.apiCallsPer1000,
    eventsPer1000: k.use.eventsPer1000,
    activePer1000: gated(k.use.activePer1000, reasons.agreementsActive, label),
    // A share gives its numerator away when its base is shown: hide it when the on-time or the late
    // count is small, and when the deviation count is hidden.
    reportsOnTimeShare: gated(
      k.use.reportsOnTimeShare,
      reasons.reportsDue ??
        (small(k.use.reportsOnTime, threshold) || small(k.use.reportsDue - k.use.reportsOnTime, threshold)
          ? 'secondary'
          : null),
      label,
    ),
    deviationShare: gated(k.use.deviationShare, reasons.invoices ?? reasons.invoicesWithDeviations, label),
    medianDaysDraftToActive: gated(k.use.medianDaysDraftToActive, reasons.agreementsActivated, label),
    maxDaysPaidAfterTermination: gated(
      k.use.maxDaysPaidAfterTermination,
      reasons.terminatedWithPayments,
      label,
    ),
    connection: k.connection,
    spread: {
      templates: k.spread.templates,
      kleSubjects: k.spread.kleSubjects,
      providers: k.spread.providers,
    },
  }
}

const trendSource: Record<TrendKey, (p: PublishedQuarter) => Published> = {
  apiCalls: (p) => p.apiCalls,
  events: (p) => p.events,
  agreementsCreated: (p) => p.measures.agreementsCreated,
  agreementsActive: (p) => p.measures.agreementsActive,
  agreementsTerminated: (p) => p.measures.agreementsTerminated,
  reportsOnTimeShare: (p) => p.reportsOnTimeShare,
  paymentsWithheld: (p) => p.measures.paymentsWithheld,
  paymentsReleased: (p) => p.measures.paymentsReleased,
  medianDaysDraftToActive: (p) => p.medianDaysDraftToActive,
  invoicesWithDeviations: (p) => p.measures.invoicesWithDeviations,
}

function publishTrends(
  current: PublishedQuarter,
  previous: PublishedQuarter,
): Record<TrendKey, PublishedTrend> {
  const out = {} as Record<TrendKey, PublishedTrend>
  for (const key of Object.keys(trendSource) as TrendKey[]) {
    const c = trendSource[key](current)
    const p = trendSource[key](previous)
    const changePct = typeof c === 'number' && typeof p === 'number' && p !== 0 ? ((c - p) / p) * 100 : null
    out[key] = { current: c, previous: p, changePct }
  }
  return out
}

function rowReasons(t: SuppressedTable, i: number): Record<MeasureKey, Reason> {
  const out = {} as Record<MeasureKey, Reason>
  MEASURES.forEach(({ key }, j) => {
    out[key] = t.reason[i]![j]!
  })
  return out
}

function totalReasons(t: SuppressedTable): Record<MeasureKey, Reason> {
  const out = {} as Record<MeasureKey, Reason>
  MEASURES.forEach(({ key }, j) => {
    out[key] = t.colTotalReason![j]!
  })
  return out
}

/** Anomalies are only published where the figure behind them is. */
function small(count: number, threshold: number): boolean {
  return count > 0 && count < threshold
}

function publishedValue(p: PublishedQuarter, kpi: AnomalyKey): Published {
  return (p as unknown as Record<AnomalyKey, Published>)[kpi]
}

/**
 * Anomalies are only published where the figure behind them is, and with the median of the
 * published figures: the median of all figures can equal a hidden one.
 */
function visibleAnomalies(
  anomalies: Anomaly[],
  p: PublishedQuarter,
  medians: Record<AnomalyKey, number | null>,
): Anomaly[] {
  return anomalies
    .filter((a) => typeof publishedValue(p, a.kpi) === 'number')
    .map((a) => ({ ...a, median: medians[a.kpi] ?? a.median }))
}

function publishedMedians(quarters: PublishedQuarter[]): Record<AnomalyKey, number | null> {
  const out = {} as Record<AnomalyKey, number | null>
  for (const key of ANOMALY_KEYS) {
    out[key] = median(
      quarters.map((q) => publishedValue(q, key)).filter((v): v is number => typeof v === 'number'),
    )
  }
  return out
}

export interface SuppressionTables {
  /** Municipalities × MEASURES with national totals, this quarter and the one before. */
  current: SuppressedTable
  previous: SuppressedTable
  /** Municipalities × KLE subjects / templates (active agreements), both margins published. */
  kle: SuppressedTable
  templates: SuppressedTable
}

/** The suppression patterns of one quarter's publication (exported for tests and audits). */
export function suppressionTables(kpis: RolloutKpis, threshold = 5): SuppressionTables {
  const ms = kpis.municipalities
  const cur = measuresTable(ms, 'current', threshold)
  const prev = measuresTable(ms, 'previous', threshold)
  const activeIdx = MEASURES.findIndex((m) => m.key === 'agreementsActive')
  const activeReason = ms.map((_, i) => cur.measures.reason[i]![activeIdx]!)
  return {
    current: cur.measures,
    previous: prev.measures,
    kle: breakdownTable(ms, kpis.kleSubjects, (m) => m.activeByKle, activeReason, threshold),
    templates: breakdownTable(ms, kpis.templates, (m) => m.activeByTemplate, activeReason, threshold),
  }
}

export function publishRollout(kpis: RolloutKpis, options: PublishOptions = {}): PublishedRollout {
  const threshold = options.threshold ?? 5
  const ms = kpis.municipalities
  const tables = suppressionTables(kpis, threshold)
  const cur = { measures: tables.current }
  const prev = { measures: tables.previous }
  const kle = tables.kle
  const tpl = tables.templates

  const municipalities: PublishedMunicipality[] = ms.map((m, i) => {
    const current = publishQuarter(m.current, rowReasons(cur.measures, i), threshold)
    const previous = publishQuarter(m.previous, rowReasons(prev.measures, i), threshold)
    return {
      code: m.code,
      name: m.name,
      region: m.region,
      inhabitants: m.inhabitants,
      current,
      previous,
      trends: publishTrends(current, previous),
      activeByKle: kpis.kleSubjects.map((key, j) => ({
        key,
        active: shown(kle.values[i]![j]!, kle.reason[i]![j]!, threshold),
      })),
      activeByTemplate: kpis.templates.map((key, j) => ({
        key,
        active: shown(tpl.values[i]![j]!, tpl.reason[i]![j]!, threshold),
      })),
      monthlyApiCalls: m.monthlyApiCalls,
      anomalies: m.anomalies,
    }
  })
  const medians = publishedMedians(municipalities.map((m) => m.current))
  for (const m of municipalities) m.anomalies = visibleAnomalies(m.anomalies, m.current, medians)
  const nCurrent = publishQuarter(kpis.national.current, totalReasons(cur.measures), threshold)
  const nPrevious = publishQuarter(kpis.national.previous, totalReasons(prev.measures), threshold)
  return {
    quarter: kpis.quarter,
    quarterLabel: quarterLabel(kpis.quarter),
    previousQuarter: kpis.previousQuarter,
    synthetic: kpis.synthetic,
    threshold,
    national: {
      inhabitants: kpis.national.inhabitants,
      current: nCurrent,
      previous: nPrevious,
      trends: publishTrends(nCurrent, nPrevious),
      activeByKle: kpis.kleSubjects.map((key, j) => ({
        key,
        active: shown(kle.colTotals![j]!, kle.colTotalReason![j]!, threshold),
      })),
      activeByTemplate: kpis.templates.map((key, j) => ({
        key,
        active: shown(tpl.colTotals![j]!, tpl.colTotalReason![j]!, threshold),
      })),
      monthlyApiCalls: kpis.national.monthlyApiCalls,
    },
    municipalities,
    medians,
    kleSubjects: kpis.kleSubjects,
    templates: kpis.templates,
  }
}

/** JSON with bigint øre as strings (JSON has no bigint). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)
}
