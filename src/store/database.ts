/**
 * Opens the store: PGlite in the data directory (embedded) or PostgreSQL (server), and runs
 * the migrations in src/store/migrations in transactions, so a crash mid-migration leaves
 * the schema as it was.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import { Kysely, type Migration, type MigrationProvider, Migrator, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { pgliteDialect } from './pgliteDialect.ts'
import type { Database } from './schema.ts'

export type Db = Kysely<Database>

export type StoreTarget = { kind: 'pglite'; dir: string | null } | { kind: 'postgres'; url: string }

export interface Store {
  db: Db
  kind: StoreTarget['kind']
  close(): Promise<void>
}

// int8 and numeric come back as strings from pg; repositories turn them into bigint.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v)

const migrationFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations')

export async function openStore(target: StoreTarget): Promise<Store> {
  let db: Db
  let closeDriver: () => Promise<void>
  if (target.kind === 'pglite') {
    if (target.dir) await fs.mkdir(target.dir, { recursive: true })
    // int8 as string on both adapters, so repositories see the same types everywhere. bytea both
    // ways through Buffer's native hex codec: PGlite's own converts byte by byte in JavaScript,
    // which dominated reading documents back (verify) and writing sealed fields (every case write).
    const options = { parsers: { 20: (v: string) => v, 17: parseBytea }, serializers: { 17: serializeBytea } }
    const lite = target.dir ? await PGlite.create(target.dir, options) : await PGlite.create(options)
    db = new Kysely<Database>({ dialect: pgliteDialect(lite) })
    closeDriver = () => lite.close()
  } else {
    const pool = new pg.Pool({ connectionString: target.url, max: 10 })
    // An idle connection the server closes (restart, failover, admin command) must not crash the
    // process: the pool drops it and the next query opens a new one.
    pool.on('error', () => {})
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    closeDriver = async () => {}
  }
  await migrate(db)
  return {
    db,
    kind: target.kind,
    async close() {
      await db.destroy()
      await closeDriver()
    },
  }
}

/** PGlite text-format bytea ('\\x' + hex) to a plain Uint8Array, as PGlite's own parser returns. */
function parseBytea(v: string): Uint8Array {
  return new Uint8Array(Buffer.from(v.slice(2), 'hex'))
}

function serializeBytea(v: unknown): string {
  if (!(v instanceof Uint8Array)) throw new Error('Invalid input for bytea type')
  return `\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`
}

/**
 * Loads migrations with an import() written in this module rather than inside Kysely's
 * FileMigrationProvider: under vitest (and any loader that compiles .ts) only imports made from
 * our own source are transformed, so Kysely's own import() of a .ts file fails.
 */
class SourceMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {}
    for (const file of (await fs.readdir(migrationFolder)).sort()) {
      if (!/^\d{3}_[\w-]+\.(ts|js|mjs)$/.test(file)) continue
      const mod = await import(pathToFileURL(path.join(migrationFolder, file)).href)
      out[file.replace(/\.(ts|js|mjs)$/, '')] = mod
    }
    return out
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the migrator works on any schema
export async function migrate(db: Kysely<any>): Promise<void> {
  // Keep Kysely's bookkeeping tables in the schema the connection works in: Kysely otherwise
  // finds a kysely_migration table in any schema (e.g. public) and never creates its own.
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db)
  const migrator = new Migrator({
    db,
    provider: new SourceMigrationProvider(),
    migrationTableSchema: rows[0]?.schema ?? undefined,
    // Migrations are numbered in ranges per module (ledger 001–009, store 010–029, …), so a new file
    // can sort before one an existing database already ran.
    allowUnorderedMigrations: true,
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown'
    throw new Error(`database migration ${failed} failed: ${(error as Error).message ?? error}`)
  }
}
