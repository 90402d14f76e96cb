/**
 * Fixture answers of the HTTP API (docs/api-plan.md) for the web app's browser tests, drawn from
 * the Preben scenario as it stands after step 12 (2026-06-03). Typed with the web client's own
 * types, so a change of the client's expectations breaks compilation here. The service lines are
 * the scenario's own (src/services/demo/scenarioRequests.ts), with the ids the API would give them.
 */

import { contactLines, placementLines, schoolSupportLines } from '../../src/services/demo/scenarioRequests.ts'
import type {
  AccessLogEntry,
  AgreementDetail,
  AgreementSummary,
  CaseDetail,
  CaseSummary,
  CitizenOverview,
  Line,
  Me,
  Organisation,
  PaymentRun,
  Task,
  Template,
} from '../../web/src/api.ts'

const hts = { id: 'org-169', kind: 'municipality', name: 'Høje-Taastrup Kommune', code: '169' }
const oestervold = { id: 'org-oestervold', kind: 'provider', name: 'Østervold', code: '12345678' }
const samvaer = { id: 'org-samvaer', kind: 'provider', name: 'Samværskonsulenterne ApS', code: '87654321' }

function me(id: string, name: string, role: Me['person']['role'], org: Organisation | null): Me {
  return {
    person: { id, name, role, kind: role === 'citizen' ? 'citizen' : 'staff' },
    organisation: org,
    kle: role === 'caseworker' ? ['27.24.00'] : [],
    csrfToken: `csrf-${id}`,
  }
}

export const personas: Record<string, Me> = {
  sara: me('p-sara', 'Sara', 'caseworker', hts),
  bo: me('p-bo', 'Bo', 'centre_chief', hts),
  lis: me('p-lis', 'Lis', 'centre_chief', hts),
  dorte: me('p-dorte', 'Dorte', 'director', hts),
  finn: me('p-finn', 'Finn', 'finance', hts),
  ole: me('p-ole', 'Ole', 'provider_signatory', oestervold),
  sanne: me('p-sanne', 'Sanne', 'provider_signatory', samvaer),
  revisor: me('p-revisor', 'Rikke Revisor', 'auditor', null),
  admin: me('p-admin', 'Admin', 'admin', hts),
  mor: me('p-mor', 'Prebens mor', 'citizen', null),
}

export const organisations: Organisation[] = [hts, oestervold, samvaer]

export const templates: Template[] = [
  {
    id: 'tpl-placement',
    name: 'Anbringelse på botilbud',
    reportEveryMonths: 3,
    graceDays: 14,
    lines: placementLines.slice(0, 2),
  },
  { id: 'tpl-contact', name: 'Overvåget samvær', reportEveryMonths: 3, graceDays: 14, lines: [] },
]

export const cases: CaseSummary[] = [
  {
    id: 'case-1',
    sagsnummer: '27.24.00-G01-1-26',
    title: 'Anbringelse uden for hjemmet',
    status: 'Afgjort',
    kle: '27.24.00',
  },
]

const placementV1 = placementLines.map((l, i) => ({ ...l, id: `L${i + 1}` }))
const placementV2 = [...placementV1, ...schoolSupportLines.map((l) => ({ ...l, id: 'L4' }))]
const [ophold, skoledel, , schoolSupport] = placementV2 as [Line, Line, Line, Line]
const contactLine: Line = { ...(contactLines[0] as (typeof contactLines)[number]), id: 'S1' }

const proof = {
  txHash: '0x5f2c9d0e3b7a41c88e6f0a2d9b1c4e7f8a3b6c9d0e1f2a3b4c5d6e7f8a9b0c1d',
  blockNumber: 17,
  blockTime: 1772352000,
  signers: ['0x8ba1f109551bD432803012645Ac136ddd64DBA72', '0xab5801a7d398351b8be11c439e05c5b3259aec9b'],
}

