/**
 * The citizen's whole journey (issue 8, scenario step 15) in the real web app against the real API,
 * on a 320 px wide phone: Preben's mother logs in through the development IdP, reads "Mit overblik"
 * (both agreements, services with Danish amounts, dates, status, documents, plain-words explanations,
 * the chain proof), sees who has looked at the data and filters it, downloads the export as JSON and
 * PDF, and asks for a correction that Sara answers on the case page. Every citizen page is checked
 * for sideways scrolling and with axe. Skips (with a printed reason) without chromium.
 */
import { readFileSync, rmSync } from 'node:fs'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dateToUnixSeconds } from '../../src/domain/calendar.ts'
import type { LoginResult } from '../../src/identity/loginAs.ts'
import { MOR_CPR, PREBEN_CPR } from '../../src/identity/personas.ts'
import { contactLines, placementLines, schoolSupportLines } from '../../src/services/demo/scenarioRequests.ts'
import { openTestApp, type TestApp } from '../support/app.ts'
import { pdfText } from '../support/pdfText.ts'
import { assertAccessible, launchBrowser } from './browser.ts'
import { buildWeb } from './build-web.ts'
import { loginWithDevIdp } from './pages.ts'

const WIDTH = 320
const PREBEN = 'Preben Jensen'
/** Another child, not in the mother's custody (fictitious CPR, valid date), read only by Dorte. */
const OTHER_CPR = '0101201234'
const CORRECTION = 'Preben går i 4. klasse, ikke 3.'
const ANSWER = 'Tak, det er rettet i sagen.'

let browser: Browser | null = null
let dist = ''
let t: TestApp | null = null
const as: Record<string, LoginResult> = {}
const ids = { case: '', other: '', placement: '', contact: '' }
let mor: Page | null = null
let last: Page | null = null

