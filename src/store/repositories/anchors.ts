import { randomBytes } from 'node:crypto'
import type { Kysely, Selectable } from 'kysely'
import type { Hex } from 'viem'
import { ANCHOR_SALT_BYTES, anchorHash } from '../../domain/anchor.ts'
import { canonicalBytes } from '../../domain/canonicalJson.ts'
import { type CaseKey, KeyError } from '../crypto.ts'
import { notFound, StoreError } from '../errors.ts'
import type { Database } from '../schema.ts'
import type { CaseKeys } from './caseKeys.ts'
import { caseAnchorRecord } from './cases.ts'
import { documentAad } from './documents.ts'

/**
 * Anchors: keccak256(salt ‖ bytes) of every document and record the chain refers to.
 * Kinds 'document' and 'case' are rebuilt from their own tables; any other kind is a record
 * kept in anchored_records (encrypted under the case key when it belongs to a case).
 * Salts of case objects are derived from the case key and never stored; salts of records
 * outside any case (no personal data) are random and stored with the anchor.
 */
export interface Anchor {
  kind: string
  objectId: string
  caseId: string | null
  hash: Hex
  /** Where the chain holds it (e.g. transaction hash), once written. */
  chainRef: string | null
}

export type RebuildResult =
  | { status: 'ok'; hash: Hex; storedHash: Hex }
  | { status: 'erased'; caseId: string }
  | { status: 'missing'; reason: string }
  | { status: 'broken'; reason: string }

export interface AnchorRef {
  kind: string
  id: string
}

export interface AnchorRepository {
  anchorDocument(documentId: string): Promise<Anchor>
  anchorCase(caseId: string): Promise<Anchor>
  /** Stores the record (canonical JSON) and its anchor. Re-anchoring identical content is a no-op. */
  anchorRecord(
    kind: string,
    objectId: string,
    record: unknown,
    opts?: { caseId?: string | null },
  ): Promise<Anchor>
  get(kind: string, objectId: string): Promise<Anchor | null>
  setChainRef(kind: string, objectId: string, chainRef: string): Promise<void>
  /** Anchors in (kind, objectId) order, paged by `after`. */
  list(opts?: { after?: AnchorRef; limit?: number }): Promise<Anchor[]>
  count(): Promise<number>
  /** The decrypted record of a generic anchor kind (null when unknown or erased). */
  record(kind: string, objectId: string): Promise<unknown | null>
  /** Recomputes anchors from what the store holds now. */
  rebuildMany(refs: AnchorRef[]): Promise<Map<string, RebuildResult>>
  rebuild(kind: string, objectId: string): Promise<RebuildResult>
}

export const RESERVED_ANCHOR_KINDS = ['document', 'case'] as const

export function anchorKey(kind: string, id: string): string {
  return `${kind}\u0000${id}`
}

export function recordAad(kind: string, objectId: string): string {
  return `record/${kind}/${objectId}`
}

function toAnchor(r: Selectable<Database['anchors']>): Anchor {
  return {
    kind: r.kind,
    objectId: r.object_id,
    caseId: r.case_id,
    hash: r.hash as Hex,
    chainRef: r.chain_ref,
  }
}

function toBytes(v: Uint8Array): Uint8Array {
  return v instanceof Buffer ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : v
}

/** One query per kind (`kind = k and object_id in (...)`) instead of one OR per object. */
async function byKind<T>(
  refs: AnchorRef[],
  query: (kind: string, ids: string[]) => Promise<T[]>,
): Promise<T[]> {
  const groups = new Map<string, string[]>()
  for (const r of refs) {
    const ids = groups.get(r.kind)
    if (ids) ids.push(r.id)
    else groups.set(r.kind, [r.id])
  }
  const out: T[] = []
  for (const [kind, ids] of groups) out.push(...(await query(kind, ids)))
  return out
}

