/**
 * The only module that talks HTTP. Paths and bodies follow docs/api-plan.md; response shapes the
 * plan leaves open are written down here, and pages read optional fields defensively.
 * Money: strings of øre. Dates: YYYY-MM-DD.
 */

export type Role =
  | 'caseworker'
  | 'centre_chief'
  | 'director'
  | 'finance'
  | 'provider_signatory'
  | 'auditor'
  | 'admin'
  | 'citizen'

export interface Me {
  person: { id: string; name: string; role: Role; kind: 'staff' | 'citizen' }
  organisation: { id: string; kind: string; name: string; code: string } | null
  kle: string[]
  csrfToken: string
}

export type TaskKind =
  | 'sign'
  | 'approve'
  | 'review'
  | 'report_due'
  | 'report_overdue'
  | 'invoice_deviation'
  | 'contribution'
export interface Task {
  kind: TaskKind
  agreementId?: string
  caseId?: string
  title: string
  due?: string
  /** report_due: last day of the grace period. */
  graceUntil?: string
  /** report_overdue: first day the report counted as overdue. */
  overdueSince?: string
  /** review: the line whose review is due. */
  lineId?: string
}

export interface Organisation {
  id: string
  kind: 'municipality' | 'provider' | string
  name: string
  code: string
}

export type Unit = 'month' | 'hour' | 'session'
export type Schedule =
  | { kind: 'monthly' }
  | { kind: 'sessions'; hours: number; everyWeeks: number; weekday: number; from: string }

/** A service line as sent to the API (POST bodies). */
export interface LineInput {
  id?: string
  name: string
  priceOre: string
  unit: Unit
  schedule: Schedule
  start: string
  end?: string | null
  arrangedBy: 'provider' | 'municipality'
}

/** A service line as the API returns it. */
export interface Line extends LineInput {
  id: string
  reviewDate?: string | null
}

export interface Template {
  id: string
  name: string
  lines?: LineInput[]
  reportEveryMonths?: number
  graceDays?: number
}

export interface CaseSummary {
  id: string
  sagsnummer?: string
  title: string
  status?: string
  kle?: string
  citizenName?: string
}

export interface DocumentRef {
  id: string
  filename: string
  receivedAt?: string
  kind?: string
  agreementId?: string
}

export interface TimelineEntry {
  at: string
  kind?: string
  text: string
  agreementId?: string
}

export interface CaseDetail extends CaseSummary {
  citizen?: { name: string; cpr: string } | null
  agreements?: AgreementSummary[]
  timeline?: TimelineEntry[]
  documents?: DocumentRef[]
  contributions?: Contribution[]
}

export type AgreementState =
  | 'Draft'
  | 'AwaitingApproval'
  | 'AwaitingMain'
  | 'Active'
  | 'Terminated'
  | 'Expired'

export interface AgreementSummary {
  id: string
  caseId?: string
  title?: string
  state: AgreementState
  version?: number
  provider?: { id: string; name: string }
  monthlyValueOre?: string
  start?: string
  end?: string | null
  mainAgreementId?: string | null
}

export interface Signature {
  version: number
  personId?: string
  name: string
  role?: string
  organisation?: string
  address?: string
  at?: string
}

export interface Payment {
  period: string
  amountOre: string
  status: 'approved' | 'withheld' | 'released' | 'paid'
  reason?: string
  dueDate?: string
  overdueSince?: string
  lines?: { lineId?: string; name: string; amountOre: string }[]
}

export interface Invoice {
  id: string
  period: string
  lineId: string
  lineName?: string
  quantity: number
  expectedQuantity?: number
  amountOre: string
  status: 'accepted' | 'deviation' | string
}

export interface Obligation {
  kind: 'status_report' | 'review' | string
  lineId?: string
  everyMonths?: number
  graceDays?: number
  nextDue?: string | null
  overdueSince?: string | null
}

export interface Proof {
  txHash: string
  blockNumber: number | string
  blockTime: number | string
  signers: string[]
}

export interface AgreementVersion {
  version: number
  lines: Line[]
  reviewDate?: string | null
  createdAt?: string
  state?: string
}

