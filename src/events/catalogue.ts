/**
 * The versioned event catalogue (architecture.md §6, mission.md §3, seed 004 "MOX").
 *
 * Every business event Tillid publishes is listed here with a zod schema for its payload and
 * its MOX header mapping. Payloads carry only ids, references, amounts (øre as decimal
 * strings), dates and codes: the field builders below refuse free text (no spaces) and
 * anything shaped like a CPR number, so personal data cannot reach a message by accident.
 * A changed payload is a new version (`.v2`) beside the old one, never an edit of `.v1`.
 */
import { z } from 'zod'

// ---------------------------------------------------------------------------------------------
// Field builders: the typed whitelist of what a payload may contain.

/** Ten digits with an optional separator after six: the shape of a CPR number (OS2datascanner rule). */
const CPR_SHAPE = /(?<!\d)\d{6}[- ]?\d{4}(?!\d)/

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

// A UUID can contain "ab123456-1234-…" by chance, also inside a composite reference such as a
// payment id "<agreement uuid>:2026-05"; UUIDs and hex hashes are ids, not CPR numbers.
const EMBEDDED_IDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|0x[0-9a-f]{64}/gi
const noCpr = (v: string) => UUID_SHAPE.test(v) || !CPR_SHAPE.test(v.replace(EMBEDDED_IDS, '_'))

/** An id or a reference (UUID, sagsnummer, invoice number, tx hash): no spaces, so no free text. */
export const ref = () =>
  z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:/#-]*$/, 'a reference: letters, digits and . _ : / # - only')
    .refine(noCpr, 'looks like a CPR number')
    .describe('Id or reference (UUID, sagsnummer, invoice number): no spaces, never shaped like a CPR number')

export const uuid = () => z.uuid()

/** Amount in øre as a decimal string (bigint in the code, exact on the wire). */
export const ore = () =>
  z
    .string()
    .regex(/^-?(0|[1-9]\d*)$/, 'øre as a decimal integer string')
    .describe('Amount in øre (1/100 DKK) as a decimal integer string, may be negative')

/** Non-negative amount in øre. */
export const orePositive = () =>
  z
    .string()
    .regex(/^(0|[1-9]\d*)$/, 'non-negative øre as a decimal string')
    .describe('Amount in øre (1/100 DKK) as a non-negative decimal integer string')

/** ISO calendar date (Europe/Copenhagen business date). */
export const isoDate = () => z.iso.date().describe('Business date (Europe/Copenhagen), YYYY-MM-DD')

/** A code from a closed vocabulary (KLE number, §-reference, reason code): upper/lower letters, digits, . _ - */
export const code = () =>
  z
    .string()
    .min(1)
    .max(40)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._§-]*$/, 'a code: letters, digits and . _ § - only')
    .refine(noCpr, 'looks like a CPR number')
    .describe('Code from a closed vocabulary (KLE number, § reference, reason code)')

export const hash = () => z.string().regex(/^0x[0-9a-f]{64}$/, '0x-prefixed 32-byte hex hash')

const party = z.enum(['municipality', 'provider'])

/** Fields every agreement event carries: the aggregate the ordering key belongs to. */
const agreementBase = {
  agreementId: uuid(),
  /** The agreement's version on the ledger (amendments bump it). */
  version: z.number().int().positive(),
}

// ---------------------------------------------------------------------------------------------
// MOX header vocabulary (OIO Sag/Dokument objects; LoRa-style operations).

export const objekttyper = ['Aftale', 'Betaling', 'Dokument', 'Faktura', 'Sag'] as const
export type Objekttype = (typeof objekttyper)[number]
export const operationer = ['opret', 'ret', 'passiver', 'slet'] as const
export type Operation = (typeof operationer)[number]

interface Definition<S extends z.ZodType> {
  payload: S
  summary: string
  objekttype: Objekttype
  operation: Operation
  /** The id of the OIO object the message is about (MOX `objektID`). */
  objektID: (p: z.output<S>) => string
  /** The ordering key: events of one aggregate are delivered in the order they were appended. */
  aggregate: (p: z.output<S>) => string
}

