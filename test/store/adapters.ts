/**
 * The adapters the store suites run on: PGlite always, PostgreSQL at TILLID_TEST_PG_URL when it
 * answers (required when CI is set). Each PostgreSQL store gets its own schema, so parallel
 * test files never see each other's rows.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openStore, type Store } from '../../src/store/database.ts'

// Tests may read the environment directly: they configure the test run, not the application.
export const PG_URL = process.env.TILLID_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const CI = !!process.env.CI

export interface TestStore extends Store {
  adapter: 'pglite' | 'postgres'
}

async function pgAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query('select 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

let pgAnswered: Promise<boolean> | undefined

/** Whether PostgreSQL answers at PG_URL (asked once per test file). */
export function pgAvailable(): Promise<boolean> {
  pgAnswered ??= pgAnswers(PG_URL)
  return pgAnswered
}

/** Adapters to run on; prints once when PostgreSQL is skipped, throws when CI requires it. */
export async function adapters(): Promise<('pglite' | 'postgres')[]> {
  if (await pgAvailable()) return ['pglite', 'postgres']
  if (CI) throw new Error(`PostgreSQL at ${PG_URL} does not answer, and CI requires it (TILLID_TEST_PG_URL)`)
  console.warn(`SKIPPING PostgreSQL store tests: nothing answers at ${PG_URL} (set TILLID_TEST_PG_URL)`)
  return ['pglite']
}

function withSearchPath(url: string, schema: string): string {
  const u = new URL(url)
  u.searchParams.set('options', `-c search_path=${schema}`)
  return u.toString()
}

/** A new empty schema at PG_URL, and the URL that makes it the search path; drop() removes it. */
export async function createTestSchema(): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `t_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: PG_URL })
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  await admin.end()
  return {
    url: withSearchPath(PG_URL, schema),
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL })
      await c.connect()
      await c.query(`drop schema ${schema} cascade`)
      await c.end()
    },
  }
}

/** A fresh migrated store; on PostgreSQL in a new schema that close() drops again. */
export async function openTestStore(
  adapter: 'pglite' | 'postgres',
  dir: string | null = null,
): Promise<TestStore> {
  if (adapter === 'pglite') return { ...(await openStore({ kind: 'pglite', dir })), adapter }
  const schema = await createTestSchema()
  const store = await openStore({ kind: 'postgres', url: schema.url })
  return {
    ...store,
    adapter,
    async close() {
      await store.close()
      await schema.drop()
    },
  }
}
