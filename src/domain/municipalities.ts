/**
 * The 98 Danish municipalities (kommuner) with their official codes and regions, and a parser for
 * inhabitant figures exported from Danmarks Statistik's table FOLK1A. The data file cites its source.
 */
import data from './data/municipalities.json' with { type: 'json' }

export const REGIONS = [
  'Region Hovedstaden',
  'Region Sjælland',
  'Region Syddanmark',
  'Region Midtjylland',
  'Region Nordjylland',
] as const
export type Region = (typeof REGIONS)[number]

export interface Municipality {
  /** Kommunekode, e.g. 101 København, 169 Høje-Taastrup. */
  code: number
  name: string
  region: Region
  /** Total population from FOLK1A; null until imported. */
  inhabitants: number | null
}

export const MUNICIPALITY_SOURCE: { codes: string; inhabitants: string; inhabitantsQuarter: string | null } =
  data.source

export const MUNICIPALITIES: readonly Municipality[] = data.municipalities.map((m) => ({
  code: m.code,
  name: m.name,
  region: m.region as Region,
  inhabitants: m.inhabitants as number | null,
}))

const byCode = new Map(MUNICIPALITIES.map((m) => [m.code, m]))

export function municipalityByCode(code: number): Municipality | undefined {
  return byCode.get(code)
}

export function isMunicipalityCode(code: number): boolean {
  return byCode.has(code)
}

/**
 * A file name that survives every file system and shell: "169-hoeje-taastrup".
 * Danish letters are transliterated the way Danes do when they cannot type them.
 */
export function municipalitySlug(m: { code: number; name: string }): string {
  const name = m.name
    .toLowerCase()
    .replaceAll('æ', 'ae')
    .replaceAll('ø', 'oe')
    .replaceAll('å', 'aa')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  return `${m.code}-${name}`
}

export interface InhabitantsUpdate {
  code: number
  inhabitants: number
  /** FOLK1A quarter such as "2026K1" when the file says so. */
  quarter: string | null
}

export interface InhabitantsParseResult {
  updates: InhabitantsUpdate[]
  /** Lines that named no municipality (headers, "000 Hele landet", regions, 411 Christiansø). */
  skipped: number
  errors: { line: number; message: string }[]
}

const quarterPattern = /(\d{4})K([1-4])/

function splitFields(line: string): string[] {
  const sep = line.includes(';') ? ';' : line.includes('\t') ? '\t' : ','
  return line.split(sep).map((f) => f.trim().replace(/^"|"$/g, '').trim())
}

function parseCount(field: string): number | null {
  const compact = field.replace(/\s/g, '')
  if (/^\d+$/.test(compact)) return Number(compact)
  // Danish thousands separators ("667.099") but never decimals.
  if (/^\d{1,3}([.,]\d{3})+$/.test(compact)) return Number(compact.replace(/[.,]/g, ''))
  return null
}

/**
 * Reads inhabitants per municipality from CSV text. Accepts what Statistikbanken exports for FOLK1A
 * ("101 København;2026K1;667099", with or without a header, ';' ',' or tab separated) and a plain
 * "code,name,inhabitants" file. The code is the leading number of the first field that starts
 * with one; the figure is the last whole number on the line.
 */
export function parseInhabitantsCsv(text: string): InhabitantsParseResult {
  const result: InhabitantsParseResult = { updates: [], skipped: 0, errors: [] }
  const headerQuarter = text.match(quarterPattern)
  const seen = new Set<number>()
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  lines.forEach((raw, i) => {
    const line = raw.trim()
    if (!line) return
    const fields = splitFields(line)
    const codeField = fields.find((f) => /^\d{1,4}(\s|$)/.test(f))
    const code = codeField ? Number(codeField.match(/^\d+/)![0]) : Number.NaN
    if (!isMunicipalityCode(code)) {
      result.skipped++
      return
    }
    const counts = fields.filter((f) => f !== codeField).map(parseCount)
    const inhabitants = counts.reverse().find((c): c is number => c !== null)
    if (inhabitants === undefined || inhabitants <= 0) {
      result.errors.push({ line: i + 1, message: `no inhabitant figure for municipality ${code}` })
      return
    }
    if (seen.has(code)) {
      result.errors.push({ line: i + 1, message: `municipality ${code} appears twice` })
      return
    }
    seen.add(code)
    const q = line.match(quarterPattern) ?? headerQuarter
    result.updates.push({ code, inhabitants, quarter: q ? `${q[1]}K${q[2]}` : null })
  })
  return result
}