function define<S extends z.ZodType>(d: Definition<S>): Definition<S> {
  return d
}

const byAgreement = (p: { agreementId: string }) => p.agreementId

// ---------------------------------------------------------------------------------------------
// The catalogue.

export const catalogue = {
  'agreement.drafted.v1': define({
    summary: 'A municipality drafted an agreement with a provider (not yet binding).',
    objekttype: 'Aftale',
    operation: 'opret',
    payload: z.strictObject({
      ...agreementBase,
      caseId: uuid(),
      municipalityId: ref(),
      providerId: ref(),
      serviceCode: code(),
      kle: code().optional(),
      startDate: isoDate(),
      endDate: isoDate().optional(),
      priceOre: orePositive(),
      priceUnit: z.enum(['day', 'week', 'month', 'hour', 'once']),
    }),
    objektID: byAgreement,
    aggregate: byAgreement,
  }),
  'agreement.signed.v1': define({
    summary: 'One party signed the agreement (EIP-712 signature anchored on the ledger).',
    objekttype: 'Aftale',
    operation: 'ret',
    payload: z.strictObject({
      ...agreementBase,
      party,
      signerId: ref(),
      signedOn: isoDate(),
      txHash: hash().optional(),
    }),
    objektID: byAgreement,
    aggregate: byAgreement,
  }),
  'agreement.approved.v1': define({
    summary: 'The municipality approved the signed agreement (the second pair of eyes).',
    objekttype: 'Aftale',
    operation: 'ret',
    payload: z.strictObject({
      ...agreementBase,
      approverId: ref(),
      approvedOn: isoDate(),
      txHash: hash().optional(),
    }),
    objektID: byAgreement,
    aggregate: byAgreement,
  }),
  'agreement.activated.v1': define({
    summary: 'The agreement became active: services and payments may run from effectiveFrom.',
    objekttype: 'Aftale',
    operation: 'ret',
    payload: z.strictObject({
      ...agreementBase,
      effectiveFrom: isoDate(),
      txHash: hash().optional(),
    }),
    objektID: byAgreement,
    aggregate: byAgreement,
  }),
  'agreement.amended.v1': define({
    summary: 'An amendment took effect (new version of price, period or obligations).',
    objekttype: 'Aftale',
    operation: 'ret',
    payload: z.strictObject({
      ...agreementBase,
      previousVersion: z.number().int().positive(),
      effectiveFrom: isoDate(),
      changes: z.array(z.enum(['price', 'period', 'obligations', 'scope'])).min(1),
      priceOre: orePositive().optional(),
      endDate: isoDate().optional(),
      txHash: hash().optional(),
    }),
    objektID: byAgreement,
    aggregate: byAgreement,
  }),
  'agreement.terminated.v1': define({
    summary: 'The agreement was terminated; dependent payments stop from effectiveTo.',
    objekttype: 'Aftale',
    operation: 'passiver',
    payload: z.strictObject({
      ...agreementBase,
      effectiveTo: isoDate(),
      reasonCode: code(),
      terminatedBy: party,
      txHash: hash().optional(),
    }),
    objektID: byAgreement,
    aggregate: byAgreement,
  }),
  'agreement.expired.v1': define({
    summary: 'The agreement reached its end date without renewal.',
    objekttype: 'Aftale',
    operation: 'passiver',
    payload: z.strictObject({ ...agreementBase, endDate: isoDate() }),
    objektID: byAgreement,
    aggregate: byAgreement,
  }),
  'report.received.v1': define({
    summary: 'A status report was received and anchored, fulfilling an obligation.',
    objekttype: 'Dokument',
    operation: 'opret',
    payload: z.strictObject({
      agreementId: uuid(),
      reportId: uuid(),
      obligationId: ref().optional(),
      documentId: ref().optional(),
      periodFrom: isoDate().optional(),
      periodTo: isoDate().optional(),
      receivedOn: isoDate(),
      source: z.enum(['provider', 'esdh', 'municipality']),
      anchor: hash(),
    }),
    objektID: (p) => p.reportId,
    aggregate: byAgreement,
  }),
  'report.overdue.v1': define({
    summary: 'A required report was not received by its due date.',
    objekttype: 'Aftale',
    operation: 'ret',
    payload: z.strictObject({
      agreementId: uuid(),
      obligationId: ref(),
      dueDate: isoDate(),
      detectedOn: isoDate(),
    }),
    objektID: byAgreement,
    aggregate: byAgreement,
  }),
  'review.due.v1': define({
    summary: 'The agreement is due for its follow-up review (opfølgning).',
    objekttype: 'Aftale',
    operation: 'ret',
    payload: z.strictObject({ agreementId: uuid(), caseId: uuid(), dueDate: isoDate() }),
    objektID: byAgreement,
    aggregate: byAgreement,
  }),
  'payment.approved.v1': define({
    summary: 'A payment for a period was approved on the ledger.',
    objekttype: 'Betaling',
    operation: 'opret',
    payload: z.strictObject({
      agreementId: uuid(),
      paymentId: ref(),
      periodFrom: isoDate(),
      periodTo: isoDate(),
      amountOre: orePositive(),
      dueDate: isoDate(),
      txHash: hash().optional(),
    }),
    objektID: (p) => p.paymentId,
    aggregate: byAgreement,
  }),
  'payment.withheld.v1': define({
    summary: 'A payment was withheld (e.g. a missing report); it can be released later.',
    objekttype: 'Betaling',
    operation: 'ret',
    payload: z.strictObject({
      agreementId: uuid(),
      paymentId: ref(),
      amountOre: orePositive(),
      reasonCode: code(),
      obligationId: ref().optional(),
      withheldOn: isoDate(),
      txHash: hash().optional(),
    }),
    objektID: (p) => p.paymentId,
    aggregate: byAgreement,
  }),
  'payment.released.v1': define({
    summary: 'A withheld payment was released.',
    objekttype: 'Betaling',
    operation: 'ret',
    payload: z.strictObject({
      agreementId: uuid(),
      paymentId: ref(),
      amountOre: orePositive(),
      releasedOn: isoDate(),
      txHash: hash().optional(),
    }),
    objektID: (p) => p.paymentId,
    aggregate: byAgreement,
  }),
  'payment.executed.v1': define({
    summary: 'The payment was paid out by the municipal finance system.',
    objekttype: 'Betaling',
    operation: 'ret',
    payload: z.strictObject({
      agreementId: uuid(),
      paymentId: ref(),
      amountOre: orePositive(),
      executedOn: isoDate(),
      bankReference: ref().optional(),
    }),
    objektID: (p) => p.paymentId,
    aggregate: byAgreement,
  }),
  'invoice.accepted.v1': define({
    summary: "The provider's invoice matched the agreement and was accepted.",
    objekttype: 'Faktura',
    operation: 'opret',
    payload: z.strictObject({
      agreementId: uuid(),
      invoiceId: ref(),
      invoiceNumber: ref(),
      periodFrom: isoDate(),
      periodTo: isoDate(),
      amountOre: orePositive(),
      acceptedOn: isoDate(),
    }),
    objektID: (p) => p.invoiceId,
    aggregate: byAgreement,
  }),
  'invoice.deviation.v1': define({
    summary: 'An invoice deviated from the agreement (amount, period or unit).',
    objekttype: 'Faktura',
    operation: 'ret',
    payload: z.strictObject({
      agreementId: uuid(),
      invoiceId: ref(),
      invoiceNumber: ref(),
      invoicedOre: orePositive(),
      expectedOre: orePositive(),
      deviationOre: ore(),
      deviationCode: z.enum(['amount', 'period', 'unit', 'no-agreement', 'terminated']),
      detectedOn: isoDate(),
    }),
    objektID: (p) => p.invoiceId,
    aggregate: byAgreement,
  }),
  'case.created.v1': define({
    summary: 'A case (sag) was created in Tillid; personal data stays in the store.',
    objekttype: 'Sag',
    operation: 'opret',
    payload: z.strictObject({
      caseId: uuid(),
      caseNumber: ref(),
      municipalityId: ref(),
      kle: code(),
      status: z.enum(['Opstaaet', 'Oplyst', 'Afgjort', 'Afsluttet']),
      createdOn: isoDate(),
    }),
    objektID: (p) => p.caseId,
    aggregate: (p) => p.caseId,
  }),
  'case.erased.v1': define({
    summary: "A case's personal data was erased (case key destroyed); references stay valid.",
    objekttype: 'Sag',
    operation: 'slet',
    payload: z.strictObject({
      caseId: uuid(),
      caseNumber: ref(),
      erasedOn: isoDate(),
      legalBasis: code(),
    }),
    objektID: (p) => p.caseId,
    aggregate: (p) => p.caseId,
  }),
  'citizen.contribution.v1': define({
    summary: "The citizen's own payment (egenbetaling) for a period was set.",
    objekttype: 'Betaling',
    operation: 'opret',
    payload: z.strictObject({
      caseId: uuid(),
      agreementId: uuid().optional(),
      contributionId: ref(),
      periodFrom: isoDate(),
      periodTo: isoDate(),
      amountOre: orePositive(),
      legalBasis: code(),
    }),
    objektID: (p) => p.contributionId,
    aggregate: (p) => p.agreementId ?? p.caseId,
  }),
} as const

