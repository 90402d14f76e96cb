import { randomUUID } from 'node:crypto'
import type { Kysely, Selectable } from 'kysely'
import { parseCpr, type Sex } from '../../domain/cpr.ts'
import { type CaseKey, KeyError } from '../crypto.ts'
import { conflictAs, notFound, StoreError } from '../errors.ts'
import type { Database } from '../schema.ts'
import type { CaseKeys } from './caseKeys.ts'

/** SF1470 case status. */
export type CaseStatus = 'Opstaaet' | 'Oplyst' | 'Afgjort' | 'Afsluttet'
export const CASE_STATUSES: readonly CaseStatus[] = ['Opstaaet', 'Oplyst', 'Afgjort', 'Afsluttet']

/** A case with the SF1470 case-index fields. `titel` is null once the case is erased. */
export interface CaseRecord {
  id: string
  organisationId: string
  sagsnummer: string
  titel: string | null
  status: CaseStatus
  kleClass: string
  primaryCitizenId: string | null
  createdAt: string
  statusChangedAt: string
  erasedAt: string | null
}

export interface NewCase {
  id?: string
  organisationId: string
  sagsnummer: string
  titel: string
  kleClass: string
  status?: CaseStatus
  createdAt?: string
}

export interface Citizen {
  id: string
  caseId: string
  cpr: string
  name: string
  birthDate: string
  sex: Sex
}

export interface Custody {
  id: string
  parentPersonId: string
  citizenId: string
  caseId: string
  fromDate: string
  toDate: string | null
}

export interface CaseRepository {
  /** Creates the case and its data key. */
  create(input: NewCase): Promise<CaseRecord>
  get(id: string): Promise<CaseRecord | null>
  list(filter?: {
    organisationId?: string
    kleClassPrefixes?: string[]
    status?: CaseStatus
  }): Promise<CaseRecord[]>
  setStatus(id: string, status: CaseStatus, at?: string): Promise<CaseRecord>
  /** Adds a citizen (CPR validated by date and century rule); the first one becomes the primary party. */
  addCitizen(caseId: string, input: { cpr: string; name: string; primary?: boolean }): Promise<Citizen>
  citizens(caseId: string): Promise<Citizen[]>
  /** Names of the case's citizens, for the personal-data guard. */
  citizenNames(caseId: string): Promise<string[]>
  /** Citizen records (in any case) with this CPR, found through the blind index. */
  findByCpr(cpr: string): Promise<{ citizenId: string; caseId: string }[]>
  addCustody(input: {
    parentPersonId: string
    citizenId: string
    fromDate: string
    toDate?: string | null
  }): Promise<Custody>
  /** Custody links of a parent that are in force on the date (all when no date). */
  custodyOf(parentPersonId: string, onDate?: string): Promise<Custody[]>
  /** The record the case's anchor is computed over (never changes after creation). */
  anchorRecord(id: string): Promise<Record<string, unknown> | null>
}

type CaseRow = Selectable<Database['cases']>
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/
const KLE_CLASS = /^\d{2}\.\d{2}(\.\d{2})?$/

function now(): string {
  return new Date().toISOString()
}

function toCase(r: CaseRow, key: CaseKey | null): CaseRecord {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    sagsnummer: r.sagsnummer,
    titel: r.titel_ct && key ? key.openText(r.titel_ct, 'case/titel') : null,
    status: r.status,
    kleClass: r.kle_class,
    primaryCitizenId: r.primary_citizen_id,
    createdAt: r.created_at,
    statusChangedAt: r.status_changed_at,
    erasedAt: r.erased_at,
  }
}

/**
 * Cases created by the transaction a set of repositories is bound to, with their keys. Until it
 * commits no one else can see, change or erase them, so the next steps of the same unit of work
 * (adding the citizen, anchoring the case) need not read them back.
 */
export type CasesCreatedHere = Map<string, { row: CaseRow; key: CaseKey }>

