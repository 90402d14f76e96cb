/**
 * The agreement model as services and the web app see it: plain types mirroring contracts/src/Types.sol,
 * with business dates as ISO strings, money as bigint øre and months as `YYYY-MM` periods. Conversion to
 * and from the chain encoding lives in the ledger module (dates via calendar.dateToUnixSeconds).
 */
import type { IsoDate, Period, Weekday } from './calendar.ts'
import type { Ore } from './money.ts'

export const UNITS = ['month', 'hour', 'session'] as const
/** What the price is per: a calendar month (pro-rata by days), an hour or a session (invoiced). */
export type Unit = (typeof UNITS)[number]

export const AGREEMENT_STATUSES = [
  'Draft',
  'AwaitingApproval',
  'AwaitingMain',
  'Active',
  'Terminated',
  'Expired',
] as const
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number]

export const VERSION_STATUSES = [
  'Proposed',
  'AwaitingApproval',
  'AwaitingMain',
  'Effective',
  'Superseded',
] as const
export type VersionStatus = (typeof VERSION_STATUSES)[number]

export const MONTH_STATUSES = ['approved', 'withheld', 'released', 'paid'] as const
export type MonthStatus = (typeof MONTH_STATUSES)[number]

export const REVIEW_DECISIONS = ['continue', 'adjust', 'end'] as const
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number]

export type PartyRole = 'municipality' | 'provider'
export type PaymentTiming = 'arrears' | 'advance'

/** Withholding reasons are codes on chain; REASON_REPORT_OVERDUE = 1 in Types.sol. */
export const WITHHOLD_REASONS = { reportOverdue: 1 } as const
export type WithholdReason = keyof typeof WITHHOLD_REASONS

/** No fixed sessions: the line is priced per month (or invoiced freely). */
export interface MonthlySchedule {
  kind: 'monthly'
}

/**
 * `hoursPerSession` hours every `everyWeeks` weeks on `weekday`, the first session on `anchor` (which
 * falls on that weekday). Whole hours, as on chain (uint16).
 */
export interface SessionSchedule {
  kind: 'sessions'
  hoursPerSession: number
  everyWeeks: number
  weekday: Weekday
  anchor: IsoDate
}

export type Schedule = MonthlySchedule | SessionSchedule

export interface ServiceLine {
  /** Position in the version's line list (the chain's index). */
  index: number
  /** Display name kept off chain (e.g. "Ophold"); the chain knows only the index. */
  name?: string
  priceOre: Ore
  unit: Unit
  schedule: Schedule
  start: IsoDate
  /** Last day the line is active (inclusive); null while open-ended. */
  end: IsoDate | null
  arrangedBy: PartyRole
  reviewDate: IsoDate | null
}

/** Template terms; `reportGraceDays` defaults to 14 and `reportEveryMonths` to 3 in the placement template. */
export interface Terms {
  municipalityNoticeDays: number
  providerNoticeDays: number
  paymentTiming: PaymentTiming
  paymentDeadlineDays: number
  reportEveryMonths: number
  reportGraceDays: number
}

export interface AgreementVersion {
  version: number
  status: VersionStatus
  municipalitySigned: boolean
  providerSigned: boolean
  approvalWeight: number
  signedAt: IsoDate | null
  monthlyValueOre: Ore
  lines: ServiceLine[]
}

export interface Agreement {
  /** bytes32 id as 0x-prefixed hex. */
  id: string
  municipalityCode: number
  providerCvr: number
  status: AgreementStatus
  kle: string
  start: IsoDate
  /** Termination or expiry date (last active day); null while open-ended. */
  end: IsoDate | null
  /** The main agreement this one depends on (ends with it), if any. */
  mainAgreementId: string | null
  terms: Terms
  effectiveVersion: number
  versions: AgreementVersion[]
}

/** The outcome of one agreement for one month in a payment run. */
export interface MonthOutcome {
  agreementId: string
  period: Period
  status: MonthStatus
  amountOre: Ore
  withheldReason: WithholdReason | null
}
