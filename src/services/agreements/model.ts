/**
 * Shared pieces of the agreement use cases: the off-chain ↔ on-chain mapping of an agreement, the
 * conversion of service lines between the API's form (ISO dates, øre strings) and the contracts'
 * (Unix seconds, enum codes), the authorisation scope of an agreement and the service error.
 */
import { type Hex, keccak256, stringToBytes } from 'viem'
import {
  dateToUnixSeconds,
  type IsoDate,
  isIsoDate,
  unixSecondsToDate,
  type Weekday,
  weekday,
} from '../../domain/calendar.ts'
import { danishDate } from '../../domain/danishText.ts'
import { type Action, authorise, type ResourceScope } from '../../identity/authorise.ts'
import type { Principal } from '../../identity/principal.ts'
import type { Db } from '../../store/database.ts'
import type { Actor, ServiceContext } from '../context.ts'
import { readContract } from '../ledgerWrites.ts'

/** A refusal a client can act on; `code` is a row of the API's error table (api/errors.ts). */
export class ServiceError extends Error {
  override name = 'ServiceError'
  constructor(
    readonly code: string,
    readonly detail?: string,
    readonly errors?: { field: string; in?: 'body' | 'querystring' | 'params'; message: string }[],
  ) {
    super(detail ?? code)
  }
}

export function fieldError(field: string, message: string): ServiceError {
  return new ServiceError('validation_failed', undefined, [{ field, in: 'body', message }])
}

// ------------------------------------------------------------------------------------------------
// Lines

export type ApiSchedule =
  | { kind: 'monthly' }
  | { kind: 'sessions'; hours: number; everyWeeks: number; weekday: number; from: IsoDate }

export interface ApiLineInput {
  name: string
  priceOre: string
  unit: 'month' | 'hour' | 'session'
  schedule: ApiSchedule
  start: IsoDate
  end?: IsoDate | null | undefined
  arrangedBy: 'provider' | 'municipality'
  reviewDate?: IsoDate | null | undefined
}

export interface ApiLine extends ApiLineInput {
  id: string
  end: IsoDate | null
  reviewDate: IsoDate | null
  monthlyValueOre?: string
}

/** The contracts' Line struct as viem encodes/decodes it. */
export interface ChainLine {
  price: bigint
  unit: number
  schedule: { kind: number; hoursPerSession: number; everyWeeks: number; weekday: number; anchor: bigint }
  start: bigint
  end: bigint
  arrangedBy: number
  reviewDate: bigint
}

const UNIT_CODES = { month: 0, hour: 1, session: 2 } as const
const UNIT_NAMES = ['month', 'hour', 'session'] as const

const dateOrZero = (d: IsoDate | null | undefined) => (d ? dateToUnixSeconds(d) : 0n)
const dateOrNull = (s: bigint | number) => (BigInt(s) === 0n ? null : unixSecondsToDate(s))

export function toChainLine(l: ApiLineInput): ChainLine {
  const s = l.schedule
  return {
    price: BigInt(l.priceOre),
    unit: UNIT_CODES[l.unit],
    schedule:
      s.kind === 'monthly'
        ? { kind: 0, hoursPerSession: 0, everyWeeks: 0, weekday: 0, anchor: 0n }
        : {
            kind: 1,
            hoursPerSession: s.hours,
            everyWeeks: s.everyWeeks,
            weekday: s.weekday,
            anchor: dateToUnixSeconds(s.from),
          },
    start: dateToUnixSeconds(l.start),
    end: dateOrZero(l.end),
    arrangedBy: l.arrangedBy === 'municipality' ? 0 : 1,
    reviewDate: dateOrZero(l.reviewDate),
  }
}

export function fromChainLine(c: ChainLine, index: number, name: string): ApiLine {
  const s = c.schedule
  return {
    id: String(index),
    name,
    priceOre: c.price.toString(),
    unit: UNIT_NAMES[c.unit] ?? 'month',
    schedule:
      s.kind === 0
        ? { kind: 'monthly' }
        : {
            kind: 'sessions',
            hours: Number(s.hoursPerSession),
            everyWeeks: Number(s.everyWeeks),
            weekday: Number(s.weekday),
            from: unixSecondsToDate(s.anchor),
          },
    start: unixSecondsToDate(c.start),
    end: dateOrNull(c.end),
    arrangedBy: c.arrangedBy === 0 ? 'municipality' : 'provider',
    reviewDate: dateOrNull(c.reviewDate),
  }
}

