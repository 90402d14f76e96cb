/**
 * Integrationer in the real web app against the real API, on a 375 px phone and a desktop: the
 * administrator logs in through the development IdP, sees the figures of the event exchange and
 * the time per transaction, and the failed messages with their reasons; sends an ESDH message that
 * still matches no case again (it stays, with the reason shown) and an outbound event the broker
 * had refused (it goes back to the outbox and is delivered). axe: no serious or critical
 * violations. A caseworker has neither the menu entry nor the page. Skips without chromium.
 */
import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appendEvent, insertDeadLetter } from '../../src/events/outbox.ts'
import { PREBEN_CPR } from '../../src/identity/personas.ts'
import { openTestApp, type TestApp } from '../support/app.ts'
import { assertAccessible, horizontalOverflow, launchBrowser } from './browser.ts'
import { buildWeb } from './build-web.ts'
import { loginWithDevIdp } from './pages.ts'

let browser: Browser | null = null
let dist = ''
let t: TestApp | null = null
const inboundId = `esdh-${randomUUID()}`
let outboundId = ''

beforeAll(async () => {
  browser = await launchBrowser()
  if (!browser) return
  dist = await buildWeb(`e2e-integrations-${process.pid}`)
  t = await openTestApp({}, { webDist: dist })
  // Outbound traffic: a new case is an event delivered in-process.
  const sara = await t.login('sara')
  const created = await t.api(sara, 'POST', '/api/cases', {
    cpr: PREBEN_CPR,
    name: 'Preben Testesen',
    kle: '27.24.00',
    title: 'Anbringelse uden for hjemmet',
  })
  expect(created.status).toBe(201)
  // An ESDH message for a case Tillid does not know: dead-lettered with its reason.
  const admin = await t.login('admin')
  const inbound = await t.api(admin, 'POST', '/api/integrations/inbound/esdh', {
    messageId: inboundId,
    message: {
      caseRef: '2026-000404',
      documentId: 'ESDH-404',
      journalisedAt: '2026-06-03T09:30:00+02:00',
      contentBase64: Buffer.from('%PDF-1.7').toString('base64'),
    },
  })
  expect(inbound.status).toBe(202)
  // An outbound event the broker refused five times, as the relay records it (status dead + letter).
  await t.ctx.db.transaction().execute(async (trx) => {
    const e = await appendEvent(trx, {
      type: 'review.due.v1',
      payload: { agreementId: randomUUID(), caseId: created.body.id, dueDate: '2026-07-31' },
    })
    outboundId = e.id
    await trx.updateTable('event_outbox').set({ status: 'dead' }).where('id', '=', e.id).execute()
    await insertDeadLetter(trx, {
      direction: 'outbound',
      messageId: e.id,
      routingKey: e.type,
      reason: 'rejected 5 times: broker nack',
      headers: {},
      body: Buffer.from(JSON.stringify(e)),
    })
  })
}, 300_000)

afterAll(async () => {
  await browser?.close()
  await t?.close()
  if (dist) rmSync(dist, { recursive: true, force: true })
})

async function pageAs(persona: string, width: number, path: string): Promise<Page> {
  const c = await browser!.newContext({ viewport: { width, height: 900 }, locale: 'da-DK' })
  c.setDefaultTimeout(20_000)
  const page = await c.newPage()
  await loginWithDevIdp(page, t!.baseUrl, persona, path)
  return page
}

async function loaded(page: Page) {
  await page.getByRole('heading', { level: 1, name: 'Integrationer' }).waitFor()
  await page.waitForFunction(() => document.querySelectorAll('.spinner').length === 0)
}

const row = (page: Page, messageId: string) =>
  page.getByTestId('dead-letters').getByRole('row').filter({ hasText: messageId })

