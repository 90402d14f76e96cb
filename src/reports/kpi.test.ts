import { describe, expect, it } from 'vitest'
import {
  type ActivityRow,
  type AgreementFactRow,
  computeRolloutKpis,
  median,
  type RolloutRows,
  robustZ,
} from './kpi.ts'
import { previousQuarter, quarterRange } from './quarter.ts'

function agreement(
  id: string,
  municipalityCode: number,
  template: string,
  kle: string,
  provider: string,
  createdDate: string,
  activatedDate: string | null,
  terminatedDate: string | null = null,
  lastPaidDate: string | null = null,
): AgreementFactRow {
  return {
    agreementId: id,
    municipalityCode,
    template,
    kle,
    provider,
    createdDate,
    activatedDate,
    terminatedDate,
    lastPaidDate,
  }
}

function activity(id: string, code: number, quarter: string, over: Partial<ActivityRow>): ActivityRow {
  return {
    agreementId: id,
    municipalityCode: code,
    quarter,
    reportsDue: 0,
    reportsOnTime: 0,
    paymentsWithheld: 0,
    withheldOre: 0n,
    paymentsReleased: 0,
    releasedOre: 0n,
    invoices: 0,
    invoiceDeviations: 0,
    ...over,
  }
}

/** Three municipalities, 2026Q2 against 2026Q1; every expected figure below is worked out by hand. */
const rows: RolloutRows = {
  synthetic: false,
  municipalities: [
    { code: 169, name: 'Høje-Taastrup', region: 'Region Hovedstaden', inhabitants: 5000 },
    { code: 101, name: 'København', region: 'Region Hovedstaden', inhabitants: 10000 },
    { code: 825, name: 'Læsø', region: 'Region Nordjylland', inhabitants: null },
  ],
  agreements: [
    agreement('a1', 101, 'T1', 'K1', 'P1', '2026-01-10', '2026-01-20'),
    agreement('a2', 101, 'T2', 'K1', 'P2', '2026-04-01', '2026-04-15'),
    agreement('a3', 101, 'T1', 'K2', 'P1', '2025-11-01', '2025-11-05', '2026-05-31', '2026-05-31'),
    // Paid five days after it ended: the KPI must catch it.
    agreement('a4', 101, 'T3', 'K3', 'P1', '2026-05-01', '2026-05-21', '2026-06-15', '2026-06-20'),
    agreement('a5', 101, 'T1', 'K1', 'P1', '2026-06-20', null),
    agreement('b1', 169, 'T1', 'K1', 'P3', '2026-02-01', '2026-02-11'),
  ],
  activity: [
    activity('a1', 101, '2026Q2', { reportsDue: 1, reportsOnTime: 1 }),
    activity('a2', 101, '2026Q2', {
      reportsDue: 1,
      paymentsWithheld: 1,
      withheldOre: 500_000n,
      paymentsReleased: 1,
      releasedOre: 500_000n,
    }),
    activity('a3', 101, '2026Q2', { reportsDue: 1, reportsOnTime: 1, invoices: 3, invoiceDeviations: 1 }),
    activity('a4', 101, '2026Q2', { invoices: 2 }),
    activity('a1', 101, '2026Q1', { reportsDue: 1, reportsOnTime: 1 }),
  ],
  usage: [
    { municipalityCode: 101, month: '2026-04', apiCalls: 1000, events: 50 },
    { municipalityCode: 101, month: '2026-05', apiCalls: 2000, events: 60 },
    { municipalityCode: 101, month: '2026-06', apiCalls: 3000, events: 70 },
    { municipalityCode: 101, month: '2026-01', apiCalls: 1500, events: 10 },
    { municipalityCode: 101, month: '2026-02', apiCalls: 1500, events: 10 },
    { municipalityCode: 101, month: '2026-03', apiCalls: 1500, events: 10 },
    { municipalityCode: 169, month: '2026-04', apiCalls: 500, events: 0 },
    { municipalityCode: 169, month: '2026-05', apiCalls: 500, events: 0 },
    { municipalityCode: 169, month: '2026-06', apiCalls: 500, events: 0 },
    { municipalityCode: 825, month: '2026-04', apiCalls: 100, events: 0 },
    // Outside both quarters: ignored.
    { municipalityCode: 101, month: '2026-07', apiCalls: 99_999, events: 99 },
  ],
  connections: [
    { municipalityCode: 101, provider: 'P1', system: 'S1', status: 'nej', statusDate: '2026-01-05' },
    { municipalityCode: 101, provider: 'P1', system: 'S1', status: 'klarmeldt', statusDate: '2026-05-10' },
    { municipalityCode: 101, provider: 'P2', system: 'S1', status: 'delvis', statusDate: '2026-03-01' },
    { municipalityCode: 101, provider: 'P1', system: 'S2', status: 'irrelevant', statusDate: '2025-12-01' },
    { municipalityCode: 101, provider: 'P2', system: 'S2', status: 'klarmeldt', statusDate: '2026-07-02' },
  ],
}

describe('quarters', () => {
  it('knows their days and months', () => {
    expect(quarterRange('2026Q2')).toMatchObject({ start: '2026-04-01', end: '2026-06-30' })
    expect(quarterRange('2024Q1').end).toBe('2024-03-31')
    expect(quarterRange('2026Q4').months).toEqual(['2026-10', '2026-11', '2026-12'])
    expect(previousQuarter('2026Q1')).toBe('2025Q4')
    expect(() => quarterRange('2026Q5')).toThrow(RangeError)
  })
})

