/**
 * A Kysely dialect for PGlite (embedded PostgreSQL in WASM). PGlite is one connection, so
 * "connections" are handed out one at a time: a transaction can never interleave with
 * another caller's statements.
 */
import type { PGlite } from '@electric-sql/pglite'
import { PostgresDialect } from 'kysely'

interface PgLikeClient {
  query(
    sql: string,
    params: readonly unknown[],
  ): Promise<{ rows: unknown[]; rowCount: number; command: string }>
  release(): void
}

function commandOf(sql: string): string {
  const m = /^\s*(?:with\b[\s\S]*?\)\s*)?(insert|update|delete|merge|select)\b/i.exec(sql)
  return (m?.[1] ?? '').toUpperCase()
}

export function pgliteDialect(db: PGlite): PostgresDialect {
  let queue: Promise<void> = Promise.resolve()
  const pool = {
    async connect(): Promise<PgLikeClient> {
      let release!: () => void
      const mine = new Promise<void>((r) => {
        release = r
      })
      const previous = queue
      queue = previous.then(() => mine)
      await previous
      return {
        async query(sql, params) {
          const r = await db.query(sql, params as unknown[])
          return { rows: r.rows, rowCount: r.affectedRows ?? 0, command: commandOf(sql) }
        },
        release,
      }
    },
    async end() {
      await queue
    },
  }
  // biome-ignore lint/suspicious/noExplicitAny: PostgresDialect types the pool as pg.Pool; we give the subset it uses
  return new PostgresDialect({ pool: pool as any })
}
