/**
 * Danish formatting and parsing of money (bigint øre, never floats) and ISO calendar dates.
 * The API sends øre as decimal strings ("7250000") and dates as YYYY-MM-DD.
 */

const groupFormat = new Intl.NumberFormat('da-DK', { useGrouping: true, maximumFractionDigits: 0 })

function toOre(value: bigint | string | number): bigint {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`øre must be a whole number: ${value}`)
    return BigInt(value)
  }
  if (!/^-?\d+$/.test(value)) throw new RangeError(`øre must be a whole number: ${value}`)
  return BigInt(value)
}

/** `7250000n` → `72.500,00 kr` */
export function formatKr(ore: bigint | string | number): string {
  return `${formatKrNumber(ore)} kr`
}

/** `7250000n` → `72.500,00` (no unit; for input fields and tables with a unit header). */
export function formatKrNumber(ore: bigint | string | number): string {
  const v = toOre(ore)
  const negative = v < 0n
  const abs = negative ? -v : v
  const kr = abs / 100n
  const rest = abs % 100n
  return `${negative ? '-' : ''}${groupFormat.format(kr)},${rest.toString().padStart(2, '0')}`
}

/**
 * Parses an amount in kroner as a person types it: `72.500,00`, `72500`, `72 500,5 kr`, `6500.50`.
 * A comma is the decimal separator; dots are thousands separators unless a single dot is followed
 * by one or two digits (`6500.5`), which people type from English keyboards. Returns whole øre,
 * or null when the text is not a non-negative amount with at most two decimals.
 */
export function parseKr(input: string): bigint | null {
  let s = input.trim().replace(/\s|\u00a0/g, '')
  s = s.replace(/(kr\.?|dkk)$/i, '')
  if (s === '') return null
  let intPart: string
  let frac = ''
  if (s.includes(',')) {
    const parts = s.split(',')
    if (parts.length !== 2) return null
    intPart = parts[0] ?? ''
    frac = parts[1] ?? ''
    if (intPart.includes('.') && !/^\d{1,3}(\.\d{3})+$/.test(intPart)) return null
    intPart = intPart.replace(/\./g, '')
  } else if (/^\d+\.\d{1,2}$/.test(s)) {
    ;[intPart = '', frac = ''] = s.split('.')
  } else if (s.includes('.')) {
    if (!/^\d{1,3}(\.\d{3})+$/.test(s)) return null
    intPart = s.replace(/\./g, '')
  } else {
    intPart = s
  }
  if (intPart === '') intPart = '0'
  if (!/^\d+$/.test(intPart) || !/^\d{0,2}$/.test(frac)) return null
  return BigInt(intPart) * 100n + BigInt(frac.padEnd(2, '0'))
}

/** Øre as the text an input field starts with: `52000,00`, without thousands separators. */
export function oreToInput(ore: bigint | string): string {
  return formatKrNumber(ore).replace(/\./g, '')
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** True for a real calendar date written YYYY-MM-DD (2026-02-30 is not). */
export function isIsoDate(s: string): boolean {
  const m = ISO_DATE.exec(s)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const t = new Date(Date.UTC(y, mo - 1, d))
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d
}

const dateFormat = new Intl.DateTimeFormat('da-DK', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
})
const monthFormat = new Intl.DateTimeFormat('da-DK', { month: 'long', year: 'numeric', timeZone: 'UTC' })
const dateTimeFormat = new Intl.DateTimeFormat('da-DK', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/Copenhagen',
})

/** `2026-02-01` → `1. februar 2026`. Business dates are calendar dates, so no time zone shifts them. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return ''
  const day = iso.slice(0, 10)
  if (!isIsoDate(day)) return iso
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return dateFormat.format(Date.UTC(y, m - 1, d))
}

/** `2026-02` → `februar 2026` */
export function formatMonth(period: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period)
  if (!m) return period
  return monthFormat.format(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1))
}

/**
 * A moment (ISO timestamp or Unix seconds) in Danish time: `14. januar 2026 kl. 10.15`.
 */
export function formatDateTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return ''
  const d = typeof value === 'number' ? new Date(value * 1000) : new Date(value)
  if (Number.isNaN(d.getTime())) return String(value)
  return dateTimeFormat.format(d)
}

/**
 * A timeline's "when": a plain business date (`2026-02-01`) as a date, a moment with its time.
 * A date alone must not be read as midnight UTC, which Danish time would show as 01.00.
 */
export function formatWhen(value: string | null | undefined): string {
  if (!value) return ''
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? formatDate(value) : formatDateTime(value)
}

/** Adds whole days to an ISO date. */
export function addDays(iso: string, days: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10)
}

/** The month before an ISO date's month, as YYYY-MM (the period a run on the 1st pays for). */
export function previousMonth(iso: string): string {
  const [y, m] = iso.split('-').map(Number) as [number, number]
  const t = new Date(Date.UTC(y, m - 2, 1))
  return t.toISOString().slice(0, 7)
}

export const unitLabel: Record<string, string> = {
  month: 'pr. måned',
  hour: 'pr. time',
  session: 'pr. gang',
}

export const weekdayLabel = ['mandag', 'tirsdag', 'onsdag', 'torsdag', 'fredag', 'lørdag', 'søndag'] as const

/** Validates a Danish CPR number's shape and embedded birth date (modulus 11 is not required since 2007). */
export function isCprShape(input: string): boolean {
  const s = input.replace(/[\s-]/g, '')
  if (!/^\d{10}$/.test(s)) return false
  const dd = Number(s.slice(0, 2))
  const mm = Number(s.slice(2, 4))
  const yy = Number(s.slice(4, 6))
  const d7 = Number(s[6])
  let century: number
  if (d7 <= 3) century = 1900
  else if (d7 === 4 || d7 === 9) century = yy <= 36 ? 2000 : 1900
  else century = yy <= 57 ? 2000 : 1800
  const y = century + yy
  return isIsoDate(`${y}-${String(mm).padStart(2, '0')}-${String(dd).padStart(2, '0')}`)
}