export const agreements: Record<string, AgreementDetail> = {
  'agr-placement': {
    id: 'agr-placement',
    caseId: 'case-1',
    title: 'Anbringelse på Østervold',
    state: 'Active',
    version: 2,
    provider: { id: oestervold.id, name: oestervold.name },
    municipality: { id: hts.id, name: hts.name },
    monthlyValueOre: '7580000',
    start: '2026-02-01',
    end: null,
    relatedAgreementIds: ['agr-contact'],
    lines: placementV2,
    versions: [
      { version: 1, lines: placementV1, createdAt: '2026-01-12T09:00:00Z' },
      { version: 2, lines: placementV2, reviewDate: '2026-05-15', createdAt: '2026-03-01T09:00:00Z' },
    ],
    signatures: [
      { version: 1, name: 'Sara', role: 'caseworker', organisation: hts.name, at: '2026-01-14T09:30:00Z' },
      {
        version: 1,
        name: 'Ole',
        role: 'provider_signatory',
        organisation: oestervold.name,
        at: '2026-01-14T10:00:00Z',
      },
      { version: 2, name: 'Sara', role: 'caseworker', organisation: hts.name, at: '2026-03-01T09:30:00Z' },
      {
        version: 2,
        name: 'Ole',
        role: 'provider_signatory',
        organisation: oestervold.name,
        at: '2026-03-01T10:00:00Z',
      },
    ],
    approvals: [
      { version: 1, name: 'Bo', role: 'centre_chief', organisation: hts.name, at: '2026-01-15T08:00:00Z' },
      { version: 1, name: 'Lis', role: 'centre_chief', organisation: hts.name, at: '2026-01-16T08:00:00Z' },
    ],
    obligations: [
      { kind: 'status_report', everyMonths: 3, graceDays: 14, nextDue: '2026-08-01', overdueSince: null },
    ],
    reports: [{ id: 'doc-1', filename: 'statusrapport-maj-2026.pdf', receivedAt: '2026-06-03T08:00:00Z' }],
    payments: [
      { period: '2026-02', amountOre: '7250000', status: 'paid' },
      { period: '2026-03', amountOre: '8230000', status: 'paid' },
      { period: '2026-04', amountOre: '8230000', status: 'paid' },
      {
        period: '2026-05',
        amountOre: '7580000',
        status: 'released',
        reason: 'report_overdue',
        dueDate: '2026-05-01',
        overdueSince: '2026-05-16',
        lines: [ophold, skoledel, schoolSupport].map((l) => ({
          lineId: l.id,
          name: l.name,
          amountOre: l.priceOre,
        })),
      },
    ],
    invoices: [],
    timeline: [
      { at: '2026-01-12T09:00:00Z', text: 'Kladde oprettet af Sara' },
      { at: '2026-01-16T08:00:00Z', text: 'Godkendt af Lis – aftalen er aktiv fra 1. februar 2026' },
      { at: '2026-03-01T10:00:00Z', text: 'Tillæg (version 2) underskrevet' },
      { at: '2026-06-01T06:00:00Z', text: 'Betaling for maj tilbageholdt: statusrapport mangler' },
      { at: '2026-06-03T08:00:00Z', text: 'Statusrapport modtaget; 75.800,00 kr frigivet' },
    ],
    proof,
  },
  'agr-contact': {
    id: 'agr-contact',
    caseId: 'case-1',
    title: 'Overvåget samvær',
    state: 'Active',
    version: 1,
    provider: { id: samvaer.id, name: samvaer.name },
    municipality: { id: hts.id, name: hts.name },
    mainAgreementId: 'agr-placement',
    start: '2026-02-01',
    lines: [contactLine],
    versions: [],
    signatures: [],
    approvals: [],
    obligations: [{ kind: 'status_report', everyMonths: 3, graceDays: 14, nextDue: '2026-08-01' }],
    reports: [{ id: 'doc-2', filename: 'samvaer-status.pdf', receivedAt: '2026-05-20T08:00:00Z' }],
    payments: [{ period: '2026-02', amountOre: '520000', status: 'paid' }],
    invoices: [
      {
        id: 'inv-1',
        period: '2026-02',
        lineId: 'S1',
        quantity: 8,
        expectedQuantity: 8,
        amountOre: '520000',
        status: 'accepted',
      },
      {
        id: 'inv-2',
        period: '2026-03',
        lineId: 'S1',
        quantity: 12,
        expectedQuantity: 8,
        amountOre: '780000',
        status: 'deviation',
      },
    ],
    timeline: [],
    proof: { ...proof, txHash: `0x${'ab'.repeat(32)}`, blockNumber: 18 },
  },
  'agr-draft': {
    id: 'agr-draft',
    caseId: 'case-1',
    title: 'Aflastning i weekender',
    state: 'Draft',
    version: 1,
    provider: { id: oestervold.id, name: oestervold.name },
    start: '2026-07-01',
    lines: [
      {
        id: 'D1',
        name: 'Aflastning',
        priceOre: '1200000',
        unit: 'month',
        schedule: { kind: 'monthly' },
        start: '2026-07-01',
        arrangedBy: 'provider',
      },
    ],
    signatures: [],
    approvals: [],
    proof: null,
  },
}

agreements['agr-awaiting'] = {
  ...(agreements['agr-draft'] as AgreementDetail),
  id: 'agr-awaiting',
  title: 'Aflastning i ferier',
  state: 'AwaitingApproval',
  monthlyValueOre: '5500000',
  signatures: [
    { version: 1, name: 'Sara', role: 'caseworker', organisation: hts.name, at: '2026-06-02T09:00:00Z' },
    {
      version: 1,
      name: 'Ole',
      role: 'provider_signatory',
      organisation: oestervold.name,
      at: '2026-06-02T10:00:00Z',
    },
  ],
  approvals: [
    { version: 1, name: 'Lis', role: 'centre_chief', organisation: hts.name, at: '2026-06-03T08:00:00Z' },
  ],
}

export function summaries(): AgreementSummary[] {
  return Object.values(agreements).map(
    ({ id, caseId, title, state, version, provider, monthlyValueOre, start, end, mainAgreementId }) => ({
      id,
      caseId,
      title,
      state,
      version,
      provider,
      monthlyValueOre,
      start,
      end,
      mainAgreementId,
    }),
  )
}

