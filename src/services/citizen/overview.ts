/**
 * "Mit overblik": the citizen's cases (their own and their children's) with agreements and services in
 * plain Danish — what, where, how much, from/to, the next dates, status, the documents they may see,
 * their contributions, and the chain proof with its verifiable reference. Internal notes and staff
 * details beyond the agreement's parties are never included.
 */

import { formatKronerPlain } from '../../domain/money.ts'
import type { AgreementRow } from '../agreements/model.ts'
import type { AgreementDetail } from '../agreements/queries.ts'
import { agreementDetail } from '../agreements/queries.ts'
import type { Actor, ServiceContext } from '../context.ts'
import { type CitizenCaseRef, citizenCases } from './cases.ts'
import { type Contribution, contributionsOf } from './contributions.ts'
import { citizenMaySee } from './visibility.ts'

export const PROOF_SENTENCE = 'Denne aftale er registreret og kan ikke ændres i det skjulte'

const stateText: Record<string, string> = {
  Draft: 'Under udarbejdelse – aftalen er ikke underskrevet endnu',
  AwaitingApproval: 'Underskrevet – venter på godkendelse i kommunen',
  AwaitingMain: 'Underskrevet – starter, når hovedaftalen er godkendt',
  Active: 'Aftalen gælder',
  Terminated: 'Aftalen er stoppet',
  Expired: 'Aftalen er udløbet',
}

const caseStatusText: Record<string, string> = {
  Opstaaet: 'Sagen er oprettet',
  Oplyst: 'Kommunen har samlet oplysningerne',
  Afgjort: 'Kommunen har truffet en afgørelse',
  Afsluttet: 'Sagen er afsluttet',
}

/** Plain-words explanations of the words on the page (botilbud, statusrapport, …). */
export const GLOSSARY: Record<string, string> = {
  botilbud: 'Et sted, hvor man bor og får hjælp og omsorg hver dag, når man ikke kan bo hjemme.',
  statusrapport:
    'En skriftlig beretning fra stedet om, hvordan det går. Kommunen får den med faste mellemrum.',
  opfølgning: 'En dag, hvor kommunen ser på, om hjælpen skal fortsætte, ændres eller stoppe.',
  ydelse: 'En bestemt slags hjælp, som kommunen betaler for.',
  samvær: 'Tid sammen med forældre eller familie, når barnet bor et andet sted.',
  leverandør: 'Det sted eller firma, der giver hjælpen og får betaling fra kommunen.',
}

const templateText: Record<string, string> = {
  placement:
    'Barnet bor på et botilbud: et sted, hvor man bor og får hjælp og omsorg hver dag. Kommunen betaler stedet hver måned.',
  'contact-supervision':
    'Samvær med familien sker sammen med en fagperson, som er til stede under besøget. Kommunen betaler for timerne.',
}

const unitText: Record<string, string> = { month: 'om måneden', hour: 'i timen', session: 'pr. gang' }
const weekdays = ['', 'mandag', 'tirsdag', 'onsdag', 'torsdag', 'fredag', 'lørdag', 'søndag']

export interface CitizenLine {
  id: string
  name: string
  priceOre: string
  unit: string
  schedule: AgreementDetail['lines'][number]['schedule']
  start: string
  end: string | null
  reviewDate: string | null
  arrangedBy: string
  /** e.g. "52.000 kr. om måneden fra 1. februar 2026" in words. */
  text: string
}

export interface CitizenAgreement {
  id: string
  caseId: string
  title: string
  explanation: string | null
  state: string
  stateText: string
  version: number
  provider: { id: string; name: string }
  monthlyValueOre: string
  start: string
  end: string | null
  mainAgreementId: string | null
  lines: CitizenLine[]
  nextReportDue: string | null
  reviewDate: string | null
  nextDates: { kind: 'report' | 'review' | 'end'; date: string; text: string }[]
  reports: { id: string; filename: string | null; receivedAt: string }[]
  proof: {
    txHash: string
    blockNumber: string
    blockTime: string
    signers: string[]
    text: string
  } | null
}

export interface CitizenDocument {
  id: string
  filename: string | null
  kind: string
  receivedAt: string
  agreementId: string | null
}

export interface CitizenCaseView {
  id: string
  sagsnummer: string
  title: string
  status: string
  statusText: string
  kle: string
  relation: 'self' | 'child'
  childName?: string
  municipality: { id: string; name: string } | null
  agreements: CitizenAgreement[]
  documents: CitizenDocument[]
  contributions: Contribution[]
}

export interface CitizenOverview {
  person: { name: string }
  cases: CitizenCaseView[]
  glossary: Record<string, string>
}

