/**
 * Business dates: ISO `YYYY-MM-DD` calendar dates as they are in Europe/Copenhagen, and periods `YYYY-MM`.
 *
 * All arithmetic is on whole day numbers (days since 1970-01-01, proleptic Gregorian, Howard Hinnant's
 * civil/days algorithms — the same ones `contracts/src/Dates.sol` uses), never on `Date` objects, so there
 * is no daylight-saving or local-time-zone surprise and the TS previews match the chain day for day.
 */

export type IsoDate = string
export type Period = string
/** ISO weekday: 1 = Monday … 7 = Sunday (as in Dates.sol). */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7

export const SECONDS_PER_DAY = 86_400
export const BUSINESS_TIME_ZONE = 'Europe/Copenhagen'

export class CalendarError extends Error {
  readonly code = 'INVALID_DATE'
  constructor(message: string) {
    super(message)
    this.name = 'CalendarError'
  }
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/
const PERIOD_RE = /^(\d{4})-(\d{2})$/

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

export function daysInMonth(year: number, month: number): number {
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new CalendarError(`No month ${month}`)
  if (month === 2) return isLeapYear(year) ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

export interface Ymd {
  year: number
  month: number
  day: number
}

export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false
  const m = DATE_RE.exec(value)
  if (!m) return false
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  return year >= 1970 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
}

export function parseIsoDate(date: IsoDate): Ymd {
  if (!isIsoDate(date)) throw new CalendarError(`Not a valid date (YYYY-MM-DD, from 1970): "${date}"`)
  const m = DATE_RE.exec(date)!
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }
}

export function formatIsoDate({ year, month, day }: Ymd): IsoDate {
  const date = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
  if (!isIsoDate(date)) throw new CalendarError(`No such date: ${date}`)
  return date
}

/** Days since 1970-01-01. */
export function toDayNumber(date: IsoDate): number {
  const { year, month, day } = parseIsoDate(date)
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = month > 2 ? month - 3 : month + 9
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

export function fromDayNumber(dayNumber: number): IsoDate {
  if (!Number.isSafeInteger(dayNumber) || dayNumber < 0)
    throw new CalendarError(`No date for day ${dayNumber}`)
  const z = dayNumber + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  return formatIsoDate({ year, month, day })
}

export function compareDates(a: IsoDate, b: IsoDate): number {
  const d = toDayNumber(a) - toDayNumber(b)
  return d < 0 ? -1 : d > 0 ? 1 : 0
}

export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return compareDates(a, b) <= 0 ? a : b
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return compareDates(a, b) >= 0 ? a : b
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + days)
}

/** `to − from` in days (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toDayNumber(to) - toDayNumber(from)
}

/** Number of days in the inclusive range [from, to]; 0 when empty (Dates.daysBetween on chain). */
export function daysInclusive(from: IsoDate, to: IsoDate): number {
  return Math.max(0, daysBetween(from, to) + 1)
}

/** Same day-of-month `months` later (or earlier), clamped to the month's end: 31 Jan + 1 → 28/29 Feb. */
export function addMonths(date: IsoDate, months: number): IsoDate {
  if (!Number.isInteger(months)) throw new CalendarError(`Not a whole number of months: ${months}`)
  const { year, month, day } = parseIsoDate(date)
  const index = year * 12 + (month - 1) + months
  const y = Math.floor(index / 12)
  const m = (index % 12) + 1
  return formatIsoDate({ year: y, month: m, day: Math.min(day, daysInMonth(y, m)) })
}

export function weekday(date: IsoDate): Weekday {
  return (((((toDayNumber(date) + 3) % 7) + 7) % 7) + 1) as Weekday
}

export function isWeekday(value: unknown): value is Weekday {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 7
}

/** The first date on or after `date` (strictly after when `inclusive` is false) that falls on `wd`. */
export function nextWeekday(date: IsoDate, wd: Weekday, inclusive = true): IsoDate {
  if (!isWeekday(wd)) throw new CalendarError(`No weekday ${wd}`)
  const start = inclusive ? date : addDays(date, 1)
  return addDays(start, (wd - weekday(start) + 7) % 7)
}

