/**
 * Synthetic national data: realistic agreements, activity, usage and connection statuses across the
 * 98 municipalities so dashboards, reports and benchmarks run at national scale. Every row is marked
 * synthetic (and reports say so on every page); the same seed gives the same rows.
 */
import type { Insertable } from 'kysely'
import { MUNICIPALITIES } from '../../domain/municipalities.ts'
import { daysBetween, previousQuarter, quarterRange } from '../../reports/quarter.ts'
import type { Db } from '../../store/database.ts'
import type { Database } from '../../store/schema.ts'
import type { ConnectionStatus } from '../../store/tables/analytics.ts'
import { ensureMunicipalities } from './municipalities.ts'

export interface SeedNationalOptions {
  /** Number of agreements (default 45,000). */
  agreements?: number
  /** PRNG seed (default 1). */
  seed?: number
  /** Last quarter with data (default 2026Q2). */
  toQuarter?: string
  /** Quarters of activity and usage before and including toQuarter (default 4). */
  quarters?: number
  /** Rows per INSERT (default 1,000). */
  batchSize?: number
  onProgress?: (done: number, total: number) => void
}

export interface SeedNationalResult {
  agreements: number
  activityRows: number
  usageRows: number
  connectionRows: number
  syntheticInhabitants: number
}

/**
 * Templates and KLE subjects of the synthetic data. The KLE numbers are illustrative (social
 * service areas), not a claim about the KLE catalogue.
 */
export const SYNTHETIC_TEMPLATES = [
  {
    name: 'Længerevarende botilbud (SEL § 108)',
    kle: '27.20.08',
    monthlyKr: 65_000,
    invoiced: false,
    weight: 14,
  },
  {
    name: 'Midlertidigt botilbud (SEL § 107)',
    kle: '27.20.07',
    monthlyKr: 52_000,
    invoiced: false,
    weight: 16,
  },
  {
    name: 'Socialpædagogisk støtte (SEL § 85)',
    kle: '27.16.04',
    monthlyKr: 9_500,
    invoiced: true,
    weight: 30,
  },
  { name: 'Aflastning (SEL § 84)', kle: '27.16.02', monthlyKr: 6_000, invoiced: true, weight: 10 },
  { name: 'Misbrugsbehandling (SEL § 101)', kle: '29.30.10', monthlyKr: 14_000, invoiced: true, weight: 8 },
  {
    name: 'Anbringelse på opholdssted (BL § 46)',
    kle: '27.12.04',
    monthlyKr: 70_000,
    invoiced: false,
    weight: 9,
  },
  {
    name: 'Beskyttet beskæftigelse (SEL § 103)',
    kle: '27.36.08',
    monthlyKr: 12_000,
    invoiced: false,
    weight: 9,
  },
  { name: 'Krisecenter (SEL § 109)', kle: '27.20.09', monthlyKr: 30_000, invoiced: false, weight: 4 },
] as const

const PROVIDERS = 80
const SYSTEMS = ['Fagsystem', 'Økonomisystem', 'ESDH'] as const

/** mulberry32: small, fast and good enough for synthetic data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

function pickWeighted(cumulative: number[], r: number): number {
  const x = r * cumulative[cumulative.length - 1]!
  let lo = 0
  let hi = cumulative.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (cumulative[mid]! > x) hi = mid
    else lo = mid + 1
  }
  return lo
}

async function insertBatches<T extends keyof Database>(
  db: Db,
  table: T,
  rows: Insertable<Database[T]>[],
  batchSize: number,
  progress: () => void,
): Promise<void> {
  for (let i = 0; i < rows.length; i += batchSize) {
    await db
      .insertInto(table)
      // biome-ignore lint/suspicious/noExplicitAny: generic over the table; rows are typed by the caller
      .values(rows.slice(i, i + batchSize) as any)
      .execute()
    progress()
  }
}

/** Deletes every synthetic row (agreements, activity, usage, statuses) and synthetic inhabitants. */
export async function clearSynthetic(db: Db): Promise<void> {
  await db.deleteFrom('analytics_agreement_activity').where('synthetic', '=', true).execute()
  await db.deleteFrom('analytics_agreement_facts').where('synthetic', '=', true).execute()
  await db.deleteFrom('analytics_usage_monthly').where('synthetic', '=', true).execute()
  await db.deleteFrom('analytics_connection_status').where('synthetic', '=', true).execute()
  await db
    .updateTable('analytics_municipality')
    .set({ inhabitants: null, inhabitants_source: null, synthetic: false })
    .where('synthetic', '=', true)
    .execute()
}

