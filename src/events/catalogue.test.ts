import { describe, expect, it } from 'vitest'
import {
  catalogue,
  eventTypes,
  InvalidEventError,
  moxHeaders,
  objekttyper,
  operationer,
  parsePayload,
  UnknownEventTypeError,
} from './catalogue.ts'
import { examplePayloads } from './examples.ts'

describe('event catalogue', () => {
  it('lists the versioned event types the integrations rely on', () => {
    for (const t of [
      'agreement.drafted.v1',
      'agreement.signed.v1',
      'agreement.approved.v1',
      'agreement.activated.v1',
      'agreement.amended.v1',
      'agreement.terminated.v1',
      'agreement.expired.v1',
      'report.received.v1',
      'report.overdue.v1',
      'review.due.v1',
      'payment.approved.v1',
      'payment.withheld.v1',
      'payment.released.v1',
      'payment.executed.v1',
      'invoice.accepted.v1',
      'invoice.deviation.v1',
      'case.created.v1',
      'case.erased.v1',
      'citizen.contribution.v1',
    ])
      expect(eventTypes).toContain(t)
    for (const t of eventTypes) expect(t).toMatch(/^[a-z]+\.[a-z]+\.v\d+$/)
  })

  it.each(eventTypes)('%s: the example parses and maps to MOX headers', (type) => {
    const payload = parsePayload(type, examplePayloads[type])
    const h = moxHeaders(type, payload as never)
    expect(objekttyper).toContain(h.objekttype)
    expect(operationer).toContain(h.operation)
    expect(h.objektID.length).toBeGreaterThan(0)
    expect(h.beskedtype).toBe('Notification')
    expect(h.beskedversion).toBe('1')
  })

  it('maps objects and operations the way a MOX agent expects', () => {
    const h = (t: keyof typeof examplePayloads) => moxHeaders(t, examplePayloads[t] as never)
    expect(h('agreement.drafted.v1')).toMatchObject({ objekttype: 'Aftale', operation: 'opret' })
    expect(h('agreement.terminated.v1')).toMatchObject({ objekttype: 'Aftale', operation: 'passiver' })
    expect(h('payment.withheld.v1')).toMatchObject({ objekttype: 'Betaling', objektID: 'PAY-2026-08' })
    expect(h('report.received.v1')).toMatchObject({ objekttype: 'Dokument', operation: 'opret' })
    expect(h('case.erased.v1')).toMatchObject({ objekttype: 'Sag', operation: 'slet' })
  })

  it('refuses personal data: CPR-shaped ids, free text, unknown fields', () => {
    const base = examplePayloads['payment.withheld.v1']
    expect(() => parsePayload('payment.withheld.v1', { ...base, paymentId: '010190-1234' })).toThrow(
      InvalidEventError,
    )
    expect(() => parsePayload('payment.withheld.v1', { ...base, paymentId: 'P0101901234' })).toThrow(/CPR/)
    expect(() =>
      parsePayload('payment.withheld.v1', { ...base, reasonCode: 'Jens Hansen mødte ikke op' }),
    ).toThrow(/reasonCode/)
    expect(() => parsePayload('payment.withheld.v1', { ...base, citizenName: 'Jens' })).toThrow(
      InvalidEventError,
    )
  })

  it('accepts UUIDs that happen to contain a CPR-like digit run', () => {
    const p = { ...examplePayloads['agreement.signed.v1'], signerId: 'ab123456-1234-4abc-8def-0123456789ab' }
    expect(parsePayload('agreement.signed.v1', p).signerId).toBe(p.signerId)
  })

  it('carries amounts as øre decimal strings, never floats', () => {
    const base = examplePayloads['payment.approved.v1']
    expect(() => parsePayload('payment.approved.v1', { ...base, amountOre: 54200.5 })).toThrow(
      InvalidEventError,
    )
    expect(() => parsePayload('payment.approved.v1', { ...base, amountOre: '542.00' })).toThrow(
      InvalidEventError,
    )
    expect(() => parsePayload('payment.approved.v1', { ...base, amountOre: '-1' })).toThrow(InvalidEventError)
    expect(
      parsePayload('payment.approved.v1', { ...base, amountOre: '123456789012345678901' }).amountOre,
    ).toBe('123456789012345678901')
    const dev = examplePayloads['invoice.deviation.v1']
    expect(parsePayload('invoice.deviation.v1', { ...dev, deviationOre: '-210000' }).deviationOre).toBe(
      '-210000',
    )
  })

  it('rejects bad dates and unknown types', () => {
    const base = examplePayloads['review.due.v1']
    expect(() => parsePayload('review.due.v1', { ...base, dueDate: '31-07-2026' })).toThrow(/dueDate/)
    expect(() => parsePayload('no.such.v1' as never, {})).toThrow(UnknownEventTypeError)
  })

  it('has a summary and an aggregate for every type', () => {
    for (const t of eventTypes) {
      expect(catalogue[t].summary.length).toBeGreaterThan(10)
      expect(catalogue[t].aggregate(examplePayloads[t] as never)).toBeTruthy()
    }
  })
})
