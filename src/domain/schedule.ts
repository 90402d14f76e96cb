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

/**
 * The agreement's own dates, which bound every line (PaymentLedger._window): `end` is the termination or
 * expiry date once there is one.
 */
export interface AgreementWindow {
  start?: IsoDate | null
  end?: IsoDate | null
}

/**
 * The days of `period` on which both the line and the agreement are in force, or null when there are
 * none — PaymentLedger._window on chain.
 */
export function activeWindow(
  period: Period,
  line: { start: IsoDate; end: IsoDate | null },
  agreement: AgreementWindow = {},
): { from: IsoDate; to: IsoDate } | null {
  let from = maxDate(line.start, periodStart(period))
  if (agreement.start) from = maxDate(from, agreement.start)
  let to = line.end === null ? periodEnd(period) : minDate(line.end, periodEnd(period))
  if (agreement.end) to = minDate(to, agreement.end)
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
  agreement: AgreementWindow = {},
): Expected {
  if (line.unit === 'month') throw new ScheduleError('A month line is paid pro rata, not per invoice')
  if (line.schedule.kind !== 'sessions') {
    throw new ScheduleError(`An ${line.unit} line needs a session schedule to be checked`)
  }
  const range = activeWindow(period, line, agreement)
  const dates = range ? sessionDates(line.schedule, range.from, range.to) : []
  const sessions = dates.length
  const quantity = line.unit === 'hour' ? sessions * line.schedule.hoursPerSession : sessions
  return { sessions, quantity, amountOre: line.priceOre * BigInt(quantity), dates }
}

export interface InvoiceClaim {
  /** Hours for an hour line, sessions for a session line; whole units greater than 0, as on chain. */
  quantity: number
  /** Quantity of this line and month already accepted from earlier invoices. */
  alreadyAccepted?: number
  /**
   * The amount the provider's invoice states, when known. The chain computes quantity × price itself;
   * this is an off-chain sanity check of the invoice document.
   */
  amountOre?: Ore
}

export interface InvoiceCheck {
  status: 'accepted' | 'deviation'
  expected: Expected
  /** What may still be accepted this month (expected − already accepted). */
  remainingQuantity: number
  /** quantity × price: what is paid when accepted. */
  amountOre: Ore
  /** Codes for each way the invoice deviates; empty when accepted. */
  deviations: Array<'quantity_above_schedule' | 'amount_not_quantity_times_price'>
}

/**
 * PaymentLedger.submitInvoice's rule: accepted when the quantity accepted so far plus this claim stays
 * within what the schedule holds for the line's active days that month; otherwise a deviation, not paid.
 */
export function checkInvoice(
  line: ScheduledLine,
  period: Period,
  claim: InvoiceClaim,
  agreement: AgreementWindow = {},
): InvoiceCheck {
  const already = claim.alreadyAccepted ?? 0
  if (!Number.isInteger(claim.quantity) || claim.quantity < 1) {
    throw new ScheduleError(`Invoice quantity must be a whole number ≥ 1, got ${claim.quantity}`)
  }
  if (!Number.isInteger(already) || already < 0) {
    throw new ScheduleError(`Already accepted quantity must be a whole number ≥ 0, got ${already}`)
  }
  const expected = expectedForLine(line, period, agreement)
  const amountOre = line.priceOre * BigInt(claim.quantity)
  const deviations: InvoiceCheck['deviations'] = []
  if (already + claim.quantity > expected.quantity) deviations.push('quantity_above_schedule')
  if (claim.amountOre !== undefined && claim.amountOre !== amountOre)
    deviations.push('amount_not_quantity_times_price')
  return {
    status: deviations.length === 0 ? 'accepted' : 'deviation',
    expected,
    remainingQuantity: Math.max(0, expected.quantity - already),
    amountOre,
    deviations,
  }
}
