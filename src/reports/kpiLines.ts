/**
 * The KPI lines of a report (PDF table, CSV, dashboards): Danish label, published value, value in
 * the previous quarter, change and the national median where one exists.
 */

import { formatChange, formatDecimal, formatInt, formatKr, formatPct } from './format.ts'
import type { AnomalyKey } from './kpi.ts'
import type { PublishedArea, PublishedQuarter, PublishedRollout } from './reportData.ts'
import { type Hidden, isHidden } from './suppression.ts'

type Raw = number | bigint | Hidden | null
type Kind = 'int' | 'dec1' | 'dec2' | 'pct' | 'kr' | 'days'

interface LineDef {
  id: string
  label: string
  stage: 'Tilslutning' | 'Udbredelse' | 'Anvendelse'
  kind: Kind
  get: (p: PublishedQuarter) => Raw
  median?: AnomalyKey
}

export const KPI_LINES: LineDef[] = [
  {
    id: 'klarmeldtShare',
    label: 'Klarmeldt (andel af relevante)',
    stage: 'Tilslutning',
    kind: 'pct',
    get: (p) => p.connection.klarmeldtShare,
  },
  {
    id: 'connectionNej',
    label: 'Leverandør/system ikke tilsluttet',
    stage: 'Tilslutning',
    kind: 'int',
    get: (p) => p.connection.nej,
  },
  {
    id: 'agreementsActive',
    label: 'Aktive aftaler',
    stage: 'Udbredelse',
    kind: 'int',
    get: (p) => p.measures.agreementsActive,
  },
  {
    id: 'activePer1000',
    label: 'Aktive aftaler pr. 1.000 indbyggere',
    stage: 'Udbredelse',
    kind: 'dec2',
    get: (p) => p.activePer1000,
    median: 'activePer1000',
  },
  {
    id: 'templates',
    label: 'Aftaleskabeloner i brug',
    stage: 'Udbredelse',
    kind: 'int',
    get: (p) => p.spread.templates,
  },
  {
    id: 'kleSubjects',
    label: 'KLE-emner i brug',
    stage: 'Udbredelse',
    kind: 'int',
    get: (p) => p.spread.kleSubjects,
  },
  {
    id: 'providers',
    label: 'Leverandører med aktive aftaler',
    stage: 'Udbredelse',
    kind: 'int',
    get: (p) => p.spread.providers,
  },
  { id: 'apiCalls', label: 'API-kald', stage: 'Anvendelse', kind: 'int', get: (p) => p.apiCalls },
  {
    id: 'apiCallsPer1000',
    label: 'API-kald pr. 1.000 indbyggere',
    stage: 'Anvendelse',
    kind: 'dec1',
    get: (p) => p.apiCallsPer1000,
    median: 'apiCallsPer1000',
  },
  {
    id: 'eventsPer1000',
    label: 'Hændelser pr. 1.000 indbyggere',
    stage: 'Anvendelse',
    kind: 'dec1',
    get: (p) => p.eventsPer1000,
    median: 'eventsPer1000',
  },
  {
    id: 'agreementsCreated',
    label: 'Aftaler oprettet',
    stage: 'Anvendelse',
    kind: 'int',
    get: (p) => p.measures.agreementsCreated,
  },
  {
    id: 'agreementsTerminated',
    label: 'Aftaler ophørt',
    stage: 'Anvendelse',
    kind: 'int',
    get: (p) => p.measures.agreementsTerminated,
  },
  {
    id: 'reportsOnTimeShare',
    label: 'Statusrapporter modtaget til tiden',
    stage: 'Anvendelse',
    kind: 'pct',
    get: (p) => p.reportsOnTimeShare,
    median: 'reportsOnTimeShare',
  },
  {
    id: 'paymentsWithheld',
    label: 'Betalinger tilbageholdt (antal)',
    stage: 'Anvendelse',
    kind: 'int',
    get: (p) => p.measures.paymentsWithheld,
  },
  {
    id: 'withheldKr',
    label: 'Betalinger tilbageholdt (kr.)',
    stage: 'Anvendelse',
    kind: 'kr',
    get: (p) => p.withheldOre,
  },
  {
    id: 'paymentsReleased',
    label: 'Betalinger frigivet (antal)',
    stage: 'Anvendelse',
    kind: 'int',
    get: (p) => p.measures.paymentsReleased,
  },
  {
    id: 'releasedKr',
    label: 'Betalinger frigivet (kr.)',
    stage: 'Anvendelse',
    kind: 'kr',
    get: (p) => p.releasedOre,
  },
  {
    id: 'maxDaysPaidAfterTermination',
    label: 'Dage betalt efter ophør (størst; skal være højst 0)',
    stage: 'Anvendelse',
    kind: 'days',
    get: (p) => p.maxDaysPaidAfterTermination,
  },
  {
    id: 'paidAfterTermination',
    label: 'Aftaler betalt efter ophør',
    stage: 'Anvendelse',
    kind: 'int',
    get: (p) => p.measures.paidAfterTermination,
  },
  {
    id: 'medianDaysDraftToActive',
    label: 'Dage fra kladde til aktiv aftale (median)',
    stage: 'Anvendelse',
    kind: 'dec1',
    get: (p) => p.medianDaysDraftToActive,
    median: 'medianDaysDraftToActive',
  },
  {
    id: 'invoicesWithDeviations',
    label: 'Fakturaer med afvigelser',
    stage: 'Anvendelse',
    kind: 'int',
    get: (p) => p.measures.invoicesWithDeviations,
  },
  {
    id: 'deviationShare',
    label: 'Andel fakturaer med afvigelser',
    stage: 'Anvendelse',
    kind: 'pct',
    get: (p) => p.deviationShare,
    median: 'deviationShare',
  },
]

export function formatRaw(v: Raw, kind: Kind): string {
  if (v === null) return '–'
  if (isHidden(v)) return v
  if (typeof v === 'bigint') return formatKr(v)
  switch (kind) {
    case 'pct':
      return formatPct(v)
    case 'dec1':
      return formatDecimal(v, 1)
    case 'dec2':
      return formatDecimal(v, 2)
    case 'days':
      return formatInt(v)
    default:
      return formatInt(v)
  }
}

function change(c: Raw, p: Raw): number | null {
  if (typeof c === 'bigint' && typeof p === 'bigint')
    return p === 0n ? null : (Number(c - p) / Number(p)) * 100
  if (typeof c === 'number' && typeof p === 'number') return p === 0 ? null : ((c - p) / Math.abs(p)) * 100
  return null
}

function pointChange(c: Raw, p: Raw): string {
  if (typeof c !== 'number' || typeof p !== 'number') return '–'
  const d = (c - p) * 100
  return `${d > 0 ? '+' : ''}${formatDecimal(d, 1)} pct.-point`
}

export interface KpiLine {
  id: string
  stage: string
  label: string
  value: string
  previous: string
  change: string
  median: string
  raw: Raw
}

export function kpiLines(area: PublishedArea, rollout: PublishedRollout, withMedian: boolean): KpiLine[] {
  return KPI_LINES.map((l) => {
    const c = l.get(area.current)
    const p = l.get(area.previous)
    const med = withMedian && l.median ? rollout.medians[l.median] : null
    return {
      id: l.id,
      stage: l.stage,
      label: l.label,
      value: formatRaw(c, l.kind),
      previous: formatRaw(p, l.kind),
      change: l.kind === 'pct' ? pointChange(c, p) : l.kind === 'days' ? '–' : formatChange(change(c, p)),
      median: med === null ? '–' : formatRaw(med, l.kind),
      raw: c,
    }
  })
}
