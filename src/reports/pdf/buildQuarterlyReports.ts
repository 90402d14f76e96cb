/**
 * Quarterly reports: national.pdf and one <code>-<name>.pdf per municipality, each with the same data
 * as CSV and JSON beside it. Suppression is applied once for the whole quarter (reportData.ts), so
 * every file hides the same cells. Files are written atomically (temp file, fsync, rename): a crash
 * never leaves a half-written report under its final name.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { municipalitySlug } from '../../domain/municipalities.ts'
import { computeRolloutKpis, type KpiOptions, type RolloutRows } from '../kpi.ts'
import { KPI_LINES } from '../kpiLines.ts'
import { type PublishedArea, type PublishedRollout, publishRollout, toJson } from '../reportData.ts'
import { type Hidden, isHidden } from '../suppression.ts'
import { renderMunicipalityReport, renderNationalReport } from './reports.ts'

export interface BuildReportsOptions extends KpiOptions {
  rows: RolloutRows
  /** e.g. '2026Q2' */
  quarter: string
  outDir: string
  /** Minimum cell size (default 5). */
  threshold?: number
  /** Only these municipalities get their own report (default all); the national report covers all. */
  only?: number[]
  onProgress?: (done: number, total: number, label: string) => void
}

export interface BuildReportsResult {
  outDir: string
  files: string[]
  reports: number
  published: PublishedRollout
}

export async function writeFileAtomic(file: string, data: Buffer | string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  const handle = await fs.open(tmp, 'w')
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await fs.rename(tmp, file)
  } catch (error) {
    await fs.rm(tmp, { force: true })
    throw error
  }
}

type Raw = number | bigint | Hidden | null

/** CSV for Danish spreadsheets: ';' separated, decimal comma, money in kr., hidden cells as "<5" ("<N"). */
function csvValue(v: Raw, pct = false): string {
  if (v === null) return ''
  if (isHidden(v)) return v
  if (typeof v === 'bigint') {
    const abs = v < 0n ? -v : v
    return `${v < 0n ? '-' : ''}${abs / 100n},${String(abs % 100n).padStart(2, '0')}`
  }
  const n = pct ? v * 100 : v
  return Number.isInteger(n) ? String(n) : n.toFixed(4).replace(/0+$/, '').replace('.', ',')
}

function csvCell(s: string): string {
  return /[;"\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
}

function csv(rows: string[][]): string {
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(';')).join('\r\n')}\r\n`
}

function lineValues(area: PublishedArea, which: 'current' | 'previous'): string[] {
  return KPI_LINES.map((l) => csvValue(l.get(area[which]), l.kind === 'pct'))
}

function nationalCsv(r: PublishedRollout): string {
  const header = ['kommunekode', 'kommune', 'region', 'indbyggere', ...KPI_LINES.map((l) => l.label)]
  const rows = r.municipalities.map((m) => [
    String(m.code),
    m.name,
    m.region,
    m.inhabitants === null ? '' : String(m.inhabitants),
    ...lineValues(m, 'current'),
  ])
  rows.push(['0', 'Hele landet', '', String(r.national.inhabitants), ...lineValues(r.national, 'current')])
  return csv([header, ...rows])
}

function municipalityCsv(r: PublishedRollout, m: PublishedRollout['municipalities'][number]): string {
  const rows: string[][] = [['afsnit', 'nøgletal', r.quarter, r.previousQuarter, 'landsmedian']]
  for (const l of KPI_LINES) {
    const med = l.median ? r.medians[l.median] : null
    rows.push([
      l.stage,
      l.label,
      csvValue(l.get(m.current), l.kind === 'pct'),
      csvValue(l.get(m.previous), l.kind === 'pct'),
      csvValue(med, l.kind === 'pct'),
    ])
  }
  for (const k of m.activeByKle) rows.push(['Aktive aftaler pr. KLE-emne', k.key, csvValue(k.active), '', ''])
  for (const k of m.activeByTemplate)
    rows.push(['Aktive aftaler pr. skabelon', k.key, csvValue(k.active), '', ''])
  return csv(rows)
}

export async function buildQuarterlyReports(options: BuildReportsOptions): Promise<BuildReportsResult> {
  const kpis = computeRolloutKpis(options.rows, options.quarter, options)
  const published = publishRollout(kpis, { threshold: options.threshold })
  const only = options.only ? new Set(options.only) : null
  const targets = published.municipalities.filter((m) => !only || only.has(m.code))
  await fs.mkdir(options.outDir, { recursive: true })
  const total = targets.length + 1
  const files: string[] = []
  const write = async (name: string, data: Buffer | string) => {
    const file = path.join(options.outDir, name)
    await writeFileAtomic(file, data)
    files.push(file)
  }

  const { municipalities: _all, ...nationalPart } = published
  await write('national.pdf', await renderNationalReport(published))
  await write('national.csv', nationalCsv(published))
  await write(
    'national.json',
    toJson({
      ...nationalPart,
      municipalities: published.municipalities.map((m) => ({
        code: m.code,
        name: m.name,
        current: m.current,
      })),
    }),
  )
  options.onProgress?.(1, total, 'national')

  let done = 1
  for (const m of targets) {
    const base = municipalitySlug(m)
    await write(`${base}.pdf`, await renderMunicipalityReport(published, m))
    await write(`${base}.csv`, municipalityCsv(published, m))
    await write(
      `${base}.json`,
      toJson({
        quarter: published.quarter,
        previousQuarter: published.previousQuarter,
        synthetic: published.synthetic,
        threshold: published.threshold,
        medians: published.medians,
        municipality: m,
      }),
    )
    options.onProgress?.(++done, total, base)
  }
  return { outDir: options.outDir, files, reports: total, published }
}
