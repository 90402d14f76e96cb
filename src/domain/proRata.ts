/**
 * Monthly entitlement by calendar days — the rule the contracts enforce, in TS for previews and checks:
 * per line, `price × daysActive / daysInMonth`, rounded half-up to whole øre per line; nothing for days
 * before the line's start, after its end or after the agreement's end (termination).
 */
import type { ServiceLine } from './agreementModel.ts'
import { daysInclusive, daysInPeriod, type IsoDate, minDate, type Period } from './calendar.ts'
import { mulDivHalfUp, type Ore } from './money.ts'
import { type AgreementWindow, activeWindow, expectedForLine } from './schedule.ts'

/** The last day a line can be paid for: its own end, cut by the agreement's end (termination/expiry). */
export function effectiveEnd(lineEnd: IsoDate | null, agreementEnd: IsoDate | null = null): IsoDate | null {
  if (lineEnd === null) return agreementEnd
  if (agreementEnd === null) return lineEnd
  return minDate(lineEnd, agreementEnd)
}

/** Days of `period` on which the line (and the agreement, when given) is in force. */
export function daysActiveInPeriod(
  period: Period,
  line: { start: IsoDate; end: IsoDate | null },
  agreement: AgreementWindow = {},
): number {
  const w = activeWindow(period, line, agreement)
  return w ? daysInclusive(w.from, w.to) : 0
}

/** `priceOre × daysActive / daysInMonth`, rounded half-up (the one rounding, per line). */
export function proRataOre(priceOre: Ore, daysActive: number, daysInMonth: number): Ore {
  if (priceOre < 0n) throw new RangeError('A price cannot be negative')
  if (
    !Number.isInteger(daysActive) ||
    !Number.isInteger(daysInMonth) ||
    daysInMonth < 28 ||
    daysInMonth > 31
  ) {
    throw new RangeError(`Bad day counts ${daysActive}/${daysInMonth}`)
  }
  if (daysActive < 0 || daysActive > daysInMonth)
    throw new RangeError(`Bad day counts ${daysActive}/${daysInMonth}`)
  if (daysActive === daysInMonth) return priceOre
  return mulDivHalfUp(priceOre, BigInt(daysActive), BigInt(daysInMonth))
}

export interface LineEntitlement {
  index: number
  unit: ServiceLine['unit']
  /** `prorata` for month lines; `invoiced` for hour/session lines (paid per invoice checked against schedule). */
  basis: 'prorata' | 'invoiced'
  daysActive: number
  daysInMonth: number
  /** Pro-rata amount for month lines; the schedule's expected amount for invoiced lines. */
  amountOre: Ore
  /** Sessions and quantity the schedule allows (invoiced lines only; 0 for month lines). */
  expectedSessions: number
  expectedQuantity: number
}

export type EntitlementLine = Pick<ServiceLine, 'index' | 'priceOre' | 'unit' | 'schedule' | 'start' | 'end'>

export function lineEntitlement(
  line: EntitlementLine,
  period: Period,
  agreement: AgreementWindow = {},
): LineEntitlement {
  const dim = daysInPeriod(period)
  const daysActive = daysActiveInPeriod(period, line, agreement)
  if (line.unit === 'month') {
    return {
      index: line.index,
      unit: line.unit,
      basis: 'prorata',
      daysActive,
      daysInMonth: dim,
      amountOre: proRataOre(line.priceOre, daysActive, dim),
      expectedSessions: 0,
      expectedQuantity: 0,
    }
  }
  const expected = expectedForLine(line, period, agreement)
  return {
    index: line.index,
    unit: line.unit,
    basis: 'invoiced',
    daysActive,
    daysInMonth: dim,
    amountOre: expected.amountOre,
    expectedSessions: expected.sessions,
    expectedQuantity: expected.quantity,
  }
}

export interface MonthEntitlement {
  period: Period
  lines: LineEntitlement[]
  /** Sum of the pro-rata (month) lines: what the monthly run pays without an invoice. */
  proRataTotalOre: Ore
  /** Sum of the invoiced lines' expected amounts (the most their invoices may claim). */
  invoicedExpectedOre: Ore
}

/** Entitlement of every line of one agreement version for `period` (PaymentLedger.entitlement). */
export function monthEntitlement(
  lines: readonly EntitlementLine[],
  period: Period,
  agreement: AgreementWindow = {},
): MonthEntitlement {
  const out = lines.map((l) => lineEntitlement(l, period, agreement))
  let proRataTotalOre = 0n
  let invoicedExpectedOre = 0n
  for (const l of out) {
    if (l.basis === 'prorata') proRataTotalOre += l.amountOre
    else invoicedExpectedOre += l.amountOre
  }
  return { period, lines: out, proRataTotalOre, invoicedExpectedOre }
}

/**
 * The monthly value of a line held against the approval threshold (AgreementRegistry.monthlyValueOf):
 * the price for a month line; for an hour/session line the price times the most sessions a month can
 * hold (⌈31 / (7·everyWeeks)⌉), times the hours per session for an hour line.
 */
export function lineMonthlyValueOre(line: Pick<ServiceLine, 'priceOre' | 'unit' | 'schedule'>): Ore {
  if (line.unit === 'month') return line.priceOre
  if (line.schedule.kind !== 'sessions') throw new RangeError(`An ${line.unit} line needs a session schedule`)
  const step = 7 * line.schedule.everyWeeks
  const sessions = Math.ceil(31 / step)
  const quantity = line.unit === 'hour' ? sessions * line.schedule.hoursPerSession : sessions
  return line.priceOre * BigInt(quantity)
}

export function monthlyValueOre(lines: readonly Pick<ServiceLine, 'priceOre' | 'unit' | 'schedule'>[]): Ore {
  let total = 0n
  for (const l of lines) total += lineMonthlyValueOre(l)
  return total
}