/** The last date on or before `date` (strictly before when `inclusive` is false) that falls on `wd`. */
export function prevWeekday(date: IsoDate, wd: Weekday, inclusive = true): IsoDate {
  if (!isWeekday(wd)) throw new CalendarError(`No weekday ${wd}`)
  const start = inclusive ? date : addDays(date, -1)
  return addDays(start, -((weekday(start) - wd + 7) % 7))
}

// ---- The on-chain encoding ------------------------------------------------------------------------

/**
 * The one place a business date becomes chain time: Unix seconds of 00:00 UTC on that calendar day
 * (Dates.sol: "the Danish business date is encoded as if it were a UTC date"). 2026-02-01 → 1_769_904_000n.
 */
export function dateToUnixSeconds(date: IsoDate): bigint {
  return BigInt(toDayNumber(date)) * BigInt(SECONDS_PER_DAY)
}

/** Inverse of {@link dateToUnixSeconds}; a timestamp inside a day gives that (UTC) day, like Dates.dayOf. */
export function unixSecondsToDate(seconds: bigint | number): IsoDate {
  const s = BigInt(seconds)
  if (s < 0n) throw new CalendarError(`Negative timestamp: ${s}`)
  return fromDayNumber(Number(s / BigInt(SECONDS_PER_DAY)))
}

/**
 * The Copenhagen calendar date of an instant — what "today" is for a caseworker. Differs from the UTC day
 * between midnight and 01:00/02:00 Copenhagen time; the chain uses the UTC day of a block.
 */
export function copenhagenDate(instant: Date): IsoDate {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: BUSINESS_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant)
  const get = (t: string) => parts.find((p) => p.type === t)!.value
  return `${get('year')}-${get('month')}-${get('day')}`
}

// ---- Periods ----------------------------------------------------------------------------------------

export function isPeriod(value: unknown): value is Period {
  if (typeof value !== 'string') return false
  const m = PERIOD_RE.exec(value)
  return !!m && Number(m[1]) >= 1970 && Number(m[2]) >= 1 && Number(m[2]) <= 12
}

export function parsePeriod(period: Period): { year: number; month: number } {
  if (!isPeriod(period)) throw new CalendarError(`Not a valid period (YYYY-MM): "${period}"`)
  const m = PERIOD_RE.exec(period)!
  return { year: Number(m[1]), month: Number(m[2]) }
}

export function periodOf(date: IsoDate): Period {
  parseIsoDate(date)
  return date.slice(0, 7)
}

export function periodStart(period: Period): IsoDate {
  const { year, month } = parsePeriod(period)
  return formatIsoDate({ year, month, day: 1 })
}

export function periodEnd(period: Period): IsoDate {
  const { year, month } = parsePeriod(period)
  return formatIsoDate({ year, month, day: daysInMonth(year, month) })
}

export function daysInPeriod(period: Period): number {
  const { year, month } = parsePeriod(period)
  return daysInMonth(year, month)
}

export function addPeriods(period: Period, n: number): Period {
  return periodOf(addMonths(periodStart(period), n))
}

export function nextPeriod(period: Period): Period {
  return addPeriods(period, 1)
}

export function prevPeriod(period: Period): Period {
  return addPeriods(period, -1)
}

export function comparePeriods(a: Period, b: Period): number {
  parsePeriod(a)
  parsePeriod(b)
  return a < b ? -1 : a > b ? 1 : 0
}

/** Every period from `from` to `to`, both included; empty when `to` is before `from`. */
export function periodsBetween(from: Period, to: Period): Period[] {
  const out: Period[] = []
  for (let p = from; comparePeriods(p, to) <= 0; p = nextPeriod(p)) out.push(p)
  return out
}

/** `YYYYMM`, as in EndToEndIds and the chain's uint32 periods (2026-02 → 202602). */
export function periodCompact(period: Period): string {
  parsePeriod(period)
  return period.replace('-', '')
}

export function periodToChain(period: Period): number {
  return Number(periodCompact(period))
}

export function periodFromChain(value: number | bigint): Period {
  const n = Number(value)
  const period = `${String(Math.floor(n / 100)).padStart(4, '0')}-${String(n % 100).padStart(2, '0')}`
  if (!Number.isInteger(n) || !isPeriod(period)) throw new CalendarError(`Not a chain period: ${value}`)
  return period
}

/** The payment run for a month happens in arrears, on the first day of the next month. */
export function runDateForPeriod(period: Period): IsoDate {
  return periodStart(nextPeriod(period))
}
