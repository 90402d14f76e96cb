/**
 * The rollout dashboards ("Udrulning") in the real web app against the real API, on a 375 px phone
 * and a desktop: the administrator logs in through the development IdP and opens the national
 * overview, the comparison of municipalities and Høje-Taastrup's page, on synthetic national data
 * (seed-national). Each page is checked with axe (no serious or critical violations), for sideways
 * scrolling, for drawn charts and for the charts' table alternatives. Skips without chromium.
 */
import { rmSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedNational } from '../../src/services/analytics/seedNational.ts'
import { openTestApp, type TestApp } from '../support/app.ts'
import { assertAccessible, horizontalOverflow, launchBrowser } from './browser.ts'
import { buildWeb } from './build-web.ts'
import { loginWithDevIdp } from './pages.ts'

const QUARTER = '2026Q2'
let browser: Browser | null = null
let dist = ''
let t: TestApp | null = null

beforeAll(async () => {
  browser = await launchBrowser()
  if (!browser) return
  dist = await buildWeb(`e2e-rollout-${process.pid}`)
  t = await openTestApp({}, { webDist: dist })
  await seedNational(t.ctx.db, { agreements: 3000, toQuarter: QUARTER, seed: 7 })
}, 300_000)

afterAll(async () => {
  await browser?.close()
  await t?.close()
  if (dist) rmSync(dist, { recursive: true, force: true })
})

async function adminPage(width: number): Promise<Page> {
  const c = await browser!.newContext({ viewport: { width, height: 900 }, locale: 'da-DK' })
  c.setDefaultTimeout(20_000)
  const page = await c.newPage()
  await loginWithDevIdp(page, t!.baseUrl, 'Admin', `/udrulning?kvartal=${QUARTER}`)
  return page
}

async function loaded(page: Page, heading: string | RegExp) {
  await page.getByRole('heading', { level: 1, name: heading }).waitFor()
  await page.waitForFunction(() => document.querySelectorAll('.spinner').length === 0)
  // Every chart drawn (ECharts is loaded on demand).
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll('.rollout-chart')).every((c) => c.querySelector('svg')),
  )
}

describe('Udrulning in the browser', () => {
  it('national overview, comparison and one municipality on a 375 px phone, accessible', async () => {
    if (!browser) return
    const page = await adminPage(375)
    await page
      .getByRole('navigation', { name: 'Hovedmenu' })
      .getByRole('link', { name: 'Udrulning' })
      .waitFor()
    await loaded(page, 'Udrulning: landsoverblik')
    await page.getByText('Syntetiske data').waitFor()
    const tiles = page.getByRole('list', { name: 'Nøgletal' }).getByRole('listitem')
    expect(await tiles.count()).toBe(9)
    const paidAfter = await page
      .locator('[data-kpi="maxDaysPaidAfterTermination"] .rollout-tile-value')
      .textContent()
    // The synthetic data never pay after the end: the tile reads 0 or less (or "<5" when hidden).
    expect(paidAfter === '<5' || Number((paidAfter ?? '').replace('−', '-')) <= 0).toBe(true)
    expect(await page.locator('.rollout-chart svg').count()).toBe(2)
    // The charts' text alternative: the same numbers as a table.
    await page.getByText('Vis som tabel').first().click()
    await page.getByRole('table', { name: /Tilslutningsstatus pr\. region/ }).waitFor()
    // Five regions; at 375 px the header row is stacked into each cell's label.
    const regions = page.getByRole('table', { name: /Tilslutningsstatus pr\. region/ }).locator('tbody tr')
    expect(await regions.count()).toBe(5)
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    await assertAccessible(page, 'Udrulning: landsoverblik (375 px)')

    await page
      .getByRole('navigation', { name: 'Udrulning' })
      .getByRole('link', { name: 'Sammenlign kommuner' })
      .click()
    await loaded(page, 'Udrulning: sammenlign kommuner')
    await page.getByLabel('Nøgletal').selectOption('reportsOnTimeShare')
    await page.getByRole('table', { name: /Statusrapporter modtaget til tiden/ }).waitFor()
    await loaded(page, 'Udrulning: sammenlign kommuner')
    const rows = page.getByRole('table', { name: /Statusrapporter modtaget til tiden/ }).locator('tbody tr')
    expect(await rows.count()).toBe(98)
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    await assertAccessible(page, 'Udrulning: sammenlign kommuner (375 px)')

    await page.getByRole('link', { name: 'Høje-Taastrup', exact: true }).click()
    await loaded(page, 'Udrulning: Høje-Taastrup Kommune')
    await page.getByText('Kommunekode 169').waitFor()
    await page.getByRole('table', { name: /Høje-Taastrup, 2\. kvartal 2026/ }).waitFor()
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    await assertAccessible(page, 'Udrulning: Høje-Taastrup (375 px)')
  }, 240_000)

  it('desktop: the comparison chart marks the median and the pages stay accessible', async () => {
    if (!browser) return
    const page = await adminPage(1280)
    await loaded(page, 'Udrulning: landsoverblik')
    await assertAccessible(page, 'Udrulning: landsoverblik (1280 px)')
    await page.goto(`${t!.baseUrl}/udrulning/sammenlign?kvartal=${QUARTER}&noegletal=activePer1000`)
    await loaded(page, 'Udrulning: sammenlign kommuner')
    await page.locator('.rollout-chart svg text', { hasText: 'Median' }).first().waitFor()
    await assertAccessible(page, 'Udrulning: sammenlign kommuner (1280 px)')
    await page.goto(`${t!.baseUrl}/udrulning/kommuner/101?kvartal=${QUARTER}`)
    await loaded(page, 'Udrulning: København Kommune')
    await assertAccessible(page, 'Udrulning: København (1280 px)')
  }, 240_000)

  it('is not offered to a caseworker, and the API refuses her', async () => {
    if (!browser) return
    const c = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'da-DK' })
    const page = await c.newPage()
    await loginWithDevIdp(page, t!.baseUrl, 'Sara', '/opgaver')
    const nav = page.getByRole('navigation', { name: 'Hovedmenu' })
    await nav.getByRole('link').first().waitFor()
    expect(await nav.getByRole('link', { name: 'Udrulning' }).count()).toBe(0)
    await page.goto(`${t!.baseUrl}/udrulning?kvartal=${QUARTER}`)
    await page.getByText('Kunne ikke hente udrulningens tal').waitFor()
  }, 120_000)
})
