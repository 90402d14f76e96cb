/**
 * The one table of error codes and their mapping to RFC 9457 problem+json responses.
 *
 * Every error a client can see has a stable `code` from this table, a Danish `title` (what the web
 * app shows) and an English `titleEn`. Services throw `TillidError(code, detail)`; the Fastify error
 * handler below turns everything else (validation failures, body parser errors, rate limiting,
 * programming errors) into the same shape, so clients handle exactly one error format.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { CalendarError } from '../domain/calendar.ts'
import { InvalidCprError } from '../domain/cpr.ts'
import { PersonalDataError } from '../domain/personalData.ts'
import { LedgerError, LedgerRevertError } from '../ledger/errors.ts'
import { StoreError } from '../store/errors.ts'

interface ErrorCodeSpec {
  status: number
  da: string
  en: string
}

/** Add rows here (not elsewhere) when a new failure needs its own code. Codes are part of the API. */
export const errorCodes = {
  bad_request: { status: 400, da: 'Ugyldig forespørgsel', en: 'Bad request' },
  validation_failed: { status: 400, da: 'Ugyldige oplysninger', en: 'Validation failed' },
  login_failed: { status: 401, da: 'Login mislykkedes', en: 'Login failed' },
  unauthenticated: { status: 401, da: 'Du er ikke logget ind', en: 'Not logged in' },
  csrf_failed: {
    status: 403,
    da: 'Sikkerhedstjekket af forespørgslen fejlede (CSRF)',
    en: 'CSRF check failed',
  },
  forbidden: { status: 403, da: 'Du har ikke adgang til denne handling', en: 'Forbidden' },
  not_found: { status: 404, da: 'Ikke fundet', en: 'Not found' },
  method_not_allowed: { status: 405, da: 'Metoden er ikke tilladt', en: 'Method not allowed' },
  not_acceptable: { status: 406, da: 'Formatet kan ikke leveres', en: 'Not acceptable' },
  conflict: { status: 409, da: 'Konflikt med de eksisterende data', en: 'Conflict' },
  invalid_state: {
    status: 409,
    da: 'Handlingen er ikke mulig i den nuværende tilstand',
    en: 'Action not possible in the current state',
  },
  idempotency_in_progress: {
    status: 409,
    da: 'En forespørgsel med samme Idempotency-Key er ved at blive behandlet',
    en: 'A request with this Idempotency-Key is in progress',
  },
  gone: { status: 410, da: 'Oplysningerne er slettet', en: 'Gone' },
  precondition_failed: { status: 412, da: 'Data er ændret siden du hentede dem', en: 'Precondition failed' },
  payload_too_large: { status: 413, da: 'Forespørgslen er for stor', en: 'Payload too large' },
  uri_too_long: { status: 414, da: 'Adressen er for lang', en: 'URI too long' },
  unsupported_media_type: {
    status: 415,
    da: 'Indholdstypen understøttes ikke',
    en: 'Unsupported media type',
  },
  idempotency_key_reused: {
    status: 422,
    da: 'Idempotency-Key er allerede brugt til en anden forespørgsel',
    en: 'Idempotency-Key was already used for a different request',
  },
  business_rule: {
    status: 422,
    da: 'Forespørgslen strider mod en forretningsregel',
    en: 'Business rule violated',
  },
  personal_data_blocked: {
    status: 422,
    da: 'Personoplysninger må ikke sendes til ledgeren',
    en: 'Personal data must not be sent to the ledger',
  },
  ledger_refused: { status: 409, da: 'Ledgeren afviste handlingen', en: 'The ledger refused the action' },
  ledger_role_missing: {
    status: 403,
    da: 'Du har ikke den rolle på ledgeren, som handlingen kræver',
    en: 'Your ledger account lacks the role this action needs',
  },
  self_approval: {
    status: 403,
    da: 'Du kan ikke godkende en aftale, du selv har udarbejdet eller underskrevet',
    en: 'You cannot approve an agreement you drafted or signed',
  },
  already_signed: { status: 409, da: 'Din part har allerede underskrevet versionen', en: 'Already signed' },
  already_approved: { status: 409, da: 'Du har allerede godkendt versionen', en: 'Already approved' },
  notice_too_short: { status: 422, da: 'Opsigelsesvarslet er for kort', en: 'Notice period too short' },
  date_in_past: { status: 422, da: 'Datoen ligger i fortiden', en: 'The date is in the past' },
  report_not_due: {
    status: 409,
    da: 'Der er ingen statusrapport, der kan afleveres nu',
    en: 'No status report is due now',
  },
  invoice_not_accepted: {
    status: 409,
    da: 'Fakturaen kan ikke modtages for den måned',
    en: 'The invoice cannot be received for that month',
  },
  rate_limited: { status: 429, da: 'For mange forespørgsler – prøv igen om lidt', en: 'Too many requests' },
  internal: { status: 500, da: 'Der opstod en intern fejl', en: 'Internal server error' },
  ledger_unavailable: {
    status: 503,
    da: 'Ledgeren svarer ikke i øjeblikket',
    en: 'The ledger is unavailable',
  },
  unavailable: { status: 503, da: 'Tjenesten er midlertidigt utilgængelig', en: 'Service unavailable' },
} as const satisfies Record<string, ErrorCodeSpec>

