/**
 * Inbound ESDH messages (issue 9, docs/events.md "Inbound"): a document journalised on a case in the
 * municipality's ESDH system becomes a status report on the matching agreement through the same use
 * case as a provider's upload (`uploadReport`): stored encrypted under the case key, its salted hash
 * anchored and submitted on chain, which fulfils the report obligation and releases withheld months.
 *
 * Who signs on chain: Obligations.submitReport takes a report only from a signatory of the
 * agreement's provider. The journalised document is the provider's report, delivered to the
 * municipality and filed there, so the installation submits it for the provider through a separate
 * integration account per provider — derived from the key-encryption key like the organisations'
 * administrator accounts (membership.ts) and made that provider's signatory in the directory. A
 * report that came through ESDH is therefore recognisable on chain by its signer, and off chain by
 * `created_by = system:esdh`.
 */
import { hkdfSync } from 'node:crypto'
import { keccak256 } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { DocumentJournalised, InboundHandlers, InboundResult } from '../events/inbound.ts'
import type { Principal } from '../identity/principal.ts'
import { LedgerRevertError } from '../ledger/errors.ts'
import type { Organisation } from '../store/repositories/organisations.ts'
import { MEDIA_TYPES, uploadReport } from './agreements/commands.ts'
import { type AgreementRow, ServiceError } from './agreements/model.ts'
import type { Actor, ServiceContext } from './context.ts'
import { orgIdOf } from './membership.ts'

/** `created_by` of documents that arrived through ESDH (no person of the IdP uploaded them). */
export const ESDH_CREATOR_PREFIX = 'system:esdh:'

/** Agreement states in which the ledger may take a report (late reports too, after the end). */
const TAKES_REPORTS = new Set(['Active', 'Terminated', 'Expired'])

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The integration account that submits ESDH reports for `provider`, as an Actor of that provider. */
export function esdhActor(ctx: ServiceContext, provider: Organisation): Actor {
  if (provider.kind !== 'provider' || !provider.cvr) throw new Error('an ESDH actor acts for a provider')
  const principal: Principal = {
    personId: `${ESDH_CREATOR_PREFIX}${provider.id}`,
    subject: `${ESDH_CREATOR_PREFIX}${provider.cvr}`,
    name: 'ESDH-integration',
    role: 'provider_signatory',
    kind: 'staff',
    organisation: { id: provider.id, kind: 'provider', name: provider.name, code: provider.cvr },
    kle: [],
    cprIndexes: [],
  }
  return {
    principal,
    withAccount: async (fn) => {
      const info = `tillid/esdh-integration/${orgIdOf('provider', provider.cvr as string)}`
      const seed = hkdfSync('sha256', ctx.kek, new Uint8Array(0), info, 32)
      return fn(privateKeyToAccount(keccak256(new Uint8Array(seed))))
    },
  }
}

type Match = { row: AgreementRow } | { status: 'unmatched'; reason: string }

const unmatched = (reason: string): Match => ({ status: 'unmatched', reason })

