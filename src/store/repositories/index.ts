/**
 * One repository per aggregate, all on Kysely, identical on PGlite and PostgreSQL.
 * `createRepositories(db, keys)` binds them to a database or a transaction;
 * `inTransaction` runs a unit of work (e.g. a read and its access-log entry) atomically.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../schema.ts'
import { type AccessLogRepository, accessLogRepository } from './accessLog.ts'
import { type AnchorRepository, anchorRepository } from './anchors.ts'
import type { CaseKeys } from './caseKeys.ts'
import { type CaseRepository, type CasesCreatedHere, caseRepository } from './cases.ts'
import { type DocumentRepository, documentRepository } from './documents.ts'
import { type OrganisationRepository, organisationRepository } from './organisations.ts'
import { type PersonRepository, personRepository } from './people.ts'
import { type ReadModelRepository, readModelRepository } from './readModels.ts'

export interface Repositories {
  db: Kysely<Database>
  keys: CaseKeys
  organisations: OrganisationRepository
  people: PersonRepository
  cases: CaseRepository
  documents: DocumentRepository
  anchors: AnchorRepository
  accessLog: AccessLogRepository
  readModels: ReadModelRepository
}

export function createRepositories(db: Kysely<Database>, keys: CaseKeys): Repositories {
  // Only a transaction's repositories may trust what they created (see CasesCreatedHere).
  const createdHere: CasesCreatedHere | undefined = db.isTransaction ? new Map() : undefined
  return {
    db,
    keys,
    organisations: organisationRepository(db),
    people: personRepository(db, keys),
    cases: caseRepository(db, keys, createdHere),
    documents: documentRepository(db, keys),
    anchors: anchorRepository(db, keys, createdHere),
    accessLog: accessLogRepository(db),
    readModels: readModelRepository(db),
  }
}

export async function inTransaction<T>(
  db: Kysely<Database>,
  keys: CaseKeys,
  work: (repos: Repositories) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return work(createRepositories(db, keys))
  return db.transaction().execute((trx) => work(createRepositories(trx, keys)))
}

export * from './accessLog.ts'
export * from './anchors.ts'
export * from './caseKeys.ts'
export * from './cases.ts'
export * from './documents.ts'
export * from './organisations.ts'
export * from './people.ts'
export * from './readModels.ts'
