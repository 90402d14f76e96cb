/**
 * The acceptance scenario end to end: `tillid demo` against a fresh embedded Tillid over HTTP,
 * every person logged in through the IdP, and the scenario's exact amounts.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DemoResult, runDemo } from '../src/cli/demo.ts'
import { validatePain001 } from '../src/domain/pain001/index.ts'
import { xsdErrors } from '../src/services/paymentFile/index.ts'
import { openTestApp, type TestApp } from './support/app.ts'

describe('tillid demo: the Preben scenario through the API', () => {
  let t: TestApp
  let result: DemoResult
  beforeAll(async () => {
    t = await openTestApp()
    result = await runDemo(t.baseUrl, mkdtempSync(path.join(os.tmpdir(), 'tillid-demo-out-')))
  }, 600_000)
  afterAll(async () => {
    await t?.close()
  })

  const payment = (period: string, payee: string, status: string) =>
    result.payments.filter((p) => p.period === period && p.payee === payee && p.status === status)

  it('runs every step it promises, in order and on the scenario’s dates', () => {
    expect(result.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17])
    expect(result.steps.find((s) => s.step === 5)?.date).toBe('2026-01-16')
    expect(result.steps.find((s) => s.step === 3)?.outcome).toMatch(/AwaitingApproval.*AwaitingMain/)
    expect(result.steps.find((s) => s.step === 4)?.outcome).toMatch(/AwaitingApproval/)
    expect(result.steps.find((s) => s.step === 5)?.outcome).toMatch(/Active.*Active/)
    expect(result.steps.find((s) => s.step === 13)?.outcome).toMatch(/Terminated.*Terminated/)
  })

  it('pays February exactly: 72,500 kr to Østervold, the 5,200 kr invoice accepted and 7,800 kr flagged', () => {
    // The run produces its payment file at once, so the approved months are recorded as paid.
    expect(payment('2026-02', 'Østervold', 'paid').map((p) => p.amountOre)).toEqual([7_250_000])
    expect(payment('2026-02', 'Samværskonsulenterne ApS', 'paid').map((p) => p.amountOre)).toEqual([520_000])
    expect(result.invoices).toEqual([
      { period: '2026-02', payee: 'Samværskonsulenterne ApS', amountOre: 780_000, status: 'deviation' },
      { period: '2026-02', payee: 'Samværskonsulenterne ApS', amountOre: 520_000, status: 'accepted' },
    ])
  })

  it('withholds May’s 75,800 kr for the overdue report and releases it on 3 June', () => {
    expect(payment('2026-05', 'Østervold', 'withheld').map((p) => p.amountOre)).toEqual([7_580_000])
    expect(payment('2026-05', 'Østervold', 'released').map((p) => p.amountOre)).toEqual([7_580_000])
    expect(result.steps.find((s) => s.step === 11)?.outcome).toContain('2026-05-16')
  })

  it('pays January 2027 without taxi or school support, and nothing after the termination', () => {
    expect(payment('2027-01', 'Østervold', 'paid').map((p) => p.amountOre)).toEqual([6_600_000])
    expect(result.payments.some((p) => p.period >= '2027-02')).toBe(false)
    expect(result.steps.find((s) => s.step === 14)?.outcome).toMatch(/februar 2027: 0 aftaler vurderet/)
  })

  it('exports valid pain.001 files whose totals are the approved and released payments', async () => {
    expect(result.paymentFiles).toHaveLength(2)
    const [feb, jan] = result.paymentFiles.map((f) => readFileSync(f, 'utf8'))
    for (const xml of [feb!, jan!]) {
      expect(await xsdErrors(xml)).toEqual([])
      expect(validatePain001(xml).ok).toBe(true)
    }
    expect(feb).toContain('<CtrlSum>77700.00</CtrlSum>')
    // January 2027 (66,000) plus May 2026 released on 3 June (75,800).
    expect(jan).toContain('<CtrlSum>141800.00</CtrlSum>')
  })

  it('passes the integrity check before and after erasure, and reports the erased case', () => {
    expect(result.steps.find((s) => s.step === 16)?.outcome).toMatch(/ 0 afvigelser/)
    expect(result.steps.find((s) => s.step === 17)?.outcome).toMatch(/^0 afvigelser, 1 slettede/)
  })
})
