import { randomUUID } from 'node:crypto'
import type { Kysely, Selectable } from 'kysely'
import { conflictAs, StoreError } from '../errors.ts'
import type { Database } from '../schema.ts'

export type OrganisationKind = 'municipality' | 'provider'

export interface Organisation {
  id: string
  kind: OrganisationKind
  /** Three-digit municipality code (municipalities only). */
  municipalityCode: string | null
  /** Eight-digit CVR number (providers only). */
  cvr: string | null
  name: string
  /** The organisation's id in the on-chain directory (bytes32 hex), once registered. */
  chainId: string | null
}

export type NewOrganisation =
  | { id?: string; kind: 'municipality'; municipalityCode: string; name: string; chainId?: string | null }
  | { id?: string; kind: 'provider'; cvr: string; name: string; chainId?: string | null }

export interface OrganisationRepository {
  create(input: NewOrganisation): Promise<Organisation>
  get(id: string): Promise<Organisation | null>
  byMunicipalityCode(code: string): Promise<Organisation | null>
  byCvr(cvr: string): Promise<Organisation | null>
  byChainId(chainId: string): Promise<Organisation | null>
  list(kind?: OrganisationKind): Promise<Organisation[]>
  setChainId(id: string, chainId: string): Promise<void>
}

function toOrganisation(r: Selectable<Database['organisations']>): Organisation {
  return {
    id: r.id,
    kind: r.kind,
    municipalityCode: r.municipality_code,
    cvr: r.cvr,
    name: r.name,
    chainId: r.chain_id,
  }
}

export function organisationRepository(db: Kysely<Database>): OrganisationRepository {
  const one = async (q: Promise<Selectable<Database['organisations']> | undefined>) => {
    const r = await q
    return r ? toOrganisation(r) : null
  }
  return {
    async create(input) {
      if (!input.name.trim()) throw new StoreError('INVALID_INPUT', 'organisation name is empty')
      if (input.kind === 'municipality' && !/^\d{3}$/.test(input.municipalityCode)) {
        throw new StoreError('INVALID_INPUT', 'municipality code must be 3 digits')
      }
      if (input.kind === 'provider' && !/^\d{8}$/.test(input.cvr)) {
        throw new StoreError('INVALID_INPUT', 'CVR number must be 8 digits')
      }
      const row = await conflictAs('an organisation with this code, CVR or chain id', () =>
        db
          .insertInto('organisations')
          .values({
            id: input.id ?? randomUUID(),
            kind: input.kind,
            municipality_code: input.kind === 'municipality' ? input.municipalityCode : null,
            cvr: input.kind === 'provider' ? input.cvr : null,
            name: input.name,
            chain_id: input.chainId ?? null,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      )
      return toOrganisation(row)
    },
    get: (id) => one(db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst()),
    byMunicipalityCode: (code) =>
      one(
        db.selectFrom('organisations').selectAll().where('municipality_code', '=', code).executeTakeFirst(),
      ),
    byCvr: (cvr) => one(db.selectFrom('organisations').selectAll().where('cvr', '=', cvr).executeTakeFirst()),
    byChainId: (chainId) =>
      one(db.selectFrom('organisations').selectAll().where('chain_id', '=', chainId).executeTakeFirst()),
    async list(kind) {
      let q = db.selectFrom('organisations').selectAll().orderBy('name').orderBy('id')
      if (kind) q = q.where('kind', '=', kind)
      return (await q.execute()).map(toOrganisation)
    },
    async setChainId(id, chainId) {
      const r = await db
        .updateTable('organisations')
        .set({ chain_id: chainId })
        .where('id', '=', id)
        .executeTakeFirst()
      if (r.numUpdatedRows === 0n) throw new StoreError('NOT_FOUND', `organisation ${id} not found`)
    },
  }
}
