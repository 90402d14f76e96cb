import { randomUUID } from 'node:crypto'
import type { Kysely, Selectable } from 'kysely'
import { parseCpr } from '../../domain/cpr.ts'
import { conflictAs, StoreError } from '../errors.ts'
import type { Database } from '../schema.ts'
import type { CaseKeys } from './caseKeys.ts'

export type PersonKind = 'staff' | 'citizen'

export interface Person {
  id: string
  kind: PersonKind
  /** Login subject at the identity provider. */
  subject: string
  organisationId: string | null
  displayName: string | null
  role: string | null
  /** KLE prefixes (e.g. "27.24") the person may work on. */
  kleSubjects: string[]
  chainAddress: string | null
}

export interface NewPerson {
  id?: string
  kind: PersonKind
  subject: string
  organisationId?: string | null
  displayName?: string | null
  role?: string | null
  kleSubjects?: string[]
  /** A citizen's own CPR: stored only as a blind index, to find the records about them. */
  cpr?: string
}

export interface PersonRepository {
  create(input: NewPerson): Promise<Person>
  get(id: string): Promise<Person | null>
  bySubject(subject: string): Promise<Person | null>
  byChainAddress(address: string): Promise<Person | null>
  list(filter?: { organisationId?: string; role?: string }): Promise<Person[]>
  setChainAddress(id: string, address: string): Promise<void>
  setKleSubjects(id: string, subjects: string[]): Promise<void>
  /** Citizen logins whose CPR equals this one. */
  byCpr(cpr: string): Promise<Person[]>
}

const KLE_PREFIX = /^\d{2}(\.\d{2}){0,2}$/

function toPerson(r: Selectable<Database['people']>): Person {
  const kle = typeof r.kle_subjects === 'string' ? JSON.parse(r.kle_subjects) : r.kle_subjects
  return {
    id: r.id,
    kind: r.kind,
    subject: r.subject,
    organisationId: r.organisation_id,
    displayName: r.display_name,
    role: r.role,
    kleSubjects: kle as string[],
    chainAddress: r.chain_address,
  }
}

function checkKle(subjects: string[]): string {
  for (const s of subjects) {
    if (!KLE_PREFIX.test(s)) throw new StoreError('INVALID_INPUT', `not a KLE number: ${s}`)
  }
  return JSON.stringify(subjects)
}

export function personRepository(db: Kysely<Database>, keys: CaseKeys): PersonRepository {
  return {
    async create(input) {
      if (!input.subject) throw new StoreError('INVALID_INPUT', 'login subject is empty')
      if (input.kind === 'staff' && !input.organisationId) {
        throw new StoreError('INVALID_INPUT', 'staff must belong to an organisation')
      }
      const row = await conflictAs('a person with this login subject', () =>
        db
          .insertInto('people')
          .values({
            id: input.id ?? randomUUID(),
            kind: input.kind,
            subject: input.subject,
            organisation_id: input.organisationId ?? null,
            display_name: input.displayName ?? null,
            role: input.role ?? (input.kind === 'citizen' ? 'citizen' : null),
            kle_subjects: checkKle(input.kleSubjects ?? []),
            cpr_index: input.cpr ? keys.blindIndex(parseCpr(input.cpr).digits) : null,
            chain_address: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      )
      return toPerson(row)
    },
    async get(id) {
      const r = await db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst()
      return r ? toPerson(r) : null
    },
    async bySubject(subject) {
      const r = await db.selectFrom('people').selectAll().where('subject', '=', subject).executeTakeFirst()
      return r ? toPerson(r) : null
    },
    async byChainAddress(address) {
      const r = await db
        .selectFrom('people')
        .selectAll()
        .where('chain_address', '=', address.toLowerCase())
        .executeTakeFirst()
      return r ? toPerson(r) : null
    },
    async list(filter = {}) {
      let q = db.selectFrom('people').selectAll().orderBy('subject')
      if (filter.organisationId) q = q.where('organisation_id', '=', filter.organisationId)
      if (filter.role) q = q.where('role', '=', filter.role)
      return (await q.execute()).map(toPerson)
    },
    async setChainAddress(id, address) {
      if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new StoreError('INVALID_INPUT', 'not an address')
      const r = await db
        .updateTable('people')
        .set({ chain_address: address.toLowerCase() })
        .where('id', '=', id)
        .executeTakeFirst()
      if (r.numUpdatedRows === 0n) throw new StoreError('NOT_FOUND', `person ${id} not found`)
    },
    async setKleSubjects(id, subjects) {
      const r = await db
        .updateTable('people')
        .set({ kle_subjects: checkKle(subjects) })
        .where('id', '=', id)
        .executeTakeFirst()
      if (r.numUpdatedRows === 0n) throw new StoreError('NOT_FOUND', `person ${id} not found`)
    },
    async byCpr(cpr) {
      const rows = await db
        .selectFrom('people')
        .selectAll()
        .where('cpr_index', '=', keys.blindIndex(parseCpr(cpr).digits))
        .execute()
      return rows.map(toPerson)
    },
  }
}
