/**
 * The keeper: calls the contracts' time-driven checks when something is due and runs the monthly
 * payment evaluation once a month can be paid. It keeps no memory of its own between ticks — what
 * is due is derived from chain state (read in batches through the contracts' Multicall in an
 * eth_call) and from the indexed events — so a restarted keeper, or two of them, do the same
 * thing once: the contracts emit each check's event once and refuse a second evaluation.
 * "Now" is the ledger clock, never the wall clock, so demo time moves drive it deterministically.
 */
import { sql } from 'kysely'
import {
  type Abi,
  type Address,
  decodeFunctionResult,
  encodeFunctionData,
  type Hex,
  type LocalAccount,
} from 'viem'
import {
  comparePeriods,
  nextPeriod,
  type Period,
  periodOf,
  periodToChain,
  prevPeriod,
  unixSecondsToDate,
} from '../domain/calendar.ts'
import type { ServiceContext } from './context.ts'
import { abis } from './contracts.ts'
import { writeContract } from './ledgerWrites.ts'
import { runPaymentMonth } from './payments/paymentRun.ts'

export interface KeeperOptions {
  /** Milliseconds between ticks of the loop; 0 or omitted: no loop, ticks only on demand. */
  intervalMs?: number
  /** Checks per Multicall transaction. */
  batchSize?: number
  /**
   * Whether the keeper also evaluates every payable month (default true). The contract accepts an
   * hourly or session invoice only before its month is evaluated, so an installation where
   * providers invoice after the month turns this off and lets finance run the month (the demo does).
   */
  payments?: boolean
}

export interface KeeperTickResult {
  /** The ledger clock the tick ran at (Unix seconds). */
  now: number
  /** Agreements looked at (active, awaiting their main agreement, or ended with something left). */
  agreements: number
  /** Agreements whose checkAgreement was due and called. */
  agreementChecks: number
  /** Agreements whose checkObligations was due and called. */
  obligationChecks: number
  /** Months run, per municipality, oldest first. */
  payments: { municipality: number; period: Period; evaluated: number }[]
  /** Transactions sent by this tick. */
  transactions: number
}

export interface Keeper {
  tick(): Promise<KeeperTickResult>
  stop(): Promise<void>
}

const DAY = 86_400
const VIEW_BATCH = 100

/** AgreementStatus of contracts/src/Types.sol. */
const STATUS = { AwaitingMain: 3, Active: 4, Terminated: 5, Expired: 6 } as const
/** PaymentTiming.Advance: a month is payable from its first day instead of the next month's. */
const ADVANCE = 1

interface ChainLine {
  end: bigint
  reviewDate: bigint
}

interface ChainAgreement {
  municipality: number
  status: number
  start: bigint
  end: bigint
  activatedAt: bigint
  mainAgreement: Hex
  terms: { paymentTiming: number }
  lineEndNotified: bigint
}

// One tick at a time per instance, however many keepers or demo calls ask: a month evaluated by
// one tick between another's check and send would make that whole Multicall batch revert.
const running = new WeakMap<ServiceContext, Promise<unknown>>()

/**
 * One keeper pass at the ledger clock's "now": checks that are due, then every payable month not
 * yet evaluated. Safe to call any number of times; the demo calls it after each time move.
 */
export function tick(
  ctx: ServiceContext,
  options: Pick<KeeperOptions, 'batchSize' | 'payments'> = {},
): Promise<KeeperTickResult> {
  const previous = running.get(ctx) ?? Promise.resolve()
  const next = previous
    .catch(() => {})
    .then(() => runTick(ctx, options.batchSize ?? 100, options.payments ?? true))
  running.set(ctx, next)
  return next
}

/**
 * Starts the keeper loop when `intervalMs` > 0 (first pass at once, then `intervalMs` after each
 * pass ends) and returns a handle whose tick runs one pass now.
 */