function lineText(l: AgreementDetail['lines'][number]): string {
  const price = `${formatKronerPlain(BigInt(l.priceOre))} ${unitText[l.unit] ?? ''}`.trim()
  const when =
    l.schedule.kind === 'sessions'
      ? `, ${l.schedule.hours} timer hver ${l.schedule.everyWeeks === 1 ? '' : `${l.schedule.everyWeeks}. `}${weekdays[l.schedule.weekday] ?? ''}`
      : ''
  return `${l.name}: ${price}${when}, fra ${l.start}${l.end ? ` til ${l.end}` : ''}`
}

export function citizenAgreement(d: AgreementDetail): CitizenAgreement {
  const nextReportDue = d.obligations.find((o) => o.kind === 'status_report')?.nextDue ?? null
  const nextDates: CitizenAgreement['nextDates'] = []
  if (nextReportDue)
    nextDates.push({ kind: 'report', date: nextReportDue, text: 'Næste statusrapport skal komme senest' })
  for (const l of d.lines)
    if (l.reviewDate)
      nextDates.push({ kind: 'review', date: l.reviewDate, text: `Kommunen ser på «${l.name}» igen` })
  if (d.end) nextDates.push({ kind: 'end', date: d.end, text: 'Aftalen slutter' })
  nextDates.sort((a, b) => a.date.localeCompare(b.date))
  return {
    id: d.id,
    caseId: d.caseId,
    title: d.title,
    explanation: templateText[d.templateId] ?? null,
    state: d.state,
    stateText: stateText[d.state] ?? d.state,
    version: d.version,
    provider: d.provider,
    monthlyValueOre: d.monthlyValueOre,
    start: d.start,
    end: d.end,
    mainAgreementId: d.mainAgreementId,
    lines: d.lines.map((l) => ({
      id: l.id,
      name: l.name,
      priceOre: l.priceOre,
      unit: l.unit,
      schedule: l.schedule,
      start: l.start,
      end: l.end,
      reviewDate: l.reviewDate,
      arrangedBy: l.arrangedBy,
      text: lineText(l),
    })),
    nextReportDue,
    reviewDate: d.reviewDate,
    nextDates,
    reports: d.reports.map((r) => ({ id: r.id, filename: r.filename, receivedAt: r.receivedAt })),
    proof: d.proof ? { ...d.proof, text: PROOF_SENTENCE } : null,
  }
}

async function caseView(ctx: ServiceContext, ref: CitizenCaseRef): Promise<CitizenCaseView> {
  const c = ref.case
  const rows = (await ctx.db
    .selectFrom('agreements')
    .selectAll()
    .where('case_id', '=', c.id)
    .orderBy('created_at')
    .orderBy('id')
    .execute()) as AgreementRow[]
  const agreements: CitizenAgreement[] = []
  for (const row of rows) agreements.push(citizenAgreement(await agreementDetail(ctx, row)))
  const links = await ctx.db
    .selectFrom('agreement_documents')
    .innerJoin('agreements', 'agreements.id', 'agreement_documents.agreement_id')
    .select(['agreement_documents.document_id', 'agreement_documents.agreement_id'])
    .where('agreements.case_id', '=', c.id)
    .execute()
  const agreementOf = new Map(links.map((l) => [l.document_id, l.agreement_id]))
  const documents = (await ctx.repos.documents.list(c.id))
    .filter((d) => citizenMaySee(d.kind) && !d.erased)
    .map((d) => ({
      id: d.id,
      filename: d.title,
      kind: d.kind,
      receivedAt: d.createdAt,
      agreementId: agreementOf.get(d.id) ?? null,
    }))
  const municipality = await ctx.repos.organisations.get(c.organisationId)
  return {
    id: c.id,
    sagsnummer: c.sagsnummer,
    title: c.titel ?? 'Sag',
    status: c.status,
    statusText: caseStatusText[c.status] ?? c.status,
    kle: c.kleClass,
    relation: ref.relation,
    ...(ref.relation === 'child' && ref.primary ? { childName: ref.primary.name } : {}),
    municipality: municipality ? { id: municipality.id, name: municipality.name } : null,
    agreements,
    documents,
    contributions: await contributionsOf(ctx, c.id),
  }
}

export async function citizenOverview(ctx: ServiceContext, actor: Actor): Promise<CitizenOverview> {
  const refs = await citizenCases(ctx, actor.principal)
  const cases: CitizenCaseView[] = []
  for (const ref of refs) cases.push(await caseView(ctx, ref))
  return { person: { name: actor.principal.name }, cases, glossary: GLOSSARY }
}