export async function seedNational(db: Db, options: SeedNationalOptions = {}): Promise<SeedNationalResult> {
  const total = options.agreements ?? 45_000
  const seed = options.seed ?? 1
  const toQuarter = options.toQuarter ?? '2026Q2'
  const nQuarters = options.quarters ?? 4
  const batchSize = options.batchSize ?? 1000
  const rnd = prng(seed)

  await ensureMunicipalities(db)
  await clearSynthetic(db)

  const quarters: string[] = [toQuarter]
  while (quarters.length < nQuarters) quarters.unshift(previousQuarter(quarters[0]!))
  const first = quarterRange(quarters[0]!)
  const last = quarterRange(toQuarter)
  // Agreements start up to two years before the first reported quarter, so it opens with a stock.
  const createdFrom = addDays(first.start, -730)
  const span = daysBetween(createdFrom, last.end)

  // Inhabitants: the imported FOLK1A figure where there is one, a synthetic (marked) one otherwise.
  const stored = await db
    .selectFrom('analytics_municipality')
    .select(['code', 'inhabitants'])
    .orderBy('code')
    .execute()
  const inhabitants = new Map<number, number>()
  let syntheticInhabitants = 0
  for (const m of stored) {
    if (m.inhabitants !== null) {
      inhabitants.set(m.code, Number(m.inhabitants))
      continue
    }
    // Log-normal around 45,000 (Danish municipalities range from ~1,700 to ~650,000).
    const z = Math.sqrt(-2 * Math.log(rnd() || 1e-9)) * Math.cos(2 * Math.PI * rnd())
    const n = Math.max(1_800, Math.min(650_000, Math.round(45_000 * Math.exp(0.7 * z))))
    inhabitants.set(m.code, n)
    syntheticInhabitants++
    await db
      .updateTable('analytics_municipality')
      .set({ inhabitants: n, inhabitants_source: 'synthetic', synthetic: true })
      .where('code', '=', m.code)
      .execute()
  }

  const codes = MUNICIPALITIES.map((m) => m.code)
  const cumulative: number[] = []
  let acc = 0
  for (const c of codes) {
    acc += inhabitants.get(c) ?? 1
    cumulative.push(acc)
  }
  const tplCumulative: number[] = []
  acc = 0
  for (const t of SYNTHETIC_TEMPLATES) {
    acc += t.weight
    tplCumulative.push(acc)
  }

  // Per-municipality character, so municipalities differ the way real ones do.
  const character = new Map(
    codes.map((c) => [
      c,
      {
        onTime: 0.78 + rnd() * 0.2,
        draftDays: 5 + rnd() * 25,
        deviation: 0.01 + rnd() * 0.06,
        callsPerAgreement: 90 + rnd() * 80,
        providerOffset: Math.floor(rnd() * PROVIDERS),
      },
    ]),
  )
  // A few outliers so the anomaly flags have something to find.
  for (let k = 0; k < 3; k++) {
    const c = codes[Math.floor(rnd() * codes.length)]!
    character.get(c)!.callsPerAgreement *= 6
  }

  const facts: Insertable<Database['analytics_agreement_facts']>[] = []
  const activity: Insertable<Database['analytics_agreement_activity']>[] = []
  const activeMonths = new Map<string, number>()
  const providersOf = new Map<number, Set<string>>(codes.map((c) => [c, new Set<string>()]))

  for (let i = 0; i < total; i++) {
    const code = codes[pickWeighted(cumulative, rnd())]!
    const ch = character.get(code)!
    const tpl = SYNTHETIC_TEMPLATES[pickWeighted(tplCumulative, rnd())]!
    const provider = `SYN-P${String(((ch.providerOffset + Math.floor(rnd() * rnd() * 12)) % PROVIDERS) + 1).padStart(3, '0')}`
    providersOf.get(code)!.add(provider)
    const created = addDays(createdFrom, Math.floor(rnd() * span))
    const draft = Math.max(1, Math.round(ch.draftDays * (0.3 + rnd() * 1.4)))
    let activated: string | null = addDays(created, draft)
    if (activated > last.end || rnd() < 0.03) activated = null
    let terminated: string | null = null
    let lastPaid: string | null = null
    if (activated && rnd() < 0.45) {
      const t = addDays(activated, 30 + Math.floor(rnd() * 900))
      if (t <= last.end) terminated = t
    }
    if (activated) {
      // Paid up to the last day of the month before, or up to the termination date: never after.
      const monthStart = `${(terminated ?? last.end).slice(0, 8)}01`
      lastPaid = terminated ?? addDays(monthStart, -1)
      if (lastPaid < activated) lastPaid = null
    }
    const id = `syn-${seed}-${i}`
    facts.push({
      agreement_id: id,
      municipality_code: code,
      template: tpl.name,
      kle: tpl.kle,
      provider,
      created_date: created,
      activated_date: activated,
      terminated_date: terminated,
      last_paid_date: lastPaid,
      synthetic: true,
    })
    if (!activated) continue
    const monthlyOre = BigInt(Math.round(tpl.monthlyKr * (0.8 + rnd() * 0.4))) * 100n
    for (const q of quarters) {
      const r = quarterRange(q)
      if (activated > r.end || (terminated !== null && terminated < r.start)) continue
      const from = activated > r.start ? activated : r.start
      const to = terminated !== null && terminated < r.end ? terminated : r.end
      const months = Math.max(1, Math.round((daysBetween(from, to) + 1) / 30.4))
      for (const m of r.months) {
        if (m >= from.slice(0, 7) && m <= to.slice(0, 7))
          activeMonths.set(`${code}|${m}`, (activeMonths.get(`${code}|${m}`) ?? 0) + 1)
      }
      const reportsDue = months >= 2 ? 1 : rnd() < 0.5 ? 1 : 0
      const onTime = reportsDue && rnd() < ch.onTime ? 1 : 0
      const withheld = reportsDue - onTime ? 1 + Math.floor(rnd() * 2) : 0
      const released = withheld && rnd() < 0.8 ? withheld : 0
      const invoices = tpl.invoiced ? months : 0
      let deviations = 0
      for (let k = 0; k < invoices; k++) if (rnd() < ch.deviation) deviations++
      activity.push({
        agreement_id: id,
        quarter: q,
        municipality_code: code,
        reports_due: reportsDue,
        reports_on_time: onTime,
        payments_withheld: withheld,
        withheld_ore: (monthlyOre * BigInt(withheld)).toString(),
        payments_released: released,
        released_ore: (monthlyOre * BigInt(released)).toString(),
        invoices,
        invoice_deviations: deviations,
        synthetic: true,
      })
    }
  }

  const usage: Insertable<Database['analytics_usage_monthly']>[] = []
  for (const c of codes) {
    const ch = character.get(c)!
    for (const q of quarters) {
      for (const m of quarterRange(q).months) {
        const active = activeMonths.get(`${c}|${m}`) ?? 0
        const calls = Math.round(active * ch.callsPerAgreement * (0.85 + rnd() * 0.3))
        usage.push({
          municipality_code: c,
          month: m,
          api_calls: String(calls),
          events: String(Math.round(active * (6 + rnd() * 4))),
          synthetic: true,
        })
      }
    }
  }

  // Connection status per municipality, provider and system: history moving towards "klarmeldt".
  const connections: Insertable<Database['analytics_connection_status']>[] = []
  const steps: ConnectionStatus[] = ['nej', 'delvis', 'klarmeldt']
  for (const c of codes) {
    for (const provider of [...providersOf.get(c)!].sort()) {
      for (const system of SYSTEMS) {
        if (rnd() < 0.1) {
          connections.push({
            municipality_code: c,
            provider,
            system,
            status: 'irrelevant',
            status_date: addDays(first.start, -180),
            synthetic: true,
          })
          continue
        }
        let level = Math.floor(rnd() * 3)
        connections.push({
          municipality_code: c,
          provider,
          system,
          status: steps[level]!,
          status_date: addDays(first.start, -180),
          synthetic: true,
        })
        for (const q of quarters) {
          if (level < 2 && rnd() < 0.3) {
            level++
            const r = quarterRange(q)
            connections.push({
              municipality_code: c,
              provider,
              system,
              status: steps[level]!,
              status_date: addDays(r.start, Math.floor(rnd() * 85)),
              synthetic: true,
            })
          }
        }
      }
    }
  }

  const batches =
    Math.ceil(facts.length / batchSize) +
    Math.ceil(activity.length / batchSize) +
    Math.ceil(usage.length / batchSize) +
    Math.ceil(connections.length / batchSize)
  let done = 0
  const progress = () => options.onProgress?.(++done, batches)
  await insertBatches(db, 'analytics_agreement_facts', facts, batchSize, progress)
  await insertBatches(db, 'analytics_agreement_activity', activity, batchSize, progress)
  await insertBatches(db, 'analytics_usage_monthly', usage, batchSize, progress)
  await insertBatches(db, 'analytics_connection_status', connections, batchSize, progress)
  return {
    agreements: facts.length,
    activityRows: activity.length,
    usageRows: usage.length,
    connectionRows: connections.length,
    syntheticInhabitants,
  }
}
