/**
 * Idempotency-Key for POSTs: the first request with a key runs and its response (status, type, body) is
 * stored; a retry with the same key and the same request gets the stored response replayed
 * (`idempotency-replayed: true`) without running the handler again, so it has exactly one effect.
 * Keys are scoped per person (or 'anonymous'). A key reused for a different request is refused (422);
 * a retry while the first is still running is refused (409, Retry-After). 5xx responses are not stored,
 * so a retry after a server failure runs again.
 */
import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../../store/schema.ts'
import { TillidError } from '../errors.ts'
import { jsonReplacer } from './zod.ts'

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { scope: string; key: string }
  }
}

export interface IdempotencyOptions {
  /** A pending record older than this is treated as abandoned (the process died mid-request). */
  staleAfterSeconds?: number
}

const KEY = /^[\x21-\x7e]{1,255}$/

function fingerprint(request: FastifyRequest): string {
  const body = request.body === undefined ? '' : JSON.stringify(request.body, jsonReplacer)
  return createHash('sha256').update(`${request.method} ${request.url}\n${body}`).digest('hex')
}

export function registerIdempotency(
  app: FastifyInstance,
  db: Kysely<Database>,
  options: IdempotencyOptions = {},
): void {
  const staleMs = (options.staleAfterSeconds ?? 120) * 1000

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'POST') return
    const key = request.headers['idempotency-key']
    if (key === undefined) return
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw new TillidError('validation_failed', undefined, {
        errors: [{ field: 'Idempotency-Key', in: 'headers', message: 'skal være 1-255 synlige ASCII-tegn' }],
      })
    }
    const scope = request.principal?.personId ?? 'anonymous'
    const fp = fingerprint(request)
    const inserted = await db
      .insertInto('api_idempotency')
      .values({ scope, key, fingerprint: fp, state: 'pending' })
      .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
      .executeTakeFirst()
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) {
      request.idempotency = { scope, key }
      return
    }
    const row = await db
      .selectFrom('api_idempotency')
      .selectAll()
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst()
    if (!row) throw new TillidError('idempotency_in_progress', undefined, { headers: { 'retry-after': '1' } })
    if (row.fingerprint !== fp) throw new TillidError('idempotency_key_reused')
    if (row.state === 'pending') {
      const created = new Date(row.created_at)
      if (Date.now() - created.getTime() < staleMs) {
        throw new TillidError('idempotency_in_progress', undefined, { headers: { 'retry-after': '1' } })
      }
      // Take over an abandoned attempt; the compare on created_at lets only one retry win.
      const taken = await db
        .updateTable('api_idempotency')
        .set({ created_at: new Date().toISOString() })
        .where('scope', '=', scope)
        .where('key', '=', key)
        .where('state', '=', 'pending')
        .where('created_at', '=', created)
        .executeTakeFirst()
      if (Number(taken.numUpdatedRows) !== 1) {
        throw new TillidError('idempotency_in_progress', undefined, { headers: { 'retry-after': '1' } })
      }
      request.idempotency = { scope, key }
      return
    }
    reply.header('idempotency-replayed', 'true').code(row.status_code ?? 200)
    if (row.content_type) reply.type(row.content_type)
    return reply.send(row.body ?? '')
  })

  app.addHook('onSend', async (request, reply, payload) => {
    const ctx = request.idempotency
    if (!ctx) return payload
    request.idempotency = undefined
    const where = db
      .updateTable('api_idempotency')
      .where('scope', '=', ctx.scope)
      .where('key', '=', ctx.key)
      .where('state', '=', 'pending')
    const storable = typeof payload === 'string' || Buffer.isBuffer(payload) || payload == null
    if (reply.statusCode >= 500 || !storable) {
      await db
        .deleteFrom('api_idempotency')
        .where('scope', '=', ctx.scope)
        .where('key', '=', ctx.key)
        .execute()
      return payload
    }
    const ct = reply.getHeader('content-type')
    await where
      .set({
        state: 'done',
        status_code: reply.statusCode,
        content_type: typeof ct === 'string' ? ct : null,
        body: payload == null ? '' : payload.toString(),
        completed_at: new Date().toISOString(),
      })
      .execute()
    return payload
  })
}

/** Deletes stored responses older than `maxAgeSeconds` (a day by default); run periodically. */
export async function purgeIdempotency(db: Kysely<Database>, maxAgeSeconds = 24 * 3600): Promise<number> {
  const r = await db
    .deleteFrom('api_idempotency')
    .where('created_at', '<', new Date(Date.now() - maxAgeSeconds * 1000))
    .executeTakeFirst()
  return Number(r.numDeletedRows)
}