export const caseDetail: CaseDetail = {
  ...(cases[0] as CaseSummary),
  citizen: { name: 'Preben Hansen', cpr: '010216-4321' },
  documents: [{ id: 'doc-1', filename: 'statusrapport-maj-2026.pdf', receivedAt: '2026-06-03T08:00:00Z' }],
  timeline: [
    { at: '2026-01-12T09:00:00Z', text: 'Sag oprettet' },
    { at: '2026-01-16T08:00:00Z', text: 'Anbringelse på Østervold godkendt' },
  ],
  contributions: [],
}

export const tasks: Record<string, Task[]> = {
  sara: [
    { kind: 'sign', agreementId: 'agr-draft', title: 'Underskriv Aflastning i weekender', due: '2026-06-10' },
    { kind: 'review', agreementId: 'agr-placement', title: 'Revurdér Ekstra skolestøtte', due: '2026-05-15' },
    { kind: 'contribution', caseId: 'case-1', title: 'Kommentar fra Prebens mor' },
  ],
  bo: [{ kind: 'approve', agreementId: 'agr-awaiting', title: 'Godkend Aflastning i ferier' }],
  ole: [
    {
      kind: 'report_overdue',
      agreementId: 'agr-placement',
      title: 'Statusrapport til Anbringelse på Østervold',
      due: '2026-08-01',
    },
  ],
  finn: [
    {
      kind: 'invoice_deviation',
      agreementId: 'agr-contact',
      title: 'Faktura for marts afviger: 12 timer, aftalt 8',
    },
  ],
}

export const paymentRuns: Record<string, PaymentRun> = {
  '2026-02': {
    period: '2026-02',
    runAt: '2026-03-01T06:00:00Z',
    items: [
      {
        agreementId: 'agr-placement',
        agreementTitle: 'Anbringelse på Østervold',
        providerName: 'Østervold',
        amountOre: '7250000',
        status: 'approved',
      },
      {
        agreementId: 'agr-contact',
        agreementTitle: 'Overvåget samvær',
        providerName: 'Samværskonsulenterne ApS',
        amountOre: '520000',
        status: 'approved',
      },
    ],
    deviations: [],
  },
  '2026-05': {
    period: '2026-05',
    runAt: '2026-06-01T06:00:00Z',
    items: [
      {
        agreementId: 'agr-placement',
        agreementTitle: 'Anbringelse på Østervold',
        providerName: 'Østervold',
        amountOre: '7580000',
        status: 'withheld',
        reason: 'report_overdue',
        dueDate: '2026-05-01',
        overdueSince: '2026-05-16',
      },
      {
        agreementId: 'agr-contact',
        agreementTitle: 'Overvåget samvær',
        providerName: 'Samværskonsulenterne ApS',
        amountOre: '520000',
        status: 'approved',
      },
    ],
    deviations: [
      {
        agreementId: 'agr-contact',
        agreementTitle: 'Overvåget samvær',
        providerName: 'Samværskonsulenterne ApS',
        lineName: contactLine.name,
        period: '2026-03',
        quantity: 12,
        expectedQuantity: 8,
        amountOre: '780000',
      },
    ],
  },
}

export const accessLog: AccessLogEntry[] = [
  {
    at: '2026-01-12T09:00:00Z',
    personName: 'Sara',
    role: 'caseworker',
    organisation: 'Høje-Taastrup Kommune',
    what: 'Sagen og CPR-nummer',
    why: 'Oprettelse af sag',
  },
  {
    at: '2026-01-15T08:00:00Z',
    personName: 'Bo',
    role: 'centre_chief',
    organisation: 'Høje-Taastrup Kommune',
    what: 'Aftalen om anbringelse',
    why: 'Godkendelse',
  },
  {
    at: '2026-06-03T09:00:00Z',
    personName: 'Ole',
    role: 'provider_signatory',
    organisation: 'Østervold',
    what: 'Statusrapport',
    why: 'Upload af statusrapport',
  },
]

export const citizenOverview: CitizenOverview = {
  person: { name: 'Prebens mor' },
  cases: [
    {
      id: 'case-1',
      title: 'Anbringelse uden for hjemmet',
      childName: 'Preben',
      status: 'Afgjort',
      agreements: [
        {
          ...(agreements['agr-placement'] as AgreementDetail),
          nextReportDue: '2026-08-01',
          reviewDate: '2026-05-15',
        },
        { ...(agreements['agr-contact'] as AgreementDetail), nextReportDue: '2026-08-01' },
      ],
      documents: [
        { id: 'doc-1', filename: 'statusrapport-maj-2026.pdf', receivedAt: '2026-06-03T08:00:00Z' },
      ],
      contributions: [
        {
          id: 'k1',
          kind: 'comment',
          text: 'Preben vil gerne have taxi til skole igen om vinteren.',
          createdAt: '2026-04-02T18:00:00Z',
          answer: 'Tak, vi tager det op ved revurderingen i maj.',
          answeredAt: '2026-04-05T09:00:00Z',
        },
      ],
    },
  ],
}