export interface AgreementDetail extends AgreementSummary {
  municipality?: { id: string; name: string }
  relatedAgreementIds?: string[]
  lines: Line[]
  versions?: AgreementVersion[]
  signatures?: Signature[]
  approvals?: Signature[]
  obligations?: Obligation[]
  reportEveryMonths?: number
  graceDays?: number
  reviewDate?: string | null
  reports?: DocumentRef[]
  payments?: Payment[]
  invoices?: Invoice[]
  timeline?: TimelineEntry[]
  proof?: Proof | null
  terminationDate?: string | null
  /** A mutual termination signed by one party and waiting for the other. */
  pendingTermination?: {
    effectiveDate: string
    kind: 'mutual' | 'unilateral'
    signedBy?: { personId?: string; name: string }[]
  } | null
}

export interface AgreementCreate {
  caseId: string
  providerId: string
  templateId: string
  mainAgreementId?: string
  lines: LineInput[]
  reportEveryMonths: number
  graceDays: number
}

export interface TerminationPreview {
  effectiveDate: string
  affected: {
    id: string
    title?: string
    providerName?: string
    currentEnd?: string | null
    newEnd: string
  }[]
}

export interface PaymentRunItem {
  agreementId: string
  /** The on-chain id, for those who check the ledger; people see the title. */
  chainId?: string
  agreementTitle?: string
  providerName?: string
  amountOre: string
  status: 'approved' | 'withheld' | 'released' | 'paid'
  reason?: string
  dueDate?: string
  overdueSince?: string
}

export interface Deviation {
  agreementId: string
  agreementTitle?: string
  providerName?: string
  lineName?: string
  period?: string
  quantity: number
  expectedQuantity?: number
  amountOre: string
}

export interface PaymentRun {
  period: string
  runAt?: string
  totals?: { approvedOre?: string; withheldOre?: string; releasedOre?: string }
  items: PaymentRunItem[]
  deviations?: Deviation[]
}

export interface AccessLogEntry {
  at: string
  personName: string
  role?: string
  organisation?: string
  what: string
  why?: string
}

export interface IntegrityResult {
  checked: number
  mismatches: number | { object: string; id?: string; reason?: string }[]
  erased: number | { object: string; id?: string }[]
}

export interface LedgerTime {
  date: string
  demo: boolean
}

export interface Contribution {
  id: string
  caseId?: string
  kind: 'comment' | 'correction'
  text: string
  createdAt?: string
  answer?: string | null
  answeredAt?: string | null
}

export interface CitizenAgreement extends AgreementSummary {
  lines: Line[]
  /** What this kind of agreement means, in plain words. */
  explanation?: string | null
  nextReportDue?: string | null
  reviewDate?: string | null
  /** Report due, reviews and end, soonest first, each with its sentence. */
  nextDates?: { kind: 'report' | 'review' | 'end'; date: string; text: string }[]
  proof?: Proof | null
}

export interface CitizenCase {
  id: string
  title: string
  childName?: string
  status?: string
  statusText?: string
  agreements: CitizenAgreement[]
  documents?: DocumentRef[]
  contributions?: Contribution[]
}

export interface CitizenOverview {
  person?: { name: string }
  cases: CitizenCase[]
  /** Plain-words explanations of the words on the page (the export carries the same). */
  glossary?: Record<string, string>
}

export interface FieldError {
  field: string
  message: string
}

/** Time per transaction in seconds (null until there is one). */
export interface Percentiles {
  count: number
  p50: number | null
  p90: number | null
  p95: number | null
  p99: number | null
  max: number | null
}

export interface DeadLetter {
  id: string
  direction: 'outbound' | 'inbound'
  messageId: string
  routingKey: string
  reason: string
  size: number
  createdAt: string
}

export interface IntegrationOverview {
  outbox: { depth: number; lagSeconds: number; dead: number; dispatched?: number }
  relay: {
    running: boolean
    dispatcher: string
    consecutiveFailures: number
    lastError: string | null
  } | null
  counters: {
    published: number
    confirmed: number
    failed: number
    deadLetters: number
    inboundHandled: number
    inboundFailed: number
  }
  inbound: { queue: string | null; handledTotal: number }
  transactionTimes: { outbound: Percentiles; inbound: Percentiles }
  deadLetters: DeadLetter[]
}

