/**
 * Danish display forms for texts the server composes (timelines, validation messages): the web app
 * shows them as they are, so they must read like its own formatting — `72.500,00 kr`,
 * `1. februar 2026`, `februar 2026`.
 */
import { isIsoDate, isPeriod } from './calendar.ts'
import { formatDanish } from './money.ts'

const MONTHS = [
  'januar',
  'februar',
  'marts',
  'april',
  'maj',
  'juni',
  'juli',
  'august',
  'september',
  'oktober',
  'november',
  'december',
] as const

/** `2026-02-01` → `1. februar 2026`; anything not a calendar date is returned unchanged. */
export function danishDate(iso: string): string {
  if (!isIsoDate(iso)) return iso
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number]
  return `${d}. ${MONTHS[m - 1]} ${y}`
}

/** `2026-02` → `februar 2026`; anything not a period is returned unchanged. */
export function danishMonth(period: string): string {
  if (!isPeriod(period)) return period
  const [y, m] = period.split('-').map(Number) as [number, number]
  return `${MONTHS[m - 1]} ${y}`
}

/** Øre → `72.500,00 kr` (the web app's form, without the abbreviation dot). */
export function danishKr(ore: bigint | string): string {
  return `${formatDanish(BigInt(ore))} kr`
}
