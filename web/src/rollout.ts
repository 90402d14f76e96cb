/**
 * The rollout dashboards' data (GET /api/analytics/*) and how its values read in Danish. Counts that
 * relate to citizens may arrive as "<5" (hidden by small-cell suppression); money arrives as øre in
 * a string.
 */
import { request } from './api.ts'
import { formatKr } from './format.ts'

/** A published value: a number, øre as a string, "<5", or null when there is nothing to show. */
export type Value = number | string | null

export interface KpiLine {
  id: string
  stage: 'Tilslutning' | 'Udbredelse' | 'Anvendelse'
  label: string
  value: Value
  text: string
  previous: string
  change: string
  median: string
}

export interface ConnectionCounts {
  klarmeldt: number
  delvis: number
  nej: number
  irrelevant: number
}

export interface Anomaly {
  kpi: string
  value: number
  median: number
  z: number
  direction: 'high' | 'low'
}

export interface Monthly {
  month: string
  apiCalls: number
  events: number
}

interface Common {
  quarter: string
  quarterLabel: string
  previousQuarter: string
  synthetic: boolean
  threshold: number
  kpis: KpiLine[]
  monthly: Monthly[]
}

export interface NationalOverview extends Common {
  inhabitants: number
  connectionByRegion: (ConnectionCounts & { region: string })[]
  anomalies: (Anomaly & { code: number; name: string })[]
  municipalities: {
    code: number
    name: string
    region: string
    activeAgreements: Value
    anomalies: number
  }[]
}

export interface MunicipalityOverview extends Common {
  municipality: { code: number; name: string; region: string; inhabitants: number | null }
  connection: ConnectionCounts & { total: number; klarmeldtShare: number | null }
  activeByKle: { key: string; active: Value }[]
  activeByTemplate: { key: string; active: Value }[]
  anomalies: Anomaly[]
}

export interface Comparison {
  quarter: string
  synthetic: boolean
  threshold: number
  kpi: string
  label: string
  median: number | null
  national: Value
  rows: { code: number; name: string; region: string; value: Value; previous: Value; anomaly: boolean }[]
}

const qs = (params: Record<string, string | undefined>) => {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v) p.set(k, v)
  const s = p.toString()
  return s ? `?${s}` : ''
}

export const rolloutApi = {
  national: (quarter?: string) =>
    request<NationalOverview>('GET', `/api/analytics/national${qs({ quarter })}`),
  compare: (kpi: string, quarter?: string) =>
    request<Comparison>('GET', `/api/analytics/compare${qs({ kpi, quarter })}`),
  municipality: (code: string, quarter?: string) =>
    request<MunicipalityOverview>(
      'GET',
      `/api/analytics/municipalities/${encodeURIComponent(code)}${qs({ quarter })}`,
    ),
}

export const CONNECTION_LABELS: Record<keyof ConnectionCounts, string> = {
  klarmeldt: 'Klarmeldt',
  delvis: 'Delvis',
  nej: 'Nej',
  irrelevant: 'Irrelevant',
}

/** The key figures shown as tiles, in this order. */
export const TILE_KPIS = [
  'klarmeldtShare',
  'reportsOnTimeShare',
  'paymentsWithheld',
  'withheldKr',
  'paymentsReleased',
  'releasedKr',
  'maxDaysPaidAfterTermination',
  'medianDaysDraftToActive',
  'invoicesWithDeviations',
] as const

const number = new Intl.NumberFormat('da-DK', { maximumFractionDigits: 2 })
const percent = new Intl.NumberFormat('da-DK', { style: 'percent', maximumFractionDigits: 1 })

export function isHidden(v: Value): v is string {
  return typeof v === 'string' && v.startsWith('<')
}

/** A raw value of KPI `kpi` as Danish text. */
export function formatValue(kpi: string, v: Value): string {
  if (v === null || v === undefined) return '–'
  if (isHidden(v)) return v
  if (kpi.endsWith('Kr')) return formatKr(v)
  if (typeof v === 'string') return v
  if (kpi.endsWith('Share')) return percent.format(v)
  return number.format(v)
}

/** Recent quarters up to `quarter`, newest first ('2026Q2', '2026Q1', …). */
export function recentQuarters(quarter: string, count = 8): string[] {
  const m = /^(\d{4})Q([1-4])$/.exec(quarter)
  if (!m) return [quarter]
  let y = Number(m[1])
  let q = Number(m[2])
  const out: string[] = []
  for (let i = 0; i < count; i++) {
    out.push(`${y}Q${q}`)
    q--
    if (q === 0) {
      q = 4
      y--
    }
  }
  return out
}

export function quarterName(quarter: string): string {
  const m = /^(\d{4})Q([1-4])$/.exec(quarter)
  return m ? `${m[2]}. kvartal ${m[1]}` : quarter
}

const MONTHS = ['jan.', 'feb.', 'mar.', 'apr.', 'maj', 'jun.', 'jul.', 'aug.', 'sep.', 'okt.', 'nov.', 'dec.']
export function monthName(month: string): string {
  const [y, m] = month.split('-')
  return `${MONTHS[Number(m) - 1] ?? m} ${y}`
}
