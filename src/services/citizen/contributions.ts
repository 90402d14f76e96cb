/**
 * A citizen's comment or correction request on their case. The text is sealed under the case key (so
 * an erasure takes it along), becomes a task for the case's caseworkers, and the caseworker's answer
 * is shown to the citizen once given.
 */
import { randomUUID } from 'node:crypto'
import { authorise, listFilter } from '../../identity/authorise.ts'
import { kleCovers } from '../../identity/principal.ts'
import { inTransaction } from '../../store/repositories/index.ts'
import { fieldError, ServiceError } from '../agreements/model.ts'
import { caseScope, findCase } from '../cases.ts'
import type { Actor, ServiceContext } from '../context.ts'
import { citizenCase } from './cases.ts'

export const MAX_CONTRIBUTION_CHARS = 4000

export interface Contribution {
  id: string
  caseId: string
  kind: 'comment' | 'correction'
  text: string
  createdAt: string
  answer: string | null
  answeredAt: string | null
}

const textAad = (id: string) => `contribution/${id}/text`
const answerAad = (id: string) => `contribution/${id}/answer`

export async function addContribution(
  ctx: ServiceContext,
  actor: Actor,
  input: { caseId: string; kind: 'comment' | 'correction'; text: string },
): Promise<Contribution> {
  const p = actor.principal
  const text = input.text.trim()
  if (!text) throw fieldError('text', 'skriv din bemærkning')
  if (text.length > MAX_CONTRIBUTION_CHARS) throw fieldError('text', `højst ${MAX_CONTRIBUTION_CHARS} tegn`)
  const ref = await citizenCase(ctx, p, input.caseId)
  authorise(p, 'citizen.contribute', await caseScope(ctx, ref.case))
  const id = randomUUID()
  const createdAt = new Date().toISOString()
  const key = await ctx.keys.get(ctx.db, ref.case.id)
  await ctx.db
    .insertInto('citizen_contributions')
    .values({
      id,
      case_id: ref.case.id,
      author_person_id: p.personId,
      kind: input.kind,
      text_ct: key.seal(text, textAad(id)),
      created_at: createdAt,
      answer_ct: null,
      answered_by: null,
      answered_at: null,
    })
    .execute()
  return { id, caseId: ref.case.id, kind: input.kind, text, createdAt, answer: null, answeredAt: null }
}

/** A case's contributions, decrypted (for the citizen's own case, or staff who may read the case). */
export async function contributionsOf(
  ctx: Pick<ServiceContext, 'db' | 'keys'>,
  caseId: string,
): Promise<Contribution[]> {
  const rows = await ctx.db
    .selectFrom('citizen_contributions')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  if (rows.length === 0) return []
  const key = await ctx.keys.get(ctx.db, caseId)
  return rows.map((r) => ({
    id: r.id,
    caseId: r.case_id,
    kind: r.kind,
    text: key.openText(r.text_ct, textAad(r.id)),
    createdAt: r.created_at,
    answer: r.answer_ct ? key.openText(r.answer_ct, answerAad(r.id)) : null,
    answeredAt: r.answered_at,
  }))
}

/** Staff view of a case's contributions; written to the access log like any read of the case. */
export async function caseContributions(
  ctx: ServiceContext,
  actor: Actor,
  caseId: string,
): Promise<Contribution[]> {
  const c = await findCase(ctx, caseId)
  if (!c || c.erasedAt) throw new ServiceError('not_found', 'Sagen findes ikke')
  const p = authorise(actor.principal, 'case.read', await caseScope(ctx, c))
  if (p.kind !== 'staff') throw new ServiceError('forbidden', 'Kun for kommunens medarbejdere')
  return inTransaction(ctx.db, ctx.keys, async (repos) => {
    await repos.accessLog.append({
      actorPersonId: p.personId,
      actorRole: p.role,
      actorOrganisationId: p.organisation?.id ?? null,
      caseId: c.id,
      action: 'read',
      object: 'contribution',
      purpose: 'casework',
    })
    // In the transaction's connection: PGlite has only one.
    return contributionsOf({ db: repos.db, keys: ctx.keys }, c.id)
  })
}

/** The caseworker answers; the answer is sealed under the case key like the question. */
export async function answerContribution(
  ctx: ServiceContext,
  actor: Actor,
  caseId: string,
  contributionId: string,
  input: { text: string },
): Promise<Contribution> {
  const c = await findCase(ctx, caseId)
  if (!c || c.erasedAt) throw new ServiceError('not_found', 'Sagen findes ikke')
  const p = authorise(actor.principal, 'case.read', await caseScope(ctx, c))
  if (p.role !== 'caseworker') throw new ServiceError('forbidden', 'Kun sagsbehandleren svarer borgeren')
  const text = input.text.trim()
  if (!text) throw fieldError('text', 'skriv et svar')
  if (text.length > MAX_CONTRIBUTION_CHARS) throw fieldError('text', `højst ${MAX_CONTRIBUTION_CHARS} tegn`)
  const row = await ctx.db
    .selectFrom('citizen_contributions')
    .select('id')
    .where('id', '=', contributionId)
    .where('case_id', '=', c.id)
    .executeTakeFirst()
  if (!row) throw new ServiceError('not_found', 'Bemærkningen findes ikke')
  const key = await ctx.keys.get(ctx.db, c.id)
  await ctx.db
    .updateTable('citizen_contributions')
    .set({
      answer_ct: key.seal(text, answerAad(row.id)),
      answered_by: p.personId,
      answered_at: new Date().toISOString(),
    })
    .where('id', '=', row.id)
    .execute()
  return (await contributionsOf(ctx, c.id)).find((x) => x.id === row.id)!
}

export interface ContributionTask {
  kind: 'contribution'
  caseId: string
  contributionId: string
  title: string
  due: null
}

/** Unanswered contributions on the cases a caseworker may read: tasks for GET /api/tasks. */
export async function contributionTasks(ctx: ServiceContext, actor: Actor): Promise<ContributionTask[]> {
  const p = actor.principal
  if (p.role !== 'caseworker') return []
  const f = listFilter(p, 'case.read')
  if (!f?.municipalityId) return []
  const rows = await ctx.db
    .selectFrom('citizen_contributions')
    .innerJoin('cases', 'cases.id', 'citizen_contributions.case_id')
    .select([
      'citizen_contributions.id',
      'citizen_contributions.case_id',
      'citizen_contributions.kind',
      'cases.kle_class',
      'cases.sagsnummer',
    ])
    .where('cases.organisation_id', '=', f.municipalityId)
    .where('cases.erased_at', 'is', null)
    .where('citizen_contributions.answer_ct', 'is', null)
    .orderBy('citizen_contributions.created_at')
    .execute()
  return rows
    .filter((r) => !f.kle || f.kle.some((k) => kleCovers(k, r.kle_class)))
    .map((r) => ({
      kind: 'contribution' as const,
      caseId: r.case_id,
      contributionId: r.id,
      title: `${r.kind === 'correction' ? 'Anmodning om rettelse' : 'Bemærkning'} fra borgeren (sag ${r.sagsnummer})`,
      due: null,
    }))
}