describe('Integrationer in the browser', () => {
  it('shows the figures and the failed messages on a 375 px phone, accessible', async () => {
    if (!browser) return
    const page = await pageAs('Admin', 375, '/')
    await page
      .getByRole('navigation', { name: 'Hovedmenu' })
      .getByRole('link', { name: 'Integrationer' })
      .click()
    await loaded(page)
    const outbound = await page.getByTestId('figures-outbound').innerText()
    expect(outbound).toContain('Bekræftet leveret')
    expect(outbound).toContain('Forsinkelse i udbakken')
    expect(await page.getByTestId('dead-letter-count').innerText()).toMatch(/^2 beskeder venter/)
    expect(await page.getByTestId('figures-inbound').innerText()).toContain('Fejlede')
    const times = await page.getByTestId('transaction-times').innerText()
    // On a phone the table's cells stack, each labelled with its column (dkfds responsive headers).
    expect(await page.locator('[data-testid="transaction-times"] td[data-title="p95"]').count()).toBe(2)
    expect(times).toMatch(/hændelse oprettet → leveret[\s\S]*\d+(,\d+)? (ms|s)/)
    expect(await row(page, inboundId).innerText()).toContain('unmatched: no case 2026-000404')
    expect(await row(page, outboundId).innerText()).toContain('rejected 5 times: broker nack')
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    await assertAccessible(page, 'Integrationer (375 px)')
    await page.context().close()
  })

  it('sends failed messages again after confirmation and shows what happened', async () => {
    if (!browser) return
    const page = await pageAs('Admin', 1280, '/integrationer')
    await loaded(page)
    const header = await page.getByTestId('transaction-times').getByRole('row').first().innerText()
    expect(header.split(/\s*\t\s*|\n/).filter(Boolean)).toEqual([
      'Retning',
      'Antal',
      'Median (p50)',
      'p95',
      'p99',
    ])

    // Still no case 2026-000404: the letter stays and the new attempt's reason is shown.
    await row(page, inboundId)
      .getByRole('button', { name: /^Send igen/ })
      .click()
    await row(page, inboundId).getByText('Send beskeden igen?').waitFor()
    await assertAccessible(page, 'Integrationer: bekræft send igen')
    await row(page, inboundId).getByRole('button', { name: 'Ja, send igen' }).click()
    await row(page, inboundId)
      .getByText(/Beskeden kunne stadig ikke behandles: unmatched/)
      .waitFor()
    expect(await row(page, inboundId).count()).toBe(1)

    // Cancelling does nothing.
    await row(page, outboundId)
      .getByRole('button', { name: /^Send igen/ })
      .click()
    await row(page, outboundId).getByRole('button', { name: 'Annuller' }).click()
    expect(await row(page, outboundId).getByRole('button', { name: 'Ja, send igen' }).count()).toBe(0)

    // The refused event goes back to the outbox and is delivered; its letter leaves the list.
    await row(page, outboundId)
      .getByRole('button', { name: /^Send igen/ })
      .click()
    await row(page, outboundId).getByRole('button', { name: 'Ja, send igen' }).click()
    await page.getByText('Hændelsen er lagt tilbage i udbakken og sendes igen.').first().waitFor()
    await expect.poll(() => row(page, outboundId).count()).toBe(0)
    await expect
      .poll(
        async () =>
          (
            await t!.ctx.db
              .selectFrom('event_outbox')
              .select('status')
              .where('id', '=', outboundId)
              .executeTakeFirstOrThrow()
          ).status,
      )
      .toBe('dispatched')
    await assertAccessible(page, 'Integrationer efter send igen')
    await page.context().close()
  })

  it('is the administrator’s alone: a caseworker has no menu entry and no page', async () => {
    if (!browser) return
    const page = await pageAs('Sara', 1280, '/integrationer')
    await page.getByRole('heading', { level: 1, name: 'Siden findes ikke' }).waitFor()
    expect(await page.getByRole('navigation', { name: 'Hovedmenu' }).innerText()).not.toContain(
      'Integrationer',
    )
    const api = await page.evaluate(async () => (await fetch('/api/integrations')).status)
    expect(api).toBe(403)
    await page.context().close()
  })
})
