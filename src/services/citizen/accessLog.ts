/**
 * "Hvem har set mine data": the access log of the citizen's own and their children's cases — who
 * (name and role), which organisation, when, what, why — newest first, filterable. Viewing it is
 * itself written to the log, per case, in the same transaction as the entries are read.
 */
import { authorise } from '../../identity/authorise.ts'
import { inTransaction } from '../../store/repositories/index.ts'
import { type AccessLogView, describeEntries } from '../accessLogView.ts'
import { caseScope } from '../cases.ts'
import type { Actor, ServiceContext } from '../context.ts'
import { type CitizenCaseRef, citizenCases } from './cases.ts'

export interface CitizenLogFilter {
  caseId?: string | undefined
  /** First and last day (YYYY-MM-DD, inclusive) by the entry's date. */
  from?: string | undefined
  to?: string | undefined
  /** Organisation name contains (case-insensitive). */
  organisation?: string | undefined
  /** Free text over who, role, what and why. */
  q?: string | undefined
}

export function applyFilter(entries: AccessLogView[], f: CitizenLogFilter): AccessLogView[] {
  const org = f.organisation?.toLowerCase()
  const q = f.q?.toLowerCase()
  return entries.filter(
    (e) =>
      (!f.caseId || e.caseId === f.caseId) &&
      (!f.from || e.at.slice(0, 10) >= f.from) &&
      (!f.to || e.at.slice(0, 10) <= f.to) &&
      (!org || (e.organisation ?? '').toLowerCase().includes(org)) &&
      (!q || `${e.personName} ${e.roleText} ${e.what} ${e.why}`.toLowerCase().includes(q)),
  )
}

/** The citizen's log entries (every case, or the cases given), logging the view of each case. */
export async function readCitizenLog(
  ctx: ServiceContext,
  actor: Actor,
  refs: CitizenCaseRef[],
  object: 'access_log' | 'citizen_export',
): Promise<AccessLogView[]> {
  const p = actor.principal
  for (const ref of refs) authorise(p, 'citizen.overview', await caseScope(ctx, ref.case))
  return inTransaction(ctx.db, ctx.keys, async (repos) => {
    const entries = []
    for (const ref of refs) entries.push(...(await repos.accessLog.forCase(ref.case.id)))
    for (const ref of refs) {
      await repos.accessLog.append({
        actorPersonId: p.personId,
        actorRole: p.role,
        actorOrganisationId: null,
        caseId: ref.case.id,
        citizenId: ref.primary?.id ?? null,
        action: object === 'citizen_export' ? 'export' : 'read',
        object,
        purpose: 'citizen_self_service',
      })
    }
    return describeEntries(repos, entries)
  })
}

export async function citizenAccessLog(
  ctx: ServiceContext,
  actor: Actor,
  filter: CitizenLogFilter = {},
): Promise<AccessLogView[]> {
  let refs = await citizenCases(ctx, actor.principal)
  if (filter.caseId) refs = refs.filter((r) => r.case.id === filter.caseId)
  return applyFilter(await readCitizenLog(ctx, actor, refs, 'access_log'), filter)
}