export type ErrorCode = keyof typeof errorCodes

/** One bad field: `field` is the dotted path inside `in` (e.g. `lines.0.priceOre` in the body). */
export interface FieldError {
  field: string
  in?: 'body' | 'querystring' | 'params' | 'headers'
  message: string
}

export interface Problem {
  type: string
  title: string
  titleEn: string
  status: number
  code: ErrorCode
  detail?: string
  errors?: FieldError[]
}

/**
 * The error the API layer throws. Lower layers (which may not import api/) throw their own error classes
 * with a `code` from `errorCodes`; both are mapped alike. `detail` is shown to the user, so it must not
 * contain personal data.
 */
export class TillidError extends Error {
  override name = 'TillidError'
  readonly code: ErrorCode
  readonly status: number
  readonly detail: string | undefined
  readonly errors: FieldError[] | undefined
  readonly headers: Record<string, string> | undefined

  constructor(
    code: ErrorCode,
    detail?: string,
    options: { errors?: FieldError[]; cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(detail ? `${code}: ${detail}` : code, { cause: options.cause })
    this.code = code
    this.status = errorCodes[code].status
    this.detail = detail
    this.errors = options.errors
    this.headers = options.headers
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value)
}

export function problemFor(code: ErrorCode, detail?: string, errors?: FieldError[]): Problem {
  const spec = errorCodes[code]
  const p: Problem = {
    type: `urn:tillid:problem:${code}`,
    title: spec.da,
    titleEn: spec.en,
    status: spec.status,
    code,
  }
  if (detail) p.detail = detail
  if (errors?.length) p.errors = errors
  return p
}

export function sendProblem(
  reply: FastifyReply,
  problem: Problem,
  headers?: Record<string, string>,
): FastifyReply {
  if (headers) reply.headers(headers)
  return reply.code(problem.status).type('application/problem+json; charset=utf-8').send(problem)
}

type ValidationContext = NonNullable<FieldError['in']>

/** The field errors of a zod failure; messages are the issues' own (Danish when parsed by `parseInput`). */
export function zodFieldErrors(error: z.ZodError, where?: ValidationContext): FieldError[] {
  return error.issues.map((issue) => {
    const field = issue.path.map(String).join('.') || (where ?? '')
    return where ? { field, in: where, message: issue.message } : { field, message: issue.message }
  })
}

const danish = z.locales.da().localeError

/**
 * Parses untrusted input with Danish messages (schema-specific messages still win). Throws the
 * ZodError, which the error handler turns into `validation_failed` naming each bad field.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  data: unknown,
  where?: ValidationContext,
): z.output<T> {
  const result = schema.safeParse(data)
  if (result.success) return result.data
  const localized = schema.safeParse(data, { error: danish })
  const error = localized.success ? result.error : localized.error
  if (where) Object.assign(error, { validationContext: where })
  throw error
}

/** Custom errors of the contracts (contracts/src) → API codes; anything else is `ledger_refused`. */
const ledgerRefusals: Record<string, ErrorCode> = {
  MissingRole: 'ledger_role_missing',
  NotAParty: 'ledger_role_missing',
  NotAnApprover: 'ledger_role_missing',
  NotOrganisationAdmin: 'ledger_role_missing',
  SelfApproval: 'self_approval',
  AlreadySigned: 'already_signed',
  AlreadyApproved: 'already_approved',
  NoticeTooShort: 'notice_too_short',
  DateInPast: 'date_in_past',
  NoReportDue: 'report_not_due',
  ReportPeriodNotStarted: 'report_not_due',
  InvoicePeriodNotEnded: 'invoice_not_accepted',
  InvoiceAlreadySubmitted: 'invoice_not_accepted',
  MonthAlreadyEvaluated: 'invoice_not_accepted',
  InvalidStatus: 'invalid_state',
  VersionNotOpen: 'invalid_state',
  AmendmentPending: 'invalid_state',
  UnknownVersion: 'invalid_state',
  InvalidMainAgreement: 'invalid_state',
  UnknownAgreement: 'not_found',
  InvalidLine: 'business_rule',
  InvalidDate: 'business_rule',
  InvalidLineCount: 'business_rule',
  InvalidLineEnd: 'business_rule',
  InvalidReviewDecision: 'business_rule',
  NoReviewOnLine: 'business_rule',
}

/** Store error codes (store/errors.ts) → API codes. */
const storeCodes: Record<string, ErrorCode> = {
  NOT_FOUND: 'not_found',
  INVALID_INPUT: 'validation_failed',
  CASE_ERASED: 'gone',
  CONFLICT: 'conflict',
  DOCUMENT_TOO_LARGE: 'payload_too_large',
  DOCUMENT_EMPTY: 'validation_failed',
}

/** Errors of the layers below the API that carry no table code of their own. */
function lowerLayerProblem(err: unknown): Problem | null {
  if (!(err instanceof Error)) return null
  if (err instanceof LedgerRevertError) {
    const code = (err.errorName && ledgerRefusals[err.errorName]) || 'ledger_refused'
    return problemFor(code, err.errorName ?? undefined)
  }
  if (err instanceof PersonalDataError) return problemFor('personal_data_blocked')
  if (err instanceof InvalidCprError) return problemFor('validation_failed', 'Ugyldigt CPR-nummer')
  // A date the schema let through but the calendar cannot place (e.g. before 1970) is bad input, not a crash.
  if (err instanceof CalendarError) return problemFor('validation_failed', 'Ugyldig dato')
  if (err instanceof StoreError && storeCodes[err.code]) return problemFor(storeCodes[err.code]!)
  if (err instanceof LedgerError && err.code === 'LEDGER_UNAVAILABLE') return problemFor('ledger_unavailable')
  return null
}

const statusCodes: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  410: 'gone',
  412: 'precondition_failed',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  422: 'business_rule',
  429: 'rate_limited',
  503: 'unavailable',
}

