/**
 * Municipalities as analytics tenants: the shipped list of 98 (src/domain/data/municipalities.json)
 * is loaded on first use; inhabitant figures come from a FOLK1A CSV import.
 */
import { MUNICIPALITIES, MUNICIPALITY_SOURCE, parseInhabitantsCsv } from '../../domain/municipalities.ts'
import type { Db } from '../../store/database.ts'

/** Inserts the 98 municipalities that are missing; never overwrites imported inhabitants. */
export async function ensureMunicipalities(db: Db): Promise<void> {
  const source = MUNICIPALITY_SOURCE.inhabitantsQuarter
    ? `FOLK1A ${MUNICIPALITY_SOURCE.inhabitantsQuarter}`
    : null
  await db
    .insertInto('analytics_municipality')
    .values(
      MUNICIPALITIES.map((m) => ({
        code: m.code,
        name: m.name,
        region: m.region,
        inhabitants: m.inhabitants,
        inhabitants_source: m.inhabitants === null ? null : source,
        synthetic: false,
      })),
    )
    .onConflict((oc) => oc.column('code').doNothing())
    .execute()
}

export interface ImportResult {
  updated: number
  skipped: number
  errors: { line: number; message: string }[]
  /** Municipalities still without an inhabitant figure after the import. */
  missing: number[]
}

/**
 * Imports inhabitants per municipality from a CSV (FOLK1A export or "code,name,inhabitants").
 * All-or-nothing: a file with errors changes nothing. Imported figures replace synthetic ones.
 */
export async function importMunicipalitiesCsv(db: Db, text: string): Promise<ImportResult> {
  const parsed = parseInhabitantsCsv(text)
  if (parsed.errors.length > 0 || parsed.updates.length === 0) {
    const errors = parsed.errors.length
      ? parsed.errors
      : [{ line: 0, message: 'no municipality found in the file' }]
    return { updated: 0, skipped: parsed.skipped, errors, missing: [] }
  }
  await ensureMunicipalities(db)
  await db.transaction().execute(async (trx) => {
    for (const u of parsed.updates) {
      await trx
        .updateTable('analytics_municipality')
        .set({
          inhabitants: u.inhabitants,
          inhabitants_source: u.quarter ? `FOLK1A ${u.quarter}` : 'FOLK1A (import)',
          synthetic: false,
        })
        .where('code', '=', u.code)
        .execute()
    }
  })
  const missing = await db
    .selectFrom('analytics_municipality')
    .select('code')
    .where('inhabitants', 'is', null)
    .orderBy('code')
    .execute()
  return {
    updated: parsed.updates.length,
    skipped: parsed.skipped,
    errors: [],
    missing: missing.map((r) => r.code),
  }
}
