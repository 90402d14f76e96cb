import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PDFParse } from 'pdf-parse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MUNICIPALITIES } from '../../src/domain/municipalities.ts'
import type { AgreementFactRow, RolloutRows } from '../../src/reports/kpi.ts'
import { computeRolloutKpis } from '../../src/reports/kpi.ts'
import {
  type BuildReportsResult,
  buildQuarterlyReports,
} from '../../src/reports/pdf/buildQuarterlyReports.ts'
import { publishRollout, suppressionTables } from '../../src/reports/reportData.ts'
import { derivableCells, type SuppressedTable } from '../../src/reports/suppression.ts'

const KLE = ['27.20.08', '27.16.04', '27.16.02']

/**
 * All 98 municipalities with a known number of active agreements each: København 12, Høje-Taastrup 3
 * and Læsø 1 (both below the minimum cell size), the others 5 to 11.
 */
function fixture(): RolloutRows {
  const agreements: AgreementFactRow[] = []
  const usage: RolloutRows['usage'] = []
  MUNICIPALITIES.forEach((m, i) => {
    const active = m.code === 101 ? 12 : m.code === 169 ? 3 : m.code === 825 ? 1 : 5 + (i % 7)
    for (let k = 0; k < active; k++) {
      agreements.push({
        agreementId: `${m.code}-${k}`,
        municipalityCode: m.code,
        template: k % 2 ? 'Aflastning (SEL § 84)' : 'Socialpædagogisk støtte (SEL § 85)',
        kle: KLE[k % 3]!,
        provider: `P${k % 4}`,
        createdDate: '2026-01-05',
        activatedDate: '2026-02-01',
        terminatedDate: null,
        lastPaidDate: null,
      })
    }
    for (const month of ['2026-04', '2026-05', '2026-06'])
      usage.push({ municipalityCode: m.code, month, apiCalls: 100 * active, events: active })
  })
  return {
    synthetic: false,
    municipalities: MUNICIPALITIES.map((m, i) => ({ ...m, inhabitants: 20_000 + i * 1000 })),
    agreements,
    activity: [],
    usage,
    connections: [
      {
        municipalityCode: 101,
        provider: 'P0',
        system: 'Fagsystem',
        status: 'klarmeldt',
        statusDate: '2026-03-01',
      },
    ],
  }
}

async function pdfText(file: string): Promise<{ text: string; pages: number }> {
  const parser = new PDFParse({ data: await fs.readFile(file) })
  try {
    const r = await parser.getText()
    return { text: r.text.replace(/\s+/g, ' '), pages: r.total }
  } finally {
    await parser.destroy()
  }
}

function visibleSmall(t: SuppressedTable): number[] {
  const all = [
    ...t.values.flatMap((row, i) => row.map((v, j) => [v, t.reason[i]![j]] as const)),
    ...(t.colTotals ?? []).map((v, j) => [v, t.colTotalReason![j]] as const),
    ...(t.rowTotals ?? []).map((v, i) => [v, t.rowTotalReason![i]] as const),
  ]
  return all.filter(([v, r]) => !r && v > 0 && v < t.threshold).map(([v]) => v)
}

