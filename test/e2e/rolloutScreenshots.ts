/**
 * Screenshots of the rollout dashboards ("Udrulning") for docs/screenshots: they need national-scale
 * figures, so they are taken against the real API on synthetic data (seed-national), not the fake
 * API's fixtures. Called by test/e2e/screenshots.ts.
 */
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { seedNational } from '../../src/services/analytics/seedNational.ts'
import { openTestApp } from '../support/app.ts'
import { loginWithDevIdp } from './pages.ts'

const QUARTER = '2026Q2'

export async function rolloutScreenshots(
  browser: Browser,
  webDist: string,
  outDir: string,
): Promise<string[]> {
  const t = await openTestApp({}, { webDist })
  const written: string[] = []
  try {
    await seedNational(t.ctx.db, { agreements: 5000, toQuarter: QUARTER, seed: 1 })
    for (const [name, width, url, heading] of [
      ['udrulning', 1280, `/udrulning?kvartal=${QUARTER}`, 'Udrulning: landsoverblik'],
      [
        'udrulning-sammenlign',
        1280,
        `/udrulning/sammenlign?kvartal=${QUARTER}`,
        'Udrulning: sammenlign kommuner',
      ],
      ['udrulning-kommune-mobil', 375, `/udrulning/kommuner/169?kvartal=${QUARTER}`, /Høje-Taastrup/],
    ] as const) {
      const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'da-DK' })
      const page = await ctx.newPage()
      await loginWithDevIdp(page, t.baseUrl, 'Admin', url)
      await page.getByRole('heading', { level: 1, name: heading }).waitFor()
      await page.waitForFunction(
        () =>
          document.querySelectorAll('.spinner').length === 0 &&
          Array.from(document.querySelectorAll('.rollout-chart')).every((c) => c.querySelector('svg')),
      )
      const file = path.join(outDir, `${name}.png`)
      // On a phone the stacked tables make the whole page very long: the first screenful shows the idea.
      await page.screenshot({ path: file, fullPage: width > 600 })
      written.push(file)
      await ctx.close()
    }
  } finally {
    await t.close()
  }
  return written
}
