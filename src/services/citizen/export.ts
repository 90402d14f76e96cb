/**
 * "Eksport": everything Tillid holds about the citizen and the children in their custody, as JSON with
 * field names after the municipal case index (SF1470) and benefit index (SF1490) where they apply
 * (mapping in docs/citizen-export.md), and as a readable PDF. The export is written to the access log.
 */

import { formatKronerPlain } from '../../domain/money.ts'
import { createDocument, MARGIN } from '../../reports/pdf/document.ts'
import type { AccessLogView } from '../accessLogView.ts'
import type { Actor, ServiceContext } from '../context.ts'
import { readCitizenLog } from './accessLog.ts'
import { citizenCases } from './cases.ts'
import { type CitizenCaseView, citizenOverview, GLOSSARY, PROOF_SENTENCE } from './overview.ts'

export const EXPORT_FORMAT = 'tillid.borgereksport.v1'

export interface CitizenExport {
  format: typeof EXPORT_FORMAT
  dannet: string
  borger: { navn: string }
  sager: ExportSag[]
  ordforklaringer: Record<string, string>
}

export interface ExportSag {
  // SF1470 Sag
  sagUUID: string
  sagsnummer: string
  titel: string
  sagsstatus: string
  kleEmne: string
  myndighed: { organisationUUID: string; navn: string } | null
  primaerPart: { cprNummer: string; navn: string } | null
  relation: 'egen sag' | 'barn i forældremyndighed'
  // SF1490 Ydelse (one per service line of each agreement)
  aftaler: {
    aftaleUUID: string
    titel: string
    status: string
    statusTekst: string
    version: number
    leverandoer: { organisationUUID: string; navn: string }
    virkningFra: string
    virkningTil: string | null
    maanedligBeloebOere: string
    hovedaftaleUUID: string | null
    naesteStatusrapport: string | null
    opfoelgningsdato: string | null
    ydelser: {
      ydelseUUID: string
      ydelsesnavn: string
      beloebOere: string
      enhed: string
      virkningFra: string
      virkningTil: string | null
      opfoelgningsdato: string | null
      beskrivelse: string
    }[]
    registrering: { tekst: string; transaktion: string; blok: string; tidspunkt: string } | null
  }[]
  dokumenter: {
    dokumentUUID: string
    titel: string | null
    type: string
    modtaget: string
    aftaleUUID: string | null
  }[]
  bidrag: {
    id: string
    type: string
    tekst: string
    oprettet: string
    svar: string | null
    besvaret: string | null
  }[]
  adgangslog: {
    tidspunkt: string
    hvem: string
    rolle: string
    organisation: string | null
    hvad: string
    hvorfor: string
  }[]
}

function sag(
  c: CitizenCaseView,
  primary: { cpr: string; name: string } | null,
  log: AccessLogView[],
): ExportSag {
  return {
    sagUUID: c.id,
    sagsnummer: c.sagsnummer,
    titel: c.title,
    sagsstatus: c.status,
    kleEmne: c.kle,
    myndighed: c.municipality ? { organisationUUID: c.municipality.id, navn: c.municipality.name } : null,
    primaerPart: primary ? { cprNummer: primary.cpr, navn: primary.name } : null,
    relation: c.relation === 'self' ? 'egen sag' : 'barn i forældremyndighed',
    aftaler: c.agreements.map((a) => ({
      aftaleUUID: a.id,
      titel: a.title,
      status: a.state,
      statusTekst: a.stateText,
      version: a.version,
      leverandoer: { organisationUUID: a.provider.id, navn: a.provider.name },
      virkningFra: a.start,
      virkningTil: a.end,
      maanedligBeloebOere: a.monthlyValueOre,
      hovedaftaleUUID: a.mainAgreementId,
      naesteStatusrapport: a.nextReportDue,
      opfoelgningsdato: a.reviewDate,
      ydelser: a.lines.map((l) => ({
        ydelseUUID: l.id,
        ydelsesnavn: l.name,
        beloebOere: l.priceOre,
        enhed: l.unit,
        virkningFra: l.start,
        virkningTil: l.end,
        opfoelgningsdato: l.reviewDate,
        beskrivelse: l.text,
      })),
      registrering: a.proof
        ? {
            tekst: PROOF_SENTENCE,
            transaktion: a.proof.txHash,
            blok: String(a.proof.blockNumber),
            tidspunkt: String(a.proof.blockTime),
          }
        : null,
    })),
    dokumenter: c.documents.map((d) => ({
      dokumentUUID: d.id,
      titel: d.filename,
      type: d.kind,
      modtaget: d.receivedAt,
      aftaleUUID: d.agreementId,
    })),
    bidrag: c.contributions.map((k) => ({
      id: k.id,
      type: k.kind,
      tekst: k.text,
      oprettet: k.createdAt,
      svar: k.answer,
      besvaret: k.answeredAt,
    })),
    adgangslog: log
      .filter((e) => e.caseId === c.id)
      .map((e) => ({
        tidspunkt: e.at,
        hvem: e.personName,
        rolle: e.roleText,
        organisation: e.organisation,
        hvad: e.what,
        hvorfor: e.why,
      })),
  }
}

