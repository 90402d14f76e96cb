import { randomUUID } from 'node:crypto'
import type { Kysely, Selectable } from 'kysely'
import { isUniqueViolation, notFound, StoreError } from '../errors.ts'
import type { Database } from '../schema.ts'
import type { CaseKeys } from './caseKeys.ts'

export const MAX_DOCUMENT_BYTES = 25 * 1024 * 1024

export interface DocumentMeta {
  id: string
  caseId: string
  kind: string
  mediaType: string
  size: number
  /** Null once the case is erased. */
  title: string | null
  createdBy: string | null
  createdAt: string
  erased: boolean
}

export interface NewDocument {
  caseId: string
  kind: string
  mediaType: string
  title?: string
  bytes: Uint8Array
  createdBy?: string | null
  createdAt?: string
}

export interface DocumentRepository {
  /**
   * Stores a document encrypted under its case key, addressed by a keyed hash of its content:
   * adding the same bytes to the same case again returns the existing document.
   */
  add(input: NewDocument): Promise<DocumentMeta & { created: boolean }>
  get(id: string): Promise<DocumentMeta | null>
  list(caseId: string): Promise<DocumentMeta[]>
  /** The decrypted bytes. */
  read(id: string): Promise<Uint8Array>
}

type DocRow = Selectable<Database['documents']>

export function documentAad(id: string): string {
  return `document/${id}/content`
}

export function documentRepository(db: Kysely<Database>, keys: CaseKeys): DocumentRepository {
  async function toMeta(r: Omit<DocRow, 'ciphertext'>): Promise<DocumentMeta> {
    const key = r.title_ct ? await keys.find(db, r.case_id) : null
    return {
      id: r.id,
      caseId: r.case_id,
      kind: r.kind,
      mediaType: r.media_type,
      size: r.size,
      title: r.title_ct && key ? key.openText(r.title_ct, `document/${r.id}/title`) : null,
      createdBy: r.created_by,
      createdAt: r.created_at,
      erased: r.content_id === null,
    }
  }
  const metaColumns = [
    'id',
    'case_id',
    'kind',
    'media_type',
    'size',
    'content_id',
    'title_ct',
    'created_by',
    'created_at',
  ] as const

  return {
    async add(input) {
      if (input.bytes.length === 0) throw new StoreError('DOCUMENT_EMPTY', 'document is empty')
      if (input.bytes.length > MAX_DOCUMENT_BYTES) {
        throw new StoreError('DOCUMENT_TOO_LARGE', `document is larger than ${MAX_DOCUMENT_BYTES} bytes`)
      }
      if (!/^[a-z0-9_]+$/.test(input.kind))
        throw new StoreError('INVALID_INPUT', `bad document kind ${input.kind}`)
      if (!/^[\w.+-]+\/[\w.+-]+$/.test(input.mediaType)) {
        throw new StoreError('INVALID_INPUT', `bad media type ${input.mediaType}`)
      }
      const c = await db
        .selectFrom('cases')
        .select(['erased_at'])
        .where('id', '=', input.caseId)
        .executeTakeFirst()
      if (!c) throw notFound('case', input.caseId)
      if (c.erased_at) throw new StoreError('CASE_ERASED', `case ${input.caseId} is erased`)
      const key = await keys.get(db, input.caseId)
      const contentId = key.contentId(input.bytes)
      const existing = await db
        .selectFrom('documents')
        .select(metaColumns)
        .where('case_id', '=', input.caseId)
        .where('content_id', '=', contentId)
        .executeTakeFirst()
      if (existing) return { ...(await toMeta(existing)), created: false }
      const id = randomUUID()
      // A concurrent upload of the same bytes may win the race: its document is ours too.
      const row = await (async () => {
        try {
          return await db
            .insertInto('documents')
            .values({
              id,
              case_id: input.caseId,
              kind: input.kind,
              media_type: input.mediaType,
              size: input.bytes.length,
              content_id: contentId,
              title_ct: input.title ? key.seal(input.title, `document/${id}/title`) : null,
              ciphertext: key.seal(input.bytes, documentAad(id)),
              created_by: input.createdBy ?? null,
              created_at: input.createdAt ?? new Date().toISOString(),
            })
            .returning(metaColumns)
            .executeTakeFirstOrThrow()
        } catch (e) {
          if (!isUniqueViolation(e) || db.isTransaction) throw e
          return null
        }
      })()
      if (!row) {
        const winner = await db
          .selectFrom('documents')
          .select(metaColumns)
          .where('case_id', '=', input.caseId)
          .where('content_id', '=', contentId)
          .executeTakeFirstOrThrow()
        return { ...(await toMeta(winner)), created: false }
      }
      return { ...(await toMeta(row)), created: true }
    },
    async get(id) {
      const r = await db.selectFrom('documents').select(metaColumns).where('id', '=', id).executeTakeFirst()
      return r ? toMeta(r) : null
    },
    async list(caseId) {
      const rows = await db
        .selectFrom('documents')
        .select(metaColumns)
        .where('case_id', '=', caseId)
        .orderBy('created_at')
        .orderBy('id')
        .execute()
      return Promise.all(rows.map(toMeta))
    },
    async read(id) {
      const r = await db
        .selectFrom('documents')
        .select(['case_id', 'ciphertext'])
        .where('id', '=', id)
        .executeTakeFirst()
      if (!r) throw notFound('document', id)
      if (!r.ciphertext) throw new StoreError('CASE_ERASED', `document ${id} belongs to an erased case`)
      return (await keys.get(db, r.case_id)).open(r.ciphertext, documentAad(id))
    },
  }
}