export function startKeeper(ctx: ServiceContext, options: KeeperOptions = {}): Keeper {
  const interval = options.intervalMs ?? 0
  let timer: NodeJS.Timeout | null = null
  let stopped = false
  let last: Promise<unknown> = Promise.resolve()
  const once = () => {
    const p = tick(ctx, options)
    last = p.catch(() => {})
    return p
  }
  const schedule = (delay: number) => {
    if (stopped || interval <= 0) return
    timer = setTimeout(async () => {
      timer = null
      try {
        const r = await once()
        if (r.transactions > 0) ctx.logger.info({ keeper: r }, 'keeper tick')
      } catch (err) {
        // A failed tick is retried on the next one: nothing it skipped is lost, since what is
        // due is read again from the chain.
        ctx.logger.error({ err }, 'keeper tick failed')
      }
      schedule(interval)
    }, delay)
    timer.unref?.()
  }
  // At once first: a restarted keeper catches up on what fell due while it was down.
  schedule(0)
  return {
    tick: once,
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      timer = null
      await last
    },
  }
}

/**
 * Demo time: moves the ledger clock to `unixSeconds` the way real time passes under a running
 * keeper — stopping at 00:00 UTC of every 1st of a month on the way and ticking there — so each
 * month is evaluated on its own payment day, not all at once at the end (the contract judges a
 * month by the reports overdue when it is evaluated). Returns the ticks that did something.
 */
export async function advanceWithKeeper(
  ctx: ServiceContext,
  unixSeconds: number,
  options: Pick<KeeperOptions, 'payments'> = {},
): Promise<KeeperTickResult[]> {
  const out: KeeperTickResult[] = []
  const record = (r: KeeperTickResult) => {
    if (r.transactions > 0) out.push(r)
  }
  record(await tick(ctx, options))
  for (;;) {
    const now = ctx.ledger.now()
    const d = new Date(now * 1000)
    const nextFirst = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 1000
    if (nextFirst > unixSeconds) break
    await ctx.ledger.advanceTo(nextFirst)
    record(await tick(ctx, options))
  }
  if (unixSeconds > ctx.ledger.now()) await ctx.ledger.advanceTo(unixSeconds)
  record(await tick(ctx, options))
  return out
}

async function runTick(ctx: ServiceContext, batchSize: number, payments: boolean): Promise<KeeperTickResult> {
  await ctx.indexer.syncOnce()
  const now = ctx.ledger.now()
  const today = BigInt(now - (now % DAY))
  const result: KeeperTickResult = {
    now,
    agreements: 0,
    agreementChecks: 0,
    obligationChecks: 0,
    payments: [],
    transactions: 0,
  }
  const ids = await candidateIds(ctx)
  result.agreements = ids.length
  if (ids.length === 0) return result

  // 1. Agreement checks: activation after the main agreement, line ends, expiry.
  let agreements = await readAgreements(ctx, ids)
  const mains = [
    ...new Set(agreements.filter((a) => a.status === STATUS.AwaitingMain).map((a) => a.mainAgreement)),
  ]
  const mainStatus = new Map<Hex, number>()
  if (mains.length) {
    const read = await readAgreements(ctx, mains)
    for (const [i, id] of mains.entries()) mainStatus.set(id, read[i]!.status)
  }
  let lines = await readLines(ctx, ids)
  const agreementDue = ids.filter((_id, i) =>
    agreementCheckDue(agreements[i]!, lines[i]!, today, mainStatus.get(agreements[i]!.mainAgreement)),
  )
  result.transactions += await sendChecks(ctx, 'registry', 'checkAgreement', agreementDue, batchSize)
  result.agreementChecks = agreementDue.length

  // 2. Obligation checks, on the state the agreement checks left (an activation or expiry).
  if (agreementDue.length) {
    agreements = await readAgreements(ctx, ids)
    lines = await readLines(ctx, ids)
  }
  const overdue = await readOverdue(ctx, ids, now)
  const notified = await notifiedObligations(ctx)
  const obligationsDue = ids.filter((id, i) =>
    obligationCheckDue(id, agreements[i]!, lines[i]!, overdue[i]!, today, notified),
  )
  result.transactions += await sendChecks(ctx, 'obligations', 'checkObligations', obligationsDue, batchSize)
  result.obligationChecks = obligationsDue.length

  // 3. Payment evaluation of every payable month not yet evaluated, oldest first per municipality.
  if (!payments) return result
  const evaluated = await evaluatedMonths(ctx)
  const due = new Map<number, Set<Period>>()
  for (const [i, id] of ids.entries()) {
    const a = agreements[i]!
    if (a.activatedAt === 0n) continue
    for (const period of payablePeriods(a, now)) {
      if (evaluated(id, period)) continue
      const set = due.get(a.municipality) ?? new Set<Period>()
      set.add(period)
      due.set(a.municipality, set)
    }
  }
  for (const [municipality, periods] of [...due.entries()].sort((x, y) => x[0] - y[0])) {
    for (const period of [...periods].sort(comparePeriods)) {
      const run = await runPaymentMonth(ctx, ctx.operator, municipality, period, { batchSize })
      if (run.evaluatedNow > 0) {
        result.transactions += Math.ceil(run.evaluatedNow / batchSize)
        result.payments.push({ municipality, period, evaluated: run.evaluatedNow })
      }
    }
  }
  return result
}

