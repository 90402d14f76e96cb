/**
 * Store write throughput of the off-chain part of drafting an agreement for a new case: one
 * transaction through the repositories that creates the case (with its wrapped data key), adds the
 * citizen (CPR and name encrypted under the case key, CPR index) and writes the case anchor. Rows
 * written per second divided by a plain INSERT of the same number of rows, in transactions of the
 * same size, into the same database in the same run. Target ≥ 0.5 (issue 5).
 *
 * The baseline is the fair lower bound of the same work: as many rows, as many transactions (one per
 * logical record, not one bulk insert), each row its own statement. What it leaves out is what the
 * draft path must do on top: foreign-key checks (case→organisation, key/citizen/anchor→case), the
 * secondary indexes (case number, CPR blind index, case id) and the encryption and hashing.
 * Run alone: npx tsx bench/store.bench.ts [--quick]
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { sql } from 'kysely'
import { openStore } from '../src/store/database.ts'
import { CaseKeys, inTransaction } from '../src/store/repositories/index.ts'
import type { BenchOptions, BenchResult } from './harness.ts'

const TARGET = 0.5

/** Valid (date-checked) CPR numbers, distinct for the first 4,000 citizens. */
const cprOf = (i: number) =>
  `0101${String(10 + ((i / 4000) | 0)).padStart(2, '0')}${String(i % 4000).padStart(4, '0')}`

export async function run({ quick }: BenchOptions): Promise<BenchResult[]> {
  const n = quick ? 400 : 4000
  const store = await openStore({ kind: 'pglite', dir: null })
  const db = store.db
  try {
    const keys = new CaseKeys(new Uint8Array(randomBytes(32)))
    const org = await inTransaction(db, keys, (r) =>
      r.organisations.create({ kind: 'municipality', municipalityCode: '169', name: 'Bench' }),
    )
    let seq = 0
    const draftPath = () =>
      inTransaction(db, keys, async (repos) => {
        const i = seq++
        const c = await repos.cases.create({
          organisationId: org.id,
          sagsnummer: `B-${i}`,
          titel: 'Anbringelse uden for hjemmet',
          kleClass: '27.24.00',
        })
        await repos.cases.addCitizen(c.id, { cpr: cprOf(i), name: `Borger ${i}`, primary: true })
        await repos.anchors.anchorCase(c.id)
      })

    // Rows one draft writes, counted in every table (so the baseline inserts exactly as many).
    const tables = (
      await sql<{ table_name: string }>`select table_name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(db)
    ).rows.map((r) => r.table_name)
    const counts = async () => {
      let total = 0
      for (const t of tables)
        total += Number(
          (await sql<{ n: string }>`select count(*) as n from ${sql.table(t)}`.execute(db)).rows[0]!.n,
        )
      return total
    }
    const c0 = await counts()
    await draftPath()
    const rowsPerDraft = (await counts()) - c0
    if (rowsPerDraft < 3) throw new Error(`a draft wrote ${rowsPerDraft} rows, expected at least 3`)

    // Baseline: plain INSERTs of comparable rows (uuid, foreign-key-free, ~200 bytes of payload),
    // rowsPerDraft single-row statements per transaction, as many transactions as drafts.
    await sql`create table bench_plain (id uuid primary key, case_id uuid not null, payload bytea not null,
      created_at timestamptz not null default now())`.execute(db)
    const payload = new Uint8Array(randomBytes(200))
    const plain = () =>
      db.transaction().execute(async (trx) => {
        const caseId = randomUUID()
        for (let k = 0; k < rowsPerDraft; k++)
          await sql`insert into bench_plain (id, case_id, payload) values (${randomUUID()}, ${caseId}, ${payload})`.execute(
            trx,
          )
      })

    const timed = async (fn: () => Promise<unknown>, count: number) => {
      const t0 = performance.now()
      for (let i = 0; i < count; i++) await fn()
      return performance.now() - t0
    }
    // Warm-up both, then the baseline half before and half after the measured drafts.
    await timed(draftPath, 20)
    await timed(plain, 20)
    const plainMs = await timed(plain, n / 2)
    const draftMs = await timed(draftPath, n)
    const plainMs2 = await timed(plain, n / 2)
    const value = (n * rowsPerDraft * 1000) / draftMs
    const baseline = (n * rowsPerDraft * 1000) / (plainMs + plainMs2)
    const ratio = value / baseline
    return [
      {
        name: 'store writes of the agreement-draft path vs plain INSERT',
        value: Math.round(value),
        unit: 'rows/s',
        baseline: Math.round(baseline),
        ratio: Math.round(ratio * 1000) / 1000,
        target: TARGET,
        direction: 'min',
        pass: ratio >= TARGET,
        note: `${n} drafts (case + key, encrypted citizen + CPR index, case anchor: ${rowsPerDraft} rows each, one transaction per draft, 3 statements: case+key, citizen+primary pointer, anchor) = ${Math.round((n * 1000) / draftMs)} drafts/s; baseline: the same ${rowsPerDraft} rows per transaction as single-row INSERTs into a table without foreign keys or secondary indexes, as many transactions, half before and half after; in-memory PGlite`,
      },
    ]
  } finally {
    await store.close()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await run({ quick: process.argv.includes('--quick') })
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`)
}
