import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addDays,
  daysInclusive,
  daysInPeriod,
  fromDayNumber,
  periodEnd,
  periodStart,
  periodsBetween,
} from './calendar.ts'
import {
  daysActiveInPeriod,
  type EntitlementLine,
  effectiveEnd,
  lineEntitlement,
  lineMonthlyValueOre,
  monthEntitlement,
  monthlyValueOre,
  proRataOre,
} from './proRata.ts'

const monthLine = (index: number, priceOre: bigint, start: string, end: string | null): EntitlementLine => ({
  index,
  priceOre,
  unit: 'month',
  schedule: { kind: 'monthly' },
  start,
  end,
})

// Scenario step 1 (version 1) and step 6 (version 2 adds school support).
const ophold = monthLine(0, 5_200_000n, '2026-02-01', null)
const skoledel = monthLine(1, 1_400_000n, '2026-02-01', null)
const taxi = monthLine(2, 650_000n, '2026-02-01', '2026-04-30')
const skolestoette = monthLine(3, 980_000n, '2026-03-01', '2026-05-31')
const v1 = [ophold, skoledel, taxi]
const v2 = [...v1, skolestoette]
const samvaer: EntitlementLine = {
  index: 0,
  priceOre: 65_000n,
  unit: 'hour',
  schedule: { kind: 'sessions', hoursPerSession: 4, everyWeeks: 2, weekday: 7, anchor: '2026-02-01' },
  start: '2026-02-01',
  end: null,
}

describe('scenario: Østervold placement', () => {
  it('February 2026: 52,000 + 14,000 + 6,500 = 72,500 kr', () => {
    const e = monthEntitlement(v1, '2026-02')
    expect(e.lines.map((l) => l.amountOre)).toEqual([5_200_000n, 1_400_000n, 650_000n])
    expect(e.proRataTotalOre).toBe(7_250_000n)
  })

  it('the monthly value behind the approval threshold is 72,500 kr (> 50,000 kr)', () => {
    expect(monthlyValueOre(v1)).toBe(7_250_000n)
  })

  it('an hourly line counts with the most sessions a month can hold (⌈31/14⌉ = 3 × 4 h × 650 kr)', () => {
    expect(lineMonthlyValueOre(samvaer)).toBe(780_000n)
    expect(
      lineMonthlyValueOre({
        ...samvaer,
        unit: 'session',
        schedule: { ...samvaer.schedule, everyWeeks: 1 } as never,
      }),
    ).toBe(325_000n)
  })

  it('nothing is paid before the agreement starts, even for a line dated earlier', () => {
    const early = monthLine(0, 3_100_000n, '2026-01-01', null)
    expect(lineEntitlement(early, '2026-01', { start: '2026-01-11' })).toMatchObject({
      daysActive: 21,
      amountOre: 2_100_000n,
    })
    expect(lineEntitlement(early, '2025-12', { start: '2026-01-11' }).amountOre).toBe(0n)
  })

  it('May 2026: 52,000 + 14,000 + 9,800 = 75,800 kr; nothing for taxi after 2026-04-30', () => {
    const e = monthEntitlement(v2, '2026-05')
    expect(e.proRataTotalOre).toBe(7_580_000n)
    expect(e.lines[2]).toMatchObject({ daysActive: 0, amountOre: 0n })
    expect(monthEntitlement(v2, '2026-04').lines[2]!.amountOre).toBe(650_000n)
  })

  it('school support is never paid after 2026-05-31', () => {
    expect(lineEntitlement(skolestoette, '2026-06').amountOre).toBe(0n)
    expect(monthEntitlement(v2, '2026-06').proRataTotalOre).toBe(6_600_000n)
    expect(lineEntitlement(skolestoette, '2026-02').amountOre).toBe(0n)
  })

  it('termination effective 2027-01-31: January 2027 paid in full, nothing after', () => {
    expect(monthEntitlement(v2, '2027-01', { end: '2027-01-31' }).proRataTotalOre).toBe(6_600_000n)
    for (const p of ['2027-02', '2027-03', '2028-01']) {
      expect(monthEntitlement(v2, p, { end: '2027-01-31' }).proRataTotalOre).toBe(0n)
      expect(lineEntitlement(samvaer, p, { end: '2027-01-31' }).amountOre).toBe(0n)
    }
  })

  it('a mid-month termination is pro rata per line, rounded half-up', () => {
    // 5,200,000 × 15/31 = 2,516,129.03… ; 1,400,000 × 15/31 = 677,419.35…
    const e = monthEntitlement(v2, '2027-01', { end: '2027-01-15' })
    expect(e.lines.map((l) => l.amountOre)).toEqual([2_516_129n, 677_419n, 0n, 0n])
    expect(e.proRataTotalOre).toBe(3_193_548n)
  })

  it('hourly lines are invoiced: the expected amount is the schedule’s', () => {
    const e = monthEntitlement([samvaer], '2026-02')
    expect(e.lines[0]).toMatchObject({
      basis: 'invoiced',
      expectedSessions: 2,
      expectedQuantity: 8,
      amountOre: 520_000n,
    })
    expect(e.proRataTotalOre).toBe(0n)
    expect(e.invoicedExpectedOre).toBe(520_000n)
  })
})