/** Every agreement that ever went live or waits for its main agreement, from the indexed events. */
async function candidateIds(ctx: ServiceContext): Promise<Hex[]> {
  const rows = await ctx.db
    .selectFrom('ledger_events')
    .select('agreement_id')
    .distinct()
    .where('event', 'in', ['AgreementActivated', 'VersionAwaitingMain'])
    .where('agreement_id', 'is not', null)
    .orderBy('agreement_id')
    .execute()
  return rows.map((r) => r.agreement_id as Hex)
}

/** Report numbers already reported overdue and review lines already notified or decided. */
async function notifiedObligations(ctx: ServiceContext): Promise<Set<string>> {
  const rows = await ctx.db
    .selectFrom('ledger_events')
    .select(['agreement_id', 'event', 'args'])
    .where('event', 'in', ['ReportOverdue', 'ReviewDue', 'ReviewDecided'])
    .execute()
  const out = new Set<string>()
  for (const r of rows) {
    const args = JSON.parse(r.args) as { reportNumber?: string | number; lineIndex?: string | number }
    if (r.event === 'ReportOverdue') out.add(`${r.agreement_id}:report:${Number(args.reportNumber)}`)
    else out.add(`${r.agreement_id}:review:${Number(args.lineIndex)}`)
  }
  return out
}

/**
 * Months already evaluated, per agreement, as a test `isEvaluated(id, period)`. The store sums
 * them up (count, first, last) so a tick reads one row per agreement however many months it has
 * run; only an agreement with a gap (a month evaluated out of order) has its months read one by one.
 */
async function evaluatedMonths(ctx: ServiceContext): Promise<(id: Hex, period: Period) => boolean> {
  const { rows } = await sql<{ agreement_id: Hex; months: string | number; first: number; last: number }>`
    select agreement_id, count(distinct (args::json->>'period')) as months,
      min((args::json->>'period')::int) as first, max((args::json->>'period')::int) as last
    from ledger_events where event in ('MonthApproved', 'MonthWithheld') group by agreement_id`.execute(
    ctx.db,
  )
  const ranges = new Map<Hex, { first: number; last: number }>()
  const gapped: Hex[] = []
  for (const r of rows) {
    const span = periodsBetweenCount(Number(r.first), Number(r.last))
    if (Number(r.months) === span)
      ranges.set(r.agreement_id, { first: Number(r.first), last: Number(r.last) })
    else gapped.push(r.agreement_id)
  }
  const exact = new Set<string>()
  if (gapped.length) {
    const detail = await ctx.db
      .selectFrom('ledger_events')
      .select(['agreement_id', 'args'])
      .where('event', 'in', ['MonthApproved', 'MonthWithheld'])
      .where('agreement_id', 'in', gapped)
      .execute()
    for (const d of detail) exact.add(`${d.agreement_id}:${Number(JSON.parse(d.args).period)}`)
  }
  return (id, period) => {
    const p = periodToChain(period)
    const range = ranges.get(id)
    if (range) return p >= range.first && p <= range.last
    return exact.has(`${id}:${p}`)
  }
}

/** Number of months from chain period `first` to `last`, both included. */
function periodsBetweenCount(first: number, last: number): number {
  const months = (p: number) => Math.floor(p / 100) * 12 + (p % 100)
  return months(last) - months(first) + 1
}

/** Mirrors AgreementRegistry.checkAgreement: does calling it now change anything? */
function agreementCheckDue(
  a: ChainAgreement,
  lines: ChainLine[],
  today: bigint,
  mainStatus?: number,
): boolean {
  if (a.status === STATUS.AwaitingMain) return mainStatus === STATUS.Active
  if (a.status < STATUS.Active) return false
  let open = false
  let lastDay = 0n
  for (const [i, l] of lines.entries()) {
    let end = l.end
    if (a.end !== 0n && (end === 0n || a.end < end)) end = a.end
    if (end === 0n) {
      open = true
      continue
    }
    if (end > lastDay) lastDay = end
    if (today > end && (a.lineEndNotified & (1n << BigInt(i))) === 0n) return true
  }
  return a.status === STATUS.Active && !open && today > lastDay
}