/**
 * Checks what the contract would refuse, so bad input is answered with the field that is wrong and
 * nothing reaches the chain. `path` is the body path of the line list.
 */
export function validateLines(lines: ApiLineInput[], path: string, notBefore?: IsoDate): void {
  const errors: { field: string; in: 'body'; message: string }[] = []
  lines.forEach((l, i) => {
    const at = (f: string) => `${path}.${i}.${f}`
    // Whole sentences naming the line: the web app lists them in its error summary as they are.
    const n = `Ydelse ${i + 1}`
    if (BigInt(l.priceOre) <= 0n)
      errors.push({ field: at('priceOre'), in: 'body', message: `${n}: prisen skal være over 0 kr` })
    if (l.end && l.end < l.start)
      errors.push({ field: at('end'), in: 'body', message: `${n}: slutdatoen ligger før startdatoen` })
    if (l.reviewDate && l.reviewDate < l.start)
      errors.push({
        field: at('reviewDate'),
        in: 'body',
        message: `${n}: revurderingsdatoen ligger før startdatoen`,
      })
    if (notBefore && l.start < notBefore)
      errors.push({
        field: at('start'),
        in: 'body',
        message: `${n}: startdatoen må ikke ligge før ${danishDate(notBefore)}`,
      })
    if (l.unit === 'month' && l.schedule.kind !== 'monthly')
      errors.push({
        field: at('schedule'),
        in: 'body',
        message: `${n}: en månedspris passer kun til en månedlig ydelse`,
      })
    if (l.unit !== 'month') {
      const s = l.schedule
      if (s.kind !== 'sessions') {
        errors.push({
          field: at('schedule'),
          in: 'body',
          message: `${n}: en time- eller gangpris kræver en plan for hvornår`,
        })
      } else {
        if (!isIsoDate(s.from) || weekday(s.from) !== (s.weekday as Weekday))
          errors.push({
            field: at('schedule.from'),
            in: 'body',
            message: `${n}: datoen for første gang falder ikke på den valgte ugedag`,
          })
        if (l.unit === 'hour' && s.hours < 1)
          errors.push({ field: at('schedule.hours'), in: 'body', message: `${n}: mindst 1 time pr. gang` })
      }
    }
  })
  if (errors.length) throw new ServiceError('validation_failed', undefined, errors)
}

// ------------------------------------------------------------------------------------------------
// Ids, codes, mapping

export function chainIdOf(agreementId: string): Hex {
  return keccak256(stringToBytes(`tillid:agreement:${agreementId}`))
}

/** KLE class `27.24` / `27.24.00` → 272400 (the chain's uint32). */
export function kleToChain(kle: string): number {
  const parts = kle.split('.')
  while (parts.length < 3) parts.push('00')
  return Number(parts.join(''))
}

export const AGREEMENT_STATUS = [
  'None',
  'Draft',
  'AwaitingApproval',
  'AwaitingMain',
  'Active',
  'Terminated',
  'Expired',
] as const
export const VERSION_STATUS = [
  'None',
  'Proposed',
  'AwaitingApproval',
  'AwaitingMain',
  'Effective',
  'Superseded',
  'Withdrawn',
] as const

