import { createHash } from 'node:crypto'
import type { Kysely, Selectable } from 'kysely'
import { canonicalBytes } from '../../domain/canonicalJson.ts'
import { StoreError } from '../errors.ts'
import type { Database } from '../schema.ts'

/**
 * Why data was read. A fixed list rather than free text: the log is append-only and shown to
 * the citizen, so it must never need erasing.
 */
export const ACCESS_PURPOSES = [
  'casework',
  'approval',
  'payment',
  'audit',
  'citizen_self_service',
  'support',
  'erasure',
] as const
export type AccessPurpose = (typeof ACCESS_PURPOSES)[number]

export const ACCESS_ACTIONS = ['read', 'export', 'create', 'update', 'erase'] as const
export type AccessAction = (typeof ACCESS_ACTIONS)[number]

export interface AccessLogInput {
  actorPersonId: string
  actorRole: string
  actorOrganisationId?: string | null
  caseId?: string | null
  citizenId?: string | null
  action: AccessAction
  /** What was accessed, as ids only (e.g. "case", "document:<uuid>", "citizens"). */
  object: string
  purpose: AccessPurpose
  /** ISO timestamp; now by default. */
  at?: string
}

export interface AccessLogEntry {
  seq: number
  at: string
  actorPersonId: string
  actorRole: string
  actorOrganisationId: string | null
  caseId: string | null
  citizenId: string | null
  action: string
  object: string
  purpose: string
  prevHash: Uint8Array
  hash: Uint8Array
}

export interface AccessLogRepository {
  /** Appends an entry chained to the previous one; runs in the caller's transaction if any. */
  append(input: AccessLogInput): Promise<AccessLogEntry>
  forCase(caseId: string): Promise<AccessLogEntry[]>
  /** Entries after `afterSeq` in order, for verification. */
  scan(afterSeq: number, limit: number): Promise<AccessLogEntry[]>
  head(): Promise<{ seq: number; hash: Uint8Array }>
  count(): Promise<number>
}

export const GENESIS_HASH = new Uint8Array(32)

/** The entry's fields as hashed: everything except the hashes themselves. */
export function accessLogBody(e: Omit<AccessLogEntry, 'prevHash' | 'hash'>): Record<string, unknown> {
  return {
    action: e.action,
    actorOrganisationId: e.actorOrganisationId,
    actorPersonId: e.actorPersonId,
    actorRole: e.actorRole,
    at: e.at,
    caseId: e.caseId,
    citizenId: e.citizenId,
    object: e.object,
    purpose: e.purpose,
    seq: e.seq,
  }
}

/** sha256(prev_hash ‖ canonical JSON of the entry). */
export function accessLogHash(
  prevHash: Uint8Array,
  e: Omit<AccessLogEntry, 'prevHash' | 'hash'>,
): Uint8Array {
  return new Uint8Array(
    createHash('sha256')
      .update(prevHash)
      .update(canonicalBytes(accessLogBody(e)))
      .digest(),
  )
}

export function toAccessLogEntry(r: Selectable<Database['access_log']>): AccessLogEntry {
  return {
    seq: Number(r.seq),
    at: r.at,
    actorPersonId: r.actor_person_id,
    actorRole: r.actor_role,
    actorOrganisationId: r.actor_organisation_id,
    caseId: r.case_id,
    citizenId: r.citizen_id,
    action: r.action,
    object: r.object,
    purpose: r.purpose,
    prevHash: new Uint8Array(r.prev_hash),
    hash: new Uint8Array(r.hash),
  }
}

export function accessLogRepository(db: Kysely<Database>): AccessLogRepository {
  async function appendIn(trx: Kysely<Database>, input: AccessLogInput): Promise<AccessLogEntry> {
    if (!(ACCESS_PURPOSES as readonly string[]).includes(input.purpose)) {
      throw new StoreError('INVALID_INPUT', `unknown access purpose ${input.purpose}`)
    }
    if (!(ACCESS_ACTIONS as readonly string[]).includes(input.action)) {
      throw new StoreError('INVALID_INPUT', `unknown access action ${input.action}`)
    }
    if (!/^[\w:.-]+$/.test(input.object)) {
      throw new StoreError('INVALID_INPUT', 'access log object must be ids and codes, not text')
    }
    // The head row lock serialises appenders, on PostgreSQL across connections as well.
    const head = await trx
      .selectFrom('access_log_head')
      .selectAll()
      .where('id', '=', 1)
      .forUpdate()
      .executeTakeFirstOrThrow()
    const body = {
      seq: Number(head.seq) + 1,
      at: input.at ?? new Date().toISOString(),
      actorPersonId: input.actorPersonId,
      actorRole: input.actorRole,
      actorOrganisationId: input.actorOrganisationId ?? null,
      caseId: input.caseId ?? null,
      citizenId: input.citizenId ?? null,
      action: input.action,
      object: input.object,
      purpose: input.purpose,
    }
    const prevHash = new Uint8Array(head.hash)
    const hash = accessLogHash(prevHash, body)
    await trx
      .insertInto('access_log')
      .values({
        seq: String(body.seq),
        at: body.at,
        actor_person_id: body.actorPersonId,
        actor_role: body.actorRole,
        actor_organisation_id: body.actorOrganisationId,
        case_id: body.caseId,
        citizen_id: body.citizenId,
        action: body.action,
        object: body.object,
        purpose: body.purpose,
        prev_hash: prevHash,
        hash,
      })
      .execute()
    await trx
      .updateTable('access_log_head')
      .set({ seq: String(body.seq), hash })
      .where('id', '=', 1)
      .execute()
    return { ...body, prevHash, hash }
  }

  return {
    append(input) {
      return db.isTransaction ? appendIn(db, input) : db.transaction().execute((trx) => appendIn(trx, input))
    },
    async forCase(caseId) {
      const rows = await db
        .selectFrom('access_log')
        .selectAll()
        .where('case_id', '=', caseId)
        .orderBy('seq')
        .execute()
      return rows.map(toAccessLogEntry)
    },
    async scan(afterSeq, limit) {
      const rows = await db
        .selectFrom('access_log')
        .selectAll()
        .where('seq', '>', String(afterSeq))
        .orderBy('seq')
        .limit(limit)
        .execute()
      return rows.map(toAccessLogEntry)
    },
    async head() {
      const h = await db
        .selectFrom('access_log_head')
        .selectAll()
        .where('id', '=', 1)
        .executeTakeFirstOrThrow()
      return { seq: Number(h.seq), hash: new Uint8Array(h.hash) }
    },
    async count() {
      const r = await db
        .selectFrom('access_log')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
      return Number(r.n)
    },
  }
}
