/** The national report and the municipal report, in Danish. */
import { comparisonChart, connectionChart, monthlyUsageChart } from '../charts.ts'
import { formatDecimal, formatInt, formatShown } from '../format.ts'
import type { AnomalyKey } from '../kpi.ts'
import { KPI_LINES, kpiLines } from '../kpiLines.ts'
import type { PublishedMunicipality, PublishedRollout } from '../reportData.ts'
import { hiddenLabel } from '../suppression.ts'
import { chart, createDocument, heading, paragraph, table } from './document.ts'

export const SYNTHETIC_BANNER =
  'SYNTETISKE DATA – tallene er genereret til test og demonstration og beskriver ingen virkelige forhold'

const anomalyLabel: Record<AnomalyKey, string> = {
  apiCallsPer1000: 'API-kald pr. 1.000 indbyggere',
  eventsPer1000: 'Hændelser pr. 1.000 indbyggere',
  activePer1000: 'Aktive aftaler pr. 1.000 indbyggere',
  reportsOnTimeShare: 'Statusrapporter til tiden',
  medianDaysDraftToActive: 'Dage fra kladde til aktiv',
  deviationShare: 'Andel fakturaer med afvigelser',
}

function suppressionNote(r: PublishedRollout): string {
  return (
    `Diskretion: antal under ${r.threshold}, der vedrører borgere, vises som "${hiddenLabel(r.threshold)}". ` +
    'Enkelte andre tal er også skjult, så et skjult tal ikke kan regnes ud fra totaler eller fra de andre ' +
    'kommuners rapporter. Andele og medianer vises kun, når tallet de bygger på, vises. 0 vises som 0.'
  )
}

function intro(doc: PDFKit.PDFDocument, title: string, subtitle: string, r: PublishedRollout): void {
  doc.moveDown(0.5)
  doc.font('Helvetica-Bold').fontSize(20).fillColor('#004b87').text(title)
  doc.font('Helvetica').fontSize(12).fillColor('#1a1a1a').text(subtitle)
  doc.moveDown(0.3)
  paragraph(
    doc,
    `Tilslutning, udbredelse og anvendelse af Tillid i ${r.quarterLabel}, sammenlignet med kvartalet før ` +
      `(${r.previousQuarter}).`,
  )
  paragraph(doc, suppressionNote(r), 8)
}

const kpiColumns = (withMedian: boolean) => [
  { header: 'Nøgletal', width: withMedian ? 0.4 : 0.46 },
  { header: 'Kvartalet', width: 0.16, align: 'right' as const },
  { header: 'Forrige kvartal', width: 0.16, align: 'right' as const },
  { header: 'Ændring', width: withMedian ? 0.14 : 0.22, align: 'right' as const },
  ...(withMedian ? [{ header: 'Landsmedian', width: 0.14, align: 'right' as const }] : []),
]

export async function renderNationalReport(r: PublishedRollout): Promise<Buffer> {
  const title = `Tillid – landsrapport ${r.quarter}`
  const { doc, finish } = createDocument(title, r.synthetic ? SYNTHETIC_BANNER : null)
  intro(doc, 'Udbredelse og anvendelse af Tillid', `Hele landet · ${r.quarterLabel}`, r)

  for (const stage of ['Tilslutning', 'Udbredelse', 'Anvendelse']) {
    heading(doc, stage, 12)
    const lines = kpiLines(r.national, r, false).filter((l) => l.stage === stage)
    table(
      doc,
      kpiColumns(false),
      lines.map((l) => [l.label, l.value, l.previous, l.change]),
    )
  }

  heading(doc, 'Tilslutning pr. region', 12, 210)
  const regions = new Map<string, { klarmeldt: number; delvis: number; nej: number; irrelevant: number }>()
  for (const m of r.municipalities) {
    const a = regions.get(m.region) ?? { klarmeldt: 0, delvis: 0, nej: 0, irrelevant: 0 }
    a.klarmeldt += m.current.connection.klarmeldt
    a.delvis += m.current.connection.delvis
    a.nej += m.current.connection.nej
    a.irrelevant += m.current.connection.irrelevant
    regions.set(m.region, a)
  }
  chart(
    doc,
    connectionChart(
      [...regions].map(([label, a]) => ({ label: label.replace('Region ', ''), ...a })),
      { width: 499, height: 200 },
    ),
    499,
    200,
  )
  chart(doc, monthlyUsageChart(r.national.monthlyApiCalls, { width: 499, height: 220 }), 499, 220)
  const per1000 = r.municipalities
    .filter((m) => m.current.apiCallsPer1000 !== null)
    .map((m) => ({ label: m.name, value: m.current.apiCallsPer1000 as number }))
  chart(
    doc,
    comparisonChart(
      'API-kald pr. 1.000 indbyggere, alle kommuner',
      per1000,
      r.medians.apiCallsPer1000,
      null,
      {
        width: 499,
        height: 220,
      },
    ),
    499,
    220,
  )

  heading(doc, 'Kommunerne', 12)
  table(
    doc,
    [
      { header: 'Kommune', width: 0.22 },
      { header: 'Aktive aftaler', width: 0.11, align: 'right' },
      { header: 'Oprettet', width: 0.1, align: 'right' },
      { header: 'Ophørt', width: 0.1, align: 'right' },
      { header: 'Rapporter til tiden', width: 0.12, align: 'right' },
      { header: 'Tilbage-holdt', width: 0.1, align: 'right' },
      { header: 'API-kald pr. 1.000', width: 0.13, align: 'right' },
      { header: 'Klarmeldt', width: 0.12, align: 'right' },
    ],
    r.municipalities.map((m) => {
      const c = m.current
      const lines = kpiLines(m, r, false)
      const line = (id: string) => lines.find((l) => l.id === id)!.value
      return [
        `${m.code} ${m.name}`,
        formatShown(c.measures.agreementsActive),
        formatShown(c.measures.agreementsCreated),
        formatShown(c.measures.agreementsTerminated),
        line('reportsOnTimeShare'),
        formatShown(c.measures.paymentsWithheld),
        line('apiCallsPer1000'),
        line('klarmeldtShare'),
      ]
    }),
    7.5,
  )

  heading(doc, 'Aktive aftaler pr. KLE-emne og skabelon', 12)
  table(
    doc,
    [
      { header: 'KLE-emne', width: 0.7 },
      { header: 'Aktive aftaler', width: 0.3, align: 'right' },
    ],
    r.national.activeByKle.map((k) => [k.key, formatShown(k.active)]),
  )
  table(
    doc,
    [
      { header: 'Aftaleskabelon', width: 0.7 },
      { header: 'Aktive aftaler', width: 0.3, align: 'right' },
    ],
    r.national.activeByTemplate.map((k) => [k.key, formatShown(k.active)]),
  )

  heading(doc, 'Afvigelser fra landsmedianen', 12)
  const flagged = r.municipalities.flatMap((m) => m.anomalies.map((a) => ({ m, a })))
  if (flagged.length === 0) paragraph(doc, 'Ingen kommuner ligger langt fra landsmedianen i dette kvartal.')
  else {
    paragraph(
      doc,
      'Kommuner, hvis nøgletal ligger langt fra medianen for alle kommuner (robust z-score over 3, ' +
        'beregnet på medianafvigelsen). Et flag er en anledning til at se nærmere efter, ikke en fejl.',
      8,
    )
    table(
      doc,
      [
        { header: 'Kommune', width: 0.28 },
        { header: 'Nøgletal', width: 0.32 },
        { header: 'Værdi', width: 0.14, align: 'right' },
        { header: 'Median', width: 0.14, align: 'right' },
        { header: 'z', width: 0.12, align: 'right' },
      ],
      flagged.map(({ m, a }) => [
        `${m.code} ${m.name}`,
        anomalyLabel[a.kpi],
        formatDecimal(a.kpi.endsWith('Share') ? a.value * 100 : a.value, 1),
        formatDecimal(a.kpi.endsWith('Share') ? a.median * 100 : a.median, 1),
        formatDecimal(a.z, 1),
      ]),
    )
  }
  return finish(`Tillid · Landsrapport · ${r.quarterLabel}`)
}

