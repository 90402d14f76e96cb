import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { SessionSchedule } from './agreementModel.ts'
import {
  addDays,
  fromDayNumber,
  type IsoDate,
  periodsBetween,
  toDayNumber,
  type Weekday,
  weekday,
} from './calendar.ts'
import {
  assertValidSchedule,
  checkInvoice,
  countSessions,
  expectedForLine,
  ScheduleError,
  sessionDates,
} from './schedule.ts'

// Scenario step 2: supervised contact 4 h every 2nd Sunday at 650 kr/h, from 2026-02-01.
const samvaer = {
  priceOre: 65_000n,
  unit: 'hour' as const,
  schedule: {
    kind: 'sessions',
    hoursPerSession: 4,
    everyWeeks: 2,
    weekday: 7,
    anchor: '2026-02-01',
  } as SessionSchedule,
  start: '2026-02-01',
  end: null,
}

describe('scenario: supervised contact (Samværskonsulenterne)', () => {
  it('February 2026 has 2 Sundays in the series: 2 × 4 h × 650 kr = 5,200 kr', () => {
    const e = expectedForLine(samvaer, '2026-02')
    expect(e.dates).toEqual(['2026-02-01', '2026-02-15'])
    expect(e.sessions).toBe(2)
    expect(e.quantity).toBe(8)
    expect(e.amountOre).toBe(520_000n)
  })

  it('accepts the invoice for 2 Sundays and flags one for 3 Sundays as a deviation', () => {
    const ok = checkInvoice(samvaer, '2026-02', { quantity: 8, amountOre: 520_000n })
    expect(ok).toMatchObject({
      status: 'accepted',
      amountOre: 520_000n,
      remainingQuantity: 8,
      deviations: [],
    })
    const three = checkInvoice(samvaer, '2026-02', { quantity: 12, amountOre: 780_000n })
    expect(three.status).toBe('deviation')
    expect(three.deviations).toEqual(['quantity_above_schedule'])
    const wrongAmount = checkInvoice(samvaer, '2026-02', { quantity: 8, amountOre: 520_001n })
    expect(wrongAmount.deviations).toEqual(['amount_not_quantity_times_price'])
  })

  it('like the contract, accepts part invoices while the month’s total stays within the schedule', () => {
    expect(checkInvoice(samvaer, '2026-02', { quantity: 4 }).status).toBe('accepted')
    expect(checkInvoice(samvaer, '2026-02', { quantity: 4, alreadyAccepted: 4 }).status).toBe('accepted')
    const over = checkInvoice(samvaer, '2026-02', { quantity: 4, alreadyAccepted: 8 })
    expect(over).toMatchObject({ status: 'deviation', remainingQuantity: 0 })
    expect(() => checkInvoice(samvaer, '2026-02', { quantity: 0 })).toThrow(ScheduleError)
  })

  it('ends with the main contract on 2027-01-31: sessions in January 2027, none after', () => {
    expect(expectedForLine(samvaer, '2027-01', { end: '2027-01-31' }).dates).toEqual([
      '2027-01-03',
      '2027-01-17',
      '2027-01-31',
    ])
    expect(expectedForLine(samvaer, '2027-02', { end: '2027-01-31' })).toMatchObject({
      sessions: 0,
      quantity: 0,
      amountOre: 0n,
    })
    expect(
      checkInvoice(samvaer, '2027-02', { quantity: 4, amountOre: 260_000n }, { end: '2027-01-31' }).status,
    ).toBe('deviation')
  })

  it('counts sessions for a session-priced line in sessions, not hours', () => {
    expect(expectedForLine({ ...samvaer, unit: 'session', priceOre: 200_000n }, '2026-02')).toMatchObject({
      quantity: 2,
      amountOre: 400_000n,
    })
  })
})

describe('schedule validation', () => {
  it('rejects impossible schedules', () => {
    const s = samvaer.schedule
    expect(() => assertValidSchedule({ ...s, anchor: '2026-02-02' })).toThrow(ScheduleError)
    expect(() => assertValidSchedule({ ...s, everyWeeks: 0 })).toThrow(ScheduleError)
    expect(() => assertValidSchedule({ ...s, hoursPerSession: 1.5 })).toThrow(ScheduleError)
    expect(() => assertValidSchedule({ ...s, weekday: 8 as Weekday })).toThrow(ScheduleError)
    expect(() => expectedForLine({ ...samvaer, unit: 'month' }, '2026-02')).toThrow(ScheduleError)
    expect(() => expectedForLine({ ...samvaer, schedule: { kind: 'monthly' } }, '2026-02')).toThrow(
      ScheduleError,
    )
  })
})

const scheduleArb = fc
  .record({
    anchorDay: fc.integer({ min: 20_000, max: 21_000 }),
    everyWeeks: fc.integer({ min: 1, max: 6 }),
    hoursPerSession: fc.integer({ min: 1, max: 10 }),
  })
  .map(({ anchorDay, everyWeeks, hoursPerSession }): SessionSchedule => {
    const anchor = fromDayNumber(anchorDay)
    return { kind: 'sessions', anchor, weekday: weekday(anchor), everyWeeks, hoursPerSession }
  })

function naiveCount(s: SessionSchedule, from: IsoDate, to: IsoDate): number {
  let n = 0
  const a = toDayNumber(s.anchor)
  for (let d = toDayNumber(from); d <= toDayNumber(to); d++) {
    if (d >= a && (d - a) % (7 * s.everyWeeks) === 0 && weekday(fromDayNumber(d)) === s.weekday) n++
  }
  return n
}

describe('sessions over any period', () => {
  it('match a naive day-by-day count', () => {
    fc.assert(
      fc.property(
        scheduleArb,
        fc.integer({ min: 19_800, max: 21_200 }),
        fc.integer({ min: -5, max: 400 }),
        (s, fromDay, len) => {
          const from = fromDayNumber(fromDay)
          const to = addDays(from, len)
          const n = countSessions(s, from, to)
          expect(n).toBe(naiveCount(s, from, to))
          const dates = sessionDates(s, from, to)
          expect(dates.length).toBe(n)
          for (const d of dates) {
            expect(weekday(d)).toBe(s.weekday)
            expect(d >= from && d <= to && d >= s.anchor).toBe(true)
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('add up month by month to the count over the whole line', () => {
    fc.assert(
      fc.property(
        scheduleArb,
        fc.integer({ min: 19_900, max: 21_000 }),
        fc.integer({ min: 0, max: 500 }),
        (s, startDay, len) => {
          const start = fromDayNumber(startDay)
          const end = addDays(start, len)
          const line = { priceOre: 65_000n, unit: 'hour' as const, schedule: s, start, end }
          let sessions = 0
          let amount = 0n
          for (const p of periodsBetween(start.slice(0, 7), end.slice(0, 7))) {
            const e = expectedForLine(line, p)
            sessions += e.sessions
            amount += e.amountOre
          }
          expect(sessions).toBe(naiveCount(s, start, end))
          expect(amount).toBe(65_000n * BigInt(sessions * s.hoursPerSession))
        },
      ),
      { numRuns: 150 },
    )
  })
})
