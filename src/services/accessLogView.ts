/**
 * The access log as people read it: who (name and role), which organisation, when, what and why, in
 * plain Danish, newest first. Staff with `accesslog.read` see one case's log; citizens see their own
 * cases' log (citizen/accessLog.ts). Every view of the log is itself written to the log, in the same
 * transaction as the entries are read.
 */
import { authorise } from '../identity/authorise.ts'
import { roleLabels } from '../identity/personas.ts'
import type { Principal } from '../identity/principal.ts'
import type { AccessLogEntry, AccessPurpose } from '../store/repositories/accessLog.ts'
import { inTransaction, type Repositories } from '../store/repositories/index.ts'
import { ServiceError } from './agreements/model.ts'
import { caseScope, findCase } from './cases.ts'
import type { Actor, ServiceContext } from './context.ts'

export interface AccessLogView {
  seq: number
  at: string
  personName: string
  /** Role code (caseworker, …); `roleText` is its Danish name. */
  role: string
  roleText: string
  organisation: string | null
  what: string
  why: string
  action: string
  purpose: string
  caseId: string | null
}

const purposeText: Record<string, string> = {
  casework: 'Sagsbehandling',
  approval: 'Godkendelse af en aftale',
  payment: 'Betaling til leverandøren',
  audit: 'Revision og kontrol',
  citizen_self_service: 'Borgeren så sine egne oplysninger',
  support: 'Teknisk support',
  erasure: 'Sletning af personoplysninger efter reglerne',
}

function whatText(e: AccessLogEntry, docTitles: Map<string, string | null>): string {
  const [object, id] = e.object.includes(':') ? e.object.split(':', 2) : [e.object, undefined]
  const doc = id ? docTitles.get(id) : undefined
  const thing: Record<string, string> = {
    case: 'sagen',
    document: doc ? `dokumentet «${doc}»` : 'et dokument',
    access_log: 'loggen over, hvem der har set sagen',
    citizen_export: 'alle oplysninger (eksport)',
    contribution: 'en bemærkning fra borgeren',
    overview: 'overblikket over sagen',
  }
  const target = thing[object!] ?? object!
  switch (e.action) {
    case 'read':
      return object === 'document' ? `Hentede ${target}` : `Så ${target}`
    case 'export':
      return `Hentede ${target}`
    case 'create':
      return `Oprettede ${target}`
    case 'update':
      return `Ændrede ${target}`
    case 'erase':
      return `Slettede personoplysningerne i ${target}`
    default:
      return `${e.action} ${target}`
  }
}

/** Names, organisations and document titles for a page of entries (looked up once per id). */
export async function describeEntries(
  repos: Repositories,
  entries: AccessLogEntry[],
): Promise<AccessLogView[]> {
  const people = new Map<string, string>()
  const orgs = new Map<string, string | null>()
  const docs = new Map<string, string | null>()
  for (const e of entries) {
    if (!people.has(e.actorPersonId)) {
      const p = await repos.people.get(e.actorPersonId)
      people.set(e.actorPersonId, p?.displayName ?? 'Ukendt person')
    }
    if (e.actorOrganisationId && !orgs.has(e.actorOrganisationId)) {
      orgs.set(e.actorOrganisationId, (await repos.organisations.get(e.actorOrganisationId))?.name ?? null)
    }
    const docId = e.object.startsWith('document:') ? e.object.slice('document:'.length) : null
    if (docId && !docs.has(docId)) docs.set(docId, (await repos.documents.get(docId))?.title ?? null)
  }
  return entries
    .map((e) => ({
      seq: e.seq,
      at: e.at,
      personName: people.get(e.actorPersonId)!,
      role: e.actorRole,
      roleText: roleLabels[e.actorRole as keyof typeof roleLabels] ?? e.actorRole,
      organisation: e.actorOrganisationId ? (orgs.get(e.actorOrganisationId) ?? null) : null,
      what: whatText(e, docs),
      why: purposeText[e.purpose] ?? e.purpose,
      action: e.action,
      purpose: e.purpose,
      caseId: e.caseId,
    }))
    .sort((a, b) => b.seq - a.seq)
}

function staffPurpose(p: Principal): AccessPurpose {
  if (p.role === 'auditor') return 'audit'
  if (p.role === 'centre_chief' || p.role === 'director') return 'approval'
  return 'casework'
}

/** One case's access log for staff with `accesslog.read` in the case's municipality and KLE subject. */
export async function caseAccessLog(
  ctx: ServiceContext,
  actor: Actor,
  caseId: string,
): Promise<AccessLogView[]> {
  const c = await findCase(ctx, caseId)
  if (!c) throw new ServiceError('not_found', 'Sagen findes ikke')
  const p = authorise(actor.principal, 'accesslog.read', await caseScope(ctx, c))
  return inTransaction(ctx.db, ctx.keys, async (repos) => {
    const entries = await repos.accessLog.forCase(c.id)
    await repos.accessLog.append({
      actorPersonId: p.personId,
      actorRole: p.role,
      actorOrganisationId: p.organisation?.id ?? null,
      caseId: c.id,
      action: 'read',
      object: 'access_log',
      purpose: staffPurpose(p),
    })
    return describeEntries(repos, entries)
  })
}