describe('rules', () => {
  it('rounds half-up per line', () => {
    expect(proRataOre(31n, 1, 31)).toBe(1n)
    expect(proRataOre(1n, 15, 30)).toBe(1n) // 0.5 → 1
    expect(proRataOre(1n, 14, 30)).toBe(0n)
    expect(proRataOre(100n, 0, 28)).toBe(0n)
    expect(() => proRataOre(100n, 29, 28)).toThrow(RangeError)
    expect(() => proRataOre(-1n, 1, 28)).toThrow(RangeError)
  })

  it('effective end is the earlier of line end and agreement end', () => {
    expect(effectiveEnd(null, null)).toBeNull()
    expect(effectiveEnd('2026-04-30', null)).toBe('2026-04-30')
    expect(effectiveEnd(null, '2027-01-31')).toBe('2027-01-31')
    expect(effectiveEnd('2026-04-30', '2026-03-15')).toBe('2026-03-15')
  })
})

const priceArb = fc.bigInt({ min: 0n, max: 10n ** 12n })
const dayArb = fc.integer({ min: 20_000, max: 22_000 }) // 2024-10 … 2030-03

describe('properties', () => {
  it('a month’s amount is between 0 and the monthly price, and the price when every day is active', () => {
    fc.assert(
      fc.property(
        priceArb,
        dayArb,
        fc.integer({ min: -40, max: 80 }),
        fc.integer({ min: 0, max: 27 }),
        (price, d, len, off) => {
          const start = fromDayNumber(d)
          const end = len < 0 ? null : addDays(start, len)
          const period = addDays(start, off).slice(0, 7)
          const e = lineEntitlement(monthLine(0, price, start, end), period)
          expect(e.amountOre >= 0n && e.amountOre <= price).toBe(true)
          if (e.daysActive === daysInPeriod(period)) expect(e.amountOre).toBe(price)
          if (e.daysActive === 0) expect(e.amountOre).toBe(0n)
        },
      ),
    )
  })

  it('over whole months the amounts add up to price × months', () => {
    fc.assert(
      fc.property(priceArb, dayArb, fc.integer({ min: 0, max: 40 }), (price, d, months) => {
        const first = fromDayNumber(d).slice(0, 7)
        const periods = periodsBetween(first, addDays(periodStart(first), months * 31).slice(0, 7))
        const last = periods[periods.length - 1]!
        const line = monthLine(0, price, periodStart(first), periodEnd(last))
        const around = periodsBetween(
          addDays(periodStart(first), -1).slice(0, 7),
          addDays(periodEnd(last), 1).slice(0, 7),
        )
        let total = 0n
        for (const p of around) total += lineEntitlement(line, p).amountOre
        expect(total).toBe(price * BigInt(periods.length))
      }),
    )
  })

  it('active days over all months equal the days of the line, and more days never pay less', () => {
    fc.assert(
      fc.property(priceArb, dayArb, fc.integer({ min: 0, max: 400 }), (price, d, len) => {
        const start = fromDayNumber(d)
        const end = addDays(start, len)
        let days = 0
        for (const p of periodsBetween(start.slice(0, 7), end.slice(0, 7)))
          days += daysActiveInPeriod(p, { start, end })
        expect(days).toBe(daysInclusive(start, end))
        const dim = daysInPeriod(start.slice(0, 7))
        let prev = -1n
        for (let k = 0; k <= dim; k++) {
          const a = proRataOre(price, k, dim)
          expect(a >= prev).toBe(true)
          prev = a
        }
      }),
      { numRuns: 100 },
    )
  })
})