export async function renderMunicipalityReport(
  r: PublishedRollout,
  m: PublishedMunicipality,
): Promise<Buffer> {
  const title = `Tillid – ${m.name} ${r.quarter}`
  const { doc, finish } = createDocument(title, r.synthetic ? SYNTHETIC_BANNER : null)
  const inhabitants =
    m.inhabitants === null ? 'indbyggertal ukendt' : `${formatInt(m.inhabitants)} indbyggere`
  intro(
    doc,
    `${m.name} Kommune`,
    `Kommunekode ${m.code} · ${m.region} · ${inhabitants} · ${r.quarterLabel}`,
    r,
  )

  for (const stage of ['Tilslutning', 'Udbredelse', 'Anvendelse']) {
    heading(doc, stage, 12)
    const lines = kpiLines(m, r, true).filter((l) => l.stage === stage)
    table(
      doc,
      kpiColumns(true),
      lines.map((l) => [l.label, l.value, l.previous, l.change, l.median]),
    )
  }

  chart(
    doc,
    connectionChart([{ label: m.name, ...m.current.connection }], { width: 499, height: 110 }),
    499,
    110,
  )
  chart(doc, monthlyUsageChart(m.monthlyApiCalls, { width: 499, height: 200 }), 499, 200)
  const per1000 = r.municipalities
    .filter((x) => x.current.apiCallsPer1000 !== null)
    .map((x) => ({ label: x.name, value: x.current.apiCallsPer1000 as number }))
  chart(
    doc,
    comparisonChart(
      `API-kald pr. 1.000 indbyggere: ${m.name} (rød) og de andre kommuner`,
      per1000,
      r.medians.apiCallsPer1000,
      m.name,
      {
        width: 499,
        height: 200,
      },
    ),
    499,
    200,
  )

  heading(doc, 'Aktive aftaler pr. KLE-emne og skabelon', 12)
  table(
    doc,
    [
      { header: 'KLE-emne', width: 0.7 },
      { header: 'Aktive aftaler', width: 0.3, align: 'right' },
    ],
    m.activeByKle.map((k) => [k.key, formatShown(k.active)]),
  )
  table(
    doc,
    [
      { header: 'Aftaleskabelon', width: 0.7 },
      { header: 'Aktive aftaler', width: 0.3, align: 'right' },
    ],
    m.activeByTemplate.map((k) => [k.key, formatShown(k.active)]),
  )

  heading(doc, 'Afvigelser fra landsmedianen', 12)
  if (m.anomalies.length === 0)
    paragraph(doc, `${m.name} ligger ikke langt fra landsmedianen på nogen nøgletal.`)
  else
    for (const a of m.anomalies) {
      const pct = a.kpi.endsWith('Share')
      paragraph(
        doc,
        `${anomalyLabel[a.kpi]}: ${formatDecimal(pct ? a.value * 100 : a.value, 1)}${pct ? ' %' : ''} ` +
          `(landsmedian ${formatDecimal(pct ? a.median * 100 : a.median, 1)}${pct ? ' %' : ''}), ` +
          `${a.direction === 'high' ? 'langt over' : 'langt under'} medianen (robust z = ${formatDecimal(a.z, 1)}).`,
      )
    }
  return finish(`Tillid · ${m.code} ${m.name} · ${r.quarterLabel}`)
}

export { KPI_LINES }