export type Catalogue = typeof catalogue
export type EventType = keyof Catalogue
export type EventPayload<T extends EventType> = z.output<Catalogue[T]['payload']>
export const eventTypes = Object.keys(catalogue) as EventType[]

/** What a service hands to appendEvent. */
export type NewEvent = { [T in EventType]: { type: T; payload: EventPayload<T> } }[EventType]

/** An event as stored in the outbox and carried in the message body. */
export interface EventEnvelope<T extends EventType = EventType> {
  /** UUID; also the AMQP messageId consumers de-duplicate by. */
  id: string
  type: T
  /** ISO timestamp (UTC) of when the event was appended. */
  occurredAt: string
  /** Ordering key (agreement id, or case id for case events). */
  aggregateId: string
  /** 1, 2, 3 … per aggregate, without gaps. */
  sequence: number
  payload: EventPayload<T>
}

export class UnknownEventTypeError extends Error {
  readonly code = 'EVENT_UNKNOWN_TYPE'
  constructor(readonly type: string) {
    super(`unknown event type ${JSON.stringify(type)}`)
  }
}

export class InvalidEventError extends Error {
  readonly code = 'EVENT_INVALID'
  constructor(
    readonly type: string,
    readonly issues: string[],
  ) {
    super(`invalid ${type} payload: ${issues.join('; ')}`)
  }
}