export type ReplayResult =
  | { direction: 'outbound'; requeued: true }
  | {
      direction: 'inbound'
      replayed: boolean
      outcome: { kind: 'handled' | 'duplicate' | 'dead'; reason?: string; reportId?: string }
    }

/** An RFC 9457 problem from the API. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly fieldErrors: FieldError[]
  constructor(status: number, title: string, code: string, fieldErrors: FieldError[], detail?: string) {
    super(detail ? `${title}: ${detail}` : title)
    this.status = status
    this.code = code
    this.fieldErrors = fieldErrors
  }
}

let csrfToken = ''
export function setCsrfToken(token: string): void {
  csrfToken = token
}

function idempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const b = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

async function toError(res: Response): Promise<ApiError> {
  let body: { title?: string; detail?: string; code?: string; errors?: FieldError[] } = {}
  try {
    body = await res.json()
  } catch {
    // not JSON: keep the generic message below
  }
  const title =
    body.title ??
    (res.status === 401
      ? 'Du er ikke logget ind'
      : res.status === 403
        ? 'Du har ikke adgang'
        : res.status === 404
          ? 'Ikke fundet'
          : `Serveren svarede ${res.status}`)
  return new ApiError(res.status, title, body.code ?? String(res.status), body.errors ?? [], body.detail)
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (method !== 'GET') {
    headers['x-csrf-token'] = csrfToken
    // One key per user action: a retry of the same click must not act twice.
    headers['idempotency-key'] = idempotencyKey()
  }
  if (body !== undefined) headers['content-type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch {
    throw new ApiError(0, 'Ingen forbindelse til serveren', 'network', [])
  }
  if (!res.ok) throw await toError(res)
  if (res.status === 204) return undefined as T
  // Redirect-following answers (e.g. logout → landing page) are not JSON and carry nothing we need.
  if (!(res.headers.get('content-type') ?? '').includes('json')) return undefined as T
  return (await res.json()) as T
}

/**
 * The integrity check with progress: the API streams NDJSON lines (`progress` while anchors are
 * checked, then `result` or `error`), so the page can show how far it has come.
 */
export async function verifyIntegrityWithProgress(
  onProgress: (done: number, total: number) => void,
): Promise<IntegrityResult> {
  let res: Response
  try {
    res = await fetch('/api/integrity/verify', {
      method: 'POST',
      headers: {
        accept: 'application/x-ndjson',
        'x-csrf-token': csrfToken,
        'idempotency-key': idempotencyKey(),
      },
      credentials: 'same-origin',
    })
  } catch {
    throw new ApiError(0, 'Ingen forbindelse til serveren', 'network', [])
  }
  if (!res.ok || !res.body) throw await toError(res)
  const reader = res.body.getReader()
  const decoder = new TextDecoder()
  let buffered = ''
  let result: IntegrityResult | null = null
  const take = (line: string) => {
    if (!line.trim()) return
    const l = JSON.parse(line)
    if (l.type === 'progress') onProgress(l.done, l.total)
    else if (l.type === 'result') result = l as IntegrityResult
    else if (l.type === 'error') throw new ApiError(500, l.title, 'integrity_failed', [])
  }
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    buffered += decoder.decode(value, { stream: true })
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) take(line)
  }
  take(buffered)
  if (!result) throw new ApiError(500, 'Integritetstjekket sluttede uden resultat', 'integrity_failed', [])
  return result
}

const q = encodeURIComponent