export function anchorRepository(db: Kysely<Database>, keys: CaseKeys): AnchorRepository {
  async function put(
    kind: string,
    objectId: string,
    caseId: string | null,
    salt: Uint8Array | null,
    hash: Hex,
  ) {
    const existing = await db
      .selectFrom('anchors')
      .selectAll()
      .where('kind', '=', kind)
      .where('object_id', '=', objectId)
      .executeTakeFirst()
    if (existing) {
      if (existing.hash !== hash) {
        throw new StoreError('CONFLICT', `${kind} ${objectId} is already anchored with different content`)
      }
      return toAnchor(existing)
    }
    const row = await db
      .insertInto('anchors')
      .values({ kind, object_id: objectId, case_id: caseId, salt, hash, chain_ref: null })
      .returningAll()
      .executeTakeFirstOrThrow()
    return toAnchor(row)
  }

  async function liveKey(caseId: string): Promise<CaseKey> {
    const c = await db.selectFrom('cases').select('erased_at').where('id', '=', caseId).executeTakeFirst()
    if (!c) throw notFound('case', caseId)
    if (c.erased_at) throw new StoreError('CASE_ERASED', `case ${caseId} is erased`)
    return keys.get(db, caseId)
  }

  const repo: AnchorRepository = {
    async anchorDocument(documentId) {
      const doc = await db.selectFrom('documents').selectAll().where('id', '=', documentId).executeTakeFirst()
      if (!doc) throw notFound('document', documentId)
      const key = await liveKey(doc.case_id)
      if (!doc.ciphertext) throw new StoreError('CASE_ERASED', `document ${documentId} is erased`)
      const bytes = key.open(doc.ciphertext, documentAad(documentId))
      return put(
        'document',
        documentId,
        doc.case_id,
        null,
        anchorHash(key.anchorSalt('document', documentId), bytes),
      )
    },
    async anchorCase(caseId) {
      const key = await liveKey(caseId)
      const row = await db.selectFrom('cases').selectAll().where('id', '=', caseId).executeTakeFirstOrThrow()
      const bytes = canonicalBytes(caseAnchorRecord(row, key))
      return put('case', caseId, caseId, null, anchorHash(key.anchorSalt('case', caseId), bytes))
    },
    async anchorRecord(kind, objectId, record, opts = {}) {
      if ((RESERVED_ANCHOR_KINDS as readonly string[]).includes(kind) || !/^[a-z][a-z0-9_.]*$/.test(kind)) {
        throw new StoreError('INVALID_INPUT', `anchor kind ${kind} is reserved or malformed`)
      }
      if (!objectId) throw new StoreError('INVALID_INPUT', 'anchored object id is empty')
      const bytes = canonicalBytes(record)
      const caseId = opts.caseId ?? null
      let salt: Uint8Array | null
      let hash: Hex
      let body: Uint8Array
      if (caseId) {
        const key = await liveKey(caseId)
        salt = null
        hash = anchorHash(key.anchorSalt(kind, objectId), bytes)
        body = key.seal(bytes, recordAad(kind, objectId))
      } else {
        const existing = await db
          .selectFrom('anchors')
          .select('salt')
          .where('kind', '=', kind)
          .where('object_id', '=', objectId)
          .executeTakeFirst()
        salt = existing?.salt ? toBytes(existing.salt) : new Uint8Array(randomBytes(ANCHOR_SALT_BYTES))
        hash = anchorHash(salt, bytes)
        body = bytes
      }
      const anchor = await put(kind, objectId, caseId, salt, hash)
      await db
        .insertInto('anchored_records')
        .values({ kind, object_id: objectId, case_id: caseId, body })
        .onConflict((oc) => oc.columns(['kind', 'object_id']).doNothing())
        .execute()
      return anchor
    },
    async get(kind, objectId) {
      const r = await db
        .selectFrom('anchors')
        .selectAll()
        .where('kind', '=', kind)
        .where('object_id', '=', objectId)
        .executeTakeFirst()
      return r ? toAnchor(r) : null
    },
    async setChainRef(kind, objectId, chainRef) {
      const r = await db
        .updateTable('anchors')
        .set({ chain_ref: chainRef })
        .where('kind', '=', kind)
        .where('object_id', '=', objectId)
        .executeTakeFirst()
      if (r.numUpdatedRows === 0n) throw notFound(`${kind} anchor`, objectId)
    },
    async list(opts = {}) {
      let q = db
        .selectFrom('anchors')
        .selectAll()
        .orderBy('kind')
        .orderBy('object_id')
        .limit(opts.limit ?? 1000)
      const after = opts.after
      // A row-value comparison walks the primary key index; an OR of the two columns would not.
      if (after)
        q = q.where((eb) => eb(eb.refTuple('kind', 'object_id'), '>', eb.tuple(after.kind, after.id)))
      return (await q.execute()).map(toAnchor)
    },
    async count() {
      const r = await db
        .selectFrom('anchors')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
      return Number(r.n)
    },
    async record(kind, objectId) {
      const r = await db
        .selectFrom('anchored_records')
        .selectAll()
        .where('kind', '=', kind)
        .where('object_id', '=', objectId)
        .executeTakeFirst()
      if (!r) return null
      if (!r.case_id) return JSON.parse(new TextDecoder().decode(r.body))
      const key = await keys.find(db, r.case_id)
      return key ? JSON.parse(key.openText(r.body, recordAad(kind, objectId))) : null
    },
    async rebuild(kind, objectId) {
      return (await repo.rebuildMany([{ kind, id: objectId }])).get(anchorKey(kind, objectId))!
    },
    async rebuildMany(refs) {
      const out = new Map<string, RebuildResult>()
      if (refs.length === 0) return out
      const anchorRows = await byKind(refs, (kind, ids) =>
        db.selectFrom('anchors').selectAll().where('kind', '=', kind).where('object_id', 'in', ids).execute(),
      )
      const anchors = new Map(anchorRows.map((a) => [anchorKey(a.kind, a.object_id), a]))
      const caseIds = new Set(anchorRows.flatMap((a) => (a.case_id ? [a.case_id] : [])))
      const caseRows = caseIds.size
        ? await db
            .selectFrom('cases')
            .selectAll()
            .where('id', 'in', [...caseIds])
            .execute()
        : []
      const cases = new Map(caseRows.map((c) => [c.id, c]))
      const liveCaseIds = caseRows.filter((c) => !c.erased_at).map((c) => c.id)
      const caseKeys = await keys.findMany(db, liveCaseIds)
      const docIds = refs.filter((r) => r.kind === 'document').map((r) => r.id)
      const docs = new Map(
        (docIds.length
          ? await db
              .selectFrom('documents')
              .select(['id', 'case_id', 'ciphertext'])
              .where('id', 'in', docIds)
              .execute()
          : []
        ).map((d) => [d.id, d]),
      )
      const others = refs.filter((r) => !(RESERVED_ANCHOR_KINDS as readonly string[]).includes(r.kind))
      const records = new Map(
        (
          await byKind(others, (kind, ids) =>
            db
              .selectFrom('anchored_records')
              .selectAll()
              .where('kind', '=', kind)
              .where('object_id', 'in', ids)
              .execute(),
          )
        ).map((r) => [anchorKey(r.kind, r.object_id), r]),
      )

      for (const ref of refs) {
        const k = anchorKey(ref.kind, ref.id)
        const a = anchors.get(k)
        if (!a) {
          out.set(k, { status: 'missing', reason: 'no anchor for this object in the store' })
          continue
        }
        const stored = a.hash as Hex
        try {
          if (a.case_id) {
            const c = cases.get(a.case_id)
            if (!c) {
              out.set(k, { status: 'missing', reason: `case ${a.case_id} is missing` })
              continue
            }
            if (c.erased_at) {
              out.set(k, { status: 'erased', caseId: c.id })
              continue
            }
            const key = caseKeys.get(c.id)
            if (!key) {
              out.set(k, { status: 'broken', reason: `case ${c.id} has lost its key without being erased` })
              continue
            }
            const salt = key.anchorSalt(ref.kind, ref.id)
            let bytes: Uint8Array
            if (ref.kind === 'document') {
              const d = docs.get(ref.id)
              if (!d?.ciphertext) {
                out.set(k, { status: 'missing', reason: 'document bytes are missing' })
                continue
              }
              if (d.case_id !== c.id) {
                out.set(k, { status: 'broken', reason: 'document has moved to another case' })
                continue
              }
              bytes = key.open(d.ciphertext, documentAad(ref.id))
            } else if (ref.kind === 'case') {
              bytes = canonicalBytes(caseAnchorRecord(c, key))
            } else {
              const r = records.get(k)
              if (!r) {
                out.set(k, { status: 'missing', reason: 'anchored record is missing' })
                continue
              }
              // The stored body is the canonical text itself: hashing it as stored catches any byte change.
              bytes = key.open(r.body, recordAad(ref.kind, ref.id))
            }
            out.set(k, { status: 'ok', hash: anchorHash(salt, bytes), storedHash: stored })
          } else {
            const r = records.get(k)
            if (!r || !a.salt) {
              out.set(k, { status: 'missing', reason: 'anchored record is missing' })
              continue
            }
            const bytes = toBytes(r.body)
            out.set(k, { status: 'ok', hash: anchorHash(toBytes(a.salt), bytes), storedHash: stored })
          }
        } catch (e) {
          out.set(k, { status: 'broken', reason: e instanceof KeyError ? e.message : String(e) })
        }
      }
      return out
    },
  }
  return repo
}
