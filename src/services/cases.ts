/**
 * Cases (SF1470 case index): created by a caseworker with the citizen encrypted under the case's key,
 * anchored by a salted hash (the only thing the chain ever learns about the case: `caseRef`), listed
 * for the staff member's organisation and KLE subjects, and read with an access-log entry written in
 * the same transaction as the read.
 */
import { randomInt } from 'node:crypto'
import { InvalidCprError, parseCpr } from '../domain/cpr.ts'
import { appendEvent } from '../events/outbox.ts'
import { authorise, listFilter, type ResourceScope } from '../identity/authorise.ts'
import type { Principal } from '../identity/principal.ts'
import type { AccessPurpose } from '../store/repositories/accessLog.ts'
import { type CaseRecord, inTransaction } from '../store/repositories/index.ts'
import { fieldError, ServiceError } from './agreements/model.ts'
import { agreementDetail } from './agreements/queries.ts'
import { citizenMaySee } from './citizen/visibility.ts'
import type { Actor, ServiceContext } from './context.ts'

export interface NewCaseInput {
  cpr: string
  name: string
  kle: string
  title: string
  /** CPR of a parent with custody: their citizen login then sees the case. */
  parentCpr?: string | undefined
}

export interface CaseSummary {
  id: string
  sagsnummer: string
  title: string | null
  status: string
  kle: string
  createdAt: string
  /** The salted hash the ledger knows the case by. */
  caseRef: string | null
}

function summary(c: CaseRecord, caseRef: string | null): CaseSummary {
  return {
    id: c.id,
    sagsnummer: c.sagsnummer,
    title: c.titel,
    status: c.status,
    kle: c.kleClass,
    createdAt: c.createdAt,
    caseRef,
  }
}

/** Who may see a case: its municipality (by KLE) and its citizen or the holders of custody. */
export async function caseScope(ctx: ServiceContext, c: CaseRecord): Promise<ResourceScope> {
  const db = ctx.db
  const cits = await db.selectFrom('citizens').select('cpr_index').where('case_id', '=', c.id).execute()
  const custody = await db
    .selectFrom('custody')
    .innerJoin('citizens', 'citizens.id', 'custody.citizen_id')
    .select('custody.parent_person_id')
    .where('citizens.case_id', '=', c.id)
    .execute()
  return {
    municipalityId: c.organisationId,
    kle: c.kleClass,
    citizenPersonIds: custody.map((r) => r.parent_person_id),
    citizenCprIndexes: cits.map((r) => Buffer.from(r.cpr_index).toString('hex')),
  }
}

/** The case with this id, or null; an id not shaped like a UUID is not looked up (the column is uuid). */
export async function findCase(ctx: ServiceContext, id: string): Promise<CaseRecord | null> {
  return /^[0-9a-f-]{36}$/i.test(id) ? ctx.repos.cases.get(id) : null
}

export async function loadCase(ctx: ServiceContext, id: string): Promise<CaseRecord> {
  const c = await findCase(ctx, id)
  if (!c) throw new ServiceError('not_found', 'Sagen findes ikke')
  if (c.erasedAt) throw new ServiceError('gone', 'Sagens personoplysninger er slettet')
  return c
}

function sagsnummer(year: string): string {
  return `${year}-${String(randomInt(0, 1_000_000)).padStart(6, '0')}`
}

export async function createCase(
  ctx: ServiceContext,
  actor: Actor,
  input: NewCaseInput,
): Promise<CaseSummary> {
  const p = actor.principal
  const org = p.organisation
  if (org?.kind !== 'municipality') throw new ServiceError('forbidden', 'Kun kommuner opretter sager')
  authorise(p, 'case.create', { municipalityId: org.id, kle: input.kle })
  try {
    parseCpr(input.cpr)
  } catch (err) {
    if (err instanceof InvalidCprError) throw fieldError('cpr', 'ugyldigt CPR-nummer')
    throw err
  }
  if (input.parentCpr) {
    try {
      parseCpr(input.parentCpr)
    } catch {
      throw fieldError('parentCpr', 'ugyldigt CPR-nummer')
    }
  }
  const createdAt = new Date().toISOString()
  return inTransaction(ctx.db, ctx.keys, async (repos) => {
    const c = await repos.cases.create({
      organisationId: org.id,
      sagsnummer: sagsnummer(createdAt.slice(0, 4)),
      titel: input.title,
      kleClass: input.kle,
      createdAt,
    })
    const citizen = await repos.cases.addCitizen(c.id, { cpr: input.cpr, name: input.name, primary: true })
    if (input.parentCpr) {
      for (const parent of await repos.people.byCpr(input.parentCpr)) {
        await repos.cases.addCustody({
          parentPersonId: parent.id,
          citizenId: citizen.id,
          fromDate: createdAt.slice(0, 10),
        })
      }
    }
    const anchor = await repos.anchors.anchorCase(c.id)
    await repos.accessLog.append({
      actorPersonId: p.personId,
      actorRole: p.role,
      actorOrganisationId: org.id,
      caseId: c.id,
      citizenId: citizen.id,
      action: 'create',
      object: 'case',
      purpose: 'casework',
    })
    await appendEvent(repos.db, {
      type: 'case.created.v1',
      payload: {
        caseId: c.id,
        caseNumber: c.sagsnummer,
        municipalityId: org.id,
        kle: c.kleClass,
        status: c.status,
        createdOn: createdAt.slice(0, 10),
      },
    })
    return summary(c, anchor.hash)
  })
}

