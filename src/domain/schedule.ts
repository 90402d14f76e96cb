/**
 * Session schedules ("4 hours every 2nd Sunday from 2026-02-01") and the invoice check built on them.
 * Sessions are the series anchor + k·(7·everyWeeks) days, k ≥ 0 — Dates.countSeries on chain — limited
 * to the days the line is active.
 */
import type { Schedule, ServiceLine, SessionSchedule } from './agreementModel.ts'
import {
  addDays,
  compareDates,
  type IsoDate,
  isIsoDate,
  isWeekday,
  maxDate,
  minDate,
  type Period,
  periodEnd,
  periodStart,
  toDayNumber,
  weekday,
} from './calendar.ts'
import type { Ore } from './money.ts'

export class ScheduleError extends Error {
  readonly code = 'INVALID_SCHEDULE'
  constructor(message: string) {
    super(message)
    this.name = 'ScheduleError'
  }
}

/** Throws a ScheduleError naming what is wrong; the same constraints as the contracts' uint8/uint16 fields. */
export function assertValidSchedule(schedule: Schedule): void {
  if (schedule.kind === 'monthly') return
  const { hoursPerSession, everyWeeks, weekday: wd, anchor } = schedule
  if (!Number.isInteger(hoursPerSession) || hoursPerSession < 1 || hoursPerSession > 65_535) {
    throw new ScheduleError(`hoursPerSession must be a whole number 1–65535, got ${hoursPerSession}`)
  }
  if (!Number.isInteger(everyWeeks) || everyWeeks < 1 || everyWeeks > 255) {
    throw new ScheduleError(`everyWeeks must be a whole number 1–255, got ${everyWeeks}`)
  }
  if (!isWeekday(wd)) throw new ScheduleError(`weekday must be 1 (Monday) … 7 (Sunday), got ${wd}`)
  if (!isIsoDate(anchor)) throw new ScheduleError(`anchor must be a date YYYY-MM-DD, got ${anchor}`)
  if (weekday(anchor) !== wd) throw new ScheduleError(`anchor ${anchor} is not on weekday ${wd}`)
}

/** Number of sessions in [from, to] (both included), by arithmetic — no iteration over days. */
export function countSessions(schedule: SessionSchedule, from: IsoDate, to: IsoDate): number {
  assertValidSchedule(schedule)
  const a = toDayNumber(schedule.anchor)
  const f = toDayNumber(from)
  const t = toDayNumber(to)
  const step = 7 * schedule.everyWeeks
  if (t < f || t < a) return 0
  const firstK = f <= a ? 0 : Math.ceil((f - a) / step)
  const lastK = Math.floor((t - a) / step)
  return lastK >= firstK ? lastK - firstK + 1 : 0
}

/** The session dates in [from, to], in order. */
export function sessionDates(schedule: SessionSchedule, from: IsoDate, to: IsoDate): IsoDate[] {
  const n = countSessions(schedule, from, to)
  if (n === 0) return []
  const step = 7 * schedule.everyWeeks
  const a = toDayNumber(schedule.anchor)
  const f = toDayNumber(from)
  const firstK = f <= a ? 0 : Math.ceil((f - a) / step)
  const first = addDays(schedule.anchor, firstK * step)
  return Array.from({ length: n }, (_, i) => addDays(first, i * step))
}

/** The part of `period` in which a line is active, or null when it is not active at all. */
export function activeRangeInPeriod(
  period: Period,
  start: IsoDate,
  end: IsoDate | null,
): { from: IsoDate; to: IsoDate } | null {
  const from = maxDate(start, periodStart(period))
  const to = end === null ? periodEnd(period) : minDate(end, periodEnd(period))
  return compareDates(from, to) > 0 ? null : { from, to }
}

export type ScheduledLine = Pick<ServiceLine, 'priceOre' | 'unit' | 'schedule' | 'start' | 'end'>

export interface Expected {
  sessions: number
  /** Hours for an hour line, sessions for a session line. */
  quantity: number
  amountOre: Ore
  dates: IsoDate[]
}

/**
 * What a schedule allows a line to invoice for `period`: the sessions on active days, and their quantity
 * (hours = sessions × hoursPerSession for an hour line; sessions for a session line) × price.
 */
export function expectedForLine(
  line: ScheduledLine,
  period: Period,
  agreementEnd: IsoDate | null = null,
): Expected {
  if (line.unit === 'month') throw new ScheduleError('A month line is paid pro rata, not per invoice')
  if (line.schedule.kind !== 'sessions') {
    throw new ScheduleError(`An ${line.unit} line needs a session schedule to be checked`)
  }
  const end =
    line.end === null ? agreementEnd : agreementEnd === null ? line.end : minDate(line.end, agreementEnd)
  const range = activeRangeInPeriod(period, line.start, end)
  const dates = range ? sessionDates(line.schedule, range.from, range.to) : []
  const sessions = dates.length
  const quantity = line.unit === 'hour' ? sessions * line.schedule.hoursPerSession : sessions
  return { sessions, quantity, amountOre: line.priceOre * BigInt(quantity), dates }
}

export interface InvoiceClaim {
  /** Hours for an hour line, sessions for a session line; whole units, as on chain. */
  quantity: number
  amountOre: Ore
}

export interface InvoiceCheck {
  status: 'accepted' | 'deviation'
  expected: Expected
  /** Codes for each way the invoice deviates; empty when accepted. */
  deviations: Array<'quantity_above_schedule' | 'quantity_below_schedule' | 'amount_not_quantity_times_price'>
}

/**
 * An invoice is accepted when its quantity is exactly what the schedule allows in the period and its
 * amount is quantity × price; anything else is flagged as a deviation for a person to decide.
 */
export function checkInvoice(
  line: ScheduledLine,
  period: Period,
  claim: InvoiceClaim,
  agreementEnd: IsoDate | null = null,
): InvoiceCheck {
  if (!Number.isInteger(claim.quantity) || claim.quantity < 0) {
    throw new ScheduleError(`Invoice quantity must be a whole number ≥ 0, got ${claim.quantity}`)
  }
  const expected = expectedForLine(line, period, agreementEnd)
  const deviations: InvoiceCheck['deviations'] = []
  if (claim.quantity > expected.quantity) deviations.push('quantity_above_schedule')
  if (claim.quantity < expected.quantity) deviations.push('quantity_below_schedule')
  if (claim.amountOre !== line.priceOre * BigInt(claim.quantity))
    deviations.push('amount_not_quantity_times_price')
  return { status: deviations.length === 0 ? 'accepted' : 'deviation', expected, deviations }
}
