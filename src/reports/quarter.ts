/** Calendar quarters as used in the reports: '2026Q2' = 2026-04-01 .. 2026-06-30. */

export interface QuarterRange {
  quarter: string
  year: number
  q: 1 | 2 | 3 | 4
  /** First day, ISO date. */
  start: string
  /** Last day, ISO date. */
  end: string
  /** The three months as 'YYYY-MM'. */
  months: [string, string, string]
}

const pattern = /^(\d{4})Q([1-4])$/

export function isQuarter(value: string): boolean {
  return pattern.test(value)
}

export function quarterRange(quarter: string): QuarterRange {
  const m = quarter.match(pattern)
  if (!m) throw new RangeError(`not a quarter: ${quarter} (expected e.g. 2026Q2)`)
  const year = Number(m[1])
  const q = Number(m[2]) as 1 | 2 | 3 | 4
  const firstMonth = (q - 1) * 3 + 1
  const mm = (n: number) => String(n).padStart(2, '0')
  const lastDay = new Date(Date.UTC(year, firstMonth + 2, 0)).getUTCDate()
  return {
    quarter,
    year,
    q,
    start: `${year}-${mm(firstMonth)}-01`,
    end: `${year}-${mm(firstMonth + 2)}-${mm(lastDay)}`,
    months: [`${year}-${mm(firstMonth)}`, `${year}-${mm(firstMonth + 1)}`, `${year}-${mm(firstMonth + 2)}`],
  }
}

export function previousQuarter(quarter: string): string {
  const { year, q } = quarterRange(quarter)
  return q === 1 ? `${year - 1}Q4` : `${year}Q${q - 1}`
}

export function nextQuarter(quarter: string): string {
  const { year, q } = quarterRange(quarter)
  return q === 4 ? `${year + 1}Q1` : `${year}Q${q + 1}`
}

export function quarterOfDate(isoDate: string): string {
  const year = isoDate.slice(0, 4)
  const month = Number(isoDate.slice(5, 7))
  return `${year}Q${Math.floor((month - 1) / 3) + 1}`
}

/** Whole days from a to b (b - a) for ISO dates. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000)
}

/** Danish label: '2. kvartal 2026'. */
export function quarterLabel(quarter: string): string {
  const { year, q } = quarterRange(quarter)
  return `${q}. kvartal ${year}`
}