async function api(who: string, method: string, path: string, body?: unknown) {
  const r = await t!.api(as[who]!, method, path, body)
  if (r.status >= 300) throw new Error(`${who} ${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

/** Steps 1–6 and 10 of the scenario over the API, with the scenario's own request lines. */
async function seedPrebensCase() {
  const at = (date: string) => t!.ctx.ledger.advanceTo(Number(dateToUnixSeconds(date)) + 8 * 3600)
  for (const p of ['sara', 'ole', 'sanne', 'bo', 'lis', 'dorte']) as[p] = await t!.login(p)
  await at('2026-01-12')
  const kase = await api('sara', 'POST', '/api/cases', {
    cpr: PREBEN_CPR,
    name: PREBEN,
    kle: '27.24.00',
    title: 'Anbringelse uden for hjemmet',
    parentCpr: MOR_CPR,
  })
  ids.case = kase.id
  const other = await api('sara', 'POST', '/api/cases', {
    cpr: OTHER_CPR,
    name: 'Anden Borgersen',
    kle: '27.24.00',
    title: 'Forebyggende foranstaltning',
  })
  ids.other = other.id
  const placement = await api('sara', 'POST', '/api/agreements', {
    caseId: kase.id,
    providerId: as.ole!.me.organisation!.id,
    templateId: 'placement',
    reportEveryMonths: 3,
    graceDays: 14,
    lines: placementLines,
  })
  ids.placement = placement.id
  const contact = await api('sara', 'POST', '/api/agreements', {
    caseId: kase.id,
    providerId: as.sanne!.me.organisation!.id,
    templateId: 'contact-supervision',
    mainAgreementId: placement.id,
    reportEveryMonths: 3,
    graceDays: 14,
    lines: contactLines,
  })
  ids.contact = contact.id
  await at('2026-01-14')
  for (const [who, id] of [
    ['sara', placement.id],
    ['ole', placement.id],
    ['sara', contact.id],
    ['sanne', contact.id],
  ])
    await api(who!, 'POST', `/api/agreements/${id}/sign`, { version: 1 })
  await at('2026-01-15')
  await api('bo', 'POST', `/api/agreements/${placement.id}/approve`, { version: 1 })
  await at('2026-01-16')
  await api('lis', 'POST', `/api/agreements/${placement.id}/approve`, { version: 1 })
  await at('2026-03-01')
  const amended = await api('sara', 'POST', `/api/agreements/${placement.id}/amendments`, {
    lines: schoolSupportLines,
  })
  const v2 = Number(amended.versions.at(-1).version)
  for (const who of ['sara', 'ole'])
    await api(who, 'POST', `/api/agreements/${placement.id}/sign`, { version: v2 })
  await at('2026-03-20')
  const report = await api('sanne', 'POST', `/api/agreements/${contact.id}/reports`, {
    filename: 'statusrapport-samvaer-2026-03.pdf',
    contentBase64: Buffer.from('%PDF-1.4\nSamværet forløber godt.\n%%EOF\n').toString('base64'),
  })
  // Accesses the mother must be able to see: Sara reads the case, Sanne and Sara open the report.
  await api('sara', 'GET', `/api/cases/${kase.id}`)
  await api('sanne', 'GET', `/api/documents/${report.id}`)
  await api('sara', 'GET', `/api/documents/${report.id}`)
  // Dorte reads only the other child's case: her name must never reach Preben's mother.
  await api('dorte', 'GET', `/api/cases/${other.id}`)
  // An internal note on Preben's case, never to be shown to the citizen.
  await t!.ctx.repos.documents.add({
    caseId: kase.id,
    kind: 'internal_note',
    mediaType: 'text/plain',
    title: 'Intern vurdering af moderen',
    bytes: new TextEncoder().encode('intern vurdering'),
  })
}

beforeAll(async () => {
  browser = await launchBrowser()
  if (!browser) return
  dist = await buildWeb(`e2e-citizen-${process.pid}`)
  t = await openTestApp({}, { webDist: dist })
  await seedPrebensCase()
}, 240_000)

afterAll(async () => {
  await browser?.close()
  await t?.close()
  if (dist) rmSync(dist, { recursive: true, force: true })
})

async function newPage(width: number, height: number): Promise<Page> {
  if (!browser) throw new Error('no browser')
  const c: BrowserContext = await browser.newContext({ viewport: { width, height }, locale: 'da-DK' })
  c.setDefaultTimeout(15_000)
  const page = await c.newPage()
  last = page
  return page
}

async function loaded(page: Page, heading: string) {
  last = page
  await page.getByRole('heading', { level: 1, name: heading }).waitFor()
  await page.waitForFunction(() => document.querySelectorAll('.spinner').length === 0)
}

/** Opens a page by its address. */
async function open(page: Page, path: string, heading: string) {
  await page.goto(t!.baseUrl + path)
  await loaded(page, heading)
}

/** Opens a citizen page through the main menu, as a person on a phone would (the link is the heading). */
async function navigate(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Hovedmenu' }).getByRole('link', { name, exact: true }).click()
  await loaded(page, name)
}

/** The page fits 320 px without sideways scrolling and has no serious or critical axe violations. */
async function fitsAndAccessible(page: Page, label: string) {
  const width = await page.evaluate(() => document.scrollingElement?.scrollWidth ?? Number.POSITIVE_INFINITY)
  expect(width, `${label} scrolls sideways at ${WIDTH} px`).toBeLessThanOrEqual(WIDTH)
  await assertAccessible(page, `${label} (${WIDTH} px)`)
}

const main = (page: Page) => page.getByRole('main')

/** On failure, what the person was looking at says more than a locator timeout. */
function showPageOnFailure(c: { onTestFailed: (fn: () => Promise<void>) => void }) {
  c.onTestFailed(async () => {
    const text = last
      ? await main(last)
          .innerText()
          .catch(() => '')
      : ''
    console.log(`Siden ${last?.url()}:\n${text}`)
  })
}

describe("the citizen's journey at 320 px against the real API", () => {
  it('Preben’s mother logs in and reads Mit overblik: both agreements, services, dates, documents, proof', {
    timeout: 120_000,
  }, async (c) => {
    if (!browser) return c.skip()
    showPageOnFailure(c)
    mor = await newPage(WIDTH, 640)
    // The IdP sends her back to the page she asked for.
    await loginWithDevIdp(mor, t!.baseUrl, 'Prebens mor', '/borger')
    await loaded(mor, 'Mit overblik')
    expect(new URL(mor.url()).pathname).toBe('/borger')
    await fitsAndAccessible(mor, '/borger')
    const text = (await main(mor).innerText()).replace(/\s+/g, ' ')

    expect(text).toContain(`Anbringelse uden for hjemmet – ${PREBEN}`)
    const cards = main(mor)
      .getByRole('listitem')
      .filter({ has: mor.getByRole('heading', { level: 3 }) })
    const placement = cards.filter({ hasText: 'Østervold' })
    const contact = cards.filter({ hasText: 'Samværskonsulenterne ApS' })
    expect(await placement.count()).toBe(1)
    expect(await contact.count()).toBe(1)
    const p = (await placement.innerText()).replace(/\s+/g, ' ')
    // What, how much (Danish amounts), from–to, status and the explanation in words.
    expect(p).toContain('Aftalen gælder')
    expect(p).toContain('Ophold: 52.000,00 kr om måneden, fra 1. februar 2026')
    expect(p).toContain('Skoledel: 14.000,00 kr om måneden, fra 1. februar 2026')
    expect(p).toContain(
      'Taxi til og fra skole: 6.500,00 kr om måneden, fra 1. februar 2026 til 30. april 2026',
    )
    expect(p).toContain(
      'Ekstra skolestøtte 6 t/uge: 9.800,00 kr om måneden, fra 1. marts 2026 til 31. maj 2026',
    )
    expect(p).toMatch(/botilbud/i)
    // The next dates: the report due 1 May, the review of the school support 15 May.
    expect(p).toContain('Næste statusrapport skal komme senest 1. maj 2026')
    expect(p).toContain('15. maj 2026')
    // The chain proof in plain words with a reference that the ledger knows.
    expect(p).toContain('Denne aftale er registreret og kan ikke ændres i det skjulte')
    const ref = p.match(/Reference: (0x[0-9a-f]{64})/)?.[1]
    expect(ref).toBeDefined()
    expect(p).toMatch(/registreret \d{1,2}\. \p{L}+ 2026\./u)
    const receipt = await t!.ctx.ledger.publicClient.getTransactionReceipt({ hash: ref as `0x${string}` })
    expect(receipt.status).toBe('success')

    const k = (await contact.innerText()).replace(/\s+/g, ' ')
    expect(k).toContain('Aftalen gælder')
    expect(k).toContain('Støttet samvær: 650,00 kr i timen, 4 timer hver 2. søndag, fra 1. februar 2026')
    expect(k).toMatch(/samvær/i)
    expect(k).toContain('Denne aftale er registreret og kan ikke ændres i det skjulte')

    // Documents she may see: the status report; never the internal note.
    await main(mor).getByRole('link', { name: 'statusrapport-samvaer-2026-03.pdf' }).waitFor()
    expect(text).not.toContain('Intern vurdering')
    // Plain-words explanations of the words on the page.
    const glossary = (
      await mor.getByRole('region', { name: 'Hvad betyder ordene?' }).innerText()
    ).toLowerCase()
    expect(glossary).toContain('botilbud')
    expect(glossary).toContain('statusrapport')
  })

  it('Hvem har set mine data: staff accesses newest first with name, role, organisation, what and why; filters', {
    timeout: 120_000,
  }, async (c) => {
    if (!mor) return c.skip()
    showPageOnFailure(c)
    // The first visit is itself written to the log, so the second shows it at the top.
    await navigate(mor, 'Hvem har set mine data')
    await mor.reload()
    await loaded(mor, 'Hvem har set mine data')
    await fitsAndAccessible(mor, '/borger/adgang')
    const items = mor.getByRole('list', { name: 'Opslag' }).getByRole('listitem')
    const all = await items.allInnerTexts()
    expect(all.length).toBeGreaterThan(2)
    expect(all[0]).toContain('Prebens mor')
    const sara = all.find(
      (x) => x.includes('Sara, sagsbehandler, Høje-Taastrup Kommune') && x.includes('Så sagen'),
    )
    expect(sara).toContain('Hvad: Så sagen')
    expect(sara).toContain('Hvorfor: Sagsbehandling')
    const sanne = all.find((x) => x.includes('Sanne') && x.includes('Samværskonsulenterne ApS'))
    expect(sanne).toContain('Hentede dokumentet «statusrapport-samvaer-2026-03.pdf»')
    // Newest first, by the machine-readable time of each entry.
    const times = await mor
      .getByRole('list', { name: 'Opslag' })
      .locator('time')
      .evaluateAll((els) => els.map((e) => e.getAttribute('datetime') ?? ''))
    expect(times.length).toBe(all.length)
    expect(times).toEqual([...times].sort().reverse())
    // Only her own case's log: Dorte read only the other child's case.
    expect(all.join('\n')).not.toContain('Dorte')

    await mor.getByLabel('Organisation', { exact: true }).selectOption({ label: 'Samværskonsulenterne ApS' })
    const byOrg = await items.allInnerTexts()
    expect(byOrg.length).toBeGreaterThan(0)
    expect(byOrg.length).toBeLessThan(all.length)
    expect(byOrg.every((x) => x.includes('Samværskonsulenterne ApS'))).toBe(true)
    await mor.getByText(`Viser ${byOrg.length} af ${all.length} opslag.`).waitFor()
    await mor.getByLabel('Organisation', { exact: true }).selectOption({ label: 'Alle' })
    await mor.getByLabel('Søg', { exact: true }).fill('sagsbehandler')
    const byText = await items.allInnerTexts()
    expect(byText.length).toBeGreaterThan(0)
    expect(byText.every((x) => x.includes('sagsbehandler'))).toBe(true)
    await fitsAndAccessible(mor, '/borger/adgang (filtreret)')
  })

  it('Eksport: the JSON has the case and benefit index field names, the PDF is readable', {
    timeout: 120_000,
  }, async (c) => {
    if (!mor) return c.skip()
    showPageOnFailure(c)
    await navigate(mor, 'Eksport')
    await fitsAndAccessible(mor, '/borger/eksport')

    const download = async (name: RegExp) => {
      const [d] = await Promise.all([mor!.waitForEvent('download'), mor!.getByRole('link', { name }).click()])
      return { name: d.suggestedFilename(), bytes: readFileSync((await d.path())!) }
    }
    const json = await download(/Hent som JSON/)
    expect(json.name).toBe('tillid-eksport.json')
    const data = JSON.parse(json.bytes.toString('utf8'))
    expect(data.format).toBe('tillid.borgereksport.v1')
    expect(data.sager).toHaveLength(1)
    const sag = data.sager[0]
    // SF1470 (sag) and SF1490 (ydelse) field names, mapped in docs/citizen-export.md.
    expect(sag).toMatchObject({
      sagUUID: ids.case,
      titel: 'Anbringelse uden for hjemmet',
      kleEmne: '27.24.00',
      primaerPart: { cprNummer: PREBEN_CPR, navn: PREBEN },
      relation: 'barn i forældremyndighed',
    })
    expect(sag.sagsstatus).toEqual(expect.any(String))
    expect(sag.aftaler.map((a: { aftaleUUID: string }) => a.aftaleUUID).sort()).toEqual(
      [ids.placement, ids.contact].sort(),
    )
    const ophold = sag.aftaler
      .flatMap((a: { ydelser: unknown[] }) => a.ydelser)
      .find((y: { ydelsesnavn: string }) => y.ydelsesnavn === 'Ophold')
    expect(ophold).toMatchObject({ beloebOere: '5200000', virkningFra: '2026-02-01', virkningTil: null })
    expect(ophold.ydelseUUID).toEqual(expect.any(String))
    expect(sag.dokumenter.map((d: { titel: string }) => d.titel)).toContain(
      'statusrapport-samvaer-2026-03.pdf',
    )
    expect(JSON.stringify(data)).not.toContain('Intern vurdering')
    expect(JSON.stringify(data)).not.toContain('Dorte')
    expect(sag.adgangslog.some((e: { hvem: string }) => e.hvem === 'Sara')).toBe(true)

    const pdf = await download(/Hent som PDF/)
    expect(pdf.name).toBe('tillid-eksport.pdf')
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    const { text } = await pdfText(new Uint8Array(pdf.bytes))
    for (const words of [
      'Dine oplysninger i Tillid',
      'Anbringelse uden for hjemmet',
      PREBEN,
      'Østervold',
      'Samværskonsulenterne ApS',
      'Ophold',
      'kan ikke ændres i det skjulte',
      'Sara',
    ])
      expect(text).toContain(words)
    expect(text).not.toContain('Intern vurdering')

    // Both downloads are in the case's log, which the mother sees too.
    await navigate(mor, 'Hvem har set mine data')
    const exports = mor
      .getByRole('list', { name: 'Opslag' })
      .getByRole('listitem')
      .filter({ hasText: 'Prebens mor' })
      .filter({ hasText: 'Hentede alle oplysninger (eksport)' })
    expect(await exports.count()).toBe(2)
  })

  it('Bidrag: a correction becomes Sara’s task, she answers on the case page, the mother sees the answer', {
    timeout: 120_000,
  }, async (c) => {
    if (!mor) return c.skip()
    showPageOnFailure(c)
    await navigate(mor, 'Bidrag')
    await fitsAndAccessible(mor, '/borger/bidrag')
    // Sending nothing shows the errors in Danish, and the page still fits.
    await mor.getByRole('button', { name: 'Send til kommunen' }).click()
    await mor.getByText('Vælg om det er en kommentar eller en rettelse').first().waitFor()
    await fitsAndAccessible(mor, '/borger/bidrag (fejl)')
    await mor.getByLabel('Bede om at få noget rettet', { exact: true }).check()
    await mor.getByLabel('Din besked', { exact: true }).fill(CORRECTION)
    await mor.getByRole('button', { name: 'Send til kommunen' }).click()
    await mor.getByText('Tak – din besked er sendt').waitFor()
    await mor.getByText('Kommunen har ikke svaret endnu.').waitFor()

    // Sara sees it as a task and answers it on the case page.
    const sara = await newPage(1280, 900)
    await loginWithDevIdp(sara, t!.baseUrl, 'Sara', '/opgaver')
    await open(sara, '/opgaver', 'Mine opgaver')
    const task = main(sara).getByRole('listitem').filter({ hasText: 'Henvendelse fra borger' })
    expect(await task.innerText()).toContain('Anmodning om rettelse fra borgeren')
    await task.getByRole('link').click()
    await sara.getByRole('heading', { level: 1, name: 'Anbringelse uden for hjemmet' }).waitFor()
    const request = main(sara).getByRole('listitem').filter({ hasText: CORRECTION })
    await request.getByLabel('Dit svar til borgeren', { exact: true }).fill(ANSWER)
    await request.getByRole('button', { name: 'Send svar' }).click()
    await request.getByText(`Svar: ${ANSWER}`).waitFor()
    await open(sara, '/opgaver', 'Mine opgaver')
    expect(await main(sara).innerText()).not.toContain('Henvendelse fra borger')

    await open(mor, '/borger/bidrag', 'Bidrag')
    const mine = main(mor).getByRole('listitem').filter({ hasText: CORRECTION })
    expect((await mine.innerText()).replace(/\s+/g, ' ')).toContain(`Svar fra kommunen: ${ANSWER}`)
    await fitsAndAccessible(mor, '/borger/bidrag (besvaret)')
  })
})
