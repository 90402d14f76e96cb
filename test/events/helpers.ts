/**
 * Shared by the events tests: store targets (PGlite always, PostgreSQL in a throw-away database
 * when reachable), RabbitMQ reachability (skip with a clear line; fail under CI), and waiting.
 */
import { randomBytes } from 'node:crypto'
import amqp from 'amqplib'
import pg from 'pg'
import { openStore, type Store } from '../../src/store/database.ts'

export const AMQP_URL = process.env.TILLID_AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672'
const PG_URL = process.env.TILLID_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test'

/** True when RabbitMQ answers. Prints a skip line when not; under CI a missing broker is an error. */
export async function brokerAvailable(what: string): Promise<boolean> {
  try {
    const c = await amqp.connect(AMQP_URL, { timeout: 2000 })
    await c.close()
    return true
  } catch (e) {
    const line = `RabbitMQ not reachable at ${AMQP_URL.replace(/\/\/[^@]*@/, '//')} (${(e as Error).message})`
    if (process.env.CI) throw new Error(`${what}: ${line}; CI requires it`)
    console.log(`SKIP ${what}: ${line}`)
    return false
  }
}

async function postgresReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 })
  try {
    await c.connect()
    await c.end()
    return true
  } catch {
    await c.end().catch(() => {})
    return false
  }
}

export interface StoreTarget {
  name: string
  open(): Promise<TestStore>
}

export type TestStore = Store & {
  drop(): Promise<void>
  /** How a second process opens the same store: `pglite:DIR` or `postgres:URL`. */
  spec: string
}

/** A store a second process can open too: PostgreSQL when reachable, else a PGlite directory (slow to create). */
export async function sharedStore(dir: string): Promise<TestStore> {
  const pgTarget = (await storeTargets()).find((t) => t.name === 'postgres')
  if (pgTarget) return pgTarget.open()
  const s = await openStore({ kind: 'pglite', dir })
  return Object.assign(s, { drop: () => s.close(), spec: `pglite:${dir}` })
}

/** PGlite in memory always; PostgreSQL in its own database (so runs never share an outbox) when reachable. */
export async function storeTargets(): Promise<StoreTarget[]> {
  const targets: StoreTarget[] = [
    {
      name: 'pglite',
      async open() {
        const s = await openStore({ kind: 'pglite', dir: null })
        return Object.assign(s, { drop: () => s.close(), spec: 'pglite:' })
      },
    },
  ]
  if (await postgresReachable()) {
    targets.push({
      name: 'postgres',
      async open() {
        const name = `tillid_events_${randomBytes(5).toString('hex')}`
        const admin = new pg.Client({ connectionString: PG_URL })
        await admin.connect()
        await admin.query(`create database ${name}`)
        await admin.end()
        const url = new URL(PG_URL)
        url.pathname = `/${name}`
        const s = await openStore({ kind: 'postgres', url: url.href })
        return Object.assign(s, {
          spec: `postgres:${url.href}`,
          async drop() {
            await s.close()
            const a = new pg.Client({ connectionString: PG_URL })
            await a.connect()
            await a.query(`drop database if exists ${name} with (force)`)
            await a.end()
          },
        })
      },
    })
  } else {
    if (process.env.CI) throw new Error(`PostgreSQL not reachable at ${PG_URL}; CI requires it`)
    console.log(`SKIP PostgreSQL variant of the events tests: not reachable at ${PG_URL}`)
  }
  return targets
}

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

export const runId = () => `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`

/** The body of an `esdh.document.journalised.v1` message, as an ESDH system would send it. */
export function esdhDocument(o: {
  caseRef: string
  documentId?: string
  text?: string
  providerCvr?: string
  agreementId?: string
}): Record<string, unknown> {
  return {
    caseRef: o.caseRef,
    ...(o.agreementId ? { agreementId: o.agreementId } : {}),
    ...(o.providerCvr ? { providerCvr: o.providerCvr } : {}),
    documentId: o.documentId ?? `ESDH-${randomBytes(4).toString('hex')}`,
    journalisedAt: '2026-06-03T09:30:00+02:00',
    documentKind: 'statusrapport',
    title: 'Statusrapport',
    contentType: 'application/pdf',
    contentBase64: Buffer.from(o.text ?? `%PDF-1.7 ${randomBytes(8).toString('hex')}`).toString('base64'),
  }
}
