import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addDays,
  addMonths,
  addPeriods,
  CalendarError,
  copenhagenDate,
  dateToUnixSeconds,
  daysInclusive,
  daysInMonth,
  daysInPeriod,
  fromDayNumber,
  isIsoDate,
  nextPeriod,
  nextWeekday,
  periodCompact,
  periodEnd,
  periodFromChain,
  periodOf,
  periodStart,
  periodsBetween,
  periodToChain,
  prevPeriod,
  prevWeekday,
  runDateForPeriod,
  toDayNumber,
  unixSecondsToDate,
  type Weekday,
  weekday,
} from './calendar.ts'

const anyDate = fc.integer({ min: 0, max: 2_932_896 }).map(fromDayNumber) // 1970-01-01 … 9999-12-31

describe('dates', () => {
  it('knows month lengths, leap years included', () => {
    expect(daysInMonth(2026, 2)).toBe(28)
    expect(daysInMonth(2028, 2)).toBe(29)
    expect(daysInMonth(2100, 2)).toBe(28)
    expect(daysInMonth(2000, 2)).toBe(29)
    expect(daysInMonth(2026, 4)).toBe(30)
    expect(daysInMonth(2026, 5)).toBe(31)
    expect(daysInPeriod('2026-02')).toBe(28)
  })

  it('accepts only real dates', () => {
    expect(isIsoDate('2026-02-28')).toBe(true)
    for (const bad of [
      '2026-02-29',
      '2026-13-01',
      '2026-2-1',
      '2026-02-00',
      '1969-12-31',
      '2026-02-01T00:00',
      20260201,
    ]) {
      expect(isIsoDate(bad)).toBe(false)
    }
    expect(() => toDayNumber('2026-02-30')).toThrow(CalendarError)
  })

  it('day numbers agree with Date.UTC for every date', () => {
    fc.assert(
      fc.property(anyDate, (d) => {
        expect(toDayNumber(d) * 86_400_000).toBe(Date.parse(`${d}T00:00:00Z`))
        expect(fromDayNumber(toDayNumber(d))).toBe(d)
      }),
    )
  })

  it('adds days and months, clamping to the end of the month', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01')
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28')
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28')
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29')
    expect(addMonths('2026-02-01', 3)).toBe('2026-05-01')
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-28')
    expect(addMonths('2026-12-15', 1)).toBe('2027-01-15')
    expect(daysInclusive('2026-02-01', '2026-02-28')).toBe(28)
    expect(daysInclusive('2026-02-02', '2026-02-01')).toBe(0)
  })

  it('addMonths never overflows into the following month', () => {
    fc.assert(
      fc.property(
        anyDate.filter((d) => d < '9000-01-01'),
        fc.integer({ min: 0, max: 1200 }),
        (d, n) => {
          const r = addMonths(d, n)
          const months =
            (Number(r.slice(0, 4)) - Number(d.slice(0, 4))) * 12 +
            Number(r.slice(5, 7)) -
            Number(d.slice(5, 7))
          expect(months).toBe(n)
          expect(Number(r.slice(8))).toBe(Math.min(Number(d.slice(8)), daysInPeriod(periodOf(r))))
        },
      ),
    )
  })
})

describe('weekdays', () => {
  it('uses ISO numbering (1 = Monday … 7 = Sunday)', () => {
    expect(weekday('1970-01-01')).toBe(4)
    expect(weekday('2026-02-01')).toBe(7)
    expect(weekday('2026-03-02')).toBe(1)
  })

  it('finds the next and previous weekday', () => {
    expect(nextWeekday('2026-02-02', 7)).toBe('2026-02-08')
    expect(nextWeekday('2026-02-01', 7)).toBe('2026-02-01')
    expect(nextWeekday('2026-02-01', 7, false)).toBe('2026-02-08')
    expect(prevWeekday('2026-02-07', 7)).toBe('2026-02-01')
    expect(prevWeekday('2026-02-01', 7, false)).toBe('2026-01-25')
  })

  it('next/prev land on the weekday within a week', () => {
    fc.assert(
      fc.property(
        anyDate.filter((d) => d > '1970-01-10' && d < '9999-12-20'),
        fc.integer({ min: 1, max: 7 }),
        (d, w) => {
          const wd = w as Weekday
          const n = nextWeekday(d, wd)
          const p = prevWeekday(d, wd)
          expect(weekday(n)).toBe(wd)
          expect(weekday(p)).toBe(wd)
          expect(toDayNumber(n) - toDayNumber(d)).toBeGreaterThanOrEqual(0)
          expect(toDayNumber(n) - toDayNumber(d)).toBeLessThan(7)
          expect(toDayNumber(d) - toDayNumber(p)).toBeGreaterThanOrEqual(0)
          expect(toDayNumber(d) - toDayNumber(p)).toBeLessThan(7)
        },
      ),
    )
  })
})

describe('chain encoding', () => {
  it('is 00:00 UTC of the calendar day, as in Dates.sol', () => {
    expect(dateToUnixSeconds('2026-02-01')).toBe(1_769_904_000n)
    expect(unixSecondsToDate(1_769_904_000n)).toBe('2026-02-01')
    expect(unixSecondsToDate(1_769_904_000 + 86_399)).toBe('2026-02-01')
    expect(() => unixSecondsToDate(-1n)).toThrow(CalendarError)
  })

  it('round-trips every date', () => {
    fc.assert(
      fc.property(anyDate, (d) => {
        expect(unixSecondsToDate(dateToUnixSeconds(d))).toBe(d)
        expect(dateToUnixSeconds(d) % 86_400n).toBe(0n)
      }),
    )
  })

  it('gives the Copenhagen date of an instant, across daylight saving time', () => {
    expect(copenhagenDate(new Date('2026-01-31T23:30:00Z'))).toBe('2026-02-01')
    expect(copenhagenDate(new Date('2026-06-30T22:30:00Z'))).toBe('2026-07-01')
    expect(copenhagenDate(new Date('2026-06-30T21:30:00Z'))).toBe('2026-06-30')
  })
})

describe('periods', () => {
  it('has bounds, neighbours and chain form', () => {
    expect(periodStart('2026-02')).toBe('2026-02-01')
    expect(periodEnd('2026-02')).toBe('2026-02-28')
    expect(nextPeriod('2026-12')).toBe('2027-01')
    expect(prevPeriod('2026-01')).toBe('2025-12')
    expect(addPeriods('2026-02', 11)).toBe('2027-01')
    expect(periodCompact('2026-02')).toBe('202602')
    expect(periodToChain('2026-02')).toBe(202602)
    expect(periodFromChain(202612)).toBe('2026-12')
    expect(() => periodFromChain(202613)).toThrow(CalendarError)
    expect(periodsBetween('2026-11', '2027-02')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02'])
    expect(periodsBetween('2026-03', '2026-02')).toEqual([])
    expect(runDateForPeriod('2026-02')).toBe('2026-03-01')
    expect(runDateForPeriod('2026-12')).toBe('2027-01-01')
  })
})