describe('quarterly reports', () => {
  let dir: string
  let result: BuildReportsResult
  const progress: [number, number, string][] = []

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tillid-reports-'))
    result = await buildQuarterlyReports({
      rows: fixture(),
      quarter: '2026Q2',
      outDir: dir,
      only: [101, 169],
      onProgress: (done, total, label) => progress.push([done, total, label]),
    })
  })
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true })
  })

  it('writes national.pdf and one safe-named PDF per municipality, with CSV and JSON beside, and no temp files', async () => {
    expect((await fs.readdir(dir)).sort()).toEqual([
      '101-koebenhavn.csv',
      '101-koebenhavn.json',
      '101-koebenhavn.pdf',
      '169-hoeje-taastrup.csv',
      '169-hoeje-taastrup.json',
      '169-hoeje-taastrup.pdf',
      'national.csv',
      'national.json',
      'national.pdf',
    ])
    expect(progress.at(-1)).toEqual([3, 3, '169-hoeje-taastrup'])
  })

  it('puts the municipality, its figures and page numbers in its PDF', async () => {
    const { text, pages } = await pdfText(path.join(dir, '101-koebenhavn.pdf'))
    expect(text).toContain('København Kommune')
    expect(text).toContain('Kommunekode 101')
    expect(text).toMatch(/Aktive aftaler 12 12 /)
    // 3,600 API calls in the quarter (100 per agreement and month).
    expect(text).toMatch(/API-kald 3\.600 /)
    expect(text).toContain('Side 1 af')
    expect(text).toContain(`Side ${pages} af ${pages}`)
    expect(text).not.toContain('SYNTETISKE DATA')
  })

  it('shows small counts as <5, in the PDF, the CSV and the JSON', async () => {
    const { text } = await pdfText(path.join(dir, '169-hoeje-taastrup.pdf'))
    expect(text).toContain('Høje-Taastrup Kommune')
    expect(text).toMatch(/Aktive aftaler <5 <5 /)
    expect(text).not.toMatch(/Aktive aftaler 3 /)
    const csv = await fs.readFile(path.join(dir, '169-hoeje-taastrup.csv'), 'utf8')
    expect(csv).toMatch(/Udbredelse;Aktive aftaler;<5;<5;/)
    const json = JSON.parse(await fs.readFile(path.join(dir, '169-hoeje-taastrup.json'), 'utf8'))
    expect(json.municipality.current.measures.agreementsActive).toBe('<5')
  })

  it('publishes no count from 1 to 4 anywhere in the national data', async () => {
    const json = JSON.parse(await fs.readFile(path.join(dir, 'national.json'), 'utf8'))
    const counts = json.municipalities.flatMap((m: { current: { measures: Record<string, unknown> } }) =>
      Object.values(m.current.measures),
    )
    expect(counts).toHaveLength(98 * 11)
    expect(counts.filter((v: unknown) => typeof v === 'number' && v > 0 && v < 5)).toEqual([])
    expect(
      json.national.activeByKle.every(
        (k: { active: unknown }) => k.active === '<5' || (k.active as number) >= 5,
      ),
    ).toBe(true)
    const { text } = await pdfText(path.join(dir, 'national.pdf'))
    expect(text).toContain('Hele landet')
    expect(text).toMatch(/169 Høje-Taastrup <5 /)
    expect(text).toMatch(/825 Læsø <5 /)
  })

  it('keeps every hidden cell underivable across the measures, KLE and template tables', () => {
    const tables = suppressionTables(computeRolloutKpis(fixture(), '2026Q2'))
    for (const t of [tables.current, tables.previous, tables.kle, tables.templates]) {
      expect(visibleSmall(t)).toEqual([])
      expect(derivableCells(t)).toEqual([])
    }
    // The national total of active agreements is published, so at least two municipalities are hidden.
    const active = tables.current.reason.map((r) => r[1])
    expect(active.filter(Boolean).length).toBeGreaterThanOrEqual(2)
  })

  it('uses another minimum cell size when configured, and labels hidden cells with it', () => {
    const p = publishRollout(computeRolloutKpis(fixture(), '2026Q2'), { threshold: 10 })
    expect(p.municipalities.find((m) => m.code === 169)!.current.measures.agreementsActive).toBe('<10')
    const shownCounts = p.municipalities.flatMap((m) => Object.values(m.current.measures))
    expect(shownCounts.filter((v) => typeof v === 'number' && v > 0 && v < 10)).toEqual([])
  })

  it('writes the national CSV with one row per municipality and one for the country', async () => {
    const lines = (await fs.readFile(path.join(dir, 'national.csv'), 'utf8')).trimEnd().split('\r\n')
    expect(lines).toHaveLength(1 + 98 + 1)
    expect(lines[0]).toMatch(/^\uFEFFkommunekode;kommune;region;indbyggere;/)
    expect(lines.at(-1)).toMatch(/^0;Hele landet;/)
    expect(result.published.municipalities).toHaveLength(98)
  })
})