export function caseRepository(
  db: Kysely<Database>,
  keys: CaseKeys,
  createdHere?: CasesCreatedHere,
): CaseRepository {
  const liveCase = async (id: string) => createdHere?.get(id) ?? liveCaseWithKey(db, keys, id)

  async function toCitizen(r: Selectable<Database['citizens']>, key: CaseKey): Promise<Citizen> {
    const cpr = key.openText(r.cpr_ct, `citizen/${r.id}/cpr`)
    const parsed = parseCpr(cpr)
    return {
      id: r.id,
      caseId: r.case_id,
      cpr,
      name: key.openText(r.name_ct, `citizen/${r.id}/name`),
      birthDate: parsed.birthDate,
      sex: parsed.sex,
    }
  }

  const repo: CaseRepository = {
    async create(input) {
      if (!db.isTransaction) return db.transaction().execute((trx) => caseRepository(trx, keys).create(input))
      if (!input.sagsnummer.trim()) throw new StoreError('INVALID_INPUT', 'sagsnummer is empty')
      if (!input.titel.trim()) throw new StoreError('INVALID_INPUT', 'titel is empty')
      if (!KLE_CLASS.test(input.kleClass)) {
        throw new StoreError('INVALID_INPUT', `not a KLE class (NN.NN or NN.NN.NN): ${input.kleClass}`)
      }
      const status = input.status ?? 'Opstaaet'
      if (!CASE_STATUSES.includes(status))
        throw new StoreError('INVALID_INPUT', `unknown case status ${status}`)
      const id = input.id ?? randomUUID()
      const at = input.createdAt ?? now()
      // The key exists before the row, so the title is sealed up front and the case and its wrapped
      // key go in as one statement (the key row's reference to the case is checked at its end).
      const { key, row: keyRow } = keys.generate(id)
      const row: CaseRow = {
        id,
        organisation_id: input.organisationId,
        sagsnummer: input.sagsnummer,
        titel_ct: key.seal(input.titel, 'case/titel'),
        status,
        kle_class: input.kleClass,
        primary_citizen_id: null,
        created_at: at,
        status_changed_at: at,
        erased_at: null,
      }
      await conflictAs(`case ${input.sagsnummer} in this organisation`, () =>
        db
          .with('c', (w) => w.insertInto('cases').values(row))
          .insertInto('case_keys')
          .values(keyRow)
          .execute(),
      )
      createdHere?.set(id, { row, key })
      return {
        id,
        organisationId: input.organisationId,
        sagsnummer: input.sagsnummer,
        titel: input.titel,
        status,
        kleClass: input.kleClass,
        primaryCitizenId: null,
        createdAt: at,
        statusChangedAt: at,
        erasedAt: null,
      }
    },
    async get(id) {
      const row = await db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst()
      if (!row) return null
      return toCase(row, row.erased_at ? null : await keys.find(db, id))
    },
    async list(filter = {}) {
      let q = db.selectFrom('cases').selectAll().orderBy('created_at').orderBy('id')
      if (filter.organisationId) q = q.where('organisation_id', '=', filter.organisationId)
      if (filter.status) q = q.where('status', '=', filter.status)
      if (filter.kleClassPrefixes) {
        const prefixes = filter.kleClassPrefixes
        if (prefixes.length === 0) return []
        q = q.where((eb) =>
          eb.or(prefixes.map((p) => eb('kle_class', 'like', `${p.replace(/[%_\\]/g, '')}%`))),
        )
      }
      const rows = await q.execute()
      const out: CaseRecord[] = []
      for (const row of rows) out.push(toCase(row, row.erased_at ? null : await keys.find(db, row.id)))
      return out
    },
    async setStatus(id, status, at) {
      if (!CASE_STATUSES.includes(status))
        throw new StoreError('INVALID_INPUT', `unknown case status ${status}`)
      const { key } = await liveCase(id)
      createdHere?.delete(id)
      const row = await db
        .updateTable('cases')
        .set({ status, status_changed_at: at ?? now() })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow()
      return toCase(row, key)
    },
    async addCitizen(caseId, input) {
      if (!db.isTransaction) {
        return db.transaction().execute((trx) => caseRepository(trx, keys).addCitizen(caseId, input))
      }
      const parsed = parseCpr(input.cpr)
      const name = input.name.trim()
      if (!name) throw new StoreError('INVALID_INPUT', 'citizen name is empty')
      const { row, key } = await liveCase(caseId)
      const id = randomUUID()
      const citizen = {
        id,
        case_id: caseId,
        cpr_ct: key.seal(parsed.digits, `citizen/${id}/cpr`),
        name_ct: key.seal(name, `citizen/${id}/name`),
        cpr_index: keys.blindIndex(parsed.digits),
      }
      if (input.primary || (input.primary === undefined && !row.primary_citizen_id)) {
        // The citizen and the case's pointer to it in one statement.
        await db
          .with('c', (w) => w.insertInto('citizens').values(citizen))
          .updateTable('cases')
          .set({ primary_citizen_id: id })
          .where('id', '=', caseId)
          .execute()
        const mine = createdHere?.get(caseId)
        if (mine) mine.row = { ...mine.row, primary_citizen_id: id }
      } else {
        await db.insertInto('citizens').values(citizen).execute()
      }
      return { id, caseId, cpr: parsed.digits, name, birthDate: parsed.birthDate, sex: parsed.sex }
    },
    async citizens(caseId) {
      const { key } = await liveCase(caseId)
      const rows = await db
        .selectFrom('citizens')
        .selectAll()
        .where('case_id', '=', caseId)
        .orderBy('created_at')
        .orderBy('id')
        .execute()
      return Promise.all(rows.map((r) => toCitizen(r, key)))
    },
    async citizenNames(caseId) {
      return (await repo.citizens(caseId)).map((c) => c.name)
    },
    async findByCpr(cpr) {
      const rows = await db
        .selectFrom('citizens')
        .select(['id', 'case_id'])
        .where('cpr_index', '=', keys.blindIndex(parseCpr(cpr).digits))
        .orderBy('created_at')
        .execute()
      return rows.map((r) => ({ citizenId: r.id, caseId: r.case_id }))
    },
    async addCustody(input) {
      if (!ISO_DATE.test(input.fromDate) || (input.toDate && !ISO_DATE.test(input.toDate))) {
        throw new StoreError('INVALID_INPUT', 'custody dates must be YYYY-MM-DD')
      }
      if (input.toDate && input.toDate < input.fromDate) {
        throw new StoreError('INVALID_INPUT', 'custody ends before it starts')
      }
      const citizen = await db
        .selectFrom('citizens')
        .select(['id', 'case_id'])
        .where('id', '=', input.citizenId)
        .executeTakeFirst()
      if (!citizen) throw notFound('citizen', input.citizenId)
      const parent = await db
        .selectFrom('people')
        .select('kind')
        .where('id', '=', input.parentPersonId)
        .executeTakeFirst()
      if (!parent) throw notFound('person', input.parentPersonId)
      const id = randomUUID()
      await db
        .insertInto('custody')
        .values({
          id,
          parent_person_id: input.parentPersonId,
          citizen_id: input.citizenId,
          from_date: input.fromDate,
          to_date: input.toDate ?? null,
        })
        .execute()
      return {
        id,
        parentPersonId: input.parentPersonId,
        citizenId: input.citizenId,
        caseId: citizen.case_id,
        fromDate: input.fromDate,
        toDate: input.toDate ?? null,
      }
    },
    async custodyOf(parentPersonId, onDate) {
      let q = db
        .selectFrom('custody')
        .innerJoin('citizens', 'citizens.id', 'custody.citizen_id')
        .select([
          'custody.id',
          'custody.parent_person_id',
          'custody.citizen_id',
          'citizens.case_id',
          'custody.from_date',
          'custody.to_date',
        ])
        .where('custody.parent_person_id', '=', parentPersonId)
        .orderBy('custody.from_date')
      if (onDate) {
        q = q
          .where('custody.from_date', '<=', onDate)
          .where((eb) => eb.or([eb('custody.to_date', 'is', null), eb('custody.to_date', '>=', onDate)]))
      }
      return (await q.execute()).map((r) => ({
        id: r.id,
        parentPersonId: r.parent_person_id,
        citizenId: r.citizen_id,
        caseId: r.case_id,
        fromDate: r.from_date,
        toDate: r.to_date,
      }))
    },
    async anchorRecord(id) {
      const row = await db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst()
      if (!row || row.erased_at || !row.titel_ct) return null
      const key = await keys.get(db, id)
      return caseAnchorRecord(row, key)
    },
  }
  return repo
}

