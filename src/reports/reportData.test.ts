import { describe, expect, it } from 'vitest'
import { type ActivityRow, type AgreementFactRow, computeRolloutKpis, type RolloutRows } from './kpi.ts'
import { publishRollout } from './reportData.ts'

const codes = [101, 147, 151, 153, 155, 157]

/** Each municipality: 20 active agreements and one activity row with the given reports and invoices. */
function rows(perMunicipality: Record<number, Partial<ActivityRow>>): RolloutRows {
  const agreements: AgreementFactRow[] = codes.flatMap((code) =>
    Array.from({ length: 20 }, (_, k) => ({
      agreementId: `${code}-${k}`,
      municipalityCode: code,
      template: 'T',
      kle: 'K',
      provider: 'P',
      createdDate: '2025-06-01',
      activatedDate: '2025-06-10',
      terminatedDate: null,
      lastPaidDate: null,
    })),
  )
  const activity: ActivityRow[] = codes.map((code) => ({
    municipalityCode: code,
    quarter: '2026Q2',
    reportsDue: 20,
    reportsOnTime: 20,
    paymentsWithheld: 0,
    withheldOre: 0n,
    paymentsReleased: 0,
    releasedOre: 0n,
    invoices: 40,
    invoiceDeviations: 0,
    ...perMunicipality[code],
  }))
  return {
    synthetic: false,
    municipalities: codes.map((code) => ({
      code,
      name: String(code),
      region: 'Region Hovedstaden',
      inhabitants: 10_000,
    })),
    agreements,
    activity,
    usage: [],
    connections: [],
  }
}

describe('publishRollout', () => {
  const published = publishRollout(
    computeRolloutKpis(
      rows({
        // 2 late of 20: the share would give the late count away.
        101: { reportsOnTime: 18, invoiceDeviations: 2 },
        147: { reportsOnTime: 10, invoiceDeviations: 8 },
        151: { reportsOnTime: 15, invoiceDeviations: 6 },
      }),
      '2026Q2',
    ),
  )
  const byCode = (code: number) => published.municipalities.find((m) => m.code === code)!.current

  it('hides a share whose numerator or remainder is a small count', () => {
    expect(byCode(101).reportsOnTimeShare).toBe('<5')
    expect(byCode(101).measures.invoicesWithDeviations).toBe('<5')
    expect(byCode(101).deviationShare).toBe('<5')
    expect(byCode(147).reportsOnTimeShare).toBe(0.5)
    expect(byCode(147).deviationShare).toBe(0.2)
    // All on time: nothing small to give away.
    expect(byCode(153).reportsOnTimeShare).toBe(1)
  })

  it('takes medians over the published figures only', () => {
    // Published on-time shares: 0.5, 0.75, 1, 1, 1 (101 hidden) → median 1.
    expect(published.medians.reportsOnTimeShare).toBe(1)
  })
})
