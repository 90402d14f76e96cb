/**
 * The cases a logged-in citizen may see: their own (matched by the blind index of their CPR) and those
 * of the children in their custody (custody claim or custody rows). Every case found is checked once
 * more with `authorise`, so this list can never show more than the rule for one case would.
 */
import { authorise } from '../../identity/authorise.ts'
import type { Principal } from '../../identity/principal.ts'
import type { CaseRecord, Citizen } from '../../store/repositories/index.ts'
import { ServiceError } from '../agreements/model.ts'
import { caseScope } from '../cases.ts'
import type { ServiceContext } from '../context.ts'

export interface CitizenCaseRef {
  case: CaseRecord
  citizens: Citizen[]
  /** The case's primary party. */
  primary: Citizen | null
  /** 'self' when the case is about the logged-in person, 'child' when about a child in their custody. */
  relation: 'self' | 'child'
}

export function requireCitizen(principal: Principal): Principal {
  if (principal.kind !== 'citizen') throw new ServiceError('forbidden', 'Kun for borgere')
  return principal
}

export async function citizenCases(ctx: ServiceContext, principal: Principal): Promise<CitizenCaseRef[]> {
  requireCitizen(principal)
  const db = ctx.db
  const idx = principal.cprIndexes.map((h) => Buffer.from(h, 'hex'))
  const byCpr = idx.length
    ? await db.selectFrom('citizens').select('case_id').where('cpr_index', 'in', idx).execute()
    : []
  const byCustody = await db
    .selectFrom('custody')
    .innerJoin('citizens', 'citizens.id', 'custody.citizen_id')
    .select('citizens.case_id')
    .where('custody.parent_person_id', '=', principal.personId)
    .execute()
  const ids = [...new Set([...byCpr, ...byCustody].map((r) => r.case_id))]
  const own = await db
    .selectFrom('people')
    .select('cpr_index')
    .where('id', '=', principal.personId)
    .executeTakeFirst()
  const ownIndex = own?.cpr_index ? Buffer.from(own.cpr_index).toString('hex') : null
  const out: CitizenCaseRef[] = []
  for (const id of ids) {
    const c = await ctx.repos.cases.get(id)
    if (!c || c.erasedAt) continue
    authorise(principal, 'citizen.overview', await caseScope(ctx, c))
    const citizens = await ctx.repos.cases.citizens(c.id)
    const primary = citizens.find((x) => x.id === c.primaryCitizenId) ?? citizens[0] ?? null
    const rows = await db
      .selectFrom('citizens')
      .select(['id', 'cpr_index'])
      .where('case_id', '=', c.id)
      .execute()
    const self = rows.some((r) => ownIndex !== null && Buffer.from(r.cpr_index).toString('hex') === ownIndex)
    out.push({ case: c, citizens, primary, relation: self ? 'self' : 'child' })
  }
  return out.sort(
    (a, b) => a.case.createdAt.localeCompare(b.case.createdAt) || a.case.id.localeCompare(b.case.id),
  )
}

/** One of the citizen's cases, or not_found (also for other people's cases: ids reveal nothing). */
export async function citizenCase(
  ctx: ServiceContext,
  principal: Principal,
  caseId: string,
): Promise<CitizenCaseRef> {
  const found = (await citizenCases(ctx, principal)).find((c) => c.case.id === caseId)
  if (!found) throw new ServiceError('not_found', 'Sagen findes ikke')
  return found
}