/** The case's anchored form: its identity fields as created (status changes are on the ledger). */
export function caseAnchorRecord(row: CaseRow, key: CaseKey): Record<string, unknown> {
  return {
    createdAt: row.created_at,
    id: row.id,
    kleClass: row.kle_class,
    organisationId: row.organisation_id,
    sagsnummer: row.sagsnummer,
    titel: row.titel_ct ? key.openText(row.titel_ct, 'case/titel') : null,
  }
}

/**
 * A case that is not erased, with its key: the row and the wrapped key in one query (the key's
 * presence is also what keeps a cached unwrapped key valid, see CaseKeys.fromWrapped).
 */
export async function liveCaseWithKey(
  db: Kysely<Database>,
  keys: CaseKeys,
  id: string,
): Promise<{ row: CaseRow; key: CaseKey }> {
  const found = await db
    .selectFrom('cases')
    .leftJoin('case_keys', 'case_keys.case_id', 'cases.id')
    .selectAll('cases')
    .select('case_keys.wrapped_key')
    .where('cases.id', '=', id)
    .executeTakeFirst()
  if (!found) throw notFound('case', id)
  if (found.erased_at) throw new StoreError('CASE_ERASED', `case ${id} is erased`)
  const { wrapped_key, ...row } = found
  const key = keys.fromWrapped(id, wrapped_key)
  if (!key) throw new KeyError('CASE_KEY_MISSING', `case ${id} has no key (erased or unknown)`)
  return { row, key }
}
