import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PDFParse } from 'pdf-parse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { computeRolloutKpis } from '../../src/reports/kpi.ts'
import {
  compareMunicipalities,
  invalidateDashboardCache,
  municipalityPage,
  nationalOverview,
} from '../../src/services/analytics/dashboard.ts'
import { aggregateInSql, loadRollout } from '../../src/services/analytics/loadRollout.ts'
import { ensureMunicipalities, importMunicipalitiesCsv } from '../../src/services/analytics/municipalities.ts'
import { buildQuarterlyReportsFromStore } from '../../src/services/analytics/reports.ts'
import { clearSynthetic, seedNational } from '../../src/services/analytics/seedNational.ts'
import { openStore, type Store } from '../../src/store/database.ts'

describe('rollout analytics on the store', () => {
  let store: Store
  beforeAll(async () => {
    store = await openStore({ kind: 'pglite', dir: null })
  })
  afterAll(async () => {
    await store?.close()
  })

  it('loads the 98 municipalities once, on first use', async () => {
    const fresh = await loadRollout(store.db, '2026Q2')
    expect(fresh.municipalities).toHaveLength(98)
    expect(fresh.agreements).toEqual([])
    await ensureMunicipalities(store.db)
    await ensureMunicipalities(store.db)
    const rows = await store.db.selectFrom('analytics_municipality').selectAll().execute()
    expect(rows).toHaveLength(98)
    expect(new Set(rows.map((r) => r.region)).size).toBe(5)
  })

  it('imports inhabitants from a FOLK1A CSV, and a faulty file changes nothing', async () => {
    const bad = await importMunicipalitiesCsv(
      store.db,
      '101 København;2026K1;667099\n101 København;2026K1;1\n',
    )
    expect(bad.updated).toBe(0)
    expect(bad.errors).toHaveLength(1)
    const ok = await importMunicipalitiesCsv(
      store.db,
      'OMRÅDE;TID;INDHOLD\n000 Hele landet;2026K1;6000000\n101 København;2026K1;667099\n169 Høje-Taastrup;2026K1;57123\n',
    )
    expect(ok).toMatchObject({ updated: 2, skipped: 2, errors: [] })
    expect(ok.missing).toHaveLength(96)
    const kbh = await store.db
      .selectFrom('analytics_municipality')
      .selectAll()
      .where('code', '=', 101)
      .executeTakeFirstOrThrow()
    expect(kbh).toMatchObject({ inhabitants: 667099, inhabitants_source: 'FOLK1A 2026K1', synthetic: false })
  })

  it('seeds synthetic national data deterministically, keeping imported inhabitants', async () => {
    const first = await seedNational(store.db, { agreements: 1500, seed: 11, quarters: 2 })
    expect(first.agreements).toBe(1500)
    expect(first.syntheticInhabitants).toBe(96)
    const a = computeRolloutKpis(await loadRollout(store.db, '2026Q2'), '2026Q2')
    await seedNational(store.db, { agreements: 1500, seed: 11, quarters: 2 })
    const b = computeRolloutKpis(await loadRollout(store.db, '2026Q2'), '2026Q2')
    const json = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))
    expect(json(b)).toEqual(json(a))
    expect(a.synthetic).toBe(true)
    expect(a.municipalities.find((m) => m.code === 101)!.inhabitants).toBe(667099)
    // The ledger enforces it, and the synthetic data follow: nothing is paid after termination.
    expect(a.national.current.use.paidAfterTermination).toBe(0)
    const facts = await store.db.selectFrom('analytics_agreement_facts').select('synthetic').execute()
    expect(facts.every((f) => f.synthetic)).toBe(true)
  })

  it('computes the same counts in SQL as from the rows', async () => {
    const k = computeRolloutKpis(await loadRollout(store.db, '2026Q2'), '2026Q2')
    const sql = await aggregateInSql(store.db, '2026Q2')
    for (const row of sql) {
      const m = k.municipalities.find((x) => x.code === row.municipality_code)!
      expect([Number(row.active), Number(row.created), Number(row.terminated)]).toEqual([
        m.current.use.agreementsActive,
        m.current.use.agreementsCreated,
        m.current.use.agreementsTerminated,
      ])
      expect(Number(row.reports_due ?? 0)).toBe(m.current.use.reportsDue)
    }
  })

  it('serves dashboard data with suppression applied', async () => {
    invalidateDashboardCache(store.db)
    const overview = (await nationalOverview(store.db, '2026Q2')) as {
      municipalities: { activeAgreements: unknown }[]
      synthetic: boolean
      kpis: { id: string }[]
    }
    expect(overview.synthetic).toBe(true)
    expect(overview.municipalities).toHaveLength(98)
    expect(overview.kpis.map((k) => k.id)).toContain('reportsOnTimeShare')
    const small = overview.municipalities.filter(
      (m) => typeof m.activeAgreements === 'number' && m.activeAgreements > 0 && m.activeAgreements < 5,
    )
    expect(small).toEqual([])

    const cmp = (await compareMunicipalities(store.db, '2026Q2', 'apiCallsPer1000')) as {
      rows: { value: number }[]
      median: number
    }
    expect(cmp.rows).toHaveLength(98)
    const values = cmp.rows.map((r) => r.value)
    expect(values).toEqual([...values].sort((x, y) => y - x))
    await expect(compareMunicipalities(store.db, '2026Q2', 'nonsense')).rejects.toThrow(RangeError)

    const page = (await municipalityPage(store.db, 169, '2026Q2')) as { municipality: { name: string } }
    expect(page.municipality.name).toBe('Høje-Taastrup')
    expect(await municipalityPage(store.db, 411, '2026Q2')).toBeNull()
  })

  it('marks reports built from synthetic data on every page', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tillid-synth-'))
    try {
      await expect(
        buildQuarterlyReportsFromStore(store.db, { quarter: '2026-2', outDir: dir }),
      ).rejects.toThrow(RangeError)
      await buildQuarterlyReportsFromStore(store.db, { quarter: '2026Q2', outDir: dir, only: [169] })
      const parser = new PDFParse({ data: await fs.readFile(path.join(dir, '169-hoeje-taastrup.pdf')) })
      const r = await parser.getText()
      await parser.destroy()
      expect(r.pages.length).toBeGreaterThan(1)
      for (const p of r.pages) expect(p.text).toContain('SYNTETISKE DATA')
    } finally {
      await fs.rm(dir, { recursive: true, force: true })
    }
  })

  it('removes synthetic rows on request', async () => {
    await clearSynthetic(store.db)
    expect(await store.db.selectFrom('analytics_agreement_facts').selectAll().execute()).toEqual([])
    const kbh = await store.db
      .selectFrom('analytics_municipality')
      .selectAll()
      .where('code', '=', 101)
      .executeTakeFirstOrThrow()
    expect(kbh.inhabitants).toBe(667099)
  })
})