describe('computeRolloutKpis', () => {
  const k = computeRolloutKpis(rows, '2026Q2')
  const kbh = k.municipalities.find((m) => m.code === 101)!

  it('orders municipalities by code', () => {
    expect(k.municipalities.map((m) => m.code)).toEqual([101, 169, 825])
  })

  it('counts connection status on the quarter’s last day from the history', () => {
    expect(kbh.current.connection).toEqual({
      klarmeldt: 1,
      delvis: 1,
      nej: 0,
      irrelevant: 1,
      total: 3,
      klarmeldtShare: 0.5,
    })
    expect(kbh.previous.connection).toMatchObject({ klarmeldt: 0, nej: 1, delvis: 1, klarmeldtShare: 0 })
  })

  it('measures spread over the agreements active in the quarter', () => {
    expect(kbh.current.spread).toEqual({ templates: 3, kleSubjects: 3, activeAgreements: 4, providers: 2 })
    expect(kbh.activeByKle).toEqual({ K1: 2, K2: 1, K3: 1 })
    expect(kbh.activeByTemplate).toEqual({ T1: 2, T2: 1, T3: 1 })
  })

  it('measures use: agreements, reports, payments, termination, draft time and invoices', () => {
    expect(kbh.current.use).toEqual({
      apiCalls: 6000,
      events: 180,
      apiCallsPer1000: 600,
      eventsPer1000: 18,
      agreementsCreated: 3,
      agreementsActive: 4,
      agreementsTerminated: 2,
      activePer1000: 0.4,
      reportsDue: 3,
      reportsOnTime: 2,
      reportsOnTimeShare: 2 / 3,
      paymentsWithheld: 1,
      withheldOre: 500_000n,
      paymentsReleased: 1,
      releasedOre: 500_000n,
      terminatedWithPayments: 2,
      maxDaysPaidAfterTermination: 5,
      paidAfterTermination: 1,
      agreementsActivated: 2,
      medianDaysDraftToActive: 17,
      invoices: 5,
      invoicesWithDeviations: 1,
      deviationShare: 0.2,
    })
    expect(kbh.previous.use).toMatchObject({
      apiCalls: 4500,
      apiCallsPer1000: 450,
      agreementsCreated: 1,
      agreementsActive: 2,
      agreementsTerminated: 0,
      reportsOnTimeShare: 1,
      medianDaysDraftToActive: 10,
      maxDaysPaidAfterTermination: null,
    })
    expect(kbh.monthlyApiCalls).toEqual([
      { month: '2026-04', apiCalls: 1000, events: 50 },
      { month: '2026-05', apiCalls: 2000, events: 60 },
      { month: '2026-06', apiCalls: 3000, events: 70 },
    ])
  })

  it('gives trends against the previous quarter', () => {
    expect(kbh.trends.apiCalls).toEqual({
      current: 6000,
      previous: 4500,
      change: 1500,
      changePct: (1500 / 4500) * 100,
    })
    expect(kbh.trends.agreementsActive).toMatchObject({ change: 2, changePct: 100 })
    expect(kbh.trends.agreementsTerminated).toMatchObject({ previous: 0, change: 2, changePct: null })
  })

  it('leaves per-1,000 figures empty where the population is unknown', () => {
    const laesoe = k.municipalities.find((m) => m.code === 825)!
    expect(laesoe.current.use.apiCalls).toBe(100)
    expect(laesoe.current.use.apiCallsPer1000).toBeNull()
  })

  it('sums the nation, with per-1,000 figures over municipalities of known population', () => {
    expect(k.national.inhabitants).toBe(15000)
    expect(k.national.current.use).toMatchObject({
      apiCalls: 7600,
      apiCallsPer1000: 500,
      agreementsCreated: 3,
      agreementsActive: 5,
      agreementsTerminated: 2,
      medianDaysDraftToActive: 17,
      paidAfterTermination: 1,
    })
    expect(k.national.current.use.activePer1000).toBeCloseTo(1000 / 3000, 10)
    expect(k.national.current.connection.klarmeldtShare).toBe(0.5)
    expect(k.kleSubjects).toEqual(['K1', 'K2', 'K3'])
  })

  it('uses the median of municipalities as the reference', () => {
    expect(k.medians.apiCallsPer1000).toBe(450)
    expect(k.municipalities.every((m) => m.anomalies.length === 0)).toBe(true)
  })

  it('flags a municipality far from the median', () => {
    const many: RolloutRows = {
      ...rows,
      agreements: [],
      activity: [],
      connections: [],
      municipalities: [101, 147, 151, 153, 155, 157, 159].map((code) => ({
        code,
        name: String(code),
        region: 'Region Hovedstaden',
        inhabitants: 1000,
      })),
      usage: [101, 147, 151, 153, 155, 157, 159].map((code, i) => ({
        municipalityCode: code,
        month: '2026-04',
        apiCalls: code === 159 ? 10_000 : 100 + i * 10,
        events: 0,
      })),
    }
    const flagged = computeRolloutKpis(many, '2026Q2').municipalities.filter((m) => m.anomalies.length > 0)
    expect(flagged.map((m) => m.code)).toEqual([159])
    expect(flagged[0]!.anomalies[0]).toMatchObject({
      kpi: 'apiCallsPer1000',
      direction: 'high',
      median: 130_000 / 1000,
    })
  })
})

describe('median and robust z', () => {
  it('computes them on known values', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([])).toBeNull()
    const r = robustZ([1, 2, 3, 4, 100])
    expect(r.median).toBe(3)
    expect(r.mad).toBe(1)
    expect(r.z[4]).toBeCloseTo(0.6745 * 97, 10)
    expect(r.z[0]).toBeCloseTo(-0.6745 * 2, 10)
    expect(robustZ([5, 5, 5]).z).toEqual([null, null, null])
  })
})
