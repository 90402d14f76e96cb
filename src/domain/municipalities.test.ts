import { describe, expect, it } from 'vitest'
import {
  MUNICIPALITIES,
  municipalityByCode,
  municipalitySlug,
  parseInhabitantsCsv,
  REGIONS,
} from './municipalities.ts'

describe('municipalities', () => {
  it('lists the 98 municipalities with unique official codes in five regions', () => {
    expect(MUNICIPALITIES).toHaveLength(98)
    expect(new Set(MUNICIPALITIES.map((m) => m.code)).size).toBe(98)
    expect(new Set(MUNICIPALITIES.map((m) => m.name)).size).toBe(98)
    expect(new Set(MUNICIPALITIES.map((m) => m.region))).toEqual(new Set(REGIONS))
    const perRegion = Object.fromEntries(
      REGIONS.map((r) => [r, MUNICIPALITIES.filter((m) => m.region === r).length]),
    )
    expect(perRegion).toEqual({
      'Region Hovedstaden': 29,
      'Region Sjælland': 17,
      'Region Syddanmark': 22,
      'Region Midtjylland': 19,
      'Region Nordjylland': 11,
    })
  })

  it('knows the codes', () => {
    expect(municipalityByCode(101)?.name).toBe('København')
    expect(municipalityByCode(169)?.name).toBe('Høje-Taastrup')
    expect(municipalityByCode(851)).toMatchObject({ name: 'Aalborg', region: 'Region Nordjylland' })
    expect(municipalityByCode(253)?.region).toBe('Region Sjælland')
    expect(municipalityByCode(400)?.region).toBe('Region Hovedstaden')
    expect(municipalityByCode(411)).toBeUndefined()
  })

  it('makes safe file names', () => {
    expect(municipalitySlug({ code: 169, name: 'Høje-Taastrup' })).toBe('169-hoeje-taastrup')
    expect(municipalitySlug({ code: 492, name: 'Ærø' })).toBe('492-aeroe')
    expect(municipalitySlug({ code: 185, name: 'Tårnby' })).toBe('185-taarnby')
    for (const m of MUNICIPALITIES) expect(municipalitySlug(m)).toMatch(/^\d{3}-[a-z0-9]+(-[a-z0-9]+)*$/)
  })
})

describe('parseInhabitantsCsv', () => {
  it('reads a FOLK1A export and skips the country, regions and Christiansø', () => {
    const text = [
      'OMRÅDE;TID;INDHOLD',
      '000 Hele landet;2026K1;6001008',
      '084 Region Hovedstaden;2026K1;1900000',
      '101 København;2026K1;667099',
      '"169 Høje-Taastrup";"2026K1";"57.123"',
      '411 Christiansø;2026K1;90',
    ].join('\r\n')
    const r = parseInhabitantsCsv(text)
    expect(r.errors).toEqual([])
    expect(r.skipped).toBe(4)
    expect(r.updates).toEqual([
      { code: 101, inhabitants: 667099, quarter: '2026K1' },
      { code: 169, inhabitants: 57123, quarter: '2026K1' },
    ])
  })

  it('reads a plain code,name,inhabitants file and takes the quarter from the header', () => {
    const r = parseInhabitantsCsv('kode,navn,2025K3\n825,Læsø,1750\n741,Samsø,3700\n')
    expect(r.updates).toEqual([
      { code: 825, inhabitants: 1750, quarter: '2025K3' },
      { code: 741, inhabitants: 3700, quarter: '2025K3' },
    ])
  })

  it('reports lines without a figure and duplicates', () => {
    const r = parseInhabitantsCsv('101;København;\n147;Frederiksberg;104000\n147;Frederiksberg;104001\n')
    expect(r.errors.map((e) => e.line)).toEqual([1, 3])
  })
})
