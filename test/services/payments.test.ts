import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { danishIban, validatePain001 } from '../../src/domain/pain001/index.ts'
import { asMember } from '../../src/services/membership.ts'
import { xsdErrors } from '../../src/services/paymentFile/index.ts'
import { exportPayments, setBankAccount } from '../../src/services/payments/paymentExport.ts'
import { runPaymentMonth } from '../../src/services/payments/paymentRun.ts'
import {
  activateScenario,
  amendScenario,
  CONTACT,
  invoice,
  moveTo,
  PLACEMENT,
  report,
  type ScenarioActors,
  scenarioActors,
} from '../support/chainScenario.ts'
import { openTestInstance } from '../support/instance.ts'

describe('monthly payment runs and the payment file (scenario steps 7, 11, 12)', () => {
  let ctx: Awaited<ReturnType<typeof openTestInstance>>
  let a: ScenarioActors
  const run = (period: `${number}-${number}`) =>
    asMember(ctx, a.finn, (acc) => runPaymentMonth(ctx, acc, 169, period))
  const exportFile = (period: `${number}-${number}`) =>
    asMember(ctx, a.finn, (acc) => exportPayments(ctx, acc, 169, period, 'finn'))

  beforeAll(async () => {
    ctx = await openTestInstance()
    a = scenarioActors()
    await setBankAccount(ctx, 'municipality', '169', danishIban('2300', '0001690001'))
    await setBankAccount(ctx, 'provider', '31457823', danishIban('9570', '0012345678'))
    await setBankAccount(ctx, 'provider', '38726415', danishIban('5301', '0000765432'))
    await activateScenario(ctx, a)
    await amendScenario(ctx, a)
  }, 240_000)
  afterAll(async () => {
    await ctx?.close()
  })

  it('pays February: 72,500 kr to Østervold and the 5,200 kr invoice; a 3-Sunday invoice is a deviation', async () => {
    await invoice(ctx, a, 202602, 8, 'inv-feb-ok')
    await invoice(ctx, a, 202602, 4, 'inv-feb-extra')
    const feb = await run('2026-02')
    const byAgreement = Object.fromEntries(feb.payments.map((p) => [p.agreementId, p]))
    expect(byAgreement[PLACEMENT]).toMatchObject({ amountOre: 7_250_000n, status: 'approved' })
    expect(byAgreement[CONTACT]).toMatchObject({ amountOre: 520_000n, status: 'approved' })
    expect(feb.invoices.map((i) => [i.status, i.amountOre])).toEqual([
      ['accepted', 520_000n],
      ['deviation', 260_000n],
    ])
    expect(feb.evaluatedNow).toBe(2)
  })

  it('never pays a month twice: a second run evaluates nothing', async () => {
    const again = await run('2026-02')
    expect(again.evaluatedNow).toBe(0)
    expect(again.payments).toHaveLength(2)
  })

  it('exports one pain.001 file that passes the XSD and the totals check, and a second export adds nothing', async () => {
    const file = await exportFile('2026-02')
    expect(file.nbOfTxs).toBe(2)
    expect(file.ctrlSumOre).toBe(7_770_000n)
    expect(await xsdErrors(file.xml)).toEqual([])
    expect(validatePain001(file.xml)).toMatchObject({ ok: true, nbOfTxs: 2 })
    expect(file.xml).toContain('<CtrlSum>77700.00</CtrlSum>')
    const view = await run('2026-02')
    expect(view.payments.every((p) => p.status === 'paid')).toBe(true)
    const second = await exportFile('2026-02')
    expect(second.msgId).toBe(file.msgId)
  })

  it('withholds May (75,800 kr) while Østervold’s report is overdue and releases it when the report arrives', async () => {
    await moveTo(ctx, '2026-05-20')
    await report(ctx, a.sanne, CONTACT, 'samvaer report 1')
    await moveTo(ctx, '2026-06-01')
    const may = await run('2026-05')
    const placement = may.payments.find((p) => p.agreementId === PLACEMENT)!
    expect(placement).toMatchObject({
      amountOre: 7_580_000n,
      status: 'withheld',
      reason: 'report_overdue',
      reportDueDate: '2026-05-01',
      overdueSince: '2026-05-16',
    })
    // The withheld month is not payable, and the contact supervision had no May invoice: no file.
    await expect(exportFile('2026-05')).rejects.toMatchObject({ reason: 'nothing_to_pay' })

    await moveTo(ctx, '2026-06-03')
    await report(ctx, a.ole, PLACEMENT, 'oestervold report 1')
    // June is not payable before 1 July, but the released May payment is due and goes in the next file.
    const june = await run('2026-06')
    expect(june.evaluatedNow).toBe(0)
    expect(june.skipped.map((s) => s.reason)).toEqual(['PeriodNotPayableYet', 'PeriodNotPayableYet'])
    expect(june.releasedEarlier.map((p) => [p.agreementId, p.amountOre])).toEqual([[PLACEMENT, 7_580_000n]])
    const juneFile = await exportFile('2026-06')
    expect(juneFile).toMatchObject({ nbOfTxs: 1, ctrlSumOre: 7_580_000n })
  })
})
