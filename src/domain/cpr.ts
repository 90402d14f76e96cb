/**
 * Danish CPR numbers (personnummer): DDMMYY-SSSS. The century comes from the 7th digit
 * (CPR-kontoret's table); modulus-11 is NOT a validity rule, since numbers issued after
 * 1 October 2007 need not satisfy it.
 */

export type Sex = 'male' | 'female'

export interface Cpr {
  /** Ten digits, no separator. */
  digits: string
  /** Date of birth, ISO YYYY-MM-DD. */
  birthDate: string
  sex: Sex
  /** Whether the weighted modulus-11 check holds (a hint only). */
  modulus11: boolean
}

export type CprErrorReason = 'format' | 'date' | 'century'

export class InvalidCprError extends Error {
  override name = 'InvalidCprError'
  readonly code = 'CPR_INVALID'
  constructor(readonly reason: CprErrorReason) {
    // Never echo the number itself: error messages end up in logs.
    super(
      reason === 'format'
        ? 'CPR number must be 10 digits (DDMMYY-SSSS)'
        : reason === 'date'
          ? 'CPR number does not start with a valid date'
          : 'CPR number has no valid century for its 7th digit',
    )
  }
}

const WEIGHTS = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1]

/** Full year from the two-digit year and the 7th digit, or null when the combination is unused. */
export function cprCentury(yy: number, digit7: number): number | null {
  if (digit7 <= 3) return 1900 + yy
  if (digit7 === 4 || digit7 === 9) return yy <= 36 ? 2000 + yy : 1900 + yy
  // 5-8
  if (yy <= 57) return 2000 + yy
  return 1800 + yy
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
}

export function daysInMonth(y: number, m: number): number {
  return [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0
}

export function modulus11(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false
  let sum = 0
  for (let i = 0; i < 10; i++) sum += Number(digits[i]) * WEIGHTS[i]!
  return sum % 11 === 0
}

/** Birth date of ten CPR digits, or null if the date/century is impossible. */
export function cprBirthDate(digits: string): string | null {
  if (!/^\d{10}$/.test(digits)) return null
  const dd = Number(digits.slice(0, 2))
  const mm = Number(digits.slice(2, 4))
  const yy = Number(digits.slice(4, 6))
  const year = cprCentury(yy, Number(digits[6]))
  if (year === null || mm < 1 || mm > 12 || dd < 1 || dd > daysInMonth(year, mm)) return null
  return `${year}-${String(mm).padStart(2, '0')}-${String(dd).padStart(2, '0')}`
}

/** Strips one optional '-' or ' ' between the date and the serial; anything else is a format error. */
export function normaliseCpr(input: string): string | null {
  const m = /^\s*(\d{6})[- ]?(\d{4})\s*$/.exec(input)
  return m ? `${m[1]}${m[2]}` : null
}

export function parseCpr(input: string): Cpr {
  const digits = normaliseCpr(input)
  if (!digits) throw new InvalidCprError('format')
  const mm = Number(digits.slice(2, 4))
  const dd = Number(digits.slice(0, 2))
  if (mm < 1 || mm > 12 || dd < 1 || dd > 31) throw new InvalidCprError('date')
  const birthDate = cprBirthDate(digits)
  if (!birthDate) throw new InvalidCprError('date')
  return {
    digits,
    birthDate,
    sex: Number(digits[9]) % 2 === 1 ? 'male' : 'female',
    modulus11: modulus11(digits),
  }
}

export function isValidCpr(input: string): boolean {
  try {
    parseCpr(input)
    return true
  } catch {
    return false
  }
}

/** Whole years of age on an ISO date (a person born 29 February turns a year older on 1 March in non-leap years). */
export function ageAt(cpr: Cpr | string, onDate: string): number {
  const birth = typeof cpr === 'string' ? parseCpr(cpr).birthDate : cpr.birthDate
  const [by, bm, bd] = birth.split('-').map(Number) as [number, number, number]
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(onDate)
  if (!m) throw new Error(`not an ISO date: ${onDate}`)
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  let age = y - by
  if (mo < bm || (mo === bm && d < bd)) age--
  if (age < 0) throw new Error('date is before the birth date')
  return age
}

/** Masked form for display where the full number must not be shown: DDMMYY-XXXX. */
export function maskCpr(digits: string): string {
  return `${digits.slice(0, 6)}-XXXX`
}