export const api = {
  me: () => request<Me>('GET', '/api/me'),
  logout: () => request<void>('POST', '/auth/logout'),
  tasks: () => request<Task[]>('GET', '/api/tasks'),
  organisations: () => request<Organisation[]>('GET', '/api/organisations'),
  templates: () => request<Template[]>('GET', '/api/templates'),
  cases: () => request<CaseSummary[]>('GET', '/api/cases'),
  createCase: (b: { cpr: string; name: string; kle: string; title: string }) =>
    request<CaseSummary>('POST', '/api/cases', b),
  case: (id: string) => request<CaseDetail>('GET', `/api/cases/${q(id)}`),
  agreements: (caseId?: string) =>
    request<AgreementSummary[]>('GET', caseId ? `/api/agreements?caseId=${q(caseId)}` : '/api/agreements'),
  agreement: (id: string) => request<AgreementDetail>('GET', `/api/agreements/${q(id)}`),
  createAgreement: (b: AgreementCreate) => request<AgreementSummary>('POST', '/api/agreements', b),
  sign: (id: string, version: number) =>
    request<AgreementDetail>('POST', `/api/agreements/${q(id)}/sign`, { version }),
  approve: (id: string, version: number) =>
    request<AgreementDetail>('POST', `/api/agreements/${q(id)}/approve`, { version }),
  /** `lines` are the ADDED lines; an existing line is changed (new price or end) through `changes`. */
  amend: (
    id: string,
    b: {
      lines: LineInput[]
      changes?: { lineId: string; effectiveFrom: string; priceOre: string; end?: string }[]
      reviewDate?: string
    },
  ) => request<AgreementDetail>('POST', `/api/agreements/${q(id)}/amendments`, b),
  review: (id: string, b: { lineId: string; decision: 'continue' | 'adjust' | 'end'; until?: string }) =>
    request<AgreementDetail>('POST', `/api/agreements/${q(id)}/reviews`, b),
  terminationPreview: (id: string, effectiveDate: string) =>
    request<TerminationPreview>(
      'GET',
      `/api/agreements/${q(id)}/termination-preview?effectiveDate=${q(effectiveDate)}`,
    ),
  terminate: (id: string, b: { effectiveDate: string; kind: 'mutual' | 'unilateral' }) =>
    request<AgreementDetail>('POST', `/api/agreements/${q(id)}/termination`, b),
  integrations: () => request<IntegrationOverview>('GET', '/api/integrations'),
  replayDeadLetter: (id: string) =>
    request<ReplayResult>('POST', `/api/integrations/dead-letters/${q(id)}/replay`),
  uploadReport: (id: string, b: { filename: string; contentBase64: string }) =>
    request<DocumentRef>('POST', `/api/agreements/${q(id)}/reports`, b),
  submitInvoice: (id: string, b: { period: string; lineId: string; quantity: number }) =>
    request<Invoice>('POST', `/api/agreements/${q(id)}/invoices`, b),
  paymentRuns: () => request<PaymentRun[]>('GET', '/api/payment-runs'),
  paymentRun: (period: string) => request<PaymentRun>('GET', `/api/payment-runs/${q(period)}`),
  runPayments: (period: string) => request<PaymentRun>('POST', '/api/payment-runs', { period }),
  accessLog: (caseId: string) => request<AccessLogEntry[]>('GET', `/api/access-log?caseId=${q(caseId)}`),
  ledgerTime: () => request<LedgerTime>('GET', '/api/ledger/time'),
  setLedgerTime: (date: string) => request<LedgerTime>('POST', '/api/ledger/time', { date }),
  citizenOverview: () => request<CitizenOverview>('GET', '/api/citizen/overview'),
  citizenAccessLog: () => request<AccessLogEntry[]>('GET', '/api/citizen/access-log'),
  contribute: (b: { caseId: string; kind: 'comment' | 'correction'; text: string }) =>
    request<Contribution>('POST', '/api/citizen/contributions', b),
  caseContributions: (caseId: string) =>
    request<Contribution[]>('GET', `/api/cases/${q(caseId)}/contributions`),
  answerContribution: (caseId: string, contributionId: string, text: string) =>
    request<Contribution>('POST', `/api/cases/${q(caseId)}/contributions/${q(contributionId)}/answer`, {
      text,
    }),
}

/** Plain links (downloads, navigations) rather than fetches. */
export const links = {
  login: (returnTo: string) => `/auth/login?returnTo=${q(returnTo)}`,
  document: (id: string) => `/api/documents/${q(id)}`,
  pain001: (period: string) => `/api/payment-runs/${q(period)}/pain001`,
  exportJson: '/api/citizen/export.json',
  exportPdf: '/api/citizen/export.pdf',
}
