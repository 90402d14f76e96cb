import { randomBytes } from 'node:crypto'
import { type Kysely, type RawBuilder, type Selectable, sql } from 'kysely'
import { type Hex, keccak256 } from 'viem'
import { ANCHOR_SALT_BYTES, anchorHash, anchorPreimage } from '../../domain/anchor.ts'
import { canonicalBytes } from '../../domain/canonicalJson.ts'
import { type CaseKey, KeyError } from '../crypto.ts'
import { notFound, StoreError } from '../errors.ts'
import type { Database } from '../schema.ts'
import type { CaseKeys } from './caseKeys.ts'
import { type CasesCreatedHere, caseAnchorRecord, liveCaseWithKey } from './cases.ts'
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

/** What an anchor is rebuilt from, or (as in RebuildResult) why it cannot be. */
export type RebuildMaterial =
  | { status: 'material'; preimage: Uint8Array }
  | Exclude<RebuildResult, { status: 'ok' }>

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
  /**
   * Anchors in (kind, objectId) order with what their hash is rebuilt from (record body, document
   * bytes) in one query per page, paged by `after`: the integrity check's single pass over the store.
   */
  scanWithContent(opts: { after?: AnchorRef; limit: number }): Promise<AnchorContent[]>
  /** Recomputes anchors from what the store holds now. */
  rebuildMany(refs: AnchorRef[]): Promise<Map<string, RebuildResult>>
  rebuild(kind: string, objectId: string): Promise<RebuildResult>
}

