/**
 * API calls per municipality and month for the rollout figures (issue "Anvendelse": API calls per
 * 1,000 inhabitants). Counting in the database per request would add a write to every read, so
 * calls are counted in memory and added to analytics_usage_monthly in one statement per
 * municipality and month when flushed (periodically and on close).
 *
 * The month is the ledger's month, like the events counted beside it: in demo mode ledger time is
 * the business clock and the wall clock would put the calls in another month than their effects.
 */
import { sql } from 'kysely'
import type { Db } from '../../store/database.ts'

export interface ApiUsageCounter {
  /** One API call by someone working for the municipality with this code. */
  count(municipalityCode: number): void
  /** Adds the calls counted so far to the store; calls counted during a failed flush are kept. */
  flush(): Promise<void>
}

export function apiUsageCounter(db: Db, ledgerNowSeconds: () => number): ApiUsageCounter {
  let pending = new Map<string, number>()
  return {
    count(code) {
      const month = new Date(ledgerNowSeconds() * 1000).toISOString().slice(0, 7)
      const key = `${code}|${month}`
      pending.set(key, (pending.get(key) ?? 0) + 1)
    },
    async flush() {
      if (pending.size === 0) return
      const batch = pending
      pending = new Map()
      try {
        for (const [key, calls] of batch) {
          const [code, month] = key.split('|') as [string, string]
          // Only known municipalities (the FK), and a synthetic month (seed-national) keeps its figures.
          await sql`
            insert into analytics_usage_monthly (municipality_code, month, api_calls, events, synthetic)
            select code, ${month}, ${calls}, 0, false from analytics_municipality where code = ${Number(code)}
            on conflict (municipality_code, month) do update
              set api_calls = analytics_usage_monthly.api_calls + excluded.api_calls
              where analytics_usage_monthly.synthetic = false
          `.execute(db)
          batch.delete(key)
        }
      } finally {
        for (const [key, calls] of batch) pending.set(key, (pending.get(key) ?? 0) + calls)
      }
    },
  }
}
