/**
 * Preben's scenario (shared/docs/scenario-preben.md) clicked through the real web app against a
 * whole embedded Tillid in demo mode: each person logs in through the development IdP's persona
 * picker in their own browser context, the Admin moves the ledger clock on the /demo page, and the
 * amounts the pages show are checked in Danish format. Skips (with a printed reason) without chromium.
 */
import { rmSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/api/app.ts'
import { openTestInstance } from '../support/instance.ts'
import { assertAccessible, horizontalOverflow, launchBrowser } from './browser.ts'
import { buildWeb } from './build-web.ts'
import { loginWithDevIdp } from './pages.ts'

let browser: Browser | null = null
let dist = ''
let ctx: Awaited<ReturnType<typeof openTestInstance>> | null = null
let app: FastifyInstance | null = null
let base = ''
const contexts = new Map<string, Page>()
/** Set by the first test, used by the second: the placement and the related contact agreement. */
const ids = { placement: '', contact: '' }
let last: Page | null = null

beforeAll(async () => {
  browser = await launchBrowser()
  if (!browser) return
  dist = await buildWeb(`e2e-scenario-${process.pid}`)
  ctx = await openTestInstance({ TILLID_PORT: '0', TILLID_RATE_LIMIT: '0', TILLID_DEMO: 'true' })
  app = await buildApp({
    logger: false,
    readiness: [],
    store: ctx.store,
    config: ctx.config,
    kek: ctx.kek,
    services: ctx,
    webDist: dist,
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await app?.close()
  await ctx?.close()
  if (dist) rmSync(dist, { recursive: true, force: true })
})

/** One browser context per person, logged in once through the persona picker. */
async function as(persona: string): Promise<Page> {
  const known = contexts.get(persona)
  if (known) return known
  if (!browser) throw new Error('no browser')
  const c: BrowserContext = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'da-DK',
  })
  c.setDefaultTimeout(15_000)
  const page = await c.newPage()
  last = page
  await loginWithDevIdp(page, base, persona)
  contexts.set(persona, page)
  return page
}

async function open(page: Page, path: string, heading: string | RegExp) {
  last = page
  await page.goto(base + path)
  await page.getByRole('heading', { level: 1, name: heading }).waitFor()
  await page.waitForFunction(() => document.querySelectorAll('.spinner').length === 0)
}

const checked = new Set<string>()
/**
 * axe once per page kind (the first time it is visited), so the run stays short; the same page is
 * then laid out 375 px wide (a phone) and must not scroll sideways with the scenario's real data.
 */
async function axe(page: Page, label: string) {
  if (checked.has(label)) return
  checked.add(label)
  await assertAccessible(page, label)
  // Dates and amounts as Danes read them: no ISO dates, no amounts without øre or with English marks.
  const text = await page.getByRole('main').innerText()
  expect(text, `${label} shows an ISO date`).not.toMatch(/\b\d{4}-\d{2}-\d{2}\b/)
  expect(text, `${label} shows an amount not as 72.500,00 kr`).not.toMatch(
    /\d(?:,\d{3})*\.\d{2} kr|(?<![\d,.])\d{1,3}(?:\.\d{3})* kr|(?<![\d,.])\d{4,}(?:,\d{2})? kr/,
  )
  const before = page.viewportSize()
  await page.setViewportSize({ width: 375, height: 800 })
  try {
    expect(await horizontalOverflow(page), `${label} scrolls sideways at 375 px`).toBeLessThanOrEqual(0)
  } finally {
    if (before) await page.setViewportSize(before)
  }
}

/** The Admin moves the ledger clock forward on the demo page. */
async function moveTo(date: string, danish: string) {
  const page = await as('Admin')
  await open(page, '/demo', 'Demo: tidsstyring')
  await axe(page, '/demo')
  await page.getByLabel('Ny ledger-dato', { exact: true }).fill(date)
  await page.getByRole('button', { name: 'Flyt tiden frem' }).click()
  await page.getByText(`Ledger-datoen er nu ${danish}.`).waitFor()
}

interface LineInput {
  name: string
  price: string
  start: string
  end?: string
  unit?: 'Pr. måned' | 'Pr. time'
  sessions?: { hours: string; everyWeeks: string; weekday: string; from: string }
}

async function fillLine(page: Page, n: number, l: LineInput) {
  const card = page.getByRole('group', { name: `Ydelse ${n}`, exact: false }).first()
  await card.getByLabel('Navn på ydelsen', { exact: true }).fill(l.name)
  await card.getByLabel('Pris', { exact: true }).fill(l.price)
  if (l.unit) await card.getByLabel('Enhed', { exact: true }).selectOption({ label: l.unit })
  if (l.sessions) {
    await card.getByLabel('Timer pr. gang', { exact: true }).fill(l.sessions.hours)
    await card.getByLabel('Hver ... uge', { exact: true }).fill(l.sessions.everyWeeks)
    await card.getByLabel('Ugedag', { exact: true }).selectOption({ label: l.sessions.weekday })
    await card.getByLabel('Første gang', { exact: true }).fill(l.sessions.from)
  }
  await card.getByLabel('Startdato', { exact: true }).fill(l.start)
  await card.getByLabel('Slutdato (valgfri)', { exact: true }).fill(l.end ?? '')
}

/** Opens an agreement as a person and presses one of its action buttons. */
async function press(persona: string, id: string, button: string, done: string | RegExp) {
  const page = await as(persona)
  await open(page, `/aftaler/${id}`, /.+/)
  await page.getByRole('button', { name: button }).click()
  await page.getByText(done).first().waitFor()
  return page
}

/** A provider uploads a status report on the agreement page. */
async function uploadReport(persona: string, id: string, filename: string, text: string) {
  const page = await as(persona)
  await open(page, `/aftaler/${id}`, /.+/)
  await page.getByLabel('Statusrapport', { exact: true }).setInputFiles({
    name: filename,
    mimeType: 'application/pdf',
    buffer: Buffer.from(`%PDF-1.4\n${text}\n%%EOF\n`),
  })
  await page.getByRole('button', { name: 'Send statusrapport' }).click()
  await page.getByText(`Statusrapporten ${filename} er modtaget.`).waitFor()
  return page
}

describe("Preben's scenario through the web app", () => {
  it('runs from the first draft to February paid, as the people in the scenario', {
    timeout: 480_000,
  }, async (t) => {
    if (!browser) return t.skip()
    // On failure, what the person was looking at says more than a locator timeout.
    t.onTestFailed(async () => {
      console.log(
        `Siden ${last?.url()}:\n${await last
          ?.locator('main')
          .innerText()
          .catch(() => '')}`,
      )
    })

    // 1. Sara opens the case and drafts the placement agreement with the line editor.
    await moveTo('2026-01-12', '12. januar 2026')
    // The providers' signatories have logged in once, so their organisations are known to Tillid.
    await as('Ole')
    await as('Sanne')
    const sara = await as('Sara')
    await open(sara, '/sager/ny', 'Opret sag')
    await axe(sara, '/sager/ny')
    await sara.getByLabel('Sagens titel', { exact: true }).fill('Anbringelse uden for hjemmet')
    await sara.getByLabel('Borgerens navn', { exact: true }).fill('Preben Jensen')
    await sara.getByLabel('CPR-nummer', { exact: true }).fill('010216-1234')
    await sara.getByLabel('KLE-nummer', { exact: true }).fill('27.24.00')
    await sara.getByRole('button', { name: 'Opret sag' }).click()
    await sara.getByRole('heading', { level: 1, name: 'Anbringelse uden for hjemmet' }).waitFor()
    const caseId = decodeURIComponent(new URL(sara.url()).pathname.split('/').at(-1) ?? '')
    await sara.waitForFunction(() => document.querySelectorAll('.spinner').length === 0)
    await axe(sara, '/sager/:id')

    await open(sara, `/aftaler/ny?caseId=${encodeURIComponent(caseId)}`, 'Opret aftale')
    await axe(sara, '/aftaler/ny')
    await sara.getByLabel('Leverandør', { exact: true }).selectOption({ label: 'Østervold' })
    await fillLine(sara, 1, { name: 'Ophold', price: '52.000,00', start: '2026-02-01' })
    await sara.getByRole('button', { name: 'Tilføj ydelse' }).click()
    await fillLine(sara, 2, { name: 'Skoledel', price: '14.000,00', start: '2026-02-01' })
    await sara.getByRole('button', { name: 'Tilføj ydelse' }).click()
    await fillLine(sara, 3, {
      name: 'Taxi til og fra skole',
      price: '6.500,00',
      start: '2026-02-01',
      end: '2026-04-30',
    })
    await sara.getByLabel('Skabelon', { exact: true }).selectOption({ index: 1 })
    await sara.getByLabel('Statusrapport hver ... måned', { exact: true }).fill('3')
    await sara.getByLabel('Frist efter forfald (dage)', { exact: true }).fill('14')
    await expect.poll(() => sara.getByText('72.500,00 kr').first().isVisible()).toBe(true)
    await sara.getByRole('button', { name: 'Opret aftale' }).click()
    await sara.waitForURL(/\/aftaler\/(?!ny)[^/]+$/)
    const placementId = decodeURIComponent(new URL(sara.url()).pathname.split('/').at(-1) ?? '')
    await sara.waitForFunction(() => document.querySelectorAll('.spinner').length === 0)
    await axe(sara, '/aftaler/:id')
    expect(await sara.getByRole('main').innerText()).toContain('72.500,00 kr')

    // 2. The related supervised-contact agreement, linked to the placement.
    await open(sara, `/aftaler/ny?caseId=${encodeURIComponent(caseId)}`, 'Opret aftale')
    await sara.getByLabel('Leverandør', { exact: true }).selectOption({ label: 'Samværskonsulenterne ApS' })
    // First time on a Monday for a Sunday schedule: only the server knows, and says so in the
    // error summary, in Danish, without losing what Sara typed.
    await fillLine(sara, 1, {
      name: 'Støttet samvær',
      price: '650,00',
      unit: 'Pr. time',
      sessions: { hours: '4', everyWeeks: '2', weekday: 'søndag', from: '2026-02-02' },
      start: '2026-02-01',
    })
    await sara.getByLabel('Skabelon', { exact: true }).selectOption({ label: 'Overvåget samvær' })
    await sara.getByLabel('Hovedaftale (valgfri)', { exact: true }).selectOption({ index: 1 })
    await sara.getByLabel('Statusrapport hver ... måned', { exact: true }).fill('3')
    await sara.getByLabel('Frist efter forfald (dage)', { exact: true }).fill('14')
    await sara.getByRole('button', { name: 'Opret aftale' }).click()
    const summary = sara.getByRole('alert').filter({ hasText: 'Der er problemer' })
    await summary.getByText('Ydelse 1: datoen for første gang falder ikke på den valgte ugedag').waitFor()
    await axe(sara, '/aftaler/ny (fejl fra serveren)')
    const line1 = sara.getByRole('group', { name: 'Ydelse 1', exact: false }).first()
    expect(await line1.getByLabel('Navn på ydelsen', { exact: true }).inputValue()).toBe('Støttet samvær')
    expect(await line1.getByLabel('Pris', { exact: true }).inputValue()).toBe('650,00')
    expect(await line1.getByLabel('Første gang', { exact: true }).getAttribute('aria-invalid')).toBe('true')
    expect(new URL(sara.url()).pathname).toBe('/aftaler/ny')
    await line1.getByLabel('Første gang', { exact: true }).fill('2026-02-01')
    await sara.getByRole('button', { name: 'Opret aftale' }).click()
    await sara.waitForURL((u) => !u.pathname.endsWith('/ny') && u.pathname !== `/aftaler/${placementId}`)
    const contactId = decodeURIComponent(new URL(sara.url()).pathname.split('/').at(-1) ?? '')
    ids.placement = placementId
    ids.contact = contactId
    await sara.getByRole('link', { name: 'Gå til hovedaftalen' }).waitFor()

    // 3. Signatures: Sara and Ole on the placement, Sara and Sanne on the contact agreement.
    await moveTo('2026-01-14', '14. januar 2026')
    await press('Sara', placementId, 'Underskriv aftalen', 'Du har underskrevet version 1.')
    const ole = await press('Ole', placementId, 'Underskriv aftalen', 'Du har underskrevet version 1.')
    await axe(ole, '/aftaler/:id (leverandør)')
    await ole.getByText('Afventer godkendelse').first().waitFor()
    await press('Sara', contactId, 'Underskriv aftalen', 'Du har underskrevet version 1.')
    const sanne = await press('Sanne', contactId, 'Underskriv aftalen', 'Du har underskrevet version 1.')
    await sanne.getByText('Den bliver aktiv, når hovedaftalen er godkendt.').waitFor()

    // 4–5. Two centre chiefs approve; both agreements become active.
    await moveTo('2026-01-15', '15. januar 2026')
    const bo = await press('Bo', placementId, 'Godkend aftalen', 'Du har godkendt version 1.')
    await bo.getByText('Afventer godkendelse').first().waitFor()
    await moveTo('2026-01-16', '16. januar 2026')
    const lis = await press('Lis', placementId, 'Godkend aftalen', 'Du har godkendt version 1.')
    await lis.getByText('Aktiv', { exact: true }).first().waitFor()
    await open(sara, `/aftaler/${contactId}`, /.+/)
    await sara.getByText('Aktiv', { exact: true }).first().waitFor()

    // 7. February: Finn runs the month and sees 72.500,00 kr for Østervold.
    await moveTo('2026-03-01', '1. marts 2026')
    // Sanne invoices February: 3 Sundays (12 h) is flagged as a deviation, 2 Sundays (8 h) accepted.
    await open(sanne, `/aftaler/${contactId}`, /.+/)
    const invoice = sanne.getByRole('form', { name: 'Indsend faktura' })
    await invoice.getByLabel('Antal timer', { exact: true }).fill('12')
    await invoice.getByRole('button', { name: 'Indsend faktura' }).click()
    await sanne.getByText('Fakturaen er modtaget, men afviger fra aftalen').waitFor()
    await invoice.getByLabel('Antal timer', { exact: true }).fill('8')
    await invoice.getByRole('button', { name: 'Indsend faktura' }).click()
    await sanne.getByText('Fakturaen for februar 2026 er modtaget: 5.200,00 kr.').waitFor()

    const finn = await as('Finn')
    await open(finn, '/oekonomi', 'Økonomi')
    await axe(finn, '/oekonomi')
    await finn.getByLabel('Måned', { exact: true }).fill('2026-02')
    await finn.getByRole('button', { name: 'Kør månedskørsel' }).click()
    await finn.getByRole('heading', { level: 1, name: 'Månedskørsel for februar 2026' }).waitFor()
    await finn.waitForFunction(() => document.querySelectorAll('.spinner').length === 0)
    await axe(finn, '/oekonomi/:period')
    const feb = finn.getByRole('row').filter({ hasText: 'Østervold' })
    await expect.poll(() => feb.first().innerText()).toContain('72.500,00 kr')
    // People recognise an agreement by its title, not by its on-chain hash.
    expect(await feb.first().innerText()).toContain('Anbringelse uden for hjemmet (botilbud)')
    expect(await finn.getByRole('main').innerText()).not.toMatch(/0x[0-9a-f]{16}/)
    await feb.first().getByRole('link', { name: 'Anbringelse uden for hjemmet (botilbud)' }).click()
    await finn.waitForURL((u) => u.pathname === `/aftaler/${placementId}`)
    await open(finn, '/oekonomi/2026-02', 'Månedskørsel for februar 2026')
    const contactRow = finn.getByRole('row').filter({ hasText: 'Samværskonsulenterne ApS' })
    await contactRow.filter({ hasText: '5.200,00 kr' }).first().waitFor()
    const deviation = finn.getByRole('table', { name: 'Afvigelser' }).getByRole('row').nth(1)
    expect(await deviation.innerText()).toMatch(/12\s+8\s+7\.800,00 kr/)
  })

  it('amends, shows reports and the review falling due, withholds May for a missing report, releases it on upload, terminates with cascade, pays January', {
    timeout: 480_000,
  }, async (t) => {
    if (!browser || !ids.placement) return t.skip()
    t.onTestFailed(async () => {
      console.log(
        `Siden ${last?.url()}:\n${await last
          ?.locator('main')
          .innerText()
          .catch(() => '')}`,
      )
    })
    const { placement, contact } = ids

    // 6. (still 1 March) Amendment: extra school support 9.800,00 kr/md. 1/3–31/5, review 15/5.
    const sara = await as('Sara')
    await open(sara, `/aftaler/${placement}/tillaeg`, 'Tillæg til aftale')
    await axe(sara, '/aftaler/:id/tillaeg')
    await sara.getByRole('button', { name: 'Tilføj ydelse' }).click()
    await fillLine(sara, 4, {
      name: 'Ekstra skolestøtte 6 t/uge',
      price: '9.800,00',
      start: '2026-03-01',
      end: '2026-05-31',
    })
    await sara.getByLabel('Revurderingsdato (valgfri)', { exact: true }).fill('2026-05-15')
    await sara.getByRole('button', { name: 'Opret tillæg' }).click()
    await sara.waitForURL((u) => u.pathname === `/aftaler/${placement}`)
    await sara.getByRole('button', { name: 'Underskriv aftalen' }).click()
    await sara.getByText('Du har underskrevet version 2.').waitFor()
    await press('Ole', placement, 'Underskriv aftalen', 'Du har underskrevet version 2.')
    await open(sara, `/aftaler/${placement}`, /.+/)
    await sara.getByRole('heading', { name: 'Versioner' }).waitFor()
    const main = await sara.getByRole('main').innerText()
    expect(main).toContain('Ekstra skolestøtte 6 t/uge')
    expect(main).toContain('9.800,00 kr')

    // 8. 1 May: both status reports fall due. Sara sees them in her tasks and on the agreement, with
    // the due date and the last day of the grace period; Ole sees the report he owes.
    await moveTo('2026-05-01', '1. maj 2026')
    const inTasks = 'Forfaldt 1. maj 2026; skal afleveres senest 15. maj 2026.'
    const onAgreement = 'Forfalden 1. maj 2026, skal afleveres senest 15. maj 2026.'
    await open(sara, '/opgaver', 'Mine opgaver')
    await axe(sara, '/opgaver')
    const tasks = sara.getByRole('list', { name: 'Opgaver' }).getByRole('listitem')
    const reportDue = tasks.filter({ hasText: 'Statusrapport forfalden: Anbringelse uden for hjemmet' })
    await reportDue.first().waitFor()
    expect(await reportDue.first().innerText()).toContain(inTasks)
    await tasks.filter({ hasText: 'Statusrapport forfalden: Overvåget samvær' }).first().waitFor()
    await reportDue.first().getByRole('link').click()
    await sara.waitForURL((u) => u.pathname === `/aftaler/${placement}`)
    const obligations = sara.getByRole('list', { name: 'Forpligtelser' })
    await obligations.getByText(onAgreement).waitFor()
    // ... and on Preben's case, where both agreements' reports wait.
    await sara.getByRole('link', { name: 'Gå til sagen' }).click()
    const onCase = sara.getByRole('list', { name: 'Sagens opgaver' }).getByRole('listitem')
    await onCase
      .filter({ hasText: 'Statusrapport forfalden: Anbringelse' })
      .filter({ hasText: inTasks })
      .waitFor()
    await onCase.filter({ hasText: 'Statusrapport forfalden: Overvåget samvær' }).waitFor()
    const ole = await as('Ole')
    await open(ole, '/leverandoer', 'Leverandør')
    await ole.waitForFunction(() => document.querySelectorAll('.spinner').length === 0)
    await axe(ole, '/leverandoer')
    await ole.getByRole('list', { name: 'Forpligtelser' }).getByText(onAgreement).waitFor()
    await open(ole, '/opgaver', 'Mine opgaver')
    const owed = ole.getByRole('listitem').filter({ hasText: 'Aflever statusrapport' })
    expect(await owed.first().innerText()).toContain(inTasks)

    // 9. 15 May: the review of the school support is due. Sara's task leads to the review decision
    // (continue, adjust or end) on the agreement page, with the line chosen. Nobody decides, so the
    // line ends on 31 May as agreed.
    await moveTo('2026-05-15', '15. maj 2026')
    await open(sara, '/opgaver', 'Mine opgaver')
    const review = tasks.filter({ hasText: 'Opfølgning: Ekstra skolestøtte 6 t/uge' })
    await review.first().waitFor()
    expect(await review.first().innerText()).toContain('Revurderingen forfaldt 15. maj 2026.')
    await review.first().getByRole('link').click()
    await sara.waitForURL((u) => u.pathname === `/aftaler/${placement}` && u.searchParams.has('revurdering'))
    const decision = sara.getByRole('form', { name: 'Revurdering' })
    await decision.waitFor()
    expect(await decision.getByLabel('Ydelse', { exact: true }).locator('option:checked').innerText()).toBe(
      'Ekstra skolestøtte 6 t/uge (revurderes 15. maj 2026)',
    )
    for (const choice of ['Fortsæt ydelsen', 'Justér ydelsen (laver et tillæg)', 'Afslut ydelsen'])
      await decision.getByLabel(choice, { exact: true }).waitFor()
    await sara.getByRole('list', { name: 'Forpligtelser' }).getByText('Revurderingen er forfalden.').waitFor()
    // Still within the grace period on the 15th: due, not yet overdue.
    await sara.getByRole('list', { name: 'Forpligtelser' }).getByText(onAgreement).waitFor()
    // "Continue" needs a date: the dkfds error summary says so before anything is sent.
    await decision.getByRole('button', { name: 'Registrér afgørelse' }).click()
    await decision.getByRole('alert').getByText('Angiv hvor længe ydelsen fortsætter').waitFor()

    // 10. 20 May: Samværskonsulenterne delivers its report.
    await moveTo('2026-05-20', '20. maj 2026')
    await uploadReport('Sanne', contact, 'statusrapport-samvaer-2026-05.pdf', 'Samværet forløber godt.')

    // 11. 1 June: May is run; Østervold's 75.800,00 kr is withheld for the report due 1 May.
    await moveTo('2026-06-01', '1. juni 2026')
    const finn = await as('Finn')
    await open(finn, '/oekonomi', 'Økonomi')
    await finn.getByLabel('Måned', { exact: true }).fill('2026-05')
    await finn.getByRole('button', { name: 'Kør månedskørsel' }).click()
    await finn.getByRole('heading', { level: 1, name: 'Månedskørsel for maj 2026' }).waitFor()
    await finn.waitForFunction(() => document.querySelectorAll('.spinner').length === 0)
    const withheld = finn
      .getByRole('table', { name: 'Tilbageholdte betalinger' })
      .getByRole('row')
      .filter({ hasText: 'Østervold' })
    await withheld.first().waitFor()
    const why = await withheld.first().innerText()
    expect(why).toContain('75.800,00 kr')
    expect(why).toContain('Statusrapport mangler')
    expect(why).toContain('forfaldt 1. maj 2026')
    expect(why).toContain('overskredet siden 16. maj 2026')

    // 12. 3 June: Ole uploads the report on the agreement page; the withheld payment is released.
    await moveTo('2026-06-03', '3. juni 2026')
    await uploadReport('Ole', placement, 'statusrapport-oestervold-2026-06.pdf', 'Preben trives.')
    await open(finn, '/oekonomi/2026-05', 'Månedskørsel for maj 2026')
    const released = finn.getByRole('table', { name: 'Frigivne betalinger' }).getByRole('row')
    await released.filter({ hasText: 'Østervold' }).filter({ hasText: '75.800,00 kr' }).waitFor()

    // Between the dated steps both providers deliver their quarterly reports (due 1 August and
    // 1 November), as the agreements require; otherwise January 2027 would be withheld.
    for (const [due, danish] of [
      ['2026-08-01', '1. august 2026'],
      ['2026-11-01', '1. november 2026'],
    ] as const) {
      await moveTo(due, danish)
      await uploadReport('Ole', placement, `statusrapport-oestervold-${due}.pdf`, `Statusrapport ${due}.`)
      await uploadReport('Sanne', contact, `statusrapport-samvaer-${due}.pdf`, `Statusrapport ${due}.`)
    }

    // 13. 20 January 2027: Sara and Ole sign a termination effective 31 January; the contact follows.
    await moveTo('2027-01-20', '20. januar 2027')
    await open(sara, `/aftaler/${placement}/ophoer`, 'Ophør af aftale')
    await sara.getByLabel('Sidste dag aftalen gælder', { exact: true }).fill('2027-01-31')
    await sara.getByRole('button', { name: 'Se konsekvenser' }).click()
    await sara.getByRole('heading', { name: 'Det sker, når du bekræfter' }).waitFor()
    await axe(sara, '/aftaler/:id/ophoer')
    expect(await sara.getByText('Tilknyttet aftale – ophører automatisk').count()).toBe(1)
    await sara.getByRole('button', { name: 'Bekræft ophør' }).click()
    await sara.waitForURL((u) => u.pathname === `/aftaler/${placement}`)
    await press('Ole', placement, 'Underskriv ophør', 'Du har underskrevet ophøret pr. 31. januar 2027.')
    for (const id of [placement, contact]) {
      await open(sara, `/aftaler/${id}`, /.+/)
      await expect.poll(() => sara.getByRole('main').innerText()).toMatch(/Ophører\s+31\. januar 2027/)
    }

    // 14. 1 February 2027: the last run pays January in full (ophold + skoledel), nothing withheld.
    await moveTo('2027-02-01', '1. februar 2027')
    await open(finn, '/oekonomi', 'Økonomi')
    await finn.getByLabel('Måned', { exact: true }).fill('2027-01')
    await finn.getByRole('button', { name: 'Kør månedskørsel' }).click()
    await finn.getByRole('heading', { level: 1, name: 'Månedskørsel for januar 2027' }).waitFor()
    await finn.waitForFunction(() => document.querySelectorAll('.spinner').length === 0)
    const jan = finn.getByRole('row').filter({ hasText: 'Østervold' })
    await expect.poll(() => jan.first().innerText()).toContain('66.000,00 kr')
    expect(await finn.getByRole('table', { name: 'Tilbageholdte betalinger' }).count()).toBe(0)

    // The staff pages not visited above, with the whole scenario's data on them.
    await open(sara, '/sager', 'Sager')
    await axe(sara, '/sager')
    const revisor = await as('Revisor')
    await open(revisor, '/revision', /.+/)
    await axe(revisor, '/revision')
  })
})
