/**
 * Turns a login's mapped claims into a Principal with store ids: the organisation is found by its
 * municipality code or CVR number and the person by the IdP subject; both are created on first login
 * (just-in-time provisioning), so a municipality's IdP is the source of truth for who works where.
 */
import type { Kysely } from 'kysely'
import { CaseKeys } from '../store/repositories/caseKeys.ts'
import { type Organisation, organisationRepository } from '../store/repositories/organisations.ts'
import { personRepository } from '../store/repositories/people.ts'
import type { Database } from '../store/schema.ts'
import type { MappedIdentity, Principal } from './principal.ts'

export interface Directory {
  resolve(identity: MappedIdentity): Promise<Principal>
}

async function retryOnce<T>(f: () => Promise<T>): Promise<T> {
  // A concurrent first login of a colleague may create the same row between our read and insert.
  try {
    return await f()
  } catch {
    return f()
  }
}

export function storeDirectory(db: Kysely<Database>, kek: Uint8Array): Directory {
  const keys = new CaseKeys(kek)
  const organisations = organisationRepository(db)
  const people = personRepository(db, keys)

  async function organisationFor(o: NonNullable<MappedIdentity['organisation']>): Promise<Organisation> {
    return retryOnce(async () => {
      const found =
        o.kind === 'municipality'
          ? await organisations.byMunicipalityCode(o.code)
          : await organisations.byCvr(o.code)
      if (found) return found
      return organisations.create(
        o.kind === 'municipality'
          ? { kind: 'municipality', municipalityCode: o.code, name: o.name }
          : { kind: 'provider', cvr: o.code, name: o.name },
      )
    })
  }

  return {
    async resolve(identity) {
      const org = identity.organisation ? await organisationFor(identity.organisation) : null
      const person = await retryOnce(async () => {
        const found = await people.bySubject(identity.subject)
        if (found) {
          if (JSON.stringify(found.kleSubjects) !== JSON.stringify(identity.kle)) {
            await people.setKleSubjects(found.id, identity.kle)
          }
          return found
        }
        return people.create({
          kind: identity.kind,
          subject: identity.subject,
          organisationId: org?.id ?? null,
          displayName: identity.name,
          role: identity.role,
          kleSubjects: identity.kle,
          ...(identity.cpr ? { cpr: identity.cpr } : {}),
        })
      })
      const cprs = identity.cpr ? [identity.cpr, ...identity.custodyCprs] : []
      return {
        personId: person.id,
        subject: identity.subject,
        name: identity.name,
        role: identity.role,
        kind: identity.kind,
        organisation: org
          ? { id: org.id, kind: org.kind, name: org.name, code: (org.municipalityCode ?? org.cvr)! }
          : null,
        kle: identity.kle,
        cprIndexes: cprs.map((c) => Buffer.from(keys.blindIndex(c)).toString('hex')),
      }
    },
  }
}