interface FastifyValidationError {
  statusCode?: number
  code?: string
  message?: string
  validationContext?: ValidationContext
  validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[]
}

/** Turns any thrown value into a problem; unknown errors become `internal` without details. */
export function toProblem(err: unknown): {
  problem: Problem
  headers?: Record<string, string>
  unexpected: boolean
} {
  if (err instanceof TillidError) {
    return { problem: problemFor(err.code, err.detail, err.errors), headers: err.headers, unexpected: false }
  }
  const lower = lowerLayerProblem(err)
  if (lower) return { problem: lower, unexpected: false }
  // Layers below the API (services, identity, ledger) may not import this file; their error classes
  // carry a `code` from the table (and a user-safe message or `detail`), and are mapped the same way.
  const coded = err as { code?: unknown; detail?: unknown; message?: unknown; errors?: unknown }
  if (err instanceof Error && isErrorCode(coded.code)) {
    const detail =
      typeof coded.detail === 'string' ? coded.detail : err.message !== coded.code ? err.message : undefined
    const errors = Array.isArray(coded.errors) ? (coded.errors as FieldError[]) : undefined
    return { problem: problemFor(coded.code, detail, errors), unexpected: false }
  }
  if (err instanceof z.ZodError) {
    const where = (err as unknown as FastifyValidationError).validationContext
    return {
      problem: problemFor('validation_failed', undefined, zodFieldErrors(err, where)),
      unexpected: false,
    }
  }
  const e = err as FastifyValidationError
  if (e && Array.isArray(e.validation)) {
    const where = e.validationContext
    const errors = e.validation.map((v) => {
      const missing = v.params?.missingProperty
      const path = `${(v.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.')}${missing ? `${v.instancePath ? '.' : ''}${String(missing)}` : ''}`
      return {
        field: path || (where ?? ''),
        ...(where ? { in: where } : {}),
        message: v.message ?? 'ugyldig',
      }
    })
    return { problem: problemFor('validation_failed', undefined, errors), unexpected: false }
  }
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500
  if (status >= 400 && status < 500) {
    const code = statusCodes[status] ?? 'bad_request'
    // Fastify's own 4xx messages (bad JSON, wrong content type, body too large) carry no user data.
    const detail = e?.code?.startsWith('FST_') && typeof e.message === 'string' ? e.message : undefined
    const headers: Record<string, string> = {}
    return { problem: problemFor(code, detail), headers, unexpected: false }
  }
  if (status === 503) return { problem: problemFor('unavailable'), unexpected: false }
  return { problem: problemFor('internal'), unexpected: true }
}

/**
 * Installs the problem+json error handler (and, unless the caller has its own, a not-found handler).
 * Unknown errors are logged with their stack and answered with a bare 500 so nothing internal leaks.
 */
export function registerErrorHandling(app: FastifyInstance, options: { notFound?: boolean } = {}): void {
  app.setErrorHandler((err, request: FastifyRequest, reply: FastifyReply) => {
    const { problem, headers, unexpected } = toProblem(err)
    if (unexpected) request.log.error({ err }, 'unhandled error')
    else if (problem.status >= 500) request.log.warn({ code: problem.code }, 'service problem')
    return sendProblem(reply, problem, headers)
  })
  if (options.notFound !== false) {
    app.setNotFoundHandler((_request, reply) => sendProblem(reply, problemFor('not_found')))
  }
}