export async function citizenExport(ctx: ServiceContext, actor: Actor): Promise<CitizenExport> {
  const refs = await citizenCases(ctx, actor.principal)
  const overview = await citizenOverview(ctx, actor)
  const log = await readCitizenLog(ctx, actor, refs, 'citizen_export')
  const primaries = new Map(refs.map((r) => [r.case.id, r.primary]))
  return {
    format: EXPORT_FORMAT,
    dannet: new Date().toISOString(),
    borger: { navn: actor.principal.name },
    sager: overview.cases.map((c) => sag(c, primaries.get(c.id) ?? null, log)),
    ordforklaringer: GLOSSARY,
  }
}

/** The same export as a readable PDF (A4, Danish). */
export async function citizenExportPdf(ctx: ServiceContext, actor: Actor): Promise<Buffer> {
  const data = await citizenExport(ctx, actor)
  const { doc, finish } = createDocument('Dine oplysninger i Tillid', null)
  const width = doc.page.width - 2 * MARGIN
  const h1 = (t: string) => doc.font('Helvetica-Bold').fontSize(18).text(t, { width }).moveDown(0.5)
  const h2 = (t: string) => doc.font('Helvetica-Bold').fontSize(14).text(t, { width }).moveDown(0.3)
  const h3 = (t: string) => doc.font('Helvetica-Bold').fontSize(11).text(t, { width }).moveDown(0.2)
  const p = (t: string) => doc.font('Helvetica').fontSize(10).text(t, { width }).moveDown(0.2)

  h1('Dine oplysninger i Tillid')
  p(`Udskrevet til ${data.borger.navn} den ${data.dannet.slice(0, 10)}.`)
  p(
    'Her er alt, hvad kommunen har registreret i Tillid om dig og de børn, du har forældremyndighed over: sager, aftaler om hjælp, dokumenter, dine bemærkninger og hvem der har set oplysningerne.',
  )
  if (data.sager.length === 0) p('Der er ingen sager.')
  for (const s of data.sager) {
    doc.moveDown(0.5)
    h2(`${s.titel} (sag ${s.sagsnummer})`)
    if (s.primaerPart) p(`Sagen handler om: ${s.primaerPart.navn}`)
    p(`Kommune: ${s.myndighed?.navn ?? '–'} · Status: ${s.sagsstatus} · KLE: ${s.kleEmne}`)
    for (const a of s.aftaler) {
      doc.moveDown(0.3)
      h3(`${a.titel} hos ${a.leverandoer.navn}`)
      p(`${a.statusTekst}. Fra ${a.virkningFra}${a.virkningTil ? ` til ${a.virkningTil}` : ''}.`)
      p(`Kommunen betaler i alt ${formatKronerPlain(BigInt(a.maanedligBeloebOere))} om måneden.`)
      for (const y of a.ydelser) p(`• ${y.beskrivelse}`)
      if (a.naesteStatusrapport) p(`Næste statusrapport skal komme senest ${a.naesteStatusrapport}.`)
      if (a.opfoelgningsdato) p(`Kommunen ser på hjælpen igen ${a.opfoelgningsdato}.`)
      if (a.registrering) {
        p(`${a.registrering.tekst}.`)
        p(`Reference: transaktion ${a.registrering.transaktion}, blok ${a.registrering.blok}.`)
      }
    }
    if (s.dokumenter.length) {
      h3('Dokumenter')
      for (const d of s.dokumenter) p(`• ${d.titel ?? 'Dokument'} (modtaget ${d.modtaget.slice(0, 10)})`)
    }
    if (s.bidrag.length) {
      h3('Dine bemærkninger')
      for (const b of s.bidrag) {
        p(`• ${b.type === 'correction' ? 'Rettelse' : 'Bemærkning'} ${b.oprettet.slice(0, 10)}: ${b.tekst}`)
        if (b.svar) p(`  Svar fra kommunen: ${b.svar}`)
      }
    }
    h3('Hvem har set oplysningerne')
    if (s.adgangslog.length === 0) p('Ingen.')
    for (const e of s.adgangslog) {
      p(
        `• ${e.tidspunkt.slice(0, 16).replace('T', ' ')}: ${e.hvem} (${e.rolle}${e.organisation ? `, ${e.organisation}` : ''}) – ${e.hvad}. Hvorfor: ${e.hvorfor}.`,
      )
    }
  }
  doc.moveDown(0.5)
  h2('Ordforklaringer')
  for (const [word, text] of Object.entries(data.ordforklaringer)) p(`${word}: ${text}`)
  return finish('Tillid – borgereksport')
}
