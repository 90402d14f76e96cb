/**
 * The web app in a real browser against a fake API (fixtures per docs/api-plan.md): Danish shell,
 * login, every page free of serious/critical axe violations and usable at phone widths, and the
 * forms' validation and what they send. Skips (with a printed reason) when chromium is absent.
 */
import { rmSync } from 'node:fs'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertAccessible, horizontalOverflow, launchBrowser, seriousA11yViolations } from './browser.ts'
import { buildWeb } from './build-web.ts'
import { type FakeServer, startFakeServer } from './fake-api.ts'
import { contextAs, openPage, pageCases } from './pages.ts'

let browser: Browser | null = null
let server: FakeServer
let dist = ''

beforeAll(async () => {
  browser = await launchBrowser()
  if (!browser) return
  dist = await buildWeb()
  server = await startFakeServer(dist)
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
  if (dist) rmSync(dist, { recursive: true, force: true })
})

describe('web app against the fake API', () => {
  it('greets a visitor in Danish and logs in to the shell with name, role and organisation', async (t) => {
    if (!browser) return t.skip()
    const ctx = await contextAs(browser, server.url, null)
    const page = await ctx.newPage()
    await page.goto(`${server.url}/`)
    await page.getByRole('heading', { level: 1, name: 'Tillid – aftaler om sociale indsatser' }).waitFor()
    expect(await page.getAttribute('html', 'lang')).toBe('da')
    await assertAccessible(page, 'forsiden')

    const login = page.getByRole('main').getByRole('link', { name: 'Log ind' })
    expect(await login.getAttribute('href')).toBe('/auth/login?returnTo=%2F')
    server.nextPersona = 'sara'
    await login.click()
    // Caseworkers land on their tasks.
    await page.getByRole('heading', { level: 1, name: 'Mine opgaver' }).waitFor()
    const user = page.getByTestId('current-user')
    await expect.poll(() => user.innerText()).toContain('Sara')
    expect(await user.innerText()).toContain('Sagsbehandler, Høje-Taastrup Kommune')
    expect(await page.getByRole('navigation', { name: 'Hovedmenu' }).innerText()).toContain('Sager')
    expect(await page.getByRole('region', { name: 'Demo' }).innerText()).toContain('3. juni 2026')

    await page.getByRole('button', { name: 'Log af' }).click()
    await page.getByRole('heading', { level: 1, name: 'Tillid – aftaler om sociale indsatser' }).waitFor()
    expect(
      server.requests.some((r) => r.path === '/auth/logout' && r.headers['x-csrf-token'] === 'csrf-p-sara'),
    ).toBe(true)
    await ctx.close()
  })

  it('sends a deep link through login and back to the page asked for', async (t) => {
    if (!browser) return t.skip()
    const ctx = await contextAs(browser, server.url, null)
    const page = await ctx.newPage()
    await page.goto(`${server.url}/oekonomi/2026-05`)
    server.nextPersona = 'finn'
    await page.getByRole('main').getByRole('link', { name: 'Log ind' }).click()
    await page.getByRole('heading', { level: 1, name: 'Månedskørsel for maj 2026' }).waitFor()
    await ctx.close()
  })

  it('is accessible (axe) and fits 375 px on every page, the citizen pages also 320 px', {
    timeout: 180_000,
  }, async (t) => {
    if (!browser) return t.skip()
    const failures: string[] = []
    for (const persona of [...new Set(pageCases.map((c) => c.persona))]) {
      const ctx = await contextAs(browser, server.url, persona)
      const page = await ctx.newPage()
      for (const c of pageCases.filter((x) => x.persona === persona)) {
        await page.setViewportSize({ width: 1280, height: 900 })
        await openPage(page, server.url, c)
        try {
          await assertAccessible(page, `${c.path} (${c.persona})`)
        } catch (err) {
          failures.push((err as Error).message)
        }
        for (const width of persona === 'mor' ? [375, 320] : [375]) {
          await page.setViewportSize({ width, height: 800 })
          const px = await horizontalOverflow(page)
          if (px > 0) failures.push(`${c.path} at ${width}px: ${px}px too wide`)
        }
      }
      await ctx.close()
    }
    expect(failures).toEqual([])
  })

  it('reports a serious violation when there is one (the axe check is live)', async (t) => {
    if (!browser) return t.skip()
    const ctx = await contextAs(browser, server.url, null)
    const page = await ctx.newPage()
    await page.setContent('<html lang="da"><body><main><h1>Test</h1><input type="text"></main></body></html>')
    const v = await seriousA11yViolations(page)
    expect(v.map((x) => x.id)).toContain('label')
    await ctx.close()
  })

  it('shows amounts and dates the Danish way, and why a payment was withheld', async (t) => {
    if (!browser) return t.skip()
    const ctx = await contextAs(browser, server.url, 'finn')
    const page = await ctx.newPage()
    await openPage(page, server.url, { path: '/oekonomi/2026-05', heading: 'Månedskørsel for maj 2026' })
    const withheld = page.getByRole('table', { name: 'Tilbageholdte betalinger' })
    const text = await withheld.innerText()
    expect(text).toContain('75.800,00 kr')
    expect(text).toContain('Statusrapport mangler, forfaldt 1. maj 2026, overskredet siden 16. maj 2026')
    expect(await page.getByRole('link', { name: 'Hent betalingsfil (pain.001)' }).getAttribute('href')).toBe(
      '/api/payment-runs/2026-05/pain001',
    )
    await ctx.close()
  })

  it('validates a form in Danish, keeps what was typed, and maps server field errors', async (t) => {
    if (!browser) return t.skip()
    const ctx = await contextAs(browser, server.url, 'sara')
    const page = await ctx.newPage()
    await openPage(page, server.url, { path: '/sager/ny', heading: 'Opret sag' })
    await page.getByLabel('Borgerens navn').fill('Preben Hansen')
    await page.getByLabel('CPR-nummer').fill('310216-4321')
    await page.getByRole('button', { name: 'Opret sag' }).click()
    const summary = page.getByRole('alert').filter({ hasText: 'Der er problemer' })
    await summary.waitFor()
    expect(await summary.innerText()).toContain('Angiv sagens titel')
    expect(await summary.innerText()).toContain('CPR-nummeret skal være 10 cifre')
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.classList.contains('error-summary')))
      .toBe(true)
    expect(await page.getByLabel('Borgerens navn').inputValue()).toBe('Preben Hansen')
    // The summary's link moves focus to the field.
    await summary.getByRole('link', { name: /Angiv sagens titel/ }).click()
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('title')

    await page.getByLabel('Sagens titel').fill('Anbringelse uden for hjemmet')
    await page.getByLabel('CPR-nummer').fill('010101-0000')
    await page.getByRole('button', { name: 'Opret sag' }).click()
    await page.getByText('CPR-nummeret findes ikke i CPR-registret').first().waitFor()
    expect(await page.getByLabel('CPR-nummer').getAttribute('aria-invalid')).toBe('true')

    // A reload loses nothing typed.
    await page.reload()
    await page.getByRole('heading', { level: 1, name: 'Opret sag' }).waitFor()
    expect(await page.getByLabel('Sagens titel').inputValue()).toBe('Anbringelse uden for hjemmet')
    await ctx.close()
  })

  it('creates an agreement from a template with exact øre, sessions and a main agreement', async (t) => {
    if (!browser) return t.skip()
    const ctx = await contextAs(browser, server.url, 'sara')
    const page = await ctx.newPage()
    await openPage(page, server.url, { path: '/aftaler/ny?caseId=case-1', heading: 'Opret aftale' })
    await page.getByLabel('Leverandør', { exact: true }).selectOption({ label: 'Østervold' })
    await page.getByLabel('Skabelon').selectOption({ label: 'Anbringelse på botilbud' })
    const line1 = page.getByRole('group', { name: 'Ydelse 1' })
    expect(await line1.getByLabel('Pris').inputValue()).toBe('52000,00')
    await page.getByRole('button', { name: 'Tilføj ydelse' }).click()
    const line3 = page.getByRole('group', { name: 'Ydelse 3' })
    await line3.getByLabel('Navn på ydelsen').fill('Taxi')
    await line3.getByLabel('Pris').fill('6.500')
    await line3.getByLabel('Startdato').fill('2026-02-01')
    await line3.getByLabel('Slutdato (valgfri)').fill('2026-04-30')
    expect(await page.getByText('Samlet pris pr. måned for månedsydelser').innerText()).toContain(
      '72.500,00 kr',
    )
    await page.getByRole('button', { name: 'Tilføj ydelse' }).click()
    const line4 = page.getByRole('group', { name: 'Ydelse 4' })
    await line4.getByLabel('Navn på ydelsen').fill('Overvåget samvær')
    await line4.getByLabel('Pris').fill('650,00')
    await line4.getByLabel('Enhed').selectOption({ label: 'Pr. time' })
    await line4.getByLabel('Timer pr. gang').fill('4')
    await line4.getByLabel('Hver ... uge').fill('2')
    await line4.getByLabel('Ugedag').selectOption({ label: 'søndag' })
    await line4.getByLabel('Første gang').fill('2026-02-01')
    await line4.getByLabel('Startdato').fill('2026-02-01')
    await page.getByLabel('Hovedaftale (valgfri)').selectOption({ label: 'Anbringelse på Østervold' })
    await page.getByRole('button', { name: 'Opret aftale' }).click()
    await page.waitForURL('**/aftaler/agr-new')
    const sent = server.requests.find((r) => r.method === 'POST' && r.path === '/api/agreements')
    expect(sent?.body).toMatchObject({
      caseId: 'case-1',
      providerId: 'org-oestervold',
      templateId: 'tpl-placement',
      mainAgreementId: 'agr-placement',
      reportEveryMonths: 3,
      graceDays: 14,
      lines: [
        { name: 'Ophold', priceOre: '5200000', unit: 'month', schedule: { kind: 'monthly' } },
        { name: 'Skoledel', priceOre: '1400000' },
        { name: 'Taxi', priceOre: '650000', start: '2026-02-01', end: '2026-04-30', arrangedBy: 'provider' },
        {
          name: 'Overvåget samvær',
          priceOre: '65000',
          unit: 'hour',
          schedule: { kind: 'sessions', hours: 4, everyWeeks: 2, weekday: 7, from: '2026-02-01' },
        },
      ],
    })
    expect(sent?.headers['idempotency-key']).toBeTruthy()
    await ctx.close()
  })

  it('signs and approves the version shown, offering each only to the role that may', async (t) => {
    if (!browser) return t.skip()
    const sara = await contextAs(browser, server.url, 'sara')
    const page = await sara.newPage()
    await openPage(page, server.url, { path: '/opgaver', heading: 'Mine opgaver' })
    await page.getByRole('link', { name: 'Underskriv Aflastning i weekender' }).click()
    await page.getByRole('heading', { level: 1, name: 'Aflastning i weekender' }).waitFor()
    expect(await page.getByRole('button', { name: 'Godkend aftalen' }).count()).toBe(0)
    await page.getByRole('button', { name: 'Underskriv aftalen' }).click()
    await page.getByText('Du har underskrevet version 1.').waitFor()
    expect(server.requests.find((r) => r.path === '/api/agreements/agr-draft/sign')?.body).toEqual({
      version: 1,
    })
    await sara.close()

    const bo = await contextAs(browser, server.url, 'bo')
    const bp = await bo.newPage()
    await openPage(bp, server.url, { path: '/aftaler/agr-awaiting', heading: 'Aflastning i ferier' })
    expect(await bp.getByRole('button', { name: 'Underskriv aftalen' }).count()).toBe(0)
    await bp.getByRole('button', { name: 'Godkend aftalen' }).click()
    await bp.getByText('Du har godkendt version 1.').waitFor()
    expect(server.requests.find((r) => r.path === '/api/agreements/agr-awaiting/approve')?.body).toEqual({
      version: 1,
    })
    await bo.close()
  })

  it('shows the amendment as a version diff and the termination cascade before confirming', async (t) => {
    if (!browser) return t.skip()
    const ctx = await contextAs(browser, server.url, 'sara')
    const page = await ctx.newPage()
    await openPage(page, server.url, { path: '/aftaler/agr-placement', heading: 'Anbringelse på Østervold' })
    const diff = page.getByRole('table', { name: 'Ændringer fra version 1 til version 2' })
    expect(await diff.innerText()).toMatch(/Ekstra skolestøtte 6 t\/uge\s+Tilføjet/)
    expect(await diff.innerText()).toContain('9.800,00 kr pr. måned, 1. marts 2026 – 31. maj 2026')

    await page.getByRole('link', { name: 'Ophør aftalen' }).click()
    await page.getByLabel('Sidste dag aftalen gælder').fill('2027-01-31')
    await page.getByRole('button', { name: 'Se konsekvenser' }).click()
    const cascade = page.getByRole('table', { name: 'Aftaler der ophører' })
    expect(await cascade.innerText()).toContain('Overvåget samvær')
    expect(await cascade.innerText()).toContain('Tilknyttet aftale – ophører automatisk')
    expect(await cascade.innerText()).toContain('31. januar 2027')
    await page.getByRole('button', { name: 'Bekræft ophør' }).click()
    await page.waitForURL('**/aftaler/agr-placement')
    const sent = server.requests.find((r) => r.path === '/api/agreements/agr-placement/termination')
    expect(sent?.body).toEqual({ effectiveDate: '2027-01-31', kind: 'mutual' })
    await ctx.close()
  })

  it('lets a provider submit an invoice and the citizen filter the access log and write to the case', async (t) => {
    if (!browser) return t.skip()
    const ctx = await contextAs(browser, server.url, 'sanne')
    const page = await ctx.newPage()
    await openPage(page, server.url, { path: '/aftaler/agr-contact', heading: 'Overvåget samvær' })
    await page.getByLabel('Måned').fill('2026-02')
    await page.getByLabel('Antal timer').fill('8')
    await page.getByRole('button', { name: 'Indsend faktura' }).click()
    await page.getByText('Fakturaen for februar 2026 er modtaget: 5.200,00 kr.').waitFor()
    await ctx.close()

    const ole = await contextAs(browser, server.url, 'ole')
    const op = await ole.newPage()
    await openPage(op, server.url, { path: '/leverandoer', heading: 'Leverandør' })
    const payments = await op.getByRole('table', { name: 'Betalinger' }).innerText()
    // The provider's table comes from the payment runs: May as it was run, withheld.
    expect(payments).toContain('Statusrapport mangler, forfaldt 1. maj 2026, overskredet siden 16. maj 2026')
    await op.getByRole('button', { name: 'Send statusrapport' }).click()
    await op.getByText('Vælg statusrapporten som fil').first().waitFor()
    await op.getByLabel('Statusrapport', { exact: true }).setInputFiles({
      name: 'status-maj.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4 statusrapport'),
    })
    await op.getByRole('button', { name: 'Send statusrapport' }).click()
    await op.getByText('Statusrapporten status-maj.pdf er modtaget.').waitFor()
    const upload = server.requests.find((r) => r.path === '/api/agreements/agr-placement/reports')
    expect(upload?.body).toEqual({
      filename: 'status-maj.pdf',
      contentBase64: Buffer.from('%PDF-1.4 statusrapport').toString('base64'),
    })
    await ole.close()

    const citizen = await contextAs(browser, server.url, 'mor', 375)
    const cp = await citizen.newPage()
    await openPage(cp, server.url, { path: '/borger/adgang', heading: 'Hvem har set mine data' })
    expect(await cp.getByText('Viser 3 af 3 opslag.').count()).toBe(1)
    await cp.getByLabel('Organisation').selectOption('Østervold')
    await cp.getByText('Viser 1 af 3 opslag.').waitFor()
    await cp.getByLabel('Organisation').selectOption('')
    await cp.getByLabel('Søg').fill('godkendelse')
    await cp.getByText('Viser 1 af 3 opslag.').waitFor()

    await openPage(cp, server.url, { path: '/borger', heading: 'Mit overblik' })
    expect(await cp.getByText('Denne aftale er registreret og kan ikke ændres i det skjulte.').count()).toBe(
      2,
    )
    expect(await cp.getByRole('main').innerText()).toContain(
      'Ophold: 52.000,00 kr om måneden, fra 1. februar 2026',
    )

    await openPage(cp, server.url, { path: '/borger/bidrag', heading: 'Bidrag' })
    await cp.getByRole('button', { name: 'Send til kommunen' }).click()
    await cp.getByText('Vælg om det er en kommentar eller en rettelse').first().waitFor()
    await cp.getByLabel('Bede om at få noget rettet').check()
    await cp.getByLabel('Din besked').fill('Prebens skole hedder Taastrup Realskole.')
    await cp.getByRole('button', { name: 'Send til kommunen' }).click()
    await cp.getByText('Tak – din besked er sendt').waitFor()
    const sent = server.requests.find((r) => r.path === '/api/citizen/contributions')
    expect(sent?.body).toEqual({
      caseId: 'case-1',
      kind: 'correction',
      text: 'Prebens skole hedder Taastrup Realskole.',
    })
    await citizen.close()
  })

  it('amends an agreement by sending only the added lines, previewing the diff first', async (t) => {
    if (!browser) return t.skip()
    const ctx = await contextAs(browser, server.url, 'sara')
    const page = await ctx.newPage()
    await openPage(page, server.url, { path: '/aftaler/agr-contact', heading: 'Overvåget samvær' })
    await page.getByRole('link', { name: 'Lav tillæg' }).click()
    await page.getByRole('heading', { level: 1, name: 'Tillæg til aftale' }).waitFor()
    await page.getByRole('button', { name: 'Tilføj ydelse' }).click()
    const added = page.getByRole('group', { name: 'Ydelse 2' })
    await added.getByLabel('Navn på ydelsen').fill('Kørsel til samvær')
    await added.getByLabel('Pris').fill('1.200,50')
    await added.getByLabel('Startdato').fill('2026-07-01')
    const preview = page.getByRole('table', { name: 'Ændringer fra version 1 til version 2' })
    await expect.poll(() => preview.innerText()).toContain('1.200,50 kr pr. måned, fra 1. juli 2026')
    expect(await preview.innerText()).toMatch(/Kørsel til samvær\s+Tilføjet/)
    await page.getByLabel('Revurderingsdato (valgfri)').fill('2026-10-01')
    await page.getByRole('button', { name: 'Opret tillæg' }).click()
    await page.waitForURL('**/aftaler/agr-contact')
    const sent = server.requests.find((r) => r.path === '/api/agreements/agr-contact/amendments')
    expect(sent?.body).toMatchObject({
      reviewDate: '2026-10-01',
      // Only the added line; the unchanged line S1 is neither re-added nor changed.
      lines: [{ name: 'Kørsel til samvær', priceOre: '120050', unit: 'month', start: '2026-07-01' }],
      changes: [],
    })
    expect((sent?.body as { lines?: unknown[] } | undefined)?.lines).toHaveLength(1)
    await ctx.close()
  })

  // Last: it moves the fake ledger clock that earlier tests read.
  it('moves demo time forward only, and the demo bar follows', async (t) => {
    if (!browser) return t.skip()
    const ctx = await contextAs(browser, server.url, 'admin')
    const page = await ctx.newPage()
    await openPage(page, server.url, { path: '/demo', heading: 'Demo: tidsstyring' })
    await page.getByLabel('Ny ledger-dato').fill('2026-05-01')
    await page.getByRole('button', { name: 'Flyt tiden frem' }).click()
    await page.getByText('Tiden kan kun flyttes frem: vælg en dato efter 3. juni 2026').first().waitFor()
    expect(server.requests.some((r) => r.method === 'POST' && r.path === '/api/ledger/time')).toBe(false)
    await page.getByLabel('Ny ledger-dato').fill('2026-07-01')
    await page.getByRole('button', { name: 'Flyt tiden frem' }).click()
    await page.getByText('Ledger-datoen er nu 1. juli 2026.').waitFor()
    await expect.poll(() => page.getByRole('region', { name: 'Demo' }).innerText()).toContain('1. juli 2026')
    await ctx.close()
  })
})