/** An anchor row with the stored content its hash is rebuilt from. */
export interface AnchorContent extends Anchor {
  salt: Uint8Array | null
  /** The anchored_records body (records), null for documents and cases. */
  body: Uint8Array | null
  /** The document row's case and sealed bytes (kind 'document'), null otherwise. */
  document: { caseId: string; ciphertext: Uint8Array | null } | null
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

export function anchorRepository(
  db: Kysely<Database>,
  keys: CaseKeys,
  createdHere?: CasesCreatedHere,
): AnchorRepository {
  const liveCase = async (caseId: string) => createdHere?.get(caseId) ?? liveCaseWithKey(db, keys, caseId)

  async function put(
    kind: string,
    objectId: string,
    caseId: string | null,
    salt: Uint8Array | null,
    hash: Hex,
  ) {
    // Insert first: anchoring is mostly new objects, and a conflict is then told apart by reading.
    const inserted = await db
      .insertInto('anchors')
      .values({ kind, object_id: objectId, case_id: caseId, salt, hash, chain_ref: null })
      .onConflict((oc) => oc.columns(['kind', 'object_id']).doNothing())
      .returningAll()
      .executeTakeFirst()
    if (inserted) return toAnchor(inserted)
    const existing = await db
      .selectFrom('anchors')
      .selectAll()
      .where('kind', '=', kind)
      .where('object_id', '=', objectId)
      .executeTakeFirstOrThrow()
    if (existing.hash !== hash) {
      throw new StoreError('CONFLICT', `${kind} ${objectId} is already anchored with different content`)
    }
    return toAnchor(existing)
  }

  async function liveKey(caseId: string): Promise<CaseKey> {
    return (await liveCase(caseId)).key
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
      const { row, key } = await liveCase(caseId)
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
    async scanWithContent({ after, limit }) {
      return contentPage(db, after ? sql`(kind, object_id) > (${after.kind}, ${after.id})` : sql`true`, limit)
    },
    async rebuildMany(refs) {
      const out = new Map<string, RebuildResult>()
      if (refs.length === 0) return out
      const rows = await byKind(refs, (kind, ids) =>
        contentPage(db, sql`kind = ${kind} and object_id in (${sql.join(ids)})`, ids.length),
      )
      const rebuilder = anchorRebuilder(db, keys)
      await rebuilder.load(rows)
      const found = new Map(rows.map((r) => [anchorKey(r.kind, r.objectId), r]))
      for (const ref of refs) {
        const k = anchorKey(ref.kind, ref.id)
        const row = found.get(k)
        out.set(
          k,
          row
            ? rebuilder.rebuild(row)
            : { status: 'missing', reason: 'no anchor for this object in the store' },
        )
      }
      return out
    },
  }
  return repo
}

/** A page as the query returns it: one JSON array per anchor, bytea as base64. */
type ContentTuple = [
  kind: string,
  objectId: string,
  caseId: string | null,
  salt: string | null,
  hash: string,
  chainRef: string | null,
  body: string | null,
  documentCaseId: string | null,
  ciphertext: string | null,
]

/**
 * Anchors matching `where`, in key order, joined with their content (a record's body, a document's
 * case and sealed bytes). The page comes back as one JSON value: PGlite decodes every field of every
 * row in JavaScript (bytea byte by byte), which made reading the rows cost more than checking them;
 * one JSON text per page is parsed natively, on both adapters.
 */
async function contentPage(db: Kysely<Database>, where: RawBuilder<unknown>, limit: number) {
  const { rows } = await sql<{ page: ContentTuple[] }>`
    select coalesce(json_agg(json_build_array(a.kind, a.object_id, a.case_id, encode(a.salt, 'base64'),
        a.hash, a.chain_ref, encode(r.body, 'base64'), d.case_id, encode(d.ciphertext, 'base64'))
        order by a.kind, a.object_id), '[]') as page
    from (select * from anchors where ${where} order by kind, object_id limit ${limit}) a
    left join anchored_records r on r.kind = a.kind and r.object_id = a.object_id
    left join documents d on a.kind = 'document' and d.id = a.object_id`.execute(db)
  return (rows[0]?.page ?? []).map(
    ([kind, objectId, caseId, salt, hash, chainRef, body, documentCaseId, ciphertext]): AnchorContent => ({
      kind,
      objectId,
      caseId,
      hash: hash as Hex,
      chainRef,
      salt: base64(salt),
      body: base64(body),
      document: documentCaseId ? { caseId: documentCaseId, ciphertext: base64(ciphertext) } : null,
    }),
  )
}

function base64(v: string | null): Uint8Array | null {
  if (v === null) return null
  const b = Buffer.from(v, 'base64')
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

/**
 * Rebuilds anchors from their stored content. Holds the cases and unwrapped case keys it has
 * loaded, so a run over many anchors reads each case and unwraps each key once; `load` fetches
 * those a batch of rows needs and has not seen yet. A case erased while a run is under way is
 * judged as it was when first loaded (the run is a check of one moment, not a lock).
 */
export function anchorRebuilder(db: Kysely<Database>, keys: CaseKeys) {
  const cases = new Map<string, Selectable<Database['cases']> | null>()
  const caseKeys = new Map<string, CaseKey>()
  return {
    async load(rows: Iterable<{ caseId: string | null }>): Promise<void> {
      const need = new Set<string>()
      for (const r of rows) if (r.caseId && !cases.has(r.caseId)) need.add(r.caseId)
      if (need.size === 0) return
      const ids = [...need]
      const found = await db.selectFrom('cases').selectAll().where('id', 'in', ids).execute()
      for (const id of ids) cases.set(id, null)
      for (const c of found) cases.set(c.id, c)
      const live = found.filter((c) => !c.erased_at).map((c) => c.id)
      for (const [id, key] of await keys.findMany(db, live)) caseKeys.set(id, key)
    },
    /** The anchor rebuilt from `row`; its case must have been loaded. */
    rebuild(row: AnchorContent): RebuildResult {
      const m = this.material(row)
      return m.status === 'material' ? { status: 'ok', hash: keccak256(m.preimage), storedHash: row.hash } : m
    },
    /** What `rebuild` hashes (salt ‖ bytes), or why there is nothing to hash. */
    material(row: AnchorContent): RebuildMaterial {
      const { kind, objectId: id } = row
      try {
        if (!row.caseId) {
          if (!row.body || !row.salt) return { status: 'missing', reason: 'anchored record is missing' }
          return { status: 'material', preimage: anchorPreimage(row.salt, row.body) }
        }
        const c = cases.get(row.caseId)
        if (!c) return { status: 'missing', reason: `case ${row.caseId} is missing` }
        if (c.erased_at) return { status: 'erased', caseId: c.id }
        const key = caseKeys.get(c.id)
        if (!key) return { status: 'broken', reason: `case ${c.id} has lost its key without being erased` }
        let bytes: Uint8Array
        if (kind === 'document') {
          const d = row.document
          if (!d?.ciphertext) return { status: 'missing', reason: 'document bytes are missing' }
          if (d.caseId !== c.id) return { status: 'broken', reason: 'document has moved to another case' }
          bytes = key.open(d.ciphertext, documentAad(id))
        } else if (kind === 'case') {
          bytes = canonicalBytes(caseAnchorRecord(c, key))
        } else {
          if (!row.body) return { status: 'missing', reason: 'anchored record is missing' }
          // The stored body is the canonical text itself: hashing it as stored catches any byte change.
          bytes = key.open(row.body, recordAad(kind, id))
        }
        return { status: 'material', preimage: anchorPreimage(key.anchorSalt(kind, id), bytes) }
      } catch (e) {
        return { status: 'broken', reason: e instanceof KeyError ? e.message : String(e) }
      }
    },
  }
}