/** The agreement a journalised document belongs to: the one named, else the one case (and provider) gives. */
export async function matchAgreement(ctx: ServiceContext, doc: DocumentJournalised): Promise<Match> {
  const cases = await ctx.db
    .selectFrom('cases')
    .innerJoin('organisations', 'organisations.id', 'cases.organisation_id')
    .select(['cases.id', 'cases.sagsnummer', 'cases.erased_at', 'organisations.municipality_code'])
    .where((eb) =>
      UUID.test(doc.caseRef)
        ? eb.or([eb('cases.sagsnummer', '=', doc.caseRef), eb('cases.id', '=', doc.caseRef.toLowerCase())])
        : eb('cases.sagsnummer', '=', doc.caseRef),
    )
    .$if(doc.municipalityCode !== undefined, (q) =>
      q.where('organisations.municipality_code', '=', doc.municipalityCode as string),
    )
    .execute()
  const live = cases.filter((c) => !c.erased_at)
  if (live.length === 0) return unmatched(`no case ${doc.caseRef}`)
  if (live.length > 1)
    return unmatched(`case ${doc.caseRef} exists in ${live.length} municipalities; give municipalityCode`)
  const theCase = live[0] as (typeof live)[number]

  let q = ctx.db
    .selectFrom('agreements')
    .innerJoin('organisations as provider', 'provider.id', 'agreements.provider_id')
    .leftJoin('rm_agreements', 'rm_agreements.id', 'agreements.id')
    .selectAll('agreements')
    .select(['rm_agreements.state', 'provider.cvr'])
    .where('agreements.case_id', '=', theCase.id)
  if (doc.agreementId) q = q.where('agreements.id', '=', doc.agreementId.toLowerCase())
  if (doc.providerCvr) q = q.where('provider.cvr', '=', doc.providerCvr)
  const found = await q.orderBy('agreements.created_at').execute()
  if (doc.agreementId && found.length === 0)
    return unmatched(`agreement ${doc.agreementId} is not on case ${doc.caseRef}`)
  // A named agreement is tried whatever its state: the ledger then says why it takes no report.
  const open = doc.agreementId ? found : found.filter((a) => a.state && TAKES_REPORTS.has(a.state))
  const who = doc.providerCvr ? ` with provider ${doc.providerCvr}` : ''
  if (open.length === 0) return unmatched(`no active agreement${who} on case ${doc.caseRef}`)
  if (open.length > 1)
    return unmatched(
      `case ${doc.caseRef} has ${open.length} active agreements${who}; give agreementId or providerCvr`,
    )
  const { state: _state, cvr: _cvr, ...row } = open[0] as (typeof open)[number]
  return { row }
}

function filenameOf(doc: DocumentJournalised): string {
  const ext = Object.entries(MEDIA_TYPES).find(([, type]) => type === doc.contentType)?.[0]
  // The title may hold personal data: it is stored only encrypted, as a provider's filename is.
  const base = (doc.title ?? `ESDH-dokument ${doc.documentId}`)
    .replace(/[/\\\0]/g, '-')
    .trim()
    .slice(0, 180)
  return ext && !base.toLowerCase().endsWith(`.${ext}`) ? `${base}.${ext}` : base
}

/** Handles one journalised document: match, then the provider-upload use case as the ESDH integration. */
export async function reportFromEsdh(ctx: ServiceContext, doc: DocumentJournalised): Promise<InboundResult> {
  const match = await matchAgreement(ctx, doc)
  if (!('row' in match)) return match
  const { row } = match
  const provider = await ctx.repos.organisations.get(row.provider_id)
  if (!provider?.cvr)
    return unmatched(`agreement ${row.id} has no provider with a CVR number`) as InboundResult
  try {
    const report = await uploadReport(ctx, esdhActor(ctx, provider), row.id, {
      filename: filenameOf(doc),
      contentBase64: doc.contentBase64,
    })
    return {
      status: 'handled',
      reportId: report.id,
      agreementId: row.id,
      released: report.released,
    }
  } catch (err) {
    // The same document under another message id: the report is there already, which is what the
    // sender wants; doing it again would anchor it as a second report.
    if (err instanceof ServiceError && err.code === 'conflict')
      return { status: 'handled', agreementId: row.id, alreadyDelivered: true }
    if (err instanceof LedgerRevertError)
      return {
        status: 'refused',
        reason: `agreement ${row.id} takes no report now (${err.errorName ?? 'ledger refused'})`,
      }
    if (err instanceof ServiceError && err.code === 'validation_failed')
      return {
        status: 'refused',
        reason: `the document cannot be a report: ${err.errors?.map((e) => e.message).join('; ') ?? err.message}`,
      }
    throw err
  }
}

export function esdhInboundHandlers(ctx: ServiceContext): InboundHandlers {
  return { onDocumentJournalised: (doc) => reportFromEsdh(ctx, doc) }
}