/** Mirrors Obligations.checkObligations, with what was already notified taken from the events. */
function obligationCheckDue(
  id: Hex,
  a: ChainAgreement,
  lines: ChainLine[],
  overdueReport: number,
  today: bigint,
  notified: Set<string>,
): boolean {
  if (a.status < STATUS.Active) return false
  if (overdueReport !== 0 && !notified.has(`${id}:report:${overdueReport}`)) return true
  if (a.status !== STATUS.Active) return false
  return lines.some(
    (l, i) => l.reviewDate !== 0n && today >= l.reviewDate && !notified.has(`${id}:review:${i}`),
  )
}

/** Months of agreement `a` that PaymentLedger.evaluateMonth accepts at `now`. */
function payablePeriods(a: ChainAgreement, now: number): Period[] {
  const current = periodOf(unixSecondsToDate(now))
  let last = a.terms.paymentTiming === ADVANCE ? current : prevPeriod(current)
  if (a.end !== 0n) {
    const endPeriod = periodOf(unixSecondsToDate(a.end))
    if (comparePeriods(endPeriod, last) < 0) last = endPeriod
  }
  const out: Period[] = []
  for (let p = periodOf(unixSecondsToDate(a.start)); comparePeriods(p, last) <= 0; p = nextPeriod(p))
    out.push(p)
  return out
}

type ViewContract = 'registry' | 'obligations'

/** Runs view calls through the contract's own Multicall in one eth_call per batch. */
async function multiView<T>(
  ctx: ServiceContext,
  contract: ViewContract,
  functionName: string,
  argsList: readonly (readonly unknown[])[],
): Promise<T[]> {
  const abi = abis[contract] as Abi
  const out: T[] = []
  for (let i = 0; i < argsList.length; i += VIEW_BATCH) {
    const calls = argsList
      .slice(i, i + VIEW_BATCH)
      .map((args) => encodeFunctionData({ abi, functionName, args } as never))
    const data = encodeFunctionData({ abi, functionName: 'multicall', args: [calls] } as never)
    const { data: ret } = await ctx.ledger.publicClient.call({ to: ctx.contracts[contract] as Address, data })
    const results = decodeFunctionResult({ abi, functionName: 'multicall', data: ret! } as never) as Hex[]
    for (const r of results) out.push(decodeFunctionResult({ abi, functionName, data: r } as never) as T)
  }
  return out
}

function readAgreements(ctx: ServiceContext, ids: Hex[]): Promise<ChainAgreement[]> {
  return multiView<ChainAgreement>(
    ctx,
    'registry',
    'getAgreement',
    ids.map((id) => [id]),
  )
}

function readLines(ctx: ServiceContext, ids: Hex[]): Promise<ChainLine[][]> {
  return multiView<ChainLine[]>(
    ctx,
    'registry',
    'effectiveLines',
    ids.map((id) => [id]),
  )
}

async function readOverdue(ctx: ServiceContext, ids: Hex[], now: number): Promise<number[]> {
  const r = await multiView<readonly [number, bigint, bigint]>(
    ctx,
    'obligations',
    'overdueReport',
    ids.map((id) => [id, BigInt(now)]),
  )
  return r.map((x) => Number(x[0]))
}

async function sendChecks(
  ctx: ServiceContext,
  contract: ViewContract,
  functionName: 'checkAgreement' | 'checkObligations',
  ids: Hex[],
  batchSize: number,
): Promise<number> {
  const abi = abis[contract] as Abi
  let sent = 0
  for (let i = 0; i < ids.length; i += batchSize) {
    const calls = ids
      .slice(i, i + batchSize)
      .map((id) => encodeFunctionData({ abi, functionName, args: [id] }))
    await writeContract(ctx, keeperAccount(ctx), contract, 'multicall', [calls] as never)
    sent++
  }
  return sent
}

/** The checks are open to anyone; the keeper account keeps their nonces apart from the operator's. */
function keeperAccount(ctx: ServiceContext): LocalAccount {
  return ctx.keeper
}