export async function listCases(ctx: ServiceContext, actor: Actor): Promise<CaseSummary[]> {
  const f = listFilter(actor.principal, 'case.read')
  if (!f?.municipalityId) return []
  const cases = await ctx.repos.cases.list({
    organisationId: f.municipalityId,
    ...(f.kle ? { kleClassPrefixes: f.kle } : {}),
  })
  const refs = await caseRefs(
    ctx,
    cases.map((c) => c.id),
  )
  return cases.filter((c) => !c.erasedAt).map((c) => summary(c, refs.get(c.id) ?? null))
}

async function caseRefs(ctx: ServiceContext, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map()
  const rows = await ctx.db
    .selectFrom('anchors')
    .select(['object_id', 'hash'])
    .where('kind', '=', 'case')
    .where('object_id', 'in', ids)
    .execute()
  return new Map(rows.map((r) => [r.object_id, r.hash]))
}

function purposeOf(p: Principal): AccessPurpose {
  if (p.kind === 'citizen') return 'citizen_self_service'
  if (p.role === 'centre_chief' || p.role === 'director') return 'approval'
  return 'casework'
}

export interface CaseDetail extends CaseSummary {
  citizen: { name: string; cpr: string } | null
  documents: {
    id: string
    filename: string | null
    kind: string
    receivedAt: string
    agreementId: string | null
  }[]
  /** The case's own history and that of its agreements on the ledger, oldest first. */
  timeline: { at: string; kind: string; text: string; agreementId?: string }[]
}

/** The case with its citizen decrypted; the read and its access-log entry commit together. */
export async function getCase(ctx: ServiceContext, actor: Actor, id: string): Promise<CaseDetail> {
  const c = await loadCase(ctx, id)
  const p = authorise(actor.principal, 'case.read', await caseScope(ctx, c))
  const agreementRows = await ctx.db
    .selectFrom('agreements')
    .selectAll()
    .where('case_id', '=', c.id)
    .orderBy('created_at')
    .execute()
  const timeline: CaseDetail['timeline'] = [
    { at: c.createdAt.slice(0, 10), kind: 'CaseCreated', text: 'Sagen oprettet' },
  ]
  for (const row of agreementRows) {
    const detail = await agreementDetail(ctx, row)
    for (const e of detail.timeline)
      timeline.push({ at: e.at, kind: e.kind, text: `${detail.title}: ${e.text}`, agreementId: row.id })
  }
  const linked = await ctx.db
    .selectFrom('agreement_documents')
    .select(['document_id', 'agreement_id'])
    .execute()
  const docAgreement = new Map(linked.map((r) => [r.document_id, r.agreement_id]))
  return inTransaction(ctx.db, ctx.keys, async (repos) => {
    const citizens = await repos.cases.citizens(c.id)
    const primary = citizens.find((x) => x.id === c.primaryCitizenId) ?? citizens[0] ?? null
    await repos.accessLog.append({
      actorPersonId: p.personId,
      actorRole: p.role,
      actorOrganisationId: p.organisation?.id ?? null,
      caseId: c.id,
      citizenId: primary?.id ?? null,
      action: 'read',
      object: 'case',
      purpose: purposeOf(p),
    })
    // A citizen reading their own case through this endpoint never gets notes marked internal.
    const docs = (await repos.documents.list(c.id)).filter(
      (d) => p.kind !== 'citizen' || citizenMaySee(d.kind),
    )
    const ref = await repos.anchors.get('case', c.id)
    return {
      ...summary(c, ref?.hash ?? null),
      citizen: primary ? { name: primary.name, cpr: primary.cpr } : null,
      documents: docs.map((d) => ({
        id: d.id,
        filename: d.title,
        kind: d.kind,
        receivedAt: d.createdAt,
        agreementId: docAgreement.get(d.id) ?? null,
      })),
      timeline,
    }
  })
}

export interface DocumentDownload {
  id: string
  filename: string
  mediaType: string
  bytes: Uint8Array
}

/**
 * A document of a case, for those who may see the case or are the provider party of an agreement the
 * document belongs to. The read is access-logged in the same transaction.
 */
export async function readDocument(ctx: ServiceContext, actor: Actor, id: string): Promise<DocumentDownload> {
  const meta = /^[0-9a-f-]{36}$/i.test(id) ? await ctx.repos.documents.get(id) : null
  // Notes marked internal do not exist for citizens, also on their own case.
  if (!meta || (actor.principal.kind === 'citizen' && !citizenMaySee(meta.kind)))
    throw new ServiceError('not_found', 'Dokumentet findes ikke')
  if (meta.erased) throw new ServiceError('gone', 'Dokumentet er slettet')
  const c = await loadCase(ctx, meta.caseId)
  const providers = await ctx.db
    .selectFrom('agreement_documents')
    .innerJoin('agreements', 'agreements.id', 'agreement_documents.agreement_id')
    .select('agreements.provider_id')
    .where('agreement_documents.document_id', '=', id)
    .execute()
  const p = authorise(actor.principal, 'document.read', {
    ...(await caseScope(ctx, c)),
    providerIds: providers.map((r) => r.provider_id),
  })
  return inTransaction(ctx.db, ctx.keys, async (repos) => {
    const bytes = await repos.documents.read(id)
    await repos.accessLog.append({
      actorPersonId: p.personId,
      actorRole: p.role,
      actorOrganisationId: p.organisation?.id ?? null,
      caseId: c.id,
      action: 'read',
      object: `document:${id}`,
      purpose: purposeOf(p),
    })
    return { id, filename: meta.title ?? `${id}.bin`, mediaType: meta.mediaType, bytes }
  })
}