export function isEventType(t: string): t is EventType {
  return Object.hasOwn(catalogue, t)
}

/** Validates a payload against its schema; throws InvalidEventError listing the failing fields. */
export function parsePayload<T extends EventType>(type: T, payload: unknown): EventPayload<T> {
  if (!isEventType(type)) throw new UnknownEventTypeError(type)
  const r = (catalogue[type].payload as z.ZodType).safeParse(payload)
  if (!r.success) {
    throw new InvalidEventError(
      type,
      r.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`),
    )
  }
  return r.data as EventPayload<T>
}

/** The MOX headers of an event (seed 004): what a MOX agent routes and filters on. */
export interface MoxHeaders {
  objekttype: Objekttype
  operation: Operation
  objektID: string
  beskedtype: 'Notification'
  beskedversion: string
}

export function versionOf(type: EventType): string {
  return type.slice(type.lastIndexOf('.v') + 2)
}

export function moxHeaders<T extends EventType>(type: T, payload: EventPayload<T>): MoxHeaders {
  const d = catalogue[type] as unknown as Definition<z.ZodType>
  return {
    objekttype: d.objekttype,
    operation: d.operation,
    objektID: d.objektID(payload),
    beskedtype: 'Notification',
    beskedversion: versionOf(type),
  }
}

export function aggregateOf<T extends EventType>(type: T, payload: EventPayload<T>): string {
  return (catalogue[type] as unknown as Definition<z.ZodType>).aggregate(payload)
}
