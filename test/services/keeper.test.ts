import { keccak256, stringToHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { dateToUnixSeconds, unixSecondsToDate } from '../../src/domain/calendar.ts'
import { advanceWithKeeper, startKeeper, tick } from '../../src/services/keeper.ts'
import { writeContract } from '../../src/services/ledgerWrites.ts'
import { asMember } from '../../src/services/membership.ts'
import { openTestInstance, testActor } from '../support/instance.ts'

const htk = { id: 'm-169', kind: 'municipality' as const, name: 'Høje-Taastrup Kommune', code: '169' }
const provider = { id: 'p-1', kind: 'provider' as const, name: 'Opholdsstedet Østervold', code: '12345678' }
const at = (date: string) => Number(dateToUnixSeconds(date)) + 8 * 3600

const ID = keccak256(stringToHex('keeper-test:placement'))
const day = (date: string) => dateToUnixSeconds(date)

function monthly(price: bigint, start: string, end?: string, reviewDate?: string) {
  return {
    price,
    unit: 0,
    schedule: { kind: 0, hoursPerSession: 0, everyWeeks: 0, weekday: 0, anchor: 0n },
    start: day(start),
    end: end ? day(end) : 0n,
    arrangedBy: 1,
    reviewDate: reviewDate ? day(reviewDate) : 0n,
  }
}

async function countEvents(ctx: Awaited<ReturnType<typeof openTestInstance>>, event: string) {
  const rows = await ctx.db.selectFrom('ledger_events').select('args').where('event', '=', event).execute()
  return rows.map((r) => JSON.parse(r.args) as Record<string, string | number>)
}

describe('keeper', () => {
  let ctx: Awaited<ReturnType<typeof openTestInstance>>
  const sara = testActor({ role: 'caseworker', organisation: htk })
  const ole = testActor({ role: 'provider_signatory', organisation: provider })

  beforeAll(async () => {
    ctx = await openTestInstance()
    await ctx.ledger.advanceTo(at('2026-01-05'))
    const draft = {
      municipality: 169,
      provider: 12_345_678,
      caseRef: keccak256(stringToHex('salted case ref')),
      kle: 272_400,
      templateId: keccak256(stringToHex('template:placement:v1')),
      mainAgreement: `0x${'00'.repeat(32)}` as const,
      start: day('2026-02-01'),
      terms: {
        municipalityNoticeDays: 30,
        providerNoticeDays: 90,
        paymentTiming: 0,
        paymentDeadlineDays: 0,
        reportEveryMonths: 3,
        reportGraceDays: 14,
      },
    }
    // Below the default approval threshold (50,000 kr/month): active once both parties signed.
    const lines = [
      monthly(3_000_000n, '2026-02-01', undefined, '2026-04-15'),
      monthly(650_000n, '2026-02-01', '2026-03-31'),
    ]
    await asMember(ctx, ole, async () => {}) // registers the provider in the directory
    await asMember(ctx, sara, async (account) => {
      await writeContract(ctx, account, 'registry', 'draftAgreement', [ID, draft, lines])
      await writeContract(ctx, account, 'registry', 'signVersion', [ID, 1])
    })
    await asMember(ctx, ole, (account) => writeContract(ctx, account, 'registry', 'signVersion', [ID, 1]))
    expect(await countEvents(ctx, 'AgreementActivated')).toHaveLength(1)
  }, 60_000)

  afterAll(async () => {
    await ctx?.close()
  })

  it('does nothing, and sends nothing, while nothing is due', async () => {
    const before = await ctx.ledger.publicClient.getBlockNumber()
    const r = await tick(ctx)
    expect(r).toMatchObject({
      agreements: 1,
      agreementChecks: 0,
      obligationChecks: 0,
      payments: [],
      transactions: 0,
    })
    expect(await ctx.ledger.publicClient.getBlockNumber()).toBe(before)
  })

  it('evaluates the previous month once the 1st has come, by the ledger clock', async () => {
    await ctx.ledger.advanceTo(at('2026-03-01'))
    const r = await tick(ctx)
    expect(r.payments).toEqual([{ municipality: 169, period: '2026-02', evaluated: 1 }])
    const approved = await countEvents(ctx, 'MonthApproved')
    expect(approved.map((a) => Number(a.period))).toEqual([202602])
    // 30,000 kr + 6,500 kr for the whole of February.
    expect(approved[0]!.amount).toBe('3650000')
  })

  it('reports ended lines, due reviews and an overdue report, and catches up missed months in order', async () => {
    // Report 1 was due 2026-05-01; with 14 days' grace it is overdue from 2026-05-16.
    await ctx.ledger.advanceTo(at('2026-05-16'))
    const r = await tick(ctx)
    expect(r.agreementChecks).toBe(1)
    expect(r.obligationChecks).toBe(1)
    expect(r.payments).toEqual([
      { municipality: 169, period: '2026-03', evaluated: 1 },
      { municipality: 169, period: '2026-04', evaluated: 1 },
    ])
    expect(await countEvents(ctx, 'LineEnded')).toMatchObject([{ lineIndex: 1 }])
    expect(await countEvents(ctx, 'ReviewDue')).toMatchObject([{ lineIndex: 0 }])
    const overdue = await countEvents(ctx, 'ReportOverdue')
    expect(overdue).toHaveLength(1)
    expect(overdue[0]).toMatchObject({ reportNumber: 1, dueDate: String(day('2026-05-01')) })
    // The contract judges a month by the reports overdue when it is evaluated: months caught up
    // late, after the report became overdue, are withheld as a whole like the current one.
    expect((await countEvents(ctx, 'MonthWithheld')).map((m) => Number(m.period))).toEqual([202603, 202604])
  })

  it('is idempotent across ticks and across a fresh keeper that remembers nothing', async () => {
    await ctx.ledger.advanceTo(at('2026-06-02'))
    const first = await tick(ctx)
    expect(first.payments).toEqual([{ municipality: 169, period: '2026-05', evaluated: 1 }])
    const again = await tick(ctx)
    expect(again).toMatchObject({ agreementChecks: 0, obligationChecks: 0, payments: [], transactions: 0 })

    const restarted = startKeeper(ctx)
    const blocks = await ctx.ledger.publicClient.getBlockNumber()
    // Two at once: they queue, and the second finds nothing left to do.
    const [a, b] = await Promise.all([restarted.tick(), tick(ctx)])
    await restarted.stop()
    expect(a.transactions + b.transactions).toBe(0)
    expect(await ctx.ledger.publicClient.getBlockNumber()).toBe(blocks)

    const months = [
      ...(await countEvents(ctx, 'MonthApproved')),
      ...(await countEvents(ctx, 'MonthWithheld')),
    ].map((m) => Number(m.period))
    expect(months.sort()).toEqual([202602, 202603, 202604, 202605])
    expect(await countEvents(ctx, 'ReportOverdue')).toHaveLength(1)
    expect(await countEvents(ctx, 'LineEnded')).toHaveLength(1)
  })

  it('runs on its own in a loop once started', async () => {
    const keeper = startKeeper(ctx, { intervalMs: 20 })
    try {
      await ctx.ledger.advanceTo(at('2026-07-01'))
      await vi.waitFor(
        async () => {
          const periods = (await countEvents(ctx, 'MonthApproved')).map((m) => Number(m.period))
          const withheld = (await countEvents(ctx, 'MonthWithheld')).map((m) => Number(m.period))
          expect([...periods, ...withheld]).toContain(202606)
        },
        { timeout: 20_000, interval: 50 },
      )
    } finally {
      await keeper.stop()
    }
  })

  it('fills a month left out when a later one was evaluated by hand', async () => {
    await ctx.ledger.advanceTo(at('2026-09-01'))
    const finn = testActor({ role: 'finance', organisation: htk })
    await asMember(ctx, finn, (account) =>
      writeContract(ctx, account, 'payments', 'evaluateMonth', [ID, 202608]),
    )
    const r = await tick(ctx)
    expect(r.payments).toEqual([{ municipality: 169, period: '2026-07', evaluated: 1 }])
    expect((await tick(ctx)).transactions).toBe(0)
  })

  it('moves demo time month by month, evaluating each month on its own payment day', async () => {
    const ticks = await advanceWithKeeper(ctx, at('2026-11-20'))
    expect(ticks.flatMap((t) => t.payments.map((p) => p.period))).toEqual(['2026-09', '2026-10'])
    expect(ticks.map((t) => unixSecondsToDate(t.now))).toEqual(['2026-10-01', '2026-11-01'])
    expect(ctx.ledger.now()).toBe(at('2026-11-20'))
  })
})
