import { describe, expect, it } from 'vitest'
import type { AccessLogView } from '../accessLogView.ts'
import type { AgreementDetail } from '../agreements/queries.ts'
import { applyFilter } from './accessLog.ts'
import { citizenAgreement, PROOF_SENTENCE } from './overview.ts'

const detail = {
  id: 'a1',
  caseId: 'c1',
  title: 'Anbringelse uden for hjemmet (botilbud)',
  templateId: 'placement',
  state: 'Active',
  version: 2,
  provider: { id: 'p1', name: 'Østervold' },
  monthlyValueOre: '7580000',
  start: '2026-02-01',
  end: '2027-01-31',
  mainAgreementId: null,
  lines: [
    {
      id: 'l1',
      name: 'Ophold',
      priceOre: '5200000',
      unit: 'month',
      schedule: { kind: 'monthly' },
      start: '2026-02-01',
      end: null,
      arrangedBy: 'provider',
      reviewDate: null,
    },
    {
      id: 'l2',
      name: 'Samvær',
      priceOre: '65050',
      unit: 'hour',
      schedule: { kind: 'sessions', hours: 4, everyWeeks: 2, weekday: 7, from: '2026-02-01' },
      start: '2026-02-01',
      end: '2026-05-31',
      arrangedBy: 'provider',
      reviewDate: '2026-05-15',
    },
  ],
  obligations: [{ kind: 'status_report', nextDue: '2026-05-01', overdueSince: null }],
  reviewDate: '2026-05-15',
  reports: [],
  proof: { txHash: '0xabc', blockNumber: '12', blockTime: '1768000000', signers: ['0x1'] },
} as unknown as AgreementDetail

describe('citizenAgreement', () => {
  it('says what, where, how much and the next dates in words, with the chain proof', () => {
    const a = citizenAgreement(detail)
    expect(a.provider.name).toBe('Østervold')
    expect(a.lines.map((l) => l.text)).toEqual([
      'Ophold: 52.000 kr. om måneden, fra 2026-02-01',
      'Samvær: 650,50 kr. i timen, 4 timer hver 2. søndag, fra 2026-02-01 til 2026-05-31',
    ])
    expect(a.nextDates.map((d) => [d.kind, d.date])).toEqual([
      ['report', '2026-05-01'],
      ['review', '2026-05-15'],
      ['end', '2027-01-31'],
    ])
    expect(a.proof).toMatchObject({ txHash: '0xabc', blockNumber: '12', text: PROOF_SENTENCE })
    expect(a.stateText).toBe('Aftalen gælder')
    expect(a.explanation).toContain('botilbud')
  })
})

describe('citizen access-log filter', () => {
  const entry = (
    seq: number,
    at: string,
    personName: string,
    organisation: string | null,
  ): AccessLogView => ({
    seq,
    at,
    personName,
    role: 'caseworker',
    roleText: 'Sagsbehandler',
    organisation,
    what: 'Så sagen',
    why: 'Sagsbehandling',
    action: 'read',
    purpose: 'casework',
    caseId: seq % 2 ? 'c1' : 'c2',
  })
  const log = [
    entry(3, '2026-03-02T10:00:00Z', 'Sara', 'Høje-Taastrup Kommune'),
    entry(2, '2026-02-01T10:00:00Z', 'Ole', 'Østervold'),
    entry(1, '2026-01-12T10:00:00Z', 'Sara', 'Høje-Taastrup Kommune'),
  ]
  it('filters by case, inclusive dates, organisation and free text', () => {
    expect(applyFilter(log, { caseId: 'c1' }).map((e) => e.seq)).toEqual([3, 1])
    expect(applyFilter(log, { from: '2026-02-01', to: '2026-03-01' }).map((e) => e.seq)).toEqual([2])
    expect(applyFilter(log, { organisation: 'østervold' }).map((e) => e.seq)).toEqual([2])
    expect(applyFilter(log, { q: 'sara' }).map((e) => e.seq)).toEqual([3, 1])
    expect(applyFilter(log, {})).toEqual(log)
  })
})