export interface AgreementRow {
  id: string
  chain_id: string
  case_id: string
  municipality_id: string
  provider_id: string
  template_id: string
  main_agreement_id: string | null
  line_names: string
  created_by: string
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const BYTES32 = /^0x[0-9a-f]{64}$/i

/** An agreement by its UUID or its bytes32 chain id; not_found when unknown. */
export async function findAgreement(db: Db, id: string): Promise<AgreementRow> {
  let row: AgreementRow | undefined
  if (UUID.test(id)) {
    row = await db.selectFrom('agreements').selectAll().where('id', '=', id.toLowerCase()).executeTakeFirst()
  } else if (BYTES32.test(id)) {
    row = await db
      .selectFrom('agreements')
      .selectAll()
      .where('chain_id', '=', id.toLowerCase())
      .executeTakeFirst()
  }
  if (!row) throw new ServiceError('not_found', 'Aftalen findes ikke')
  return row
}

/** Line names of `version`: the names given for it, else those of the nearest earlier version. */
export function lineNames(row: Pick<AgreementRow, 'line_names'>, version: number): string[] {
  const map = JSON.parse(row.line_names) as Record<string, string[]>
  for (let v = version; v >= 1; v--) if (map[String(v)]) return map[String(v)]!
  return []
}

export function nameOf(names: string[], index: number): string {
  return names[index] ?? `Ydelse ${index + 1}`
}

/** Who may see and act on an agreement: its municipality (KLE of the case), its provider, the citizen. */
export async function scopeOf(db: Db, row: AgreementRow): Promise<ResourceScope> {
  const c = await db
    .selectFrom('cases')
    .select(['kle_class'])
    .where('id', '=', row.case_id)
    .executeTakeFirst()
  const cits = await db
    .selectFrom('citizens')
    .select('cpr_index')
    .where('case_id', '=', row.case_id)
    .execute()
  const custody = await db
    .selectFrom('custody')
    .innerJoin('citizens', 'citizens.id', 'custody.citizen_id')
    .select('custody.parent_person_id')
    .where('citizens.case_id', '=', row.case_id)
    .execute()
  return {
    municipalityId: row.municipality_id,
    providerIds: [row.provider_id],
    kle: c?.kle_class ?? null,
    citizenPersonIds: custody.map((r) => r.parent_person_id),
    citizenCprIndexes: cits.map((r) => Buffer.from(r.cpr_index).toString('hex')),
  }
}

export async function authoriseOn(
  ctx: ServiceContext,
  actor: Actor,
  action: Action,
  row: AgreementRow,
): Promise<Principal> {
  return authorise(actor.principal, action, await scopeOf(ctx.db, row))
}

/** The ledger's business date (what "today" is for the contracts). */
export function ledgerToday(ctx: ServiceContext): IsoDate {
  return unixSecondsToDate(Math.floor(ctx.ledger.now()))
}

// ------------------------------------------------------------------------------------------------
// Chain reads

export interface ChainAgreement {
  municipality: number
  provider: number
  status: number
  versionCount: number
  effectiveVersion: number
  pendingVersion: number
  kle: number
  start: bigint
  end: bigint
  activatedAt: bigint
  caseRef: Hex
  templateId: Hex
  mainAgreement: Hex
  drafter: Hex
  terms: {
    municipalityNoticeDays: number
    providerNoticeDays: number
    paymentTiming: number
    paymentDeadlineDays: number
    reportEveryMonths: number
    reportGraceDays: number
  }
  pendingTerminationDate: bigint
  pendingTerminationBy: number
}

export interface ChainVersion {
  status: number
  municipalitySigned: boolean
  providerSigned: boolean
  approvalWeight: number
  proposer: Hex
  municipalitySigner: Hex
  providerSigner: Hex
  signedAt: bigint
  monthlyValue: bigint
  valueIncrease: bigint
  lines: ChainLine[]
}

export async function chainAgreement(ctx: ServiceContext, chainId: string): Promise<ChainAgreement> {
  return (await readContract(ctx, 'registry', 'getAgreement', [chainId as Hex])) as ChainAgreement
}

export async function chainVersion(
  ctx: ServiceContext,
  chainId: string,
  version: number,
): Promise<ChainVersion> {
  return (await readContract(ctx, 'registry', 'getVersion', [chainId as Hex, version])) as ChainVersion
}

/** Names of the case's citizens, for the personal-data guard of every ledger write. */
export async function citizenNamesOf(ctx: ServiceContext, caseId: string): Promise<string[]> {
  try {
    return await ctx.repos.cases.citizenNames(caseId)
  } catch {
    return []
  }
}
